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
            Some(seed) => seed.apply(&state.idp),
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
