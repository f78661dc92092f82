//! The managed login pages' HTTP side: which pool's site a request reached (a domain by its
//! `Host`, `<prefix>.auth.<region>.localhost`, or cognate's path form `/domain/<domain>/...`),
//! the cookies (`cognito`, the browser's session; `XSRF-TOKEN`, the double-submitted CSRF
//! token every form carries as `_csrf`), and the HTML of core's [`Page`]s. What a page shows
//! and what a form does is core's (`cognate_core::idp::oauth`).

use crate::AppState;
use crate::form;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Query, RawPathParams, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use cognate_core::idp::{AuthorizeRequest, Form, HostedAnswer, HostedStep, LogoutRequest, Page, PageKind, View};
use cognate_proto::RequestContext;
use std::collections::BTreeMap;
use std::sync::Arc;

const SESSION_COOKIE: &str = "cognito";
const CSRF_COOKIE: &str = "XSRF-TOKEN";
/// The browser's session lasts an hour (managed login, "things to know").
const SESSION_SECONDS: u32 = 3600;

const BASE_CSS: &str = include_str!("../templates/page.css");
/// Cognito renders each page twice, for wide and narrow screens, and shows one; tests written
/// against it (`(//input[@id='signInFormUsername'])[2]`) count on that.
const COPIES: [&str; 2] = ["modal-content-mobile visible-md visible-lg", "visible-xs visible-sm"];

/// The site a request reached: a pool's domain, or cognate's own address.
pub struct Site {
    /// cognate's own address, as tokens' issuer and the discovery document name it.
    pub base: String,
    /// What the pages' links and forms begin with: `/domain/<domain>` in the path form.
    pub prefix: String,
    /// Where the request arrived (`http://<Host>`): redirects to the pages are absolute, as
    /// Cognito's are.
    pub origin: String,
    pub domain: Option<String>,
    /// The caller's address and User-Agent, which sessions and auth events record.
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
}

/// `<prefix>.auth.<region>.localhost` (or `.amazoncognito.com`): the prefix domain, and the port.
fn prefix_domain(host: &str) -> Option<(String, Option<&str>)> {
    let (name, port) = match host.rsplit_once(':') {
        Some((n, p)) if p.bytes().all(|b| b.is_ascii_digit()) => (n, Some(p)),
        _ => (host, None),
    };
    let labels: Vec<&str> = name.split('.').collect();
    let tail_ok = matches!(labels.as_slice(), [_, "auth", _, "localhost"] | [_, "auth", _, "amazoncognito", "com"]);
    tail_ok.then(|| (labels[0].to_string(), port))
}

impl FromRequestParts<Arc<AppState>> for Site {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, state).await.ok();
        let from_path = params.and_then(|p| p.iter().find(|(k, _)| *k == "domain").map(|(_, v)| v.to_string()));
        let host = parts.headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default().to_string();
        let peer = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
        let source_ip = crate::aws_json::source_ip(&parts.headers, peer);
        let user_agent = parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_string);
        let own = state
            .base_url(&parts.headers)
            .or_else(|| state.listen_url.get().cloned())
            .unwrap_or_else(|| "http://localhost:9229".into());
        if let Some(domain) = from_path {
            let prefix = format!("/domain/{}", form::component(&domain));
            return Ok(Site {
                origin: own.clone(),
                base: own,
                prefix,
                domain: Some(domain),
                source_ip: source_ip.clone(),
                user_agent: user_agent.clone(),
            });
        }
        // On a domain's own host, cognate's own address is the one it listens on.
        let local = |port: Option<&str>| match (&state.public_url, state.listen_url.get(), port) {
            (Some(url), _, _) => url.trim_end_matches('/').to_string(),
            (None, Some(url), _) => url.clone(),
            (None, None, Some(p)) => format!("http://localhost:{p}"),
            (None, None, None) => "http://localhost".into(),
        };
        if let Some((domain, port)) = prefix_domain(&host) {
            let origin = format!("{}://{host}", crate::scheme(&parts.headers));
            return Ok(Site {
                base: local(port),
                prefix: String::new(),
                origin,
                domain: Some(domain),
                source_ip: source_ip.clone(),
                user_agent: user_agent.clone(),
            });
        }
        let name = host.rsplit_once(':').map(|(n, _)| n).unwrap_or(&host).to_string();
        if !name.is_empty() && state.idp.has_domain(&name).unwrap_or(false) {
            let port = host.rsplit_once(':').map(|(_, p)| p);
            let origin = format!("{}://{host}", crate::scheme(&parts.headers));
            return Ok(Site {
                base: local(port),
                prefix: String::new(),
                origin,
                domain: Some(name),
                source_ip: source_ip.clone(),
                user_agent: user_agent.clone(),
            });
        }
        Ok(Site {
            origin: own.clone(),
            base: own,
            prefix: String::new(),
            domain: None,
            source_ip: source_ip.clone(),
            user_agent: user_agent.clone(),
        })
    }
}

impl Site {
    fn ctx(&self) -> RequestContext {
        RequestContext {
            base_url: Some(self.base.clone()),
            source_ip: self.source_ip.clone(),
            user_agent: self.user_agent.clone(),
            ..Default::default()
        }
    }
}

/// A cookie's value.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"').to_string())
}

/// The authorize parameters a page's query carries.
pub fn authorize_request(q: &BTreeMap<String, String>, site: &Site) -> AuthorizeRequest {
    let get = |k: &str| q.get(k).cloned();
    AuthorizeRequest {
        response_type: get("response_type"),
        client_id: get("client_id"),
        redirect_uri: get("redirect_uri"),
        state: get("state"),
        scope: get("scope"),
        identity_provider: get("identity_provider"),
        idp_identifier: get("idp_identifier"),
        code_challenge: get("code_challenge"),
        code_challenge_method: get("code_challenge_method"),
        nonce: get("nonce"),
        prompt: get("prompt"),
        domain: site.domain.clone(),
    }
}

fn found(location: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, location.to_string()), (header::CACHE_CONTROL, "no-store".into())])
        .into_response()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorHtml<'a> {
    base_css: &'static str,
    detail: Option<&'a str>,
}

/// What every page is sent with: never cached, never framed, and no script at all (the pages
/// have none, so one injected would not run).
fn guarded() -> [(header::HeaderName, &'static str); 3] {
    [
        (header::CACHE_CONTROL, "no-store"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; img-src data: https: http:; form-action 'self' http: https:; frame-ancestors 'none'",
        ),
    ]
}

/// Cognito's error page, with why.
pub fn error_page(status: StatusCode, detail: Option<&str>) -> Response {
    let html = ErrorHtml { base_css: BASE_CSS, detail }.render().unwrap_or_default();
    (status, guarded(), Html(html)).into_response()
}

pub fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!("managed login: {e}");
    error_page(StatusCode::INTERNAL_SERVER_ERROR, Some("An internal error occurred."))
}

/// Where a hosted answer sends the browser.
pub fn go(site: &Site, query: &BTreeMap<String, String>, hosted: HostedAnswer) -> Response {
    match hosted {
        HostedAnswer::ToApp { redirect_uri, params, fragment } => {
            found(&form::with_params(&redirect_uri, &params, fragment))
        }
        // Requests that cannot go back to an app land on the error page, as on Cognito.
        HostedAnswer::ErrorPage { error, client_id } => {
            let mut pairs = vec![("error", error.as_str())];
            if let Some(id) = client_id.as_deref() {
                pairs.push(("client_id", id));
            }
            found(&form::with_params(&format!("{}{}/error", site.origin, site.prefix), &pairs, false))
        }
        HostedAnswer::Refusal { message } => error_page(StatusCode::BAD_REQUEST, Some(&message)),
        HostedAnswer::ToLogin => {
            let carried: Vec<(&String, &String)> = query.iter().filter(|(k, _)| *k != "logout_uri").collect();
            found(&form::with_params(&format!("{}{}/login", site.origin, site.prefix), &carried, false))
        }
        HostedAnswer::ToProvider { .. } => internal("a provider redirect reached the wrong place"),
    }
}

/// `Set-Cookie` for the browser's session (or its end).
fn session_cookie(value: Option<&str>) -> HeaderValue {
    let text = match value {
        Some(v) => format!("{SESSION_COOKIE}={v}; Path=/; Max-Age={SESSION_SECONDS}; HttpOnly; SameSite=Lax"),
        None => format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"),
    };
    HeaderValue::from_str(&text).expect("a cookie is ASCII")
}

/// A response to a step of the pages (and of `/oauth2/authorize`'s that are not the provider's).
pub fn respond(
    state: &AppState,
    site: &Site,
    headers: &HeaderMap,
    query: &BTreeMap<String, String>,
    step: HostedStep,
) -> Response {
    match step {
        HostedStep::Go(answer) => go(site, query, answer),
        HostedStep::Show(page) => render(state, site, headers, query, &page),
        HostedStep::SignedIn { answer, browser } => {
            let mut response = go(site, query, answer);
            response.headers_mut().append(header::SET_COOKIE, session_cookie(Some(&browser)));
            response
        }
        HostedStep::SignedOut(answer) => {
            let mut response = go(site, query, answer);
            response.headers_mut().append(header::SET_COOKIE, session_cookie(None));
            response
        }
    }
}

mod filters {
    /// An attribute's label: `given_name` reads "Given name", as Cognito's sign-up page has it.
    #[askama::filter_fn]
    pub fn label(name: impl ToString, _: &dyn askama::Values) -> askama::Result<String> {
        let name = name.to_string();
        let name = name.strip_prefix("custom:").unwrap_or(&name);
        let words = name.replace('_', " ");
        let mut chars = words.chars();
        Ok(chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default())
    }

    /// The input type an attribute's field takes.
    #[askama::filter_fn]
    pub fn input_type(name: impl ToString, _: &dyn askama::Values) -> askama::Result<&'static str> {
        Ok(match name.to_string().as_str() {
            "email" => "email",
            "phone_number" => "tel",
            "birthdate" => "date",
            _ => "text",
        })
    }

    /// A second factor's name as the choice shows it.
    #[askama::filter_fn]
    pub fn factor(name: impl ToString, _: &dyn askama::Values) -> askama::Result<&'static str> {
        Ok(match name.to_string().as_str() {
            "SMS_MFA" => "Text message (SMS)",
            "SOFTWARE_TOKEN_MFA" => "Authenticator app",
            "EMAIL_OTP" => "Email",
            _ => "Another method",
        })
    }
}

#[derive(Template)]
#[template(path = "page.html")]
struct PageHtml<'a> {
    base_css: &'static str,
    copies: [&'static str; 2],
    custom_css: Option<String>,
    logo: Option<String>,
    page: &'a Page,
    prefix: &'a str,
    /// The query every form and link carries on, encoded (the template escapes it again).
    query: String,
    csrf: &'a str,
    providers: Vec<(String, String)>,
    /// The authenticator's QR code, drawn by cognate (no user text reaches it unescaped: the
    /// SVG has only rectangles).
    qr_svg: String,
}

/// A page as HTML, with a CSRF token for its forms (the browser's, else a new one).
fn render(
    state: &AppState,
    site: &Site,
    headers: &HeaderMap,
    query: &BTreeMap<String, String>,
    page: &Page,
) -> Response {
    let csrf = cookie(headers, CSRF_COOKIE).filter(|t| t.len() >= 32 && t.bytes().all(|b| b.is_ascii_hexdigit()));
    let csrf = csrf.unwrap_or_else(|| {
        let mut raw = [0u8; 16];
        state.rng.fill(&mut raw);
        raw.iter().map(|b| format!("{b:02x}")).collect()
    });
    let pairs: Vec<(&String, &String)> = query.iter().collect();
    let encoded = form::encode(&pairs);
    let providers = page
        .providers
        .iter()
        .map(|name| {
            let mut with: Vec<(&str, &str)> = pairs
                .iter()
                .filter(|(k, _)| k.as_str() != "identity_provider")
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            with.push(("identity_provider", name));
            (name.clone(), format!("{}/oauth2/authorize?{}", site.prefix, form::encode(&with)))
        })
        .collect();
    let qr_svg = match &page.view {
        View::TotpSetup { uri, .. } => qrcode::QrCode::new(uri.as_bytes())
            .map(|code| code.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).build())
            .unwrap_or_default(),
        _ => String::new(),
    };
    let html = PageHtml {
        base_css: BASE_CSS,
        copies: COPIES,
        custom_css: page.css.clone(),
        logo: page.logo.clone(),
        page,
        prefix: &site.prefix,
        query: encoded,
        csrf: &csrf,
        providers,
        qr_svg,
    };
    let body = match html.render() {
        Ok(b) => b,
        Err(e) => return internal(e),
    };
    let cookie = format!("{CSRF_COOKIE}={csrf}; Path=/; HttpOnly; SameSite=Lax");
    (StatusCode::OK, guarded(), [(header::SET_COOKIE, cookie)], Html(body)).into_response()
}

/// Runs a core step off the I/O thread (it may wait on a trigger) and answers it.
async fn run(
    state: Arc<AppState>,
    site: Site,
    headers: HeaderMap,
    query: BTreeMap<String, String>,
    f: impl FnOnce(&AppState, &Site) -> Result<HostedStep, cognate_proto::ApiError> + Send + 'static,
) -> Response {
    let worker = state.clone();
    let result = tokio::task::spawn_blocking(move || {
        let step = f(&worker, &site);
        (step, site)
    })
    .await;
    match result {
        Ok((Ok(step), site)) => respond(&state, &site, &headers, &query, step),
        Ok((Err(e), _)) => internal(e),
        Err(e) => internal(e),
    }
}

/// A posted form, if its `_csrf` is the browser's `XSRF-TOKEN` (compared in constant time).
fn posted(headers: &HeaderMap, body: &Bytes) -> Result<BTreeMap<String, String>, Box<Response>> {
    let forbidden =
        || Box::new(error_page(StatusCode::FORBIDDEN, Some("Invalid request: the form's CSRF token does not match.")));
    let fields: BTreeMap<String, String> = serde_urlencoded::from_bytes(body).map_err(|_| forbidden())?;
    let given = fields.get("_csrf").map(String::as_bytes).unwrap_or_default();
    let expected = cookie(headers, CSRF_COOKIE).unwrap_or_default();
    let same = given.len() == expected.len()
        && !given.is_empty()
        && given.iter().zip(expected.as_bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    match same {
        true => Ok(fields),
        false => Err(forbidden()),
    }
}

fn field(fields: &BTreeMap<String, String>, name: &str) -> String {
    fields.get(name).cloned().unwrap_or_default()
}

/// The form a page's path posts.
fn form_of(path: &str, fields: BTreeMap<String, String>) -> Form {
    let ticket = fields.get("ticket").cloned().filter(|t| !t.is_empty());
    match path {
        "login" => Form::SignIn { username: field(&fields, "username"), password: field(&fields, "password") },
        "signup" => Form::SignUp {
            username: field(&fields, "username"),
            password: field(&fields, "password"),
            attributes: fields
                .iter()
                .filter_map(|(k, v)| {
                    let name = k.strip_prefix("requiredAttributes[")?.strip_suffix(']')?;
                    Some((name.to_string(), v.clone()))
                })
                .collect(),
        },
        "confirm" => Form::Confirm { username: field(&fields, "username"), code: field(&fields, "code"), ticket },
        "resendcode" => Form::Resend { username: field(&fields, "username"), ticket },
        "forgotPassword" => Form::ForgotPassword { username: field(&fields, "username") },
        "confirmForgotPassword" => Form::ConfirmForgotPassword {
            username: field(&fields, "username"),
            code: field(&fields, "code"),
            password: field(&fields, "password"),
            confirm: field(&fields, "confirmPassword"),
        },
        _ => Form::Challenge(fields),
    }
}

/// `GET /login`, `/signup`, `/confirm`, `/forgotPassword`.
pub async fn show(
    State(state): State<Arc<AppState>>,
    site: Site,
    headers: HeaderMap,
    uri: axum::http::Uri,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    let kind = match uri.path().rsplit('/').next().unwrap_or_default() {
        "signup" => PageKind::SignUp,
        "confirm" => PageKind::Confirm { username: query.get("username").cloned().unwrap_or_default() },
        "forgotPassword" => PageKind::ForgotPassword,
        _ => PageKind::Login,
    };
    let browser = cookie(&headers, SESSION_COOKIE);
    let req = authorize_request(&query, &site);
    run(state, site, headers, query, move |s, site| s.idp.hosted_page(&site.ctx(), req, kind, browser.as_deref())).await
}

/// `POST` of every page's form.
pub async fn submit(
    State(state): State<Arc<AppState>>,
    site: Site,
    headers: HeaderMap,
    uri: axum::http::Uri,
    Query(query): Query<BTreeMap<String, String>>,
    body: Bytes,
) -> Response {
    let fields = match posted(&headers, &body) {
        Ok(f) => f,
        Err(refused) => return *refused,
    };
    let form = form_of(uri.path().rsplit('/').next().unwrap_or_default(), fields);
    let req = authorize_request(&query, &site);
    run(state, site, headers, query, move |s, site| s.idp.hosted_submit(&site.ctx(), req, form)).await
}

/// `GET /logout`.
pub async fn logout(
    State(state): State<Arc<AppState>>,
    site: Site,
    headers: HeaderMap,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    let get = |k: &str| query.get(k).cloned();
    let req = LogoutRequest {
        client_id: get("client_id"),
        logout_uri: get("logout_uri"),
        redirect_uri: get("redirect_uri"),
        response_type: get("response_type"),
        state: get("state"),
        scope: get("scope"),
    };
    let browser = cookie(&headers, SESSION_COOKIE);
    run(state, site, headers, query, move |s, _| s.idp.logout(req, browser.as_deref())).await
}

/// `GET /error`: where the pages send requests they cannot serve.
pub async fn error(Query(query): Query<BTreeMap<String, String>>) -> Response {
    error_page(StatusCode::BAD_REQUEST, query.get("error").map(String::as_str))
}

/// The browser's session cookie, for `/oauth2/authorize`.
pub fn browser_session(headers: &HeaderMap) -> Option<String> {
    cookie(headers, SESSION_COOKIE)
}

/// `GET /<poolId>/<clientId|ALL>/<version>/assets/images/image.jpg`: a classic customization's
/// logo, where its ImageUrl names it.
pub async fn logo(
    State(state): State<Arc<AppState>>,
    axum::extract::Path((pool_id, client_id, version)): axum::extract::Path<(String, String, String)>,
) -> Response {
    match tokio::task::spawn_blocking(move || state.idp.ui_logo(&pool_id, &client_id, &version)).await {
        Ok(Ok(Some((kind, bytes)))) => ([(header::CONTENT_TYPE, kind)], bytes).into_response(),
        Ok(Ok(None)) => StatusCode::NOT_FOUND.into_response(),
        Ok(Err(e)) => internal(e),
        Err(e) => internal(e),
    }
}
