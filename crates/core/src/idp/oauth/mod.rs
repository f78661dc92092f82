//! The hosted UI's OAuth 2.0 decisions and its pages, with no HTTP: what `/oauth2/authorize`
//! does with a request (`authorize`), what the provider's answer at `/oauth2/idpresponse`
//! makes of the user (`federated`), the managed login pages' sign-in and its challenges
//! (`login`), sign-up, confirmation and password reset (`account`), the browser's session and
//! `/logout` (`browser`), what `/oauth2/token` grants (`token`), and what `/oauth2/userInfo`
//! shows and `/oauth2/revoke` revokes (`userinfo`). The server turns each [`HostedAnswer`]
//! into a redirect and each [`Page`] into HTML, and talks to the provider (discovery, the code
//! exchange, its keys and userInfo): core does no IO.

mod account;
mod authorize;
mod browser;
mod federated;
mod login;
mod pages;
mod token;
mod userinfo;

pub use browser::LogoutRequest;
pub use pages::{Form, HostedStep, Page, PageKind, View};
pub use token::{OAuthError, TokenAnswer};
pub use userinfo::UserInfoError;

use cognate_proto::ApiError;
use cognate_proto::idp::IdentityProviderType;

/// How long the round trip through the provider, and then an authorization code, may take
/// ("a one time use code that is valid for five minutes": authorization endpoint docs).
pub(super) const FLOW_SECONDS: f64 = 300.0;
pub(super) const PENDING: &str = "OAUTH_FEDERATION";
pub(super) const CODE: &str = "AUTHORIZATION_CODE";

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
    /// OIDC's `prompt`: `login` shows the sign-in form even to a signed-in browser, `none`
    /// never shows it.
    pub prompt: Option<String>,
    /// The pool's domain the request reached (by its `Host`, or cognate's path form): its
    /// pool must be the client's.
    pub domain: Option<String>,
}

/// Where a step of the hosted flow sends the browser.
#[derive(Debug, PartialEq)]
pub enum HostedAnswer {
    /// On to the provider's authorization endpoint: the server adds the provider's URL and
    /// `redirect_uri`; `state` names this sign-in when the provider answers.
    ToProvider { provider: IdentityProviderType, state: String },
    /// Back to the app's `redirect_uri` with these parameters: in the query, or (for the
    /// implicit grant) in the fragment.
    ToApp { redirect_uri: String, params: Vec<(String, String)>, fragment: bool },
    /// Cognito's error page (`/error?error=...&client_id=...`), for a request that cannot be
    /// sent back to an app (an unknown client, a redirect URI it does not list).
    ErrorPage { error: String, client_id: Option<String> },
    /// A page saying why the sign-in cannot go on here.
    Refusal { message: String },
    /// On to the managed login page (`/login`) with the request's own query.
    ToLogin,
}

/// What the app asked for, kept between `/oauth2/authorize` and the code's redemption.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct Grant {
    pub(super) client_id: String,
    pub(super) redirect_uri: String,
    pub(super) response_type: String,
    pub(super) scopes: Vec<String>,
    #[serde(default)]
    pub(super) state: Option<String>,
    #[serde(default)]
    pub(super) code_challenge: Option<String>,
    #[serde(default)]
    pub(super) nonce: Option<String>,
    pub(super) provider: String,
    /// The client's metadata document URL, when the app named itself by one (its `client_id`
    /// at the token endpoint); `client_id` is then the app client its CIMD policy maps to.
    #[serde(default)]
    pub(super) metadata_url: Option<String>,
}

/// The app's redirect carrying an error, as Cognito words it (`error_description` first).
pub(super) fn redirect_error(grant: &Grant, error: &str, description: Option<&str>) -> HostedAnswer {
    let mut params = Vec::new();
    if let Some(d) = description {
        params.push(("error_description".to_string(), d.to_string()));
    }
    if let Some(s) = &grant.state {
        params.push(("state".to_string(), s.clone()));
    }
    params.push(("error".to_string(), error.to_string()));
    to_app(grant, params, grant.response_type == "token")
}

/// Back to the app that `grant` came from.
pub(super) fn to_app(grant: &Grant, params: Vec<(String, String)>, fragment: bool) -> HostedAnswer {
    HostedAnswer::ToApp { redirect_uri: grant.redirect_uri.clone(), params, fragment }
}

/// Cognito's error page, for a request with no app to go back to.
pub(super) fn error_page(error: &str, client_id: Option<&str>) -> HostedAnswer {
    HostedAnswer::ErrorPage { error: error.into(), client_id: client_id.map(str::to_string) }
}

/// Why cognate cannot go on with a sign-in.
pub(super) fn refusal(message: &str) -> HostedAnswer {
    HostedAnswer::Refusal { message: message.into() }
}

pub(super) use crate::idp::lookup::percent;

/// A refusal a page shows beside its form; anything else (a fault of cognate's) is an error.
pub(super) fn shown(e: ApiError) -> Result<String, ApiError> {
    match e.status < 500 {
        true => Ok(e.message.unwrap_or_else(|| e.type_name.to_string())),
        false => Err(e),
    }
}

/// A request the pages make as an app would, held to the model's constraints as an app's is
/// (the pages' forms reach core without the wire layer's checks).
pub(super) fn as_sent<T: serde::Serialize + serde::de::DeserializeOwned>(
    operation: &str,
    input: T,
) -> Result<T, ApiError> {
    let service = &cognate_proto::idp::SERVICE;
    let shape = service.operation(operation).and_then(|o| o.input);
    let shape = shape.ok_or_else(|| ApiError::internal_error(format!("no operation {operation}")))?;
    cognate_proto::decode(service, shape, &cognate_proto::encode(&input)?)
}
