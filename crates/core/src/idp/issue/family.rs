//! Token families: what a refresh token carries sealed, the rows written when a family departs
//! from it, and the sign-outs that end them.

use crate::idp::lookup::load_pool;
use crate::idp::service::UserPools;
use crate::store::{AuthSession, TokenFamily, Tx, UserRecord};
use crate::tokens::Purpose;
use cognate_proto::ApiError;
use cognate_proto::idp::*;
use serde::{Deserialize, Serialize};

/// What a refresh token carries, sealed: its whole family, so that a sign-in need store
/// nothing (see [`TokenFamily`]).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct RefreshPayload {
    pub pool: String,
    pub client: String,
    pub key: String,
    pub fam: String,
    pub rid: String,
    pub exp: f64,
    /// 1 when the payload carries the family; tokens from before that always have a row.
    #[serde(default)]
    pub v: u8,
    #[serde(default)]
    pub sub: String,
    #[serde(default)]
    pub auth: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dev: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scp: Option<Vec<String>>,
}

impl RefreshPayload {
    /// The family as this token carries it, if it carries it.
    pub fn family(&self) -> Option<TokenFamily> {
        (self.v >= 1).then(|| TokenFamily {
            origin_jti: self.fam.clone(),
            pool_id: self.pool.clone(),
            client_id: self.client.clone(),
            user_key: self.key.clone(),
            sub: self.sub.clone(),
            auth_time: self.auth,
            device_key: self.dev.clone(),
            expires: self.exp,
            revoked: false,
            refresh_id: self.rid.clone(),
            previous_refresh_id: None,
            previous_valid_until: 0.0,
            scopes: self.scp.clone(),
            session: None,
        })
    }
}

/// Whether a family without a row of its own, begun at `auth_time`, was revoked by the user
/// signing out everywhere in or after that second.
pub(crate) fn signed_out_since(user: &UserRecord, auth_time: i64) -> bool {
    auth_time <= user.signed_out
}

impl UserPools {
    /// Writes a family whose state its refresh token no longer tells.
    pub(crate) fn store_family(&self, tx: &mut dyn Tx, family: &TokenFamily) -> Result<(), ApiError> {
        tx.put_family(family)?;
        self.purge_expired(tx)
    }

    /// Writes a new session (a challenge, a hosted-UI flow or code).
    pub(crate) fn store_session(&self, tx: &mut dyn Tx, session: &AuthSession) -> Result<(), ApiError> {
        tx.put_session(session)?;
        self.purge_expired(tx)
    }

    /// Expired families and sessions go whenever new ones are stored, so neither table grows
    /// without end; a day's margin keeps what an unexpired access token or a late answer still
    /// needs.
    pub(super) fn purge_expired(&self, tx: &mut dyn Tx) -> Result<(), ApiError> {
        tx.purge_expired(self.now() - 86_400.0)
    }

    pub(crate) fn refresh_token(&self, tx: &mut dyn Tx, family: &TokenFamily) -> Result<String, ApiError> {
        let keys = self.pool_keys(tx, &family.pool_id)?;
        let payload = RefreshPayload {
            pool: family.pool_id.clone(),
            client: family.client_id.clone(),
            key: family.user_key.clone(),
            fam: family.origin_jti.clone(),
            rid: family.refresh_id.clone(),
            exp: family.expires,
            v: 1,
            sub: family.sub.clone(),
            auth: family.auth_time,
            dev: family.device_key.clone(),
            scp: family.scopes.clone(),
        };
        Ok(keys.seal(
            Purpose::RefreshToken,
            &serde_json::to_vec(&payload).expect("payload serialises"),
            self.rng.as_ref(),
        ))
    }

    /// Revokes every token of a user: GlobalSignOut, AdminUserGlobalSignOut, AdminDisableUser.
    /// Writes `user` with its new sign-out time.
    pub(crate) fn sign_out_everywhere(
        &self,
        tx: &mut dyn Tx,
        pool_id: &str,
        user: &mut UserRecord,
    ) -> Result<(), ApiError> {
        user.signed_out = user.signed_out.max(self.now().floor() as i64);
        tx.put_user(pool_id, user)?;
        tx.revoke_families(pool_id, &user.key)
    }
}

pub(crate) fn global_sign_out(up: &UserPools, input: GlobalSignOutRequest) -> Result<GlobalSignOutResponse, ApiError> {
    up.tx(|tx| {
        let (pool, mut user) = up.access_user(tx, &input.access_token)?;
        up.sign_out_everywhere(tx, pool.id.as_deref().unwrap_or_default(), &mut user)?;
        Ok(GlobalSignOutResponse::default())
    })
}

pub(crate) fn admin_user_global_sign_out(
    up: &UserPools,
    input: AdminUserGlobalSignOutRequest,
) -> Result<AdminUserGlobalSignOutResponse, ApiError> {
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let mut user = crate::idp::lookup::require_user(tx, &pool, &input.username)?;
        up.sign_out_everywhere(tx, &input.user_pool_id, &mut user)?;
        Ok(AdminUserGlobalSignOutResponse::default())
    })
}
