//! Endpoints for tests, outside the AWS API: health and reset.

use crate::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;

pub async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// Forgets all state, then applies the seed file again. moto's `POST /moto-api/reset` lands
/// here too, so suites written for moto's server mode reset cognate unchanged.
pub async fn reset(State(state): State<Arc<AppState>>) -> (StatusCode, Json<Value>) {
    let result = tokio::task::spawn_blocking(move || {
        state.store.tx(|tx| tx.clear())?;
        match &state.seed {
            Some(seed) => seed.apply(&state.idp, &state.identity),
            None => Ok(()),
        }
    })
    .await;
    match result {
        Ok(Ok(())) => (StatusCode::OK, Json(json!({"status": "reset"}))),
        Ok(Err(e)) => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"status": "error", "message": e.to_string()}))),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"status": "error", "message": e.to_string()}))),
    }
}

/// What credentials cognate handed out (GetCredentialsForIdentity, AssumeRoleWithWebIdentity)
/// stand for: the role, the identity, the principal tags. 404 once expired or never issued.
pub async fn credentials(
    State(state): State<Arc<AppState>>,
    axum::extract::Path(access_key_id): axum::extract::Path<String>,
) -> (StatusCode, Json<Value>) {
    match state.identity.credentials(&access_key_id) {
        Ok(Some(c)) => (
            StatusCode::OK,
            Json(json!({
                "AccessKeyId": c.access_key_id,
                "RoleArn": c.role_arn,
                "AssumedRoleArn": c.assumed_role_arn,
                "IdentityId": c.identity_id,
                "IdentityPoolId": c.identity_pool_id,
                "PrincipalTags": c.principal_tags,
                "Source": c.source,
                "Expiration": c.expires,
            })),
        ),
        Ok(None) => (StatusCode::NOT_FOUND, Json(json!({"message": format!("No credentials {access_key_id}.")}))),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"message": e.to_string()}))),
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxParams {
    #[serde(alias = "pool_id")]
    pool_id: Option<String>,
    username: Option<String>,
    destination: Option<String>,
    limit: Option<usize>,
}

/// Every message cognate would have sent, newest first: `?poolId=&username=&destination=`.
pub async fn outbox(
    State(state): State<Arc<AppState>>,
    axum::extract::Query(p): axum::extract::Query<OutboxParams>,
) -> (StatusCode, Json<Value>) {
    let query = cognate_core::store::OutboxQuery {
        pool_id: p.pool_id,
        username: p.username,
        destination: p.destination,
        limit: p.limit.unwrap_or(100).min(10_000),
    };
    match tokio::task::spawn_blocking(move || state.idp.outbox(&query)).await {
        Ok(Ok(messages)) => (StatusCode::OK, Json(json!({"messages": messages}))),
        Ok(Err(e)) => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"message": e.to_string()}))),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"message": e.to_string()}))),
    }
}

fn clock_state(state: &AppState) -> Value {
    use cognate_core::env::Clock;
    json!({"now": state.clock.now_millis() as f64 / 1000.0})
}

/// The time cognate believes it is (epoch seconds).
pub async fn clock(State(state): State<Arc<AppState>>) -> Json<Value> {
    Json(clock_state(&state))
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Advance {
    advance_seconds: f64,
}

/// Moves cognate's clock forward: `{"advanceSeconds": 3600}`. Time never goes back.
pub async fn advance_clock(State(state): State<Arc<AppState>>, Json(body): Json<Advance>) -> (StatusCode, Json<Value>) {
    // A century is as far as any Cognito validity reaches; more would overflow the clock.
    if !(body.advance_seconds.is_finite() && (0.0..=3_153_600_000.0).contains(&body.advance_seconds)) {
        return (StatusCode::BAD_REQUEST, Json(json!({"message": "advanceSeconds must be between 0 and 3153600000"})));
    }
    state.clock.advance((body.advance_seconds * 1000.0) as i64);
    (StatusCode::OK, Json(clock_state(&state)))
}

/// `POST /_cognate/risk`: what threat protection assesses the next sign-ins of a user (or,
/// without `username`, of every user of the pool) at, since cognate has no risk model of its
/// own: `riskLevel` `Low`, `Medium`, `High` or null, and `compromisedPasswords`, passwords to
/// treat as leaked (kept only as hashes).
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RiskSetting {
    user_pool_id: String,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    risk_level: Option<cognate_proto::idp::RiskLevelType>,
    #[serde(default)]
    compromised_passwords: Vec<String>,
}

pub async fn set_risk(State(state): State<Arc<AppState>>, Json(body): Json<RiskSetting>) -> (StatusCode, Json<Value>) {
    let result = tokio::task::spawn_blocking(move || {
        state.idp.set_risk(&body.user_pool_id, body.username.as_deref(), body.risk_level, &body.compromised_passwords)
    })
    .await;
    match result {
        Ok(Ok(())) => (StatusCode::OK, Json(json!({"status": "set"}))),
        Ok(Err(e)) => {
            let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
            (status, Json(json!({"__type": e.type_name, "message": e.message})))
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"message": e.to_string()}))),
    }
}

/// `POST /_cognate/client-metadata`: the answer cognate takes as the network's for a client
/// metadata document URL, so CIMD sign-ins need no network: `url`, then `document` (JSON, served
/// as it is) or `body` (raw text), with `status` (200 unless given) and `cacheControl`. Neither
/// `document` nor `body` removes what was staged for the URL.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StagedDocument {
    url: String,
    #[serde(default)]
    document: Option<Value>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    status: Option<u16>,
    #[serde(default)]
    cache_control: Option<String>,
}

pub async fn stage_client_metadata(
    State(state): State<Arc<AppState>>,
    Json(req): Json<StagedDocument>,
) -> (StatusCode, Json<Value>) {
    let text = req.body.or_else(|| req.document.map(|d| d.to_string()));
    let staged = text.map(|body| (req.status.unwrap_or(200), req.cache_control, body));
    let removed = staged.is_none();
    let result = tokio::task::spawn_blocking(move || state.idp.stage_client_metadata(&req.url, staged)).await;
    match result {
        Ok(Ok(())) => (StatusCode::OK, Json(json!({"status": if removed { "removed" } else { "staged" }}))),
        Ok(Err(e)) => {
            let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
            (status, Json(json!({"__type": e.type_name, "message": e.message})))
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"message": e.to_string()}))),
    }
}

/// `GET /_cognate/feedback?...`: where an account-takeover email's one-click links lead; it
/// gives the feedback as the link says (UpdateAuthEventFeedback with the link's token).
pub async fn feedback(
    State(state): State<Arc<AppState>>,
    axum::extract::Query(q): axum::extract::Query<std::collections::BTreeMap<String, String>>,
) -> (StatusCode, String) {
    use cognate_proto::idp::{CognitoIdentityProvider, FeedbackValueType, UpdateAuthEventFeedbackRequest};
    let value = match q.get("feedbackValue").map(String::as_str) {
        Some("Valid") => FeedbackValueType::Valid,
        Some("Invalid") => FeedbackValueType::Invalid,
        _ => return (StatusCode::BAD_REQUEST, "feedbackValue must be Valid or Invalid.".into()),
    };
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let input = UpdateAuthEventFeedbackRequest {
        user_pool_id: get("userPoolId"),
        username: get("username"),
        event_id: get("eventId"),
        feedback_token: get("feedbackToken"),
        feedback_value: value,
    };
    let ctx = cognate_proto::RequestContext::default();
    let result = tokio::task::spawn_blocking(move || state.idp.update_auth_event_feedback(&ctx, input)).await;
    match result {
        Ok(Ok(_)) => (StatusCode::OK, "Thank you for your feedback.".into()),
        Ok(Err(e)) => {
            (StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST), e.message.unwrap_or_default())
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}
