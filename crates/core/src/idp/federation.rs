//! Sign-in through an external OpenID Connect provider, as the hosted UI does it: the
//! IdentityProvider operations; `/oauth2/authorize` with `identity_provider`; the provider's
//! answer at `/oauth2/idpresponse`, which makes or updates the federated user (with the
//! PreSignUp_ExternalProvider, PostConfirmation and Pre/PostAuthentication triggers); and the
//! authorization code redeemed at `/oauth2/token`. Talking to the provider (discovery, the code
//! exchange, its keys and userInfo) is the server's job: core does no IO.

use crate::env::RandomExt;
use crate::idp::lookup::{find_user, load_pool, user_key};
use crate::idp::{UserPools, signin};
use crate::store::{AuthSession, Tx, UserRecord};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use cognate_proto::idp::*;
use cognate_proto::{ApiError, RequestContext};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// How long the round trip through the provider, and then an authorization code, may take
/// ("a one time use code that is valid for five minutes": authorization endpoint docs).
const FLOW_SECONDS: f64 = 300.0;
const PENDING: &str = "OAUTH_FEDERATION";
const CODE: &str = "AUTHORIZATION_CODE";

fn not_found(name: &str) -> ApiError {
    ApiError::resource_not_found(format!("Identity provider {name} does not exist."))
}

/// What ProviderDetails must hold, by provider type (the messages are Cognito's).
fn check_details(
    kind: IdentityProviderTypeType,
    name: &str,
    details: &BTreeMap<String, String>,
) -> Result<(), ApiError> {
    use IdentityProviderTypeType as T;
    let has = |k: &str| details.get(k).is_some_and(|v| !v.is_empty());
    let (keys, message): (&[&str], &str) = match kind {
        T::Oidc => (
            &["client_id", "authorize_scopes", "oidc_issuer", "attributes_request_method"],
            "clientId, authorizeScopes, oidcIssuer and attributesRequestMethod are all required idp details.",
        ),
        T::Google | T::Facebook | T::LoginWithAmazon => (
            &["client_id", "client_secret", "authorize_scopes"],
            "clientId, clientSecret and authorizeScopes are all required idp details.",
        ),
        T::SignInWithApple => (
            &["client_id", "private_key", "team_id", "key_id"],
            "clientId, privateKey, teamId, and keyId are all required idp details.",
        ),
        T::Saml => (&[], ""),
    };
    if !keys.iter().all(|k| has(k)) {
        return Err(ApiError::invalid_parameter(message));
    }
    if kind == T::Saml && !has("MetadataURL") && !has("MetadataFile") {
        return Err(ApiError::invalid_parameter("Either MetadataURL or MetadataFile must be provided."));
    }
    if kind == T::Oidc && !matches!(details.get("attributes_request_method").map(String::as_str), Some("GET" | "POST"))
    {
        return Err(ApiError::invalid_parameter("attributes_request_method must be GET or POST."));
    }
    // Social providers are named after themselves.
    if !matches!(kind, T::Oidc | T::Saml) && name != kind.as_str() {
        return Err(ApiError::invalid_parameter(format!("Provider {name} cannot be of type {}.", kind.as_str())));
    }
    Ok(())
}

/// Every mapped attribute must be one of the pool's (or the username).
fn check_mapping(pool: &UserPoolType, mapping: &BTreeMap<String, String>) -> Result<(), ApiError> {
    let invalid: Vec<&str> = mapping
        .keys()
        .map(String::as_str)
        .filter(|name| *name != "username" && crate::idp::pools::schema_entry(pool, name).is_none())
        .collect();
    if invalid.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid_parameter(format!("AttributeMapping contains invalid mapping: [{}]", invalid.join(", "))))
    }
}

fn provider_by_identifier(
    tx: &mut dyn Tx,
    pool_id: &str,
    identifier: &str,
) -> Result<Option<IdentityProviderType>, ApiError> {
    let mut after: Option<String> = None;
    loop {
        let page = tx.idps(pool_id, after.as_deref(), 60)?;
        if let Some(idp) =
            page.items.iter().find(|p| p.idp_identifiers.iter().flatten().any(|i| i.eq_ignore_ascii_case(identifier)))
        {
            return Ok(Some(idp.clone()));
        }
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(None),
        }
    }
}

/// The query of `GET /oauth2/authorize`.
#[derive(Debug, Default, Clone)]
pub struct AuthorizeRequest {
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub state: Option<String>,
    pub scope: Option<String>,
    pub identity_provider: Option<String>,
    pub idp_identifier: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub nonce: Option<String>,
}

/// Where a step of the hosted flow sends the browser.
#[derive(Debug, PartialEq)]
pub enum HostedAnswer {
    /// On to the provider's authorization endpoint: the server adds the provider's URL and
    /// `redirect_uri`; `state` names this sign-in when the provider answers.
    ToProvider { provider: IdentityProviderType, state: String },
    /// Back to the app (with a code, tokens or an error).
    Redirect(String),
    /// cognate's own error page (`/error?error=...`), for requests it cannot send back to an app.
    Error { error: String, client_id: Option<String>, message: String },
}

/// What the app asked for, kept between `/oauth2/authorize` and the code's redemption.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Grant {
    client_id: String,
    redirect_uri: String,
    response_type: String,
    scopes: Vec<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    code_challenge: Option<String>,
    #[serde(default)]
    nonce: Option<String>,
    provider: String,
}

/// An error of `/oauth2/token`: the HTTP status and the `error` code.
#[derive(Debug, PartialEq)]
pub struct OAuthError {
    pub status: u16,
    pub error: &'static str,
}

fn oauth(error: &'static str) -> OAuthError {
    OAuthError { status: 400, error }
}

/// `application/x-www-form-urlencoded`, as a query string or form body is written.
pub fn form_encode(pairs: &[(&str, &str)]) -> String {
    fn enc(s: &str) -> String {
        let mut out = String::new();
        for b in s.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => out.push(b as char),
                b' ' => out.push('+'),
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
        out
    }
    pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

fn with_query(url: &str, query: &str, fragment: bool) -> String {
    if fragment {
        format!("{url}#{query}")
    } else if url.contains('?') {
        format!("{url}&{query}")
    } else {
        format!("{url}?{query}")
    }
}

/// The app's redirect carrying an error, as Cognito words it (`error_description` first).
fn redirect_error(grant: &Grant, error: &str, description: Option<&str>) -> HostedAnswer {
    let mut pairs = Vec::new();
    if let Some(d) = description {
        pairs.push(("error_description", d));
    }
    if let Some(s) = grant.state.as_deref() {
        pairs.push(("state", s));
    }
    pairs.push(("error", error));
    HostedAnswer::Redirect(with_query(&grant.redirect_uri, &form_encode(&pairs), grant.response_type == "token"))
}

fn error_page(error: &str, client_id: Option<&str>, message: &str) -> HostedAnswer {
    HostedAnswer::Error { error: error.into(), client_id: client_id.map(str::to_string), message: message.into() }
}

/// A claim as an attribute value: strings as they are, anything else as JSON.
fn claim_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

impl UserPools {
    /// `GET /oauth2/authorize`, for a sign-in through a named identity provider.
    pub fn authorize(&self, req: AuthorizeRequest) -> Result<HostedAnswer, ApiError> {
        let now = self.now();
        self.tx(|tx| {
            let client_id = req.client_id.clone().unwrap_or_default();
            let Some(client) = tx.client(&client_id)? else {
                return Ok(error_page("invalid_request", None, "An error was encountered with the requested page."));
            };
            let redirect_uri = req.redirect_uri.clone().unwrap_or_default();
            if !client.callback_urls.iter().flatten().any(|u| *u == redirect_uri) {
                return Ok(error_page("redirect_mismatch", Some(&client_id), "An error was encountered with the requested page."));
            }
            let mut grant = Grant {
                client_id: client_id.clone(),
                redirect_uri,
                response_type: req.response_type.clone().unwrap_or_default(),
                scopes: Vec::new(),
                state: req.state.clone(),
                code_challenge: req.code_challenge.clone(),
                nonce: req.nonce.clone(),
                provider: String::new(),
            };
            let flow = match grant.response_type.as_str() {
                "code" => OAuthFlowType::Code,
                "token" => OAuthFlowType::Implicit,
                _ => return Ok(redirect_error(&grant, "invalid_request", None)),
            };
            let allowed = client.allowed_oauth_flows_user_pool_client == Some(true)
                && client.allowed_oauth_flows.iter().flatten().any(|f| *f == flow);
            if !allowed {
                return Ok(redirect_error(&grant, "unauthorized_client", None));
            }
            if grant.code_challenge.is_some() && req.code_challenge_method.as_deref() != Some("S256") {
                return Ok(redirect_error(&grant, "invalid_request", None));
            }
            let allowed_scopes = client.allowed_oauth_scopes.clone().unwrap_or_default();
            grant.scopes = match req.scope.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                Some(s) => s.split([' ', '+']).filter(|s| !s.is_empty()).map(str::to_string).collect(),
                None => allowed_scopes.clone(),
            };
            if grant.scopes.iter().any(|s| !allowed_scopes.contains(s)) {
                return Ok(redirect_error(&grant, "invalid_scope", None));
            }
            let pool_id = client.user_pool_id.clone().unwrap_or_default();
            // `COGNITO` names the managed login pages, which cognate does not serve.
            let named = req.identity_provider.as_ref().filter(|p| p.as_str() != "COGNITO");
            let provider = match (named, &req.idp_identifier) {
                (Some(name), _) => tx.idp(&pool_id, name)?,
                (None, Some(identifier)) => provider_by_identifier(tx, &pool_id, identifier)?,
                (None, None) => {
                    return Ok(error_page(
                        "invalid_request",
                        Some(&client_id),
                        "cognate serves no sign-in pages: name the provider with identity_provider (or idp_identifier).",
                    ));
                }
            };
            let unavailable = || error_page("invalid_request", Some(&client_id), "Login option is not available. Please try another one");
            let Some(provider) = provider else { return Ok(unavailable()) };
            let name = provider.provider_name.clone().unwrap_or_default();
            if !client.supported_identity_providers.iter().flatten().any(|p| *p == name) {
                return Ok(unavailable());
            }
            if provider.provider_type != Some(IdentityProviderTypeType::Oidc) {
                return Ok(error_page(
                    "invalid_request",
                    Some(&client_id),
                    "cognate signs in through OIDC identity providers only.",
                ));
            }
            grant.provider = name;
            let mut raw = [0u8; 32];
            self.rng.fill(&mut raw);
            let state = URL_SAFE_NO_PAD.encode(raw);
            self.store_session(tx, &AuthSession {
                id: state.clone(),
                pool_id,
                client_id,
                user_key: String::new(),
                sub: String::new(),
                challenge: PENDING.into(),
                expires: now + FLOW_SECONDS,
                state: serde_json::to_value(&grant).expect("a grant serialises"),
            })?;
            Ok(HostedAnswer::ToProvider { provider, state })
        })
    }

    /// The provider a pending federated sign-in went to, so the server can redeem its code.
    pub fn federation_provider(&self, state: &str) -> Result<Option<IdentityProviderType>, ApiError> {
        let now = self.now();
        self.tx(|tx| {
            let Some(pending) = tx.session(state)?.filter(|s| s.challenge == PENDING && s.expires >= now) else {
                return Ok(None);
            };
            let grant: Grant =
                serde_json::from_value(pending.state).map_err(|_| ApiError::internal_error("bad grant"))?;
            tx.idp(&pending.pool_id, &grant.provider)
        })
    }

    /// Ends a pending federated sign-in that the provider (or talking to it) failed: the app
    /// is told, as Cognito tells it. `None` if there is no such sign-in.
    pub fn federation_failed(&self, state: &str, description: &str) -> Result<Option<HostedAnswer>, ApiError> {
        self.tx(|tx| {
            let Some(pending) = tx.session(state)?.filter(|s| s.challenge == PENDING) else { return Ok(None) };
            tx.delete_session(state)?;
            let grant: Grant =
                serde_json::from_value(pending.state).map_err(|_| ApiError::internal_error("bad grant"))?;
            Ok(Some(redirect_error(&grant, "invalid_request", Some(description))))
        })
    }

    /// The provider vouched for a user (its verified ID token's claims, with userInfo's):
    /// makes or updates the federated user, then answers the app with a code or tokens.
    pub fn federated_sign_in(
        &self,
        ctx: &RequestContext,
        state: &str,
        claims: &Map<String, Value>,
    ) -> Result<HostedAnswer, ApiError> {
        let now = self.now();
        let taken = self.tx(|tx| {
            let Some(pending) = tx.session(state)?.filter(|s| s.challenge == PENDING) else { return Ok(None) };
            tx.delete_session(state)?;
            if pending.expires < now {
                return Ok(None);
            }
            let grant: Grant =
                serde_json::from_value(pending.state).map_err(|_| ApiError::internal_error("bad grant"))?;
            let pool = load_pool(tx, &pending.pool_id)?;
            let provider = tx.idp(&pending.pool_id, &grant.provider)?;
            Ok(Some((grant, pool, provider)))
        })?;
        let Some((grant, pool, provider)) = taken else {
            return Ok(error_page("invalid_request", None, "The sign-in took too long or was already finished."));
        };
        let Some(provider) = provider else {
            return Ok(redirect_error(&grant, "invalid_request", Some("Invalid identity provider")));
        };
        let pool_id = pool.id.clone().unwrap_or_default();
        let mapping = provider.attribute_mapping.clone().unwrap_or_default();
        let subject_claim = mapping.get("username").map(String::as_str).unwrap_or("sub");
        let Some(subject) = claims.get(subject_claim).and_then(claim_text) else {
            return Ok(redirect_error(
                &grant,
                "invalid_request",
                Some("Invalid user identifier from the identity provider"),
            ));
        };
        // Newer pools keep the whole name in lower case (amplify-js #13844); the identity keeps
        // the provider's own spelling.
        let username = format!("{}_{}", grant.provider, subject).to_lowercase();
        let mapped: Vec<(String, String)> = mapping
            .iter()
            .filter(|(attr, _)| attr.as_str() != "username")
            .filter_map(|(attr, claim)| claims.get(claim).and_then(claim_text).map(|v| (attr.clone(), v)))
            .collect();
        let existing = self.tx(|tx| find_user(tx, &pool, &username))?;
        let missing: Vec<String> = pool
            .schema_attributes
            .iter()
            .flatten()
            .filter(|s| s.required == Some(true))
            .filter_map(|s| s.name.clone())
            .filter(|n| n != "sub")
            .filter(|n| !mapped.iter().any(|(a, _)| a == n))
            .filter(|n| existing.as_ref().is_none_or(|u| u.attribute(n).is_none_or(str::is_empty)))
            .collect();
        if !missing.is_empty() {
            let text = format!("attributes required: [{}]", missing.join(", "));
            return Ok(redirect_error(&grant, "invalid_request", Some(&text)));
        }
        let client_id = grant.client_id.clone();
        let trigger_failed = |e: ApiError| {
            redirect_error(&grant, "invalid_request", Some(&format!("{} ", e.message.unwrap_or_default())))
        };
        let first = existing.is_none();
        let user = match existing {
            Some(user) => {
                if !user.enabled {
                    return Ok(redirect_error(&grant, "invalid_request", Some("User is disabled.")));
                }
                if let Err(e) = crate::idp::signin::pre_authentication(self, &client_id, Some(&user.username)) {
                    return Ok(trigger_failed(e));
                }
                // Mapped attributes are rewritten at every sign-in (attribute mapping docs), so an
                // immutable one fails every sign-in after the first, even with the same value
                // (amplify-js #3526; aws-solutions-library-samples/accelerated-intelligent-
                // document-processing-on-aws #835, confirmed there against real pools).
                let immutable: String = mapped
                    .iter()
                    .filter(|(name, _)| {
                        pool.schema_attributes
                            .iter()
                            .flatten()
                            .any(|s| s.name.as_deref() == Some(name.as_str()) && s.mutable == Some(false))
                    })
                    .map(|(name, _)| format!("user.{name}: Attribute cannot be updated.\n"))
                    .collect();
                if !immutable.is_empty() {
                    return Ok(redirect_error(&grant, "invalid_request", Some(&format!("{immutable} "))));
                }
                self.tx(|tx| {
                    let Some(mut user) = tx.user(&pool_id, &user.key)? else { return Ok(user.clone()) };
                    for (name, value) in &mapped {
                        user.set_attribute(name, value);
                    }
                    user.modified = now;
                    tx.put_user(&pool_id, &user)?;
                    Ok(user)
                })?
            }
            None => {
                let sub = self.rng.uuid_v4();
                let mut attributes = vec![AttributeType { name: "sub".into(), value: Some(sub.clone()) }];
                attributes
                    .extend(mapped.iter().map(|(n, v)| AttributeType { name: n.clone(), value: Some(v.clone()) }));
                let mut user = UserRecord {
                    key: user_key(&pool, &username),
                    username: username.clone(),
                    sub,
                    attributes,
                    enabled: true,
                    status: UserStatusType::ExternalProvider,
                    created: now,
                    modified: now,
                    ..Default::default()
                };
                // The event shows the mapped attributes only; what it answers (confirm, verify)
                // does not apply to a user the provider vouches for.
                let mut probe = user.clone();
                if let Err(e) =
                    self.pre_sign_up(&pool, &mut probe, "PreSignUp_ExternalProvider", Some(&client_id), None, None)
                {
                    return Ok(trigger_failed(e));
                }
                let identities = json!([{
                    "userId": subject,
                    "providerName": grant.provider,
                    "providerType": "OIDC",
                    "issuer": null,
                    "primary": true,
                    "dateCreated": (now * 1000.0) as i64,
                }]);
                user.set_attribute("identities", &identities.to_string());
                let group_name = format!("{pool_id}_{}", grant.provider);
                self.tx(|tx| {
                    if find_user(tx, &pool, &username)?.is_some() {
                        return Err(ApiError::username_exists("User account already exists"));
                    }
                    tx.put_user(&pool_id, &user)?;
                    // Every provider has its group, made at its first user.
                    if tx.group(&pool_id, &group_name)?.is_none() {
                        tx.put_group(&GroupType {
                            group_name: Some(group_name.clone()),
                            user_pool_id: Some(pool_id.clone()),
                            description: Some(format!(
                                "Autogenerated group for users who sign in using {}",
                                grant.provider
                            )),
                            creation_date: Some(now),
                            last_modified_date: Some(now),
                            ..Default::default()
                        })?;
                    }
                    tx.add_member(&pool_id, &group_name, &user.key)
                })?;
                if let Err(e) = self.post_confirmation(&pool, &user, &client_id, "PostConfirmation_ConfirmSignUp", None)
                {
                    return Ok(trigger_failed(e));
                }
                user
            }
        };
        // A returning user's sign-in ends with PostAuthentication (the first one with
        // PostConfirmation instead); it belongs to the sign-in, not to the code's redemption.
        if !first {
            if let Some(arn) = pool.lambda_config.as_ref().and_then(|l| l.post_authentication.clone()) {
                let header = crate::triggers::EventHeader {
                    trigger_source: "PostAuthentication_Authentication",
                    user_pool_id: &pool_id,
                    user_name: &user.username,
                    client_id: Some(&client_id),
                };
                let request = json!({
                    "userAttributes": crate::triggers::event_attributes(&user),
                    "newDeviceUsed": false,
                    "clientMetadata": {},
                });
                if let Err(e) = self.run_trigger(&arn, "PostAuthentication", crate::triggers::event(&header, request)) {
                    return Ok(trigger_failed(e));
                }
            }
        }
        if grant.response_type == "token" {
            let minted = self.tx(|tx| {
                let client = crate::idp::clients::load_client(tx, &client_id)?;
                let mut minted = self.hosted_tokens(tx, ctx, &pool, &client, &user, &grant)?;
                minted.refresh_token = None;
                Ok(minted)
            })?;
            let nonce = grant.nonce.clone();
            let result = match self.finish_hosted(minted, nonce) {
                Ok(r) => r,
                Err(e) => return Ok(trigger_failed(e)),
            };
            let mut pairs: Vec<(&str, String)> = Vec::new();
            if grant.scopes.iter().any(|s| s == "openid") {
                pairs.push(("id_token", result.id_token.clone().unwrap_or_default()));
            }
            pairs.push(("access_token", result.access_token.clone().unwrap_or_default()));
            pairs.push(("expires_in", result.expires_in.unwrap_or(3600).to_string()));
            pairs.push(("token_type", "Bearer".into()));
            if let Some(s) = &grant.state {
                pairs.push(("state", s.clone()));
            }
            let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            return Ok(HostedAnswer::Redirect(with_query(&grant.redirect_uri, &form_encode(&borrowed), true)));
        }
        let code = self.tx(|tx| {
            let code = self.rng.uuid_v4();
            self.store_session(
                tx,
                &AuthSession {
                    id: code.clone(),
                    pool_id: pool_id.clone(),
                    client_id: client_id.clone(),
                    user_key: user.key.clone(),
                    sub: user.sub.clone(),
                    challenge: CODE.into(),
                    expires: now + FLOW_SECONDS,
                    state: serde_json::to_value(&grant).expect("a grant serialises"),
                },
            )?;
            Ok(code)
        })?;
        let mut pairs = vec![("code", code.as_str())];
        if let Some(s) = grant.state.as_deref() {
            pairs.push(("state", s));
        }
        Ok(HostedAnswer::Redirect(with_query(&grant.redirect_uri, &form_encode(&pairs), false)))
    }

    /// A new token family for a hosted-UI sign-in, with the scopes the app was granted.
    fn hosted_tokens(
        &self,
        tx: &mut dyn Tx,
        ctx: &RequestContext,
        pool: &UserPoolType,
        client: &UserPoolClientType,
        user: &UserRecord,
        grant: &Grant,
    ) -> Result<crate::idp::issue::Minted, ApiError> {
        let scopes = Some(grant.scopes.clone());
        self.sign_in_tokens_scoped(tx, ctx, pool, client, user, None, "TokenGeneration_HostedAuth", scopes)
    }

    /// Signs hosted-UI tokens after PreTokenGeneration, with the app's nonce in the ID token.
    fn finish_hosted(
        &self,
        mut minted: crate::idp::issue::Minted,
        nonce: Option<String>,
    ) -> Result<AuthenticationResultType, ApiError> {
        minted.for_hosted_ui(nonce);
        self.finish(minted)
    }

    /// `POST /oauth2/token`: the form's fields, and the client id and secret of a Basic
    /// Authorization header.
    pub fn token_endpoint(
        &self,
        ctx: &RequestContext,
        form: &BTreeMap<String, String>,
        basic: Option<(String, String)>,
    ) -> Result<Value, OAuthError> {
        let now = self.now();
        let grant_type = form.get("grant_type").ok_or(oauth("invalid_request"))?;
        let (client_id, secret) = match basic {
            Some((id, secret)) => (id, Some(secret)),
            None => (form.get("client_id").cloned().unwrap_or_default(), form.get("client_secret").cloned()),
        };
        let internal = |_| OAuthError { status: 500, error: "server_error" };
        let client = self.tx(|tx| tx.client(&client_id)).map_err(internal)?.ok_or(oauth("invalid_client"))?;
        if let Some(expected) = client.client_secret.as_deref() {
            if secret.as_deref() != Some(expected) {
                return Err(oauth("invalid_client"));
            }
        }
        let pool_id = client.user_pool_id.clone().unwrap_or_default();
        match grant_type.as_str() {
            "authorization_code" => {
                let code = form.get("code").ok_or(oauth("invalid_request"))?;
                let taken = self
                    .tx(|tx| {
                        let found = tx.session(code)?.filter(|s| s.challenge == CODE);
                        if found.is_some() {
                            tx.delete_session(code)?;
                        }
                        Ok(found)
                    })
                    .map_err(internal)?;
                let stored =
                    taken.filter(|s| s.client_id == client_id && s.expires >= now).ok_or(oauth("invalid_grant"))?;
                let grant: Grant = serde_json::from_value(stored.state.clone()).map_err(|_| oauth("invalid_grant"))?;
                if form.get("redirect_uri") != Some(&grant.redirect_uri) {
                    return Err(oauth("unauthorized_client"));
                }
                if let Some(challenge) = &grant.code_challenge {
                    let verifier = form.get("code_verifier").ok_or(oauth("invalid_request"))?;
                    if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != *challenge {
                        return Err(oauth("invalid_grant"));
                    }
                }
                let minted = self
                    .tx(|tx| {
                        let pool = load_pool(tx, &pool_id)?;
                        let user = tx
                            .user(&pool_id, &stored.user_key)?
                            .filter(|u| u.sub == stored.sub && u.enabled)
                            .ok_or_else(|| ApiError::not_authorized("User is disabled."))?;
                        self.hosted_tokens(tx, ctx, &pool, &client, &user, &grant).map(Some)
                    })
                    .or_else(|e| if e.type_name == "NotAuthorizedException" { Ok(None) } else { Err(e) })
                    .map_err(internal)?
                    .ok_or(oauth("invalid_grant"))?;
                let result = self.finish_hosted(minted, grant.nonce.clone()).map_err(internal)?;
                let mut body = json!({
                    "access_token": result.access_token,
                    "refresh_token": result.refresh_token,
                    "expires_in": result.expires_in,
                    "token_type": "Bearer",
                });
                if grant.scopes.iter().any(|s| s == "openid") {
                    body["id_token"] = json!(result.id_token);
                }
                Ok(body)
            }
            "refresh_token" => {
                let token = form.get("refresh_token").ok_or(oauth("invalid_request"))?;
                let minted = self
                    .tx(|tx| {
                        let pool = load_pool(tx, &pool_id)?;
                        let s = signin::SignIn { up: self, ctx, pool: &pool, client: &client };
                        signin::refresh(&s, tx, token, signin::RefreshSecret::Checked, false).map(|(m, _)| Some(m))
                    })
                    .or_else(|e| if e.status == 400 { Ok(None) } else { Err(e) })
                    .map_err(internal)?
                    .ok_or(oauth("invalid_grant"))?;
                let result = self.finish(minted).map_err(internal)?;
                Ok(json!({
                    "id_token": result.id_token,
                    "access_token": result.access_token,
                    "expires_in": result.expires_in,
                    "token_type": "Bearer",
                }))
            }
            _ => Err(oauth("unsupported_grant_type")),
        }
    }
}

/// `Basic base64(id:secret)`, split.
pub fn basic_credentials(header: &str) -> Option<(String, String)> {
    let encoded = header.strip_prefix("Basic ").or_else(|| header.strip_prefix("basic "))?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

pub(crate) fn create_identity_provider(
    up: &UserPools,
    input: CreateIdentityProviderRequest,
) -> Result<CreateIdentityProviderResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        check_details(input.provider_type, &input.provider_name, &input.provider_details)?;
        check_mapping(&pool, input.attribute_mapping.as_ref().unwrap_or(&BTreeMap::new()))?;
        if tx.idp(&input.user_pool_id, &input.provider_name)?.is_some() {
            return Err(ApiError::duplicate_provider(format!(
                "A provider with the name {} already exists in this user pool.",
                input.provider_name
            )));
        }
        let mut mapping = input.attribute_mapping.clone().unwrap_or_default();
        // The subject names the user unless a mapping says otherwise.
        if input.provider_type != IdentityProviderTypeType::Saml {
            mapping.entry("username".into()).or_insert_with(|| "sub".into());
        }
        let mut details = input.provider_details.clone();
        if input.provider_type == IdentityProviderTypeType::Oidc {
            details.insert("attributes_url_add_attributes".into(), "false".into());
        }
        let idp = IdentityProviderType {
            acr_mapping: input.acr_mapping.clone(),
            attribute_mapping: Some(mapping),
            creation_date: Some(now),
            idp_identifiers: input.idp_identifiers.clone(),
            last_modified_date: Some(now),
            provider_details: Some(details),
            provider_name: Some(input.provider_name.clone()),
            provider_type: Some(input.provider_type),
            user_pool_id: Some(input.user_pool_id.clone()),
        };
        tx.put_idp(&idp)?;
        Ok(CreateIdentityProviderResponse { identity_provider: idp })
    })
}

pub(crate) fn describe_identity_provider(
    up: &UserPools,
    input: DescribeIdentityProviderRequest,
) -> Result<DescribeIdentityProviderResponse, ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let idp = tx.idp(&input.user_pool_id, &input.provider_name)?.ok_or_else(|| not_found(&input.provider_name))?;
        Ok(DescribeIdentityProviderResponse { identity_provider: idp })
    })
}

pub(crate) fn update_identity_provider(
    up: &UserPools,
    input: UpdateIdentityProviderRequest,
) -> Result<UpdateIdentityProviderResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let mut idp =
            tx.idp(&input.user_pool_id, &input.provider_name)?.ok_or_else(|| not_found(&input.provider_name))?;
        check_mapping(&pool, input.attribute_mapping.as_ref().unwrap_or(&BTreeMap::new()))?;
        if let Some(details) = &input.provider_details {
            let mut merged = idp.provider_details.clone().unwrap_or_default();
            merged.extend(details.clone());
            check_details(idp.provider_type.unwrap_or_default(), &input.provider_name, &merged)?;
            idp.provider_details = Some(merged);
        }
        if let Some(mapping) = &input.attribute_mapping {
            let mut mapping = mapping.clone();
            if idp.provider_type != Some(IdentityProviderTypeType::Saml) {
                mapping.entry("username".into()).or_insert_with(|| "sub".into());
            }
            idp.attribute_mapping = Some(mapping);
        }
        if input.idp_identifiers.is_some() {
            idp.idp_identifiers = input.idp_identifiers.clone();
        }
        if input.acr_mapping.is_some() {
            idp.acr_mapping = input.acr_mapping.clone();
        }
        idp.last_modified_date = Some(now);
        tx.put_idp(&idp)?;
        Ok(UpdateIdentityProviderResponse { identity_provider: idp })
    })
}

pub(crate) fn delete_identity_provider(up: &UserPools, input: DeleteIdentityProviderRequest) -> Result<(), ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        tx.idp(&input.user_pool_id, &input.provider_name)?.ok_or_else(|| not_found(&input.provider_name))?;
        tx.delete_idp(&input.user_pool_id, &input.provider_name)
    })
}

pub(crate) fn list_identity_providers(
    up: &UserPools,
    input: ListIdentityProvidersRequest,
) -> Result<ListIdentityProvidersResponse, ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let after = crate::idp::lookup::decode_token(input.next_token.as_ref())?;
        let page = tx.idps(&input.user_pool_id, after.as_deref(), crate::idp::lookup::limit(input.max_results, 60))?;
        Ok(ListIdentityProvidersResponse {
            next_token: page.next.map(|n| URL_SAFE_NO_PAD.encode(n)),
            providers: page
                .items
                .into_iter()
                .map(|p| ProviderDescription {
                    creation_date: p.creation_date,
                    last_modified_date: p.last_modified_date,
                    provider_name: p.provider_name,
                    provider_type: p.provider_type,
                })
                .collect(),
        })
    })
}

pub(crate) fn get_identity_provider_by_identifier(
    up: &UserPools,
    input: GetIdentityProviderByIdentifierRequest,
) -> Result<GetIdentityProviderByIdentifierResponse, ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let found = provider_by_identifier(tx, &input.user_pool_id, &input.idp_identifier)?;
        let idp = found.ok_or_else(|| {
            ApiError::resource_not_found(format!(
                "Identity provider with identifier {} does not exist.",
                input.idp_identifier
            ))
        })?;
        Ok(GetIdentityProviderByIdentifierResponse { identity_provider: idp })
    })
}
