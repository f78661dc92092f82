//! A user's auth events: each sign-in, sign-up, password change, forgot-password and resent
//! code, as threat protection records it, for AdminListUserAuthEvents and event feedback.
//!
//! Events are recorded only where threat protection is on (UserPoolAddOns AdvancedSecurityMode
//! AUDIT or ENFORCED: "generated only when threat protection is in Audit-only or Full-function
//! mode", developer guide). They are the user's pool documents, keyed so that key order is
//! newest first, and go with the user. Cognito's risk model is opaque; cognate's is a test's
//! to set ([`UserPools::set_risk`], `POST /_cognate/risk`): the level the next sign-ins of a user
//! or a pool are assessed at, and passwords known to be leaked. With the risk configuration's
//! IP ranges ([`crate::idp::risk`]) that decides each sign-in: the configured action (block, or
//! let through) in ENFORCED mode, the notification email with its feedback links, and the
//! event's risk. See docs/research/auth-events-risk.md for the sources and what is unconfirmed.

use crate::env::RandomExt;
use crate::idp::lookup::{find_user, load_pool, require_user};
use crate::idp::pool_docs::{self, PoolDoc};
use crate::idp::risk::{self, IpVerdict};
use crate::idp::service::UserPools;
use crate::store::{OutboxMessage, Owner, Tx, UserRecord};
use crate::tokens::Purpose;
use cognate_proto::idp::*;
use cognate_proto::{ApiError, RequestContext};
use serde::{Deserialize, Serialize};
use serde_json::json;

impl PoolDoc for AuthEventType {
    const KIND: &'static str = "auth-event";
}

/// What a test set as the risk of a user's (or every user's) sign-ins.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct RiskHook {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    level: Option<RiskLevelType>,
    /// SHA-256 (hex) of passwords to treat as leaked: never the passwords themselves.
    #[serde(default)]
    leaked: Vec<String>,
}

impl PoolDoc for RiskHook {
    const KIND: &'static str = "risk-hook";
}

/// A sign-in's assessment, kept until the sign-in's event is recorded (the sign-in may answer
/// a challenge or two first).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Assessed {
    event_id: String,
    decision: RiskDecisionType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    level: Option<RiskLevelType>,
    compromised: bool,
    at: f64,
}

impl PoolDoc for Assessed {
    const KIND: &'static str = "risk-assessed";
}

const HOOK: &str = "hook";
const PENDING: &str = "pending";
/// An assessment not used by its sign-in within a challenge session's longest life is stale.
const PENDING_SECONDS: f64 = 900.0;

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    crate::env::hex(&sha2::Sha256::digest(text.as_bytes()))
}

impl UserPools {
    /// Sets the risk the next sign-ins are assessed at (`None`: no risk) and the passwords to
    /// treat as leaked, for one user or (without `username`) every user of the pool.
    pub fn set_risk(
        &self,
        pool_id: &str,
        username: Option<&str>,
        level: Option<RiskLevelType>,
        leaked_passwords: &[String],
    ) -> Result<(), ApiError> {
        self.tx(|tx| {
            let pool = load_pool(tx, pool_id)?;
            let hook = RiskHook { level, leaked: leaked_passwords.iter().map(|p| sha256_hex(p)).collect() };
            match username {
                Some(name) => {
                    let user = require_user(tx, &pool, name)?;
                    pool_docs::put(tx, pool_id, Owner::User(&user.key), HOOK, &hook)
                }
                None => pool_docs::put(tx, pool_id, Owner::Pool, HOOK, &hook),
            }
        })
    }
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
    let pool_id = pool.id.as_deref().unwrap_or_default();
    let mut id = up.rng.uuid_v4();
    let mut decision = if outcome.blocked { RiskDecisionType::Block } else { RiskDecisionType::NoRisk };
    let (mut level, mut compromised) = (None, false);
    if outcome.kind == EventType::SignIn
        && let Some(assessed) = pool_docs::get::<Assessed>(tx, pool_id, Owner::User(&user.key), PENDING)?
    {
        pool_docs::delete::<Assessed>(tx, pool_id, Owner::User(&user.key), PENDING)?;
        if now - assessed.at <= PENDING_SECONDS {
            (id, decision, level, compromised) =
                (assessed.event_id, assessed.decision, assessed.level, assessed.compromised);
        }
    }
    let event = AuthEventType {
        event_id: Some(id.clone()),
        event_type: Some(outcome.kind),
        creation_date: Some((now * 1000.0).floor() / 1000.0),
        event_response: Some(outcome.response),
        event_risk: Some(EventRiskType {
            risk_decision: Some(decision),
            // "RiskLevel" is left out with NoRisk, as AWS's own example shows.
            risk_level: level,
            compromised_credentials_detected: Some(compromised),
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
    pool_docs::put(tx, pool_id, Owner::User(&user.key), &key, &event)
}

/// A refused sign-in's answer. UNCONFIRMED text: no real refusal of a blocked sign-in was found.
fn not_allowed() -> ApiError {
    ApiError::not_authorized("Request not allowed due to security reasons.")
}

/// Assesses a sign-in before its credentials are looked at, where threat protection is on:
/// the IP ranges, then the risk a test set and the leaked passwords. In ENFORCED mode a BLOCK
/// (or MFA_REQUIRED for a user without MFA) refuses it, and a refusal is recorded at once;
/// otherwise the assessment waits for the sign-in's own event. `password` is USER_PASSWORD_AUTH's
/// (compromised credentials are checked on the plaintext flows only: developer guide).
pub(crate) fn assess_sign_in(
    up: &UserPools,
    ctx: &RequestContext,
    admin_pool: Option<&str>,
    client_id: &str,
    username: Option<&str>,
    password: Option<&str>,
) -> Result<Option<ApiError>, ApiError> {
    up.tx(|tx| {
        let Some(client) = tx.client(client_id)? else { return Ok(None) };
        let pool_id = client.user_pool_id.clone().unwrap_or_default();
        if admin_pool.is_some_and(|p| p != pool_id) {
            return Ok(None);
        }
        let Some(pool) = tx.pool(&pool_id)? else { return Ok(None) };
        let Some(mode) = mode(&pool) else { return Ok(None) };
        let enforced = mode == AdvancedSecurityModeType::Enforced;
        let config = risk::effective(tx, &pool_id, client_id)?;
        let verdict = risk::ip_verdict(config.as_ref(), ctx.source_ip.as_deref());
        let mut user = match username {
            Some(name) => find_user(tx, &pool, name)?,
            None => None,
        };
        if verdict == IpVerdict::Skipped {
            return Ok(None);
        }
        let now = up.now();
        let Some(found) = user.as_mut() else {
            return Ok((verdict == IpVerdict::Blocked && enforced).then(not_allowed));
        };
        let owner = Owner::User(&found.key);
        let hook = match pool_docs::get::<RiskHook>(tx, &pool_id, owner, HOOK)? {
            Some(own) => own,
            None => pool_docs::get::<RiskHook>(tx, &pool_id, Owner::Pool, HOOK)?.unwrap_or_default(),
        };
        let credentials = config.as_ref().and_then(|c| c.compromised_credentials_risk_configuration.as_ref());
        let checks_sign_in =
            credentials.is_none_or(|c| c.event_filter.as_ref().is_none_or(|f| f.contains(&EventFilterType::SignIn)));
        let compromised = checks_sign_in && password.is_some_and(|p| hook.leaked.contains(&sha256_hex(p)));
        let takeover = config.as_ref().and_then(|c| c.account_takeover_risk_configuration.as_ref());
        let action = hook.level.and_then(|level| {
            let actions = &takeover?.actions;
            match level {
                RiskLevelType::Low => actions.low_action.clone(),
                RiskLevelType::Medium => actions.medium_action.clone(),
                RiskLevelType::High => actions.high_action.clone(),
            }
        });
        if verdict != IpVerdict::Blocked && !compromised && hook.level.is_none() {
            return Ok(None);
        }
        let event_id = up.rng.uuid_v4();
        let block_credentials = compromised
            && credentials.is_some_and(|c| c.actions.event_action == CompromisedCredentialsEventActionType::Block);
        let has_mfa = !found.mfa.enabled.is_empty() || found.mfa.legacy_sms;
        let block_takeover = action.as_ref().is_some_and(|a| {
            a.event_action == AccountTakeoverEventActionType::Block
                || (a.event_action == AccountTakeoverEventActionType::MfaRequired && !has_mfa)
        });
        let blocked = verdict == IpVerdict::Blocked || block_credentials || block_takeover;
        let decision = if blocked {
            RiskDecisionType::Block
        } else if hook.level.is_some() {
            RiskDecisionType::AccountTakeover
        } else {
            RiskDecisionType::NoRisk
        };
        // Notifying the user is one of full-function mode's automatic responses; audit-only
        // "doesn't take automatic action" (threat protection, developer guide).
        if let (Some(a), Some(n)) = (&action, takeover.and_then(|t| t.notify_configuration.as_ref()))
            && a.notify
            && enforced
        {
            notify(up, tx, ctx, &pool, found, n, a.event_action, &event_id)?;
        }
        let assessed = Assessed { event_id, decision, level: hook.level, compromised, at: now };
        pool_docs::put(tx, &pool_id, Owner::User(&found.key), PENDING, &assessed)?;
        if !(blocked && enforced) {
            return Ok(None);
        }
        if block_credentials {
            // "it sets the user's UserStatus to RESET_REQUIRED" (compromised credentials).
            found.status = UserStatusType::ResetRequired;
            found.modified = now;
            tx.put_user(&pool_id, found)?;
        }
        let found = found.clone();
        record(up, tx, ctx, &pool, &found, Outcome::new(EventType::SignIn, EventResponseType::Fail))?;
        Ok(Some(not_allowed()))
    })
}

/// The account-takeover email: the action's template (BlockEmail, MfaEmail or NoActionEmail)
/// with Cognito's placeholders filled, and links that give the event feedback with a token
/// only this pool can make (UpdateAuthEventFeedback). It goes to the outbox, as the pool's
/// other messages do.
#[allow(clippy::too_many_arguments)]
fn notify(
    up: &UserPools,
    tx: &mut dyn Tx,
    ctx: &RequestContext,
    pool: &UserPoolType,
    user: &UserRecord,
    config: &NotifyConfigurationType,
    action: AccountTakeoverEventActionType,
    event_id: &str,
) -> Result<(), ApiError> {
    let Some(email) = user.attribute("email") else { return Ok(()) };
    let template = match action {
        AccountTakeoverEventActionType::Block => config.block_email.as_ref(),
        AccountTakeoverEventActionType::NoAction => config.no_action_email.as_ref(),
        _ => config.mfa_email.as_ref(),
    };
    let Some(template) = template else { return Ok(()) };
    let pool_id = pool.id.as_deref().unwrap_or_default();
    let keys = up.pool_keys(tx, pool_id)?;
    let payload = json!({"e": event_id, "s": user.sub});
    let token = keys.seal(Purpose::FeedbackToken, payload.to_string().as_bytes(), up.rng.as_ref());
    let base = ctx.base_url.clone().unwrap_or_default();
    let link = |value: &str| {
        format!(
            "{base}/_cognate/feedback?userPoolId={pool_id}&username={}&eventId={event_id}&feedbackValue={value}&feedbackToken={token}",
            crate::idp::lookup::percent(&user.username)
        )
    };
    let when = up.now();
    let fill = |text: &str| {
        text.replace("{login-time}", &format!("{when:.0}"))
            .replace("{device-name}", ctx.user_agent.as_deref().unwrap_or("unknown"))
            .replace("{city}", "unknown")
            .replace("{country}", "unknown")
            .replace("{ip-address}", ctx.source_ip.as_deref().unwrap_or("unknown"))
            .replace("{one-click-link-valid}", &link("Valid"))
            .replace("{one-click-link-invalid}", &link("Invalid"))
    };
    let body = template.text_body.as_deref().or(template.html_body.as_deref()).unwrap_or_default();
    tx.push_message(&OutboxMessage {
        id: up.rng.uuid_v4(),
        pool_id: pool_id.to_string(),
        username: user.username.clone(),
        medium: "EMAIL".into(),
        destination: email.to_string(),
        kind: "AccountTakeover".into(),
        subject: Some(fill(&template.subject)),
        message: fill(body),
        code: Some(token.clone()),
        sent_at: (when * 1000.0) as i64,
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
    up.tx(|tx| {
        let pool = events_pool(tx, &input.user_pool_id)?;
        let user = require_user(tx, &pool, &input.username)?;
        // "if you submit event feedback in the Amazon Cognito console, this value is Admin".
        give_feedback(up, tx, &input.user_pool_id, &user, &input.event_id, input.feedback_value, "Admin")?;
        Ok(AdminUpdateAuthEventFeedbackResponse {})
    })
}

fn give_feedback(
    up: &UserPools,
    tx: &mut dyn Tx,
    pool_id: &str,
    user: &UserRecord,
    event_id: &str,
    value: FeedbackValueType,
    provider: &str,
) -> Result<(), ApiError> {
    let owner = Owner::User(&user.key);
    let events = pool_docs::list::<AuthEventType>(tx, pool_id, owner, None, usize::MAX - 1)?.items;
    let Some(mut event) = events.into_iter().find(|e| e.event_id.as_deref() == Some(event_id)) else {
        // UNCONFIRMED text.
        return Err(ApiError::resource_not_found(format!("Auth event {event_id} does not exist.")));
    };
    event.event_feedback =
        Some(EventFeedbackType { feedback_value: value, provider: provider.into(), feedback_date: Some(up.now()) });
    let created = event.creation_date.unwrap_or_default();
    let key = format!("{:013}-{event_id}", KEY_BASE - (created * 1000.0) as i64);
    pool_docs::put(tx, pool_id, owner, &key, &event)
}

/// UpdateAuthEventFeedback: the user's own feedback, through the links of the notification
/// email, whose token says which event and user it is for.
pub(crate) fn update_auth_event_feedback(
    up: &UserPools,
    input: UpdateAuthEventFeedbackRequest,
) -> Result<UpdateAuthEventFeedbackResponse, ApiError> {
    up.tx(|tx| {
        let pool = events_pool(tx, &input.user_pool_id)?;
        let user = require_user(tx, &pool, &input.username)?;
        let keys = up.pool_keys(tx, &input.user_pool_id)?;
        let opened = keys.open(Purpose::FeedbackToken, &input.feedback_token);
        let payload: Option<serde_json::Value> = opened.and_then(|b| serde_json::from_slice(&b).ok());
        let for_this = payload.is_some_and(|p| p["e"] == input.event_id.as_str() && p["s"] == user.sub.as_str());
        if !for_this {
            // UNCONFIRMED text.
            return Err(ApiError::not_authorized("Invalid feedback token."));
        }
        // UNCONFIRMED: the Provider the user's own feedback records.
        give_feedback(up, tx, &input.user_pool_id, &user, &input.event_id, input.feedback_value, "User")?;
        Ok(UpdateAuthEventFeedbackResponse {})
    })
}
