//! The wire layer of the Cognito APIs: request and response types, the model's input
//! constraints, and the error every operation answers with.
//!
//! Everything under [`idp`] and [`identity`] is generated from botocore's service models by
//! `cargo xtask codegen`; this file and [`validate`] are the hand-written runtime they use.
//! The crate knows nothing of HTTP: the server feeds it a target and a JSON body.

#![forbid(unsafe_code)]

mod error;
#[path = "gen/mod.rs"]
mod generated;
pub mod model;
pub mod validate;

pub use error::ApiError;
pub use generated::{identity, idp};

use serde::{Serialize, de::DeserializeOwned};

/// What an operation knows about the request besides its body.
#[derive(Debug, Clone, Default)]
pub struct RequestContext {
    /// From the SigV4 credential scope, when the request was signed.
    pub region: Option<String>,
    pub request_id: String,
    /// Where the client reached cognate (`http://host:port`), for issuers and discovery.
    pub base_url: Option<String>,
    /// The caller's address: the first `X-Forwarded-For` hop, else the connection's peer.
    pub source_ip: Option<String>,
    /// The caller's `User-Agent`, as sessions and auth events record it.
    pub user_agent: Option<String>,
}

/// Validates `body` against input shape `shape` of `service`, then decodes it.
pub fn decode<T: DeserializeOwned>(
    service: &model::Service,
    shape: usize,
    body: &serde_json::Value,
) -> Result<T, ApiError> {
    validate::validate(service, shape, body)?;
    T::deserialize(body).map_err(|e| ApiError::serialization(Some(e.to_string())))
}

/// Encodes an operation's output; an operation without output answers `{}`.
pub fn encode<T: Serialize>(output: &T) -> Result<serde_json::Value, ApiError> {
    match serde_json::to_value(output) {
        Ok(serde_json::Value::Null) => Ok(serde_json::Value::Object(Default::default())),
        Ok(v) => Ok(v),
        Err(e) => Err(ApiError::internal_error(format!("encoding the response: {e}"))),
    }
}
