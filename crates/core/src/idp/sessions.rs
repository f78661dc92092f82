//! Session tracking: a pool that turns it on (SetUserPoolSessionConfiguration) keeps every
//! sign-in's token session, which its user and the admin can list and revoke.
//!
//! A token session is a token family (`TokenFamily`) with a `TrackedSession` in it, made at
//! sign-in by `session_tracking`. An untracked sign-in stores no row (its refresh token carries
//! its family). Revoking a session revokes its family, so its refresh token is refused and its
//! access tokens with it. A sign-in beyond the pool's MaxPerUser first revokes the user's least
//! recently used sessions ("the next successful authentication automatically evicts that user's
//! least recently used token session": UserPoolTokenSessionConfigType in the model).

use crate::idp::lookup::{client_not_found, load_pool, require_user};
use crate::idp::pool_docs::{self, PoolDoc};
use crate::idp::service::UserPools;
use crate::idp::session_tracking::{KEY, PoolSessions, live_sessions, pool_config};
use crate::store::{Owner, TokenFamily, Tx, UserRecord};
use crate::tokens::peek_claims;
use cognate_proto::ApiError;
use cognate_proto::idp::*;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// "the default SSO session maximum validity of 60 minutes" (GetUserPoolClientSessionConfiguration).
const DEFAULT_SSO_MINUTES: i32 = 60;
/// "all of a user's sessions in a single page of up to 125 sessions" (AdminListUserSessions).
const PAGE: usize = 125;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ClientSessions {
    sso_max_validity_minutes: i32,
}

impl PoolDoc for ClientSessions {
    const KIND: &'static str = "client-session-config";
}

fn describe(f: &TokenFamily, current: Option<&str>) -> SessionDescriptionType {
    let s = f.session.clone().unwrap_or_default();
    SessionDescriptionType {
        session_id: Some(s.id),
        session_type: Some(SessionTypeType::Token),
        client_id: Some(f.client_id.clone()),
        create_date: Some(s.created),
        last_active_date: Some(s.last_active),
        device_type: s.device,
        last_ip_address: s.ip,
        // No geolocation offline: Cognito writes `unknown` where it cannot tell.
        last_location: Some(SessionLocationType { city: None, country: Some("unknown".into()) }),
        origin_session_id: None,
        is_current_session: Some(current == Some(f.origin_jti.as_str())),
    }
}

fn not_enabled() -> ApiError {
    ApiError::operation_not_enabled("Session tracking is not enabled for this user pool.")
}

/// The sessions of `user`, newest first, if the pool tracks them.
fn sessions_of(
    up: &UserPools,
    tx: &mut dyn Tx,
    pool_id: &str,
    user: &UserRecord,
) -> Result<Vec<TokenFamily>, ApiError> {
    if !pool_config(tx, pool_id)?.tracking {
        return Err(not_enabled());
    }
    let mut live = live_sessions(tx, pool_id, user, up.now())?;
    live.sort_by(|a, b| {
        let created = |f: &TokenFamily| f.session.as_ref().map(|s| s.created).unwrap_or_default();
        created(b).total_cmp(&created(a))
    });
    Ok(live)
}

fn page(
    sessions: Vec<TokenFamily>,
    current: Option<&str>,
    next: Option<&String>,
) -> Result<(Vec<SessionDescriptionType>, Option<String>), ApiError> {
    let skip = match next {
        Some(token) => {
            crate::idp::lookup::decode_token(Some(token))?.and_then(|t| t.parse::<usize>().ok()).unwrap_or(0)
        }
        None => 0,
    };
    let more = sessions.len() > skip + PAGE;
    let items = sessions.iter().skip(skip).take(PAGE).map(|f| describe(f, current)).collect();
    Ok((items, more.then(|| crate::idp::lookup::encode_token(&(skip + PAGE).to_string()))))
}

/// The session a revoke names, among the user's.
fn named(sessions: &[TokenFamily], id: &str) -> Result<TokenFamily, ApiError> {
    sessions
        .iter()
        .find(|f| f.session.as_ref().is_some_and(|s| s.id == id))
        .cloned()
        .ok_or_else(|| ApiError::resource_not_found(format!("Session {id} does not exist.")))
}

pub(crate) fn list_user_sessions(
    up: &UserPools,
    input: ListUserSessionsRequest,
) -> Result<ListUserSessionsResponse, ApiError> {
    up.tx(|tx| {
        let (pool, user) = up.access_user(tx, &input.access_token)?;
        let current = peek_claims(&input.access_token).and_then(|c| c.get("origin_jti")?.as_str().map(str::to_string));
        let sessions = sessions_of(up, tx, pool.id.as_deref().unwrap_or_default(), &user)?;
        let (items, next_token) = page(sessions, current.as_deref(), input.next_token.as_ref())?;
        Ok(ListUserSessionsResponse { sessions: Some(items), next_token })
    })
}

pub(crate) fn admin_list_user_sessions(
    up: &UserPools,
    input: AdminListUserSessionsRequest,
) -> Result<AdminListUserSessionsResponse, ApiError> {
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let user = require_user(tx, &pool, &input.username)?;
        let sessions = sessions_of(up, tx, &input.user_pool_id, &user)?;
        let (items, next_token) = page(sessions, None, input.next_token.as_ref())?;
        Ok(AdminListUserSessionsResponse { sessions: Some(items), next_token })
    })
}

pub(crate) fn revoke_user_session(
    up: &UserPools,
    input: RevokeUserSessionRequest,
) -> Result<RevokeUserSessionResponse, ApiError> {
    up.tx(|tx| {
        let (pool, user) = up.access_user(tx, &input.access_token)?;
        let pool_id = pool.id.as_deref().unwrap_or_default();
        let sessions = sessions_of(up, tx, pool_id, &user)?;
        let mut family = named(&sessions, &input.session_id)?;
        let current = peek_claims(&input.access_token).and_then(|c| c.get("origin_jti")?.as_str().map(str::to_string));
        if current.as_deref() == Some(family.origin_jti.as_str()) {
            return Err(ApiError::invalid_parameter("You can't revoke the session that the access token belongs to."));
        }
        family.revoked = true;
        tx.put_family(&family)?;
        Ok(RevokeUserSessionResponse {})
    })
}

pub(crate) fn admin_revoke_user_session(
    up: &UserPools,
    input: AdminRevokeUserSessionRequest,
) -> Result<AdminRevokeUserSessionResponse, ApiError> {
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let user = require_user(tx, &pool, &input.username)?;
        let sessions = sessions_of(up, tx, &input.user_pool_id, &user)?;
        let mut family = named(&sessions, &input.session_id)?;
        family.revoked = true;
        tx.put_family(&family)?;
        Ok(AdminRevokeUserSessionResponse {})
    })
}

fn tracking_type(on: bool) -> UserSessionTrackingType {
    if on { UserSessionTrackingType::Enabled } else { UserSessionTrackingType::Disabled }
}

/// The Set operations need the Essentials or Plus tier (their model documentation).
fn require_tier(pool: &UserPoolType, operation: &str) -> Result<(), ApiError> {
    if pool.user_pool_tier == Some(UserPoolTierType::Lite) {
        return Err(ApiError::feature_unavailable_in_tier(format!(
            "{operation} is not available in the LITE tier. Upgrade the user pool to the ESSENTIALS or PLUS tier."
        )));
    }
    Ok(())
}

pub(crate) fn get_user_pool_session_configuration(
    up: &UserPools,
    input: GetUserPoolSessionConfigurationRequest,
) -> Result<GetUserPoolSessionConfigurationResponse, ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let config = pool_config(tx, &input.user_pool_id)?;
        Ok(GetUserPoolSessionConfigurationResponse {
            user_pool_id: Some(input.user_pool_id.clone()),
            user_session_tracking: Some(tracking_type(config.tracking)),
            token_session: Some(UserPoolTokenSessionConfigType { max_per_user: config.max_per_user }),
        })
    })
}

pub(crate) fn set_user_pool_session_configuration(
    up: &UserPools,
    input: SetUserPoolSessionConfigurationRequest,
) -> Result<SetUserPoolSessionConfigurationResponse, ApiError> {
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        require_tier(&pool, "SetUserPoolSessionConfiguration")?;
        let config = PoolSessions {
            tracking: input.user_session_tracking == UserSessionTrackingType::Enabled,
            max_per_user: input.token_session.max_per_user,
        };
        pool_docs::put(tx, &input.user_pool_id, Owner::Pool, KEY, &config)?;
        Ok(SetUserPoolSessionConfigurationResponse {
            user_pool_id: Some(input.user_pool_id.clone()),
            user_session_tracking: Some(tracking_type(config.tracking)),
            token_session: Some(UserPoolTokenSessionConfigType { max_per_user: config.max_per_user }),
        })
    })
}

fn pool_client(tx: &mut dyn Tx, pool_id: &str, client_id: &str) -> Result<Arc<UserPoolType>, ApiError> {
    let pool = load_pool(tx, pool_id)?;
    tx.client(client_id)?
        .filter(|c| c.user_pool_id.as_deref() == Some(pool_id))
        .ok_or_else(|| client_not_found(client_id))?;
    Ok(pool)
}

pub(crate) fn get_user_pool_client_session_configuration(
    up: &UserPools,
    input: GetUserPoolClientSessionConfigurationRequest,
) -> Result<GetUserPoolClientSessionConfigurationResponse, ApiError> {
    up.tx(|tx| {
        pool_client(tx, &input.user_pool_id, &input.client_id)?;
        let config: Option<ClientSessions> =
            pool_docs::get(tx, &input.user_pool_id, Owner::Client(&input.client_id), KEY)?;
        Ok(GetUserPoolClientSessionConfigurationResponse {
            user_pool_id: Some(input.user_pool_id.clone()),
            client_id: Some(input.client_id.clone()),
            sso_session: Some(ClientSSOSessionConfigType {
                max_validity_minutes: config.map_or(DEFAULT_SSO_MINUTES, |c| c.sso_max_validity_minutes),
            }),
        })
    })
}

pub(crate) fn set_user_pool_client_session_configuration(
    up: &UserPools,
    input: SetUserPoolClientSessionConfigurationRequest,
) -> Result<SetUserPoolClientSessionConfigurationResponse, ApiError> {
    up.tx(|tx| {
        let pool = pool_client(tx, &input.user_pool_id, &input.client_id)?;
        require_tier(&pool, "SetUserPoolClientSessionConfiguration")?;
        if !pool_config(tx, &input.user_pool_id)?.tracking {
            return Err(not_enabled());
        }
        let config = ClientSessions { sso_max_validity_minutes: input.sso_session.max_validity_minutes };
        pool_docs::put(tx, &input.user_pool_id, Owner::Client(&input.client_id), KEY, &config)?;
        Ok(SetUserPoolClientSessionConfigurationResponse {
            user_pool_id: Some(input.user_pool_id.clone()),
            client_id: Some(input.client_id.clone()),
            sso_session: Some(input.sso_session.clone()),
        })
    })
}
