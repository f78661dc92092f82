//! REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken (with rotation and its grace period) and
//! RevokeToken.

use super::SignIn;
use crate::env::RandomExt;
use crate::idp::client_secrets::{check_client_secret, hash_matches, valid_secrets};
use crate::idp::clients::{client_and_pool, load_client};
use crate::idp::issue::{self, Minted, RefreshPayload, signed_out_since};
use crate::idp::service::UserPools;
use crate::store::Tx;
use crate::tokens::Purpose;
use cognate_proto::idp::{
    FeatureType, GetTokensFromRefreshTokenRequest, GetTokensFromRefreshTokenResponse, RevokeTokenRequest,
    RevokeTokenResponse,
};
use cognate_proto::{ApiError, RequestContext};

/// How a refresh proves the client: InitiateAuth's REFRESH_TOKEN_AUTH sends a SECRET_HASH
/// (over the username or the sub); the operations that take the secret whole have checked it.
#[derive(Clone, Copy)]
pub(crate) enum RefreshSecret<'a> {
    Hash(Option<&'a str>),
    Checked,
}

/// New tokens from a refresh token; with `rotate`, a new refresh token replaces the old one
/// (answered `true` when it did).
pub(crate) fn refresh(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    token: &str,
    secret: RefreshSecret<'_>,
    rotate: bool,
) -> Result<(Minted, bool), ApiError> {
    let up = s.up;
    let pool_id = s.pool_id();
    let client_id = s.client.client_id.clone().unwrap_or_default();
    let invalid = || ApiError::not_authorized("Invalid Refresh Token.");
    let keys = up.pool_keys(tx, pool_id)?;
    let payload: RefreshPayload =
        keys.open(Purpose::RefreshToken, token).and_then(|p| serde_json::from_slice(&p).ok()).ok_or_else(invalid)?;
    if payload.pool != pool_id {
        return Err(invalid());
    }
    if payload.client != client_id {
        return Err(ApiError::not_authorized("Refresh Token has different Client"));
    }
    let now = up.now();
    if payload.exp < now {
        return Err(ApiError::not_authorized("Refresh Token has expired"));
    }
    let revoked = || ApiError::not_authorized("Refresh Token has been revoked");
    let row = tx.family(pool_id, &payload.fam)?;
    if row.as_ref().is_some_and(|f| f.revoked) {
        return Err(revoked());
    }
    let stored = row.is_some();
    let Some(mut family) = row.or_else(|| payload.family()) else { return Err(revoked()) };
    let user = tx
        .user(pool_id, &payload.key)?
        .filter(|u| u.sub == family.sub)
        .ok_or_else(|| ApiError::user_not_found("User does not exist."))?;
    if !stored && signed_out_since(&user, family.auth_time) {
        return Err(revoked());
    }
    let current = family.refresh_id == payload.rid;
    let in_grace =
        family.previous_refresh_id.as_deref() == Some(payload.rid.as_str()) && now <= family.previous_valid_until;
    if !current && !in_grace {
        return Err(ApiError::refresh_token_reuse("The refresh token has been replaced by refresh token rotation."));
    }
    if let (RefreshSecret::Hash(given), Some(_)) = (secret, s.client.client_secret.as_deref()) {
        let Some(given) = given else {
            return Err(ApiError::not_authorized(format!(
                "Client {client_id} is configured with secret but SECRET_HASH was not received"
            )));
        };
        let secrets = valid_secrets(s.up, tx, s.client)?;
        // The refresh form's own message, not the other flows' "Unable to verify secret hash".
        if !hash_matches(&secrets, &client_id, given, &[user.username.as_str(), user.sub.as_str()]) {
            return Err(ApiError::not_authorized(format!("SecretHash does not match for the client: {client_id}")));
        }
    }
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    let mut result = issue::mint(s, tx, &user, &family, "TokenGeneration_RefreshTokens")?;
    let rotated = rotate && current;
    let touched = crate::idp::session_tracking::touch(s.ctx, &mut family, now);
    if rotated {
        let grace = s.client.refresh_token_rotation.as_ref().and_then(|r| r.retry_grace_period_seconds).unwrap_or(0);
        family.previous_refresh_id = Some(std::mem::replace(&mut family.refresh_id, up.rng.uuid_v4()));
        family.previous_valid_until = now + grace as f64;
        up.store_family(tx, &family)?;
        result.refresh_token = Some(up.refresh_token(tx, &family)?);
    } else if touched {
        up.store_family(tx, &family)?;
    }
    Ok((result, rotated))
}

pub(crate) fn get_tokens_from_refresh_token(
    up: &UserPools,
    ctx: &RequestContext,
    input: GetTokensFromRefreshTokenRequest,
) -> Result<GetTokensFromRefreshTokenResponse, ApiError> {
    let minted = up.tx(|tx| {
        let (client, pool) = client_and_pool(tx, None, &input.client_id)?;
        check_client_secret(up, tx, &client, input.client_secret.as_deref())?;
        let s = SignIn { up, ctx, pool: &pool, client: &client, mail: &Default::default(), hosted: false };
        let rotate = client.refresh_token_rotation.as_ref().is_some_and(|r| r.feature == FeatureType::Enabled);
        let (minted, _) = refresh(&s, tx, &input.refresh_token, RefreshSecret::Checked, rotate)?;
        Ok(minted)
    })?;
    Ok(GetTokensFromRefreshTokenResponse { authentication_result: Some(up.finish(minted)?) })
}

/// RevokeToken: ends one refresh token's family, and so every token minted from it.
pub(crate) fn revoke_token(up: &UserPools, input: RevokeTokenRequest) -> Result<RevokeTokenResponse, ApiError> {
    up.tx(|tx| {
        let client = load_client(tx, &input.client_id)?;
        check_client_secret(up, tx, &client, input.client_secret.as_deref())?;
        if client.enable_token_revocation == Some(false) {
            return Err(ApiError::unsupported_operation("Token revocation is not enabled for this client."));
        }
        if input.token.split('.').count() == 3 {
            return Err(ApiError::unsupported_token_type("Only refresh tokens can be revoked."));
        }
        let pool_id = client.user_pool_id.clone().unwrap_or_default();
        let keys = up.pool_keys(tx, &pool_id)?;
        let payload: Option<RefreshPayload> =
            keys.open(Purpose::RefreshToken, &input.token).and_then(|p| serde_json::from_slice(&p).ok());
        // As RFC 7009 has it, a token that is not (or no longer) valid needs no revoking.
        let Some(payload) = payload else { return Ok(RevokeTokenResponse::default()) };
        if payload.client != input.client_id {
            return Err(ApiError::unauthorized("The token was not issued to this client."));
        }
        if let Some(mut family) = tx.family(&pool_id, &payload.fam)?.or_else(|| payload.family()) {
            family.revoked = true;
            up.store_family(tx, &family)?;
        }
        Ok(RevokeTokenResponse::default())
    })
}
