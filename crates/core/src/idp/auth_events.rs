//! A user's auth events: each sign-in, sign-up, password change, forgot-password and resent
//! code, as threat protection records it, for AdminListUserAuthEvents and event feedback.
//!
//! Events are recorded only where threat protection is on (UserPoolAddOns AdvancedSecurityMode
//! AUDIT or ENFORCED: "generated only when threat protection is in Audit-only or Full-function
//! mode", developer guide). They are the user's pool documents, keyed so that key order is
//! newest first, and go with the user. cognate decides no risk of its own beyond the IP ranges
//! of the risk configuration ([`crate::idp::risk`]); an event it assesses is NoRisk. See
//! docs/research/auth-events-risk.md for the sources and for what is unconfirmed.

use crate::env::RandomExt;
use crate::idp::lookup::{find_user, load_pool, require_user};
use crate::idp::pool_docs::{self, PoolDoc};
use crate::idp::risk::{self, IpVerdict};
use crate::idp::service::UserPools;
use crate::store::{Owner, Tx, UserRecord};
use cognate_proto::idp::*;
use cognate_proto::{ApiError, RequestContext};

impl PoolDoc for AuthEventType {
    const KIND: &'static str = "auth-event";
}

/// Keys count down from here in milliseconds, so that the newest event sorts first.
const KEY_BASE: i64 = 9_999_999_999_999;

/// What one attempt came to.
pub(crate) struct Outcome {
    pub kind: EventType,
    pub response: EventResponseType,
    pub challenges: Vec<(ChallengeName, ChallengeResponse)>,
    pub blocked: bool,
}

impl Outcome {
    pub(crate) fn new(kind: EventType, response: EventResponseType) -> Self {
        Outcome { kind, response, challenges: Vec::new(), blocked: false }
    }

    pub(crate) fn challenge(mut self, name: ChallengeName, passed: bool) -> Self {
        let answer = if passed { ChallengeResponse::Success } else { ChallengeResponse::Failure };
        self.challenges.push((name, answer));
        self
    }
}

/// The pool's threat protection mode, when it is on.
pub(crate) fn mode(pool: &UserPoolType) -> Option<AdvancedSecurityModeType> {
    let mode = pool.user_pool_add_ons.as_ref().map(|a| a.advanced_security_mode)?;
    (mode != AdvancedSecurityModeType::Off).then_some(mode)
}

/// Records an attempt of `user`'s, where the pool keeps events.
pub(crate) fn record(
    up: &UserPools,
    tx: &mut dyn Tx,
    ctx: &RequestContext,
    pool: &UserPoolType,
    user: &UserRecord,
    outcome: Outcome,
) -> Result<(), ApiError> {
    if mode(pool).is_none() {
        return Ok(());
    }
    let now = up.now();
    let id = up.rng.uuid_v4();
    let decision = if outcome.blocked { RiskDecisionType::Block } else { RiskDecisionType::NoRisk };
    let event = AuthEventType {
        event_id: Some(id.clone()),
        event_type: Some(outcome.kind),
        creation_date: Some((now * 1000.0).floor() / 1000.0),
        event_response: Some(outcome.response),
        event_risk: Some(EventRiskType {
            risk_decision: Some(decision),
            // "RiskLevel" is left out with NoRisk, as AWS's own example shows.
            risk_level: None,
            compromised_credentials_detected: Some(false),
        }),
        challenge_responses: Some(
            outcome
                .challenges
                .into_iter()
                .map(|(name, answer)| ChallengeResponseType {
                    challenge_name: Some(name),
                    challenge_response: Some(answer),
                })
                .collect(),
        ),
        event_context_data: Some(EventContextDataType {
            ip_address: ctx.source_ip.clone(),
            device_name: ctx.user_agent.clone(),
            ..Default::default()
        }),
        event_feedback: None,
    };
    let key = format!("{:013}-{id}", KEY_BASE - (now * 1000.0) as i64);
    let pool_id = pool.id.as_deref().unwrap_or_default();
    pool_docs::put(tx, pool_id, Owner::User(&user.key), &key, &event)
}

/// Whether an always-block range refuses this sign-in (ENFORCED only; AUDIT records the
/// decision and lets it through). The refusal is recorded on the user it names, if one exists.
pub(crate) fn blocked_sign_in(
    up: &UserPools,
    ctx: &RequestContext,
    admin_pool: Option<&str>,
    client_id: &str,
    username: Option<&str>,
) -> Result<Option<ApiError>, ApiError> {
    up.tx(|tx| {
        let Some(client) = tx.client(client_id)? else { return Ok(None) };
        let pool_id = client.user_pool_id.clone().unwrap_or_default();
        if admin_pool.is_some_and(|p| p != pool_id) {
            return Ok(None);
        }
        let Some(pool) = tx.pool(&pool_id)? else { return Ok(None) };
        let Some(mode) = mode(&pool) else { return Ok(None) };
        let config = risk::effective(tx, &pool_id, client_id)?;
        if risk::ip_verdict(config.as_ref(), ctx.source_ip.as_deref()) != IpVerdict::Blocked {
            return Ok(None);
        }
        let user = match username {
            Some(name) => find_user(tx, &pool, name)?,
            None => None,
        };
        let enforced = mode == AdvancedSecurityModeType::Enforced;
        if let Some(user) = &user {
            let response = if enforced { EventResponseType::Fail } else { EventResponseType::InProgress };
            let mut outcome = Outcome::new(EventType::SignIn, response);
            outcome.blocked = true;
            record(up, tx, ctx, &pool, user, outcome)?;
        }
        // UNCONFIRMED text: no real refusal of a blocked sign-in was found.
        Ok(enforced.then(|| ApiError::not_authorized("Request not allowed due to security reasons.")))
    })
}

fn add_on_needed() -> ApiError {
    // UNCONFIRMED text: the model names the exception, no real message was found.
    ApiError::user_pool_add_on_not_enabled("User pool add-ons are not enabled for this user pool.")
}

fn events_pool(tx: &mut dyn Tx, pool_id: &str) -> Result<std::sync::Arc<UserPoolType>, ApiError> {
    let pool = load_pool(tx, pool_id)?;
    if mode(&pool).is_none() {
        return Err(add_on_needed());
    }
    Ok(pool)
}

pub(crate) fn admin_list_user_auth_events(
    up: &UserPools,
    input: AdminListUserAuthEventsRequest,
) -> Result<AdminListUserAuthEventsResponse, ApiError> {
    let after = crate::idp::lookup::decode_token(input.next_token.as_ref())?;
    up.tx(|tx| {
        let pool = events_pool(tx, &input.user_pool_id)?;
        let user = require_user(tx, &pool, &input.username)?;
        let limit = match input.max_results {
            Some(n) if n > 0 => n as usize,
            _ => 60,
        };
        let page =
            pool_docs::list::<AuthEventType>(tx, &input.user_pool_id, Owner::User(&user.key), after.as_deref(), limit)?;
        Ok(AdminListUserAuthEventsResponse {
            auth_events: Some(page.items),
            next_token: page.next.as_deref().map(crate::idp::lookup::encode_token),
        })
    })
}

pub(crate) fn admin_update_auth_event_feedback(
    up: &UserPools,
    input: AdminUpdateAuthEventFeedbackRequest,
) -> Result<AdminUpdateAuthEventFeedbackResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        let pool = events_pool(tx, &input.user_pool_id)?;
        let user = require_user(tx, &pool, &input.username)?;
        let owner = Owner::User(&user.key);
        let events = pool_docs::list::<AuthEventType>(tx, &input.user_pool_id, owner, None, usize::MAX - 1)?.items;
        let Some(mut event) = events.into_iter().find(|e| e.event_id.as_deref() == Some(input.event_id.as_str()))
        else {
            // UNCONFIRMED text.
            return Err(ApiError::resource_not_found(format!("Auth event {} does not exist.", input.event_id)));
        };
        event.event_feedback = Some(EventFeedbackType {
            feedback_value: input.feedback_value,
            provider: "Admin".into(),
            feedback_date: Some(now),
        });
        let created = event.creation_date.unwrap_or_default();
        let key = format!("{:013}-{}", KEY_BASE - (created * 1000.0) as i64, input.event_id);
        pool_docs::put(tx, &input.user_pool_id, owner, &key, &event)?;
        Ok(AdminUpdateAuthEventFeedbackResponse {})
    })
}
