//! An axum extractor: `CognitoClaims` in a handler's arguments verifies the request's
//! `Authorization: Bearer <token>` with the [`Verifier`] in the router's state, and answers
//! 401 with a `WWW-Authenticate` header when it fails.
//!
//! ```no_run
//! use axum::{Router, routing::get, extract::FromRef};
//! use cognate_jwt::{Verifier, TokenUse, extract::CognitoClaims};
//! use std::sync::Arc;
//!
//! #[derive(Clone)]
//! struct AppState { verifier: Arc<Verifier> }
//! impl FromRef<AppState> for Arc<Verifier> {
//!     fn from_ref(s: &AppState) -> Self { s.verifier.clone() }
//! }
//!
//! async fn me(CognitoClaims(claims): CognitoClaims) -> String { claims.sub }
//!
//! # fn app() -> Result<Router, cognate_jwt::Error> {
//! let verifier = Verifier::builder("us-east-1_TestPoolId").token_use(TokenUse::Access).any_client().build()?;
//! Ok(Router::new().route("/me", get(me)).with_state(AppState { verifier: Arc::new(verifier) }))
//! # }
//! ```

use crate::{Error, VerifiedClaims, Verifier};
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The verified claims of the request's bearer token.
#[derive(Debug, Clone)]
pub struct CognitoClaims(pub VerifiedClaims);

/// Why the extractor refused the request: a 401 naming the reason.
#[derive(Debug)]
pub struct Unauthorized(pub Option<Error>);

impl IntoResponse for Unauthorized {
    fn into_response(self) -> Response {
        let challenge = match &self.0 {
            None => "Bearer".to_string(),
            Some(e) => {
                format!("Bearer error=\"invalid_token\", error_description=\"{}\"", e.to_string().replace('"', "'"))
            }
        };
        let mut response =
            (StatusCode::UNAUTHORIZED, self.0.map(|e| e.to_string()).unwrap_or_default()).into_response();
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

impl<S> FromRequestParts<S> for CognitoClaims
where
    Arc<Verifier>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Unauthorized;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let verifier = Arc::<Verifier>::from_ref(state);
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .ok_or(Unauthorized(None))?;
        verifier.verify(token.trim()).await.map(CognitoClaims).map_err(|e| Unauthorized(Some(e)))
    }
}
