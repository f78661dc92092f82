//! `GET /oauth2/authorize`: Cognito's checks of the request (which every managed login page
//! repeats), and a sign-in through a named identity provider, with the pending sign-in it
//! leaves until the provider answers.

use crate::idp::oauth::{AuthorizeRequest, HostedStep};
use crate::idp::oauth::{FLOW_SECONDS, Grant, HostedAnswer, PENDING, error_page, redirect_error, refusal};
use crate::idp::providers::provider_by_identifier;
use crate::idp::service::UserPools;
use crate::store::{AuthSession, Tx};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognate_proto::idp::*;
use cognate_proto::{ApiError, RequestContext};

/// An authorize request that passed Cognito's checks: the app, and what it asked for.
pub(super) struct Checked {
    pub(super) client: UserPoolClientType,
    pub(super) grant: Grant,
    pub(super) pool_id: String,
}

/// Cognito's checks of an authorize request (and of every managed login page, which carries
/// the same query): the client, its exact redirect URI, the response type and flow, PKCE, the
/// scopes. A request that fails answers where Cognito sends it.
pub(super) fn check_request(
    tx: &mut dyn Tx,
    req: &AuthorizeRequest,
) -> Result<Result<Checked, HostedAnswer>, ApiError> {
    let requested = req.client_id.clone().unwrap_or_default();
    let (client, metadata_url) = match crate::idp::cimd::is_url(&requested) {
        // A metadata document client: the app client its policy maps to, as its document
        // (cached by `resolve_metadata_client`) shapes it.
        true => match crate::idp::cimd::metadata_client(tx, req.domain.as_deref(), &requested)? {
            Some((client, _)) => (client, Some(requested.clone())),
            None => return Ok(Err(error_page("invalid_client", None))),
        },
        false => match tx.client(&requested)? {
            Some(client) => (client, None),
            None => return Ok(Err(error_page("invalid_request", None))),
        },
    };
    let client_id = client.client_id.clone().unwrap_or_default();
    // A domain serves its own pool's clients only.
    if let Some(domain) = &req.domain {
        let owner = tx.domain(domain)?.and_then(|d| d.user_pool_id);
        if owner.as_deref() != client.user_pool_id.as_deref() {
            return Ok(Err(error_page("invalid_request", None)));
        }
    }
    let redirect_uri = req.redirect_uri.clone().unwrap_or_default();
    if !client.callback_urls.iter().flatten().any(|u| *u == redirect_uri) {
        return Ok(Err(error_page("redirect_mismatch", Some(&requested))));
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
        metadata_url,
    };
    let flow = match grant.response_type.as_str() {
        "code" => OAuthFlowType::Code,
        "token" => OAuthFlowType::Implicit,
        _ => return Ok(Err(redirect_error(&grant, "invalid_request", None))),
    };
    let allowed = client.allowed_oauth_flows_user_pool_client == Some(true)
        && client.allowed_oauth_flows.iter().flatten().any(|f| *f == flow);
    if !allowed {
        return Ok(Err(redirect_error(&grant, "unauthorized_client", None)));
    }
    if grant.code_challenge.is_some() && req.code_challenge_method.as_deref() != Some("S256") {
        return Ok(Err(redirect_error(&grant, "invalid_request", None)));
    }
    let allowed_scopes = client.allowed_oauth_scopes.clone().unwrap_or_default();
    grant.scopes = match req.scope.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => s.split([' ', '+']).filter(|s| !s.is_empty()).map(str::to_string).collect(),
        None => allowed_scopes.clone(),
    };
    if grant.scopes.iter().any(|s| !allowed_scopes.contains(s)) {
        return Ok(Err(redirect_error(&grant, "invalid_scope", None)));
    }
    let pool_id = client.user_pool_id.clone().unwrap_or_default();
    Ok(Ok(Checked { client, grant, pool_id }))
}

impl UserPools {
    /// `GET /oauth2/authorize`: on to the provider it names, else to the sign-in page, unless
    /// the browser's session (its `cognito` cookie, `browser`) is still signed in to the pool.
    pub fn authorize(
        &self,
        ctx: &RequestContext,
        req: AuthorizeRequest,
        browser: Option<&str>,
    ) -> Result<HostedStep, ApiError> {
        let now = self.now();
        if let Some(url) = req.client_id.as_deref().filter(|id| crate::idp::cimd::is_url(id))
            && let Err(why) = self.resolve_metadata_client(req.domain.as_deref(), url)?
        {
            tracing::info!(client_id = url, "a metadata document client refused: {why}");
            return Ok(HostedStep::Go(error_page("invalid_client", None)));
        }
        let named = req.identity_provider.as_ref().filter(|p| p.as_str() != "COGNITO");
        if named.is_none() && req.idp_identifier.is_none() {
            return self.authorize_here(ctx, &req, browser);
        }
        self.tx(|tx| {
            let Checked { client, mut grant, pool_id } = match check_request(tx, &req)? {
                Ok(checked) => checked,
                Err(answer) => return Ok(HostedStep::Go(answer)),
            };
            let client_id = grant.client_id.clone();
            let provider = match (named, &req.idp_identifier) {
                (Some(name), _) => tx.idp(&pool_id, name)?,
                (None, Some(identifier)) => provider_by_identifier(tx, &pool_id, identifier)?,
                (None, None) => unreachable!("a request naming no provider signs in here"),
            };
            let unavailable = || HostedStep::Go(refusal("Login option is not available. Please try another one"));
            let Some(provider) = provider else { return Ok(unavailable()) };
            let name = provider.provider_name.clone().unwrap_or_default();
            if !client.supported_identity_providers.iter().flatten().any(|p| *p == name) {
                return Ok(unavailable());
            }
            if provider.provider_type != Some(IdentityProviderTypeType::Oidc) {
                return Ok(HostedStep::Go(refusal("cognate signs in through OIDC identity providers only.")));
            }
            grant.provider = name;
            let mut raw = [0u8; 32];
            self.rng.fill(&mut raw);
            let state = URL_SAFE_NO_PAD.encode(raw);
            self.store_session(
                tx,
                &AuthSession {
                    id: state.clone(),
                    pool_id,
                    client_id,
                    user_key: String::new(),
                    sub: String::new(),
                    challenge: PENDING.into(),
                    expires: now + FLOW_SECONDS,
                    state: serde_json::to_value(&grant).expect("a grant serialises"),
                },
            )?;
            Ok(HostedStep::Go(HostedAnswer::ToProvider { provider, state }))
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
}
