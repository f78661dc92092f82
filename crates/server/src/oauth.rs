//! The hosted UI's OAuth 2.0 endpoints for sign-in through an OpenID Connect provider:
//! `/oauth2/authorize`, `/oauth2/idpresponse` and `/oauth2/token`, and the `/error` page.
//! What Cognito decides is in `cognate_core::idp::oauth`; here is the HTTP, and the calls
//! to the provider (discovery, the code exchange, its keys, userInfo), which core cannot make.

use crate::AppState;
use crate::form::{self, basic_credentials};
use crate::pages::{self, Site};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cognate_core::idp::{HostedAnswer, HostedStep, UserPools};
use cognate_proto::RequestContext;
use cognate_proto::idp::IdentityProviderType;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// How long cognate waits on the provider, per call.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

fn found(location: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, location.to_string()), (header::CACHE_CONTROL, "no-store".into())])
        .into_response()
}

fn page(status: StatusCode, message: &str) -> Response {
    pages::error_page(status, Some(message))
}

fn internal(e: impl std::fmt::Display) -> Response {
    pages::internal(e)
}

/// The provider's endpoints: from `oidc_issuer`'s discovery document, else the ones its
/// ProviderDetails name.
#[derive(Default)]
struct Endpoints {
    authorize: Option<String>,
    token: Option<String>,
    userinfo: Option<String>,
    jwks: Option<String>,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(PROVIDER_TIMEOUT)).build().new_agent()
}

fn endpoints(provider: &IdentityProviderType) -> Endpoints {
    let details = provider.provider_details.clone().unwrap_or_default();
    let issuer = details.get("oidc_issuer").cloned().unwrap_or_default();
    let discovered: Value = agent()
        .get(&format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/')))
        .call()
        .ok()
        .filter(|r| r.status() == 200)
        .and_then(|mut r| r.body_mut().read_to_string().ok())
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let pick = |doc_key: &str, detail_key: &str| {
        discovered[doc_key].as_str().map(str::to_string).or_else(|| details.get(detail_key).cloned())
    };
    Endpoints {
        authorize: pick("authorization_endpoint", "authorize_url"),
        token: pick("token_endpoint", "token_url"),
        userinfo: pick("userinfo_endpoint", "attributes_url"),
        jwks: pick("jwks_uri", "jwks_uri"),
    }
}

/// An OpenID provider's keys for identity pools: its discovery document's `jwks_uri`, fetched
/// with the I/O thread handed on (core waits on it inside an operation).
pub struct ProviderJwks;

impl cognate_core::identity::ProviderKeys for ProviderJwks {
    fn jwks(&self, issuer: &str) -> Result<Value, String> {
        crate::blocking(|| {
            let fetch = |url: &str| -> Result<Value, String> {
                let mut answer = agent().get(url).call().map_err(|e| e.to_string())?;
                if answer.status() != 200 {
                    return Err(format!("{url} answered {}", answer.status().as_u16()));
                }
                let text = answer.body_mut().read_to_string().map_err(|e| e.to_string())?;
                serde_json::from_str(&text).map_err(|e| e.to_string())
            };
            let discovery = fetch(&format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/')))?;
            let jwks_uri = discovery["jwks_uri"].as_str().ok_or("no jwks_uri in the discovery document")?;
            fetch(jwks_uri)
        })
    }
}

/// Where `/oauth2/authorize` sends the browser: to the provider, or as core answered.
enum Redirect {
    To(String),
    Step(Box<HostedStep>),
}

/// `GET /oauth2/authorize`.
pub async fn authorize(
    State(state): State<Arc<AppState>>,
    site: Site,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let request = pages::authorize_request(&q, &site);
    let back = format!("{}{}/oauth2/idpresponse", site.base, site.prefix);
    let browser = pages::browser_session(&headers);
    let ctx = RequestContext { base_url: Some(site.base.clone()), ..Default::default() };
    let worker = state.clone();
    let result = tokio::task::spawn_blocking(move || -> Result<Redirect, String> {
        match worker.idp.authorize(&ctx, request, browser.as_deref()).map_err(|e| e.to_string())? {
            HostedStep::Go(HostedAnswer::ToProvider { provider, state: pending }) => {
                let details = provider.provider_details.clone().unwrap_or_default();
                let Some(url) = endpoints(&provider).authorize else {
                    let failed = worker
                        .idp
                        .federation_failed(&pending, "Unable to reach the identity provider's authorization endpoint");
                    let failed =
                        failed.map_err(|e| e.to_string())?.ok_or_else(|| "the sign-in vanished".to_string())?;
                    return Ok(Redirect::Step(Box::new(HostedStep::Go(failed))));
                };
                let client_id = details.get("client_id").cloned().unwrap_or_default();
                let scopes = details.get("authorize_scopes").cloned().unwrap_or_default();
                let params = [
                    ("client_id", client_id),
                    ("redirect_uri", back),
                    ("scope", scopes),
                    ("response_type", "code".into()),
                    ("state", pending),
                ];
                Ok(Redirect::To(form::with_params(&url, &params, false)))
            }
            other => Ok(Redirect::Step(Box::new(other))),
        }
    })
    .await;
    match result {
        Ok(Ok(Redirect::To(url))) => found(&url),
        Ok(Ok(Redirect::Step(step))) => pages::respond(&state, &site, &headers, &q, *step),
        Ok(Err(e)) => internal(e),
        Err(e) => internal(e),
    }
}

/// The claims the provider vouches for: the verified ID token's, then userInfo's.
fn provider_claims(
    idp: &UserPools,
    provider: &IdentityProviderType,
    code: &str,
    back: &str,
) -> Result<Map<String, Value>, String> {
    let details = provider.provider_details.clone().unwrap_or_default();
    let name = provider.provider_name.clone().unwrap_or_default();
    let client_id = details.get("client_id").cloned().unwrap_or_default();
    let ends = endpoints(provider);
    let token_url = ends.token.ok_or_else(|| format!("{name} Error - no token endpoint"))?;
    // Cognito authenticates to the provider with client_secret_post only.
    let body = form::encode(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", back),
        ("client_id", &client_id),
        ("client_secret", details.get("client_secret").map(String::as_str).unwrap_or_default()),
    ]);
    let mut response = agent()
        .post(&token_url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(body.as_bytes())
        .map_err(|_| "Timeout occurred in calling IdP token endpoint".to_string())?;
    let status = response.status().as_u16();
    if status != 200 {
        return Err(format!("{name} Error - {status} error getting token"));
    }
    let tokens: Value = response
        .body_mut()
        .read_to_string()
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .ok_or_else(|| format!("{name} Error - 200 error getting token"))?;
    let id_token = tokens["id_token"].as_str().ok_or_else(|| "Invalid id_token".to_string())?;
    let jwks_url = ends.jwks.ok_or_else(|| "Timeout in calling jwks uri".to_string())?;
    let jwks: Value = agent()
        .get(&jwks_url)
        .call()
        .ok()
        .filter(|r| r.status() == 200)
        .and_then(|mut r| r.body_mut().read_to_string().ok())
        .and_then(|t| serde_json::from_str(&t).ok())
        .ok_or_else(|| "Timeout in calling jwks uri".to_string())?;
    let mut claims = cognate_core::tokens::verify_with_jwks(id_token, &jwks)?;
    idp.check_provider_id_token(provider, &claims)?;
    // Cognito asks userInfo for the attributes, and takes a refusal as an invalid token.
    if let (Some(url), Some(access)) = (ends.userinfo, tokens["access_token"].as_str()) {
        let auth = format!("Bearer {access}");
        let answer = if details.get("attributes_request_method").map(String::as_str) == Some("POST") {
            agent().post(&url).header("Authorization", &auth).send_empty()
        } else {
            agent().get(&url).header("Authorization", &auth).call()
        };
        let mut answer = answer.map_err(|_| format!("{name} Error - error getting user info"))?;
        if answer.status() != 200 {
            return Err(format!("{name} Error - {} error getting user info", answer.status().as_u16()));
        }
        let extra: Map<String, Value> =
            answer.body_mut().read_to_string().ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
        claims.extend(extra);
    }
    Ok(claims)
}

/// `GET /oauth2/idpresponse`: the provider sends the browser back here with a code.
pub async fn idp_response(
    State(state): State<Arc<AppState>>,
    site: Site,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let Some(pending) = q.get("state").cloned() else {
        return page(StatusCode::BAD_REQUEST, "An error was encountered with the requested page.");
    };
    let back = format!("{}{}/oauth2/idpresponse", site.base, site.prefix);
    let ctx = RequestContext { base_url: Some(site.base.clone()), ..Default::default() };
    let worker = state.clone();
    let result = tokio::task::spawn_blocking(move || -> Result<Option<HostedAnswer>, String> {
        let idp = &worker.idp;
        if let Some(error) = q.get("error") {
            let description = q.get("error_description").unwrap_or(error);
            return idp.federation_failed(&pending, description).map_err(|e| e.to_string());
        }
        let Some(provider) = idp.federation_provider(&pending).map_err(|e| e.to_string())? else { return Ok(None) };
        let code = q.get("code").cloned().unwrap_or_default();
        match provider_claims(idp, &provider, &code, &back) {
            Ok(claims) => idp.federated_sign_in(&ctx, &pending, &claims).map(Some).map_err(|e| e.to_string()),
            Err(description) => idp.federation_failed(&pending, &description).map_err(|e| e.to_string()),
        }
    })
    .await;
    match result {
        Ok(Ok(Some(hosted))) => pages::go(&site, &BTreeMap::new(), hosted),
        Ok(Ok(None)) => {
            page(StatusCode::BAD_REQUEST, "Something went wrong: the sign-in took too long or was already finished.")
        }
        Ok(Err(e)) => internal(e),
        Err(e) => internal(e),
    }
}

/// `POST /oauth2/token`.
pub async fn token(State(state): State<Arc<AppState>>, site: Site, headers: HeaderMap, body: Bytes) -> Response {
    let no_store = [(header::CACHE_CONTROL, "no-store"), (header::PRAGMA, "no-cache")];
    let form: BTreeMap<String, String> = match serde_urlencoded::from_bytes(&body) {
        Ok(f) => f,
        Err(_) => {
            return (StatusCode::BAD_REQUEST, no_store, axum::Json(json!({"error": "invalid_request"})))
                .into_response();
        }
    };
    let basic = headers.get(header::AUTHORIZATION).and_then(|h| h.to_str().ok()).and_then(basic_credentials);
    let domain = site.domain.clone();
    let ctx = RequestContext { base_url: Some(site.base), ..Default::default() };
    let result =
        tokio::task::spawn_blocking(move || state.idp.token_endpoint(&ctx, &form, basic, domain.as_deref())).await;
    match result {
        Ok(Ok(tokens)) => (StatusCode::OK, no_store, axum::Json(tokens)).into_response(),
        Ok(Err(e)) => {
            let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
            (status, no_store, axum::Json(json!({"error": e.error}))).into_response()
        }
        Err(e) => internal(e),
    }
}

/// `GET` or `POST /oauth2/userInfo` with `Authorization: Bearer <access token>`.
pub async fn user_info(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer ").map(|t| t.trim().to_string()));
    match tokio::task::spawn_blocking(move || state.idp.user_info(bearer.as_deref())).await {
        Ok(Ok(claims)) => (StatusCode::OK, axum::Json(claims)).into_response(),
        Ok(Err(e)) => {
            let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
            let challenge = format!(r#"error="{}", error_description="{}""#, e.error, e.description);
            let body = json!({"error": e.error, "error_description": e.description});
            (status, [(header::WWW_AUTHENTICATE, challenge)], axum::Json(body)).into_response()
        }
        Err(e) => internal(e),
    }
}

/// `POST /oauth2/revoke`: a refresh token, with the client's id (and secret, by Basic header
/// or form). 200 with an empty body, also for a token that is already invalid (RFC 7009).
pub async fn revoke(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    let mut form: BTreeMap<String, String> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let basic = headers.get(header::AUTHORIZATION).and_then(|h| h.to_str().ok()).and_then(basic_credentials);
    let (client_id, secret) = match basic {
        Some((id, secret)) => (id, Some(secret)),
        None => (form.remove("client_id").unwrap_or_default(), form.remove("client_secret")),
    };
    let token = form.remove("token");
    match tokio::task::spawn_blocking(move || state.idp.revoke_endpoint(token, client_id, secret)).await {
        Ok(None) => StatusCode::OK.into_response(),
        Ok(Some((status, error))) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
            (status, axum::Json(json!({"error": error}))).into_response()
        }
        Err(e) => internal(e),
    }
}
