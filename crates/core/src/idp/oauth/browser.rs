//! The browser's session on the managed login pages (Cognito's `cognito` cookie): opened by a
//! sign-in there, good for an hour that a reuse does not extend, and for the pool it signed in
//! to. `/logout` ends it, and so does the user's being disabled or deleted; a global sign-out
//! does not ("This operation doesn't clear the managed login session cookie":
//! AdminUserGlobalSignOut, API reference).

use crate::idp::oauth::authorize::check_request;
use crate::idp::oauth::{AuthorizeRequest, HostedAnswer, HostedStep, refusal};
use crate::idp::service::UserPools;
use crate::store::{AuthSession, UserRecord};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognate_proto::ApiError;

const BROWSER: &str = "BROWSER_SESSION";
/// "Users can sign in again with the same authentication method for one hour ...
/// Authentication with the session cookie doesn't reset the cookie duration" (managed login,
/// things to know).
const BROWSER_SECONDS: f64 = 3600.0;

/// The query of `GET /logout`: `client_id` and `logout_uri`, or the authorize form
/// (`redirect_uri`, `response_type`, `state`, `scope`) that goes on to the sign-in page.
#[derive(Debug, Default, Clone)]
pub struct LogoutRequest {
    pub client_id: Option<String>,
    pub logout_uri: Option<String>,
    pub redirect_uri: Option<String>,
    pub response_type: Option<String>,
    pub state: Option<String>,
    pub scope: Option<String>,
}

impl UserPools {
    /// A new session for a browser that signed `user` in: the cookie's value.
    pub(super) fn open_browser(&self, pool_id: &str, client_id: &str, user: &UserRecord) -> Result<String, ApiError> {
        let now = self.now();
        let mut raw = [0u8; 32];
        self.rng.fill(&mut raw);
        let id = URL_SAFE_NO_PAD.encode(raw);
        self.tx(|tx| {
            self.store_session(
                tx,
                &AuthSession {
                    id: id.clone(),
                    pool_id: pool_id.to_string(),
                    client_id: client_id.to_string(),
                    user_key: user.key.clone(),
                    sub: user.sub.clone(),
                    challenge: BROWSER.into(),
                    expires: now + BROWSER_SECONDS,
                    state: serde_json::Value::Null,
                },
            )
        })?;
        Ok(id)
    }

    /// The user a browser's session has signed in to `pool_id`, while it holds.
    pub(super) fn browser_user(&self, pool_id: &str, browser: Option<&str>) -> Result<Option<UserRecord>, ApiError> {
        let Some(id) = browser.filter(|b| !b.is_empty()) else { return Ok(None) };
        let now = self.now();
        self.tx(|tx| {
            let Some(session) = tx.session(id)? else { return Ok(None) };
            if session.challenge != BROWSER || session.pool_id != pool_id || session.expires < now {
                return Ok(None);
            }
            let user = tx.user(pool_id, &session.user_key)?;
            Ok(user.filter(|u| u.sub == session.sub && u.enabled))
        })
    }

    /// `GET /logout`: the browser's session ends, then on to the app's sign-out URL (which the
    /// client must list) or to the sign-in page.
    pub fn logout(&self, req: LogoutRequest, browser: Option<&str>) -> Result<HostedStep, ApiError> {
        let Some(client_id) = req.client_id.clone() else {
            return Ok(HostedStep::Go(refusal("Required String parameter 'client_id' is not present")));
        };
        let then = self.tx(|tx| {
            let Some(client) = tx.client(&client_id)? else {
                return Ok(Err(HostedAnswer::ErrorPage { error: "invalid_request".into(), client_id: None }));
            };
            if let Some(uri) = &req.logout_uri {
                // aws-amplify/amplify-js#2423: an unlisted logout_uri reads as a missing one.
                if !client.logout_urls.iter().flatten().any(|u| u == uri) {
                    return Ok(Err(refusal("Required String parameter 'redirect_uri' is not present")));
                }
                return Ok(Ok(HostedAnswer::ToApp { redirect_uri: uri.clone(), params: Vec::new(), fragment: false }));
            }
            if req.redirect_uri.is_none() || req.response_type.is_none() {
                return Ok(Err(refusal("Required String parameter 'redirect_uri' is not present")));
            }
            let authorize = AuthorizeRequest {
                client_id: req.client_id.clone(),
                redirect_uri: req.redirect_uri.clone(),
                response_type: req.response_type.clone(),
                state: req.state.clone(),
                scope: req.scope.clone(),
                ..Default::default()
            };
            Ok(check_request(tx, &authorize)?.map(|_| HostedAnswer::ToLogin))
        })?;
        let next = match then {
            Ok(next) => next,
            Err(answer) => return Ok(HostedStep::Go(answer)),
        };
        if let Some(id) = browser.filter(|b| !b.is_empty()) {
            self.tx(|tx| match tx.session(id)? {
                Some(s) if s.challenge == BROWSER => tx.delete_session(id),
                _ => Ok(()),
            })?;
        }
        Ok(HostedStep::SignedOut(next))
    }
}
