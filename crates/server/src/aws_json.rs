//! The AWS JSON 1.1 protocol: `POST /` with `X-Amz-Target: <prefix>.<Operation>`.
//!
//! Errors go out as AWS sends them: status 400 (500 for InternalErrorException), a body of
//! `{"__type": T, "message": M}`, and the headers `x-amzn-ErrorType: T:` and
//! `x-amzn-ErrorMessage`. botocore reads the body, the JS and Rust SDKs the header first, so
//! both always agree. Every response carries `x-amzn-RequestId`.

use crate::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cognate_core::env::RandomExt;
use cognate_proto::{ApiError, RequestContext, identity, idp};
use serde_json::Value;
use std::sync::Arc;
use std::time::Instant;

/// Requests larger than this are refused before they are parsed. No Cognito input comes near
/// it; AWS publishes no figure for its own front door.
pub const MAX_BODY: usize = 6 * 1024 * 1024;

const IDP_PREFIX: &str = "AWSCognitoIdentityProviderService";
const IDENTITY_PREFIX: &str = "AWSCognitoIdentityService";

#[derive(Clone, Copy)]
enum Service {
    Idp,
    Identity,
}

pub async fn handle(
    State(state): State<Arc<AppState>>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
    body: Body,
) -> Response {
    // STS shares the endpoint and speaks the Query protocol: a form body.
    let form = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.trim().to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
    if form {
        return match read_body(body).await {
            Ok(bytes) => crate::sts::handle(state, headers, &bytes).await,
            Err(e) => error_response(&e),
        };
    }
    let started = Instant::now();
    let request_id = state.rng.uuid_v4();
    let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let op = target.split_once('.').map(|(_, op)| op.to_string()).unwrap_or_default();

    let peer = extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
    let result = process(&state, &headers, peer, &target, &request_id, body).await;
    let (status, error) = match &result {
        Ok(_) => (200, None),
        Err(e) => (e.status, Some(e.type_name.to_string())),
    };
    tracing::info!(
        op = if op.is_empty() { "-" } else { op.as_str() },
        status,
        latency_us = started.elapsed().as_micros() as u64,
        error = error.as_deref().unwrap_or("-"),
        "request"
    );
    if let (Ok(answer), "StartUserImportJob") = (&result, op.as_str()) {
        let job = &answer["UserImportJob"];
        if let (Some(pool), Some(id)) = (job["UserPoolId"].as_str(), job["JobId"].as_str()) {
            crate::import::run(&state, pool.to_string(), id.to_string());
        }
    }
    let mut response = match result {
        Ok(body) => json_response(StatusCode::OK, &body),
        Err(e) => error_response(&e),
    };
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-amzn-requestid", v);
    }
    response
}

/// The caller's address: a proxy's `X-Forwarded-For` names the client first.
pub(crate) fn source_ip(headers: &HeaderMap, peer: Option<std::net::IpAddr>) -> Option<String> {
    let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let first =
        forwarded.and_then(|f| f.split(',').next()).map(str::trim).filter(|ip| ip.parse::<std::net::IpAddr>().is_ok());
    first.map(str::to_string).or_else(|| peer.map(|ip| ip.to_string()))
}

async fn process(
    state: &Arc<AppState>,
    headers: &HeaderMap,
    peer: Option<std::net::IpAddr>,
    target: &str,
    request_id: &str,
    body: Body,
) -> Result<Value, ApiError> {
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let media = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    if media != "application/x-amz-json-1.1" && media != "application/x-amz-json-1.0" {
        // AWS answers an unknown protocol as an unknown operation, with 404.
        return Err(ApiError { status: 404, ..ApiError::unknown_operation() });
    }
    let (service, op) = match target.split_once('.') {
        Some((IDP_PREFIX, op)) if idp::SERVICE.operation(op).is_some() => (Service::Idp, op.to_string()),
        Some((IDENTITY_PREFIX, op)) if identity::SERVICE.operation(op).is_some() => (Service::Identity, op.to_string()),
        _ => return Err(ApiError::unknown_operation()),
    };
    let bytes = read_body(body).await?;
    let body: Value = match serde_json::from_slice(&bytes) {
        Ok(v @ Value::Object(_)) => v,
        Ok(Value::Array(_)) => {
            return Err(ApiError::serialization(Some("Start of list found where not expected".into())));
        }
        _ => return Err(ApiError::serialization(None)),
    };
    let ctx = RequestContext {
        region: region_of(headers, &body),
        request_id: request_id.to_string(),
        base_url: state.base_url(headers),
        source_ip: source_ip(headers, peer),
        user_agent: headers.get("user-agent").and_then(|v| v.to_str().ok()).map(str::to_string),
    };
    // The operation runs here, on the I/O thread: handing each one to a blocking thread cost
    // two thread wake-ups per request. What waits on the world outside (a Lambda handler)
    // steps aside with `crate::blocking`. A panic is caught and answered as AWS answers its
    // own failures; the store has rolled the transaction back.
    let run = || match service {
        Service::Idp => idp::dispatch(state.idp.as_ref(), &ctx, &op, &body),
        Service::Identity => identity::dispatch(state.identity.as_ref(), &ctx, &op, &body),
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|_| {
        tracing::error!("operation {op} panicked");
        Err(ApiError::internal_error("An internal error occurred."))
    })
}

/// The body, up to [`MAX_BODY`]. A larger one is read to its end and dropped before the
/// answer goes out, so the client sees the error rather than a connection reset.
async fn read_body(body: Body) -> Result<Vec<u8>, ApiError> {
    use futures_util::StreamExt;
    let too_large = || ApiError {
        status: 413,
        ..ApiError::serialization(Some(format!("Request body exceeds the maximum of {MAX_BODY} bytes.")))
    };
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    let mut seen = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| ApiError::serialization(None))?;
        seen += chunk.len();
        if seen <= MAX_BODY {
            bytes.extend_from_slice(&chunk);
        } else if seen > 16 * MAX_BODY {
            break;
        }
    }
    if seen > MAX_BODY { Err(too_large()) } else { Ok(bytes) }
}

/// The region of a request: the SigV4 credential scope when signed, else the prefix of the
/// user pool id or identity pool id it names.
fn region_of(headers: &HeaderMap, body: &Value) -> Option<String> {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if let Some(scope) = auth.split("Credential=").nth(1) {
        let scope = scope.split([',', ' ']).next().unwrap_or_default();
        if let Some(region) = scope.split('/').nth(2).filter(|r| !r.is_empty()) {
            return Some(region.to_string());
        }
    }
    let from = |key: &str, sep: char| {
        body.get(key).and_then(Value::as_str).and_then(|v| v.split_once(sep)).map(|(r, _)| r.to_string())
    };
    from("UserPoolId", '_').or_else(|| from("IdentityPoolId", ':'))
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, serde_json::to_vec(body).unwrap_or_default()).into_response();
    response.headers_mut().insert("content-type", HeaderValue::from_static("application/x-amz-json-1.1"));
    response
}

fn error_response(e: &ApiError) -> Response {
    let mut body = serde_json::Map::new();
    body.insert("__type".into(), Value::String(e.type_name.to_string()));
    if let Some(m) = &e.message {
        body.insert("message".into(), Value::String(m.clone()));
    }
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = json_response(status, &Value::Object(body));
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&format!("{}:", e.type_name)) {
        headers.insert("x-amzn-errortype", v);
    }
    // A header cannot carry a line break; the body keeps the message exactly.
    if let Some(m) = &e.message
        && let Ok(v) = HeaderValue::from_str(&m.replace(['\r', '\n'], " "))
    {
        headers.insert("x-amzn-errormessage", v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_from_signature_then_pool_id() {
        let mut headers = HeaderMap::new();
        let body = serde_json::json!({"UserPoolId": "eu-west-1_abc"});
        assert_eq!(region_of(&headers, &body).as_deref(), Some("eu-west-1"));
        headers.insert(
            "authorization",
            HeaderValue::from_static("AWS4-HMAC-SHA256 Credential=AKID/20260101/ap-south-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=x"),
        );
        assert_eq!(region_of(&headers, &body).as_deref(), Some("ap-south-1"));
    }
}
