//! Each pool's discovery documents: `/<poolId>/.well-known/jwks.json` and
//! `/<poolId>/.well-known/openid-configuration`, as Cognito serves them beside its issuer;
//! and the identity-pool service's, at the root as `cognito-identity.amazonaws.com` has them
//! (`/.well-known/jwks_uri`, `/.well-known/openid-configuration`).

use crate::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use cognate_proto::RequestContext;
use serde_json::json;
use std::sync::Arc;

fn answer<T: serde::Serialize>(result: Result<Option<T>, cognate_proto::ApiError>) -> Response {
    match result {
        Ok(Some(doc)) => Json(doc).into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, Json(json!({"message": "User pool does not exist."}))).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"message": e.to_string()}))).into_response(),
    }
}

pub async fn jwks(State(state): State<Arc<AppState>>, Path(pool_id): Path<String>) -> Response {
    let result = tokio::task::spawn_blocking(move || state.idp.jwks(&pool_id)).await;
    answer(result.unwrap_or_else(|e| Err(cognate_proto::ApiError::internal_error(e.to_string()))))
}

pub async fn openid_configuration(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(pool_id): Path<String>,
) -> Response {
    let ctx = RequestContext { base_url: state.base_url(&headers), ..Default::default() };
    let result = tokio::task::spawn_blocking(move || state.idp.openid_configuration(&ctx, &pool_id)).await;
    answer(result.unwrap_or_else(|e| Err(cognate_proto::ApiError::internal_error(e.to_string()))))
}

pub async fn identity_jwks(State(state): State<Arc<AppState>>) -> Response {
    let result = tokio::task::spawn_blocking(move || state.identity.jwks()).await;
    match result {
        Ok(Ok(doc)) => {
            // AWS lets its identity keys be cached for 30 days (authentication-flow DG).
            ([("cache-control", "max-age=2592000")], Json(doc)).into_response()
        }
        Ok(Err(e)) => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"message": e.to_string()}))).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"message": e.to_string()}))).into_response(),
    }
}

pub async fn identity_openid_configuration(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let ctx = RequestContext { base_url: state.base_url(&headers), ..Default::default() };
    Json(state.identity.openid_configuration(&ctx)).into_response()
}
