//! `POST /oauth2/token`: the authorization code, refresh token and client credentials grants.

use crate::idp::client_secrets::valid_secrets;
use crate::idp::lookup::load_pool;
use crate::idp::oauth::{CODE, Grant};
use crate::idp::service::SignIn;
use crate::idp::service::UserPools;
use crate::idp::signin;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognate_proto::idp::OAuthFlowType;
use cognate_proto::{ApiError, RequestContext};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// What `/oauth2/token` answers: the body the server sends as JSON, in the order of the
/// token endpoint's documented sample.
#[derive(Debug, serde::Serialize)]
pub struct TokenAnswer {
    pub access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub token_type: &'static str,
    pub expires_in: i32,
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

impl UserPools {
    /// `POST /oauth2/token`: the form's fields, and the client id and secret of a Basic
    /// Authorization header.
    pub fn token_endpoint(
        &self,
        ctx: &RequestContext,
        form: &BTreeMap<String, String>,
        basic: Option<(String, String)>,
        domain: Option<&str>,
    ) -> Result<TokenAnswer, OAuthError> {
        let now = self.now();
        let grant_type = form.get("grant_type").ok_or(oauth("invalid_request"))?;
        let (client_id, secret) = match basic {
            Some((id, secret)) => (id, Some(secret)),
            None => (form.get("client_id").cloned().unwrap_or_default(), form.get("client_secret").cloned()),
        };
        let internal = |_| OAuthError { status: 500, error: "server_error" };
        // A metadata document client is public: no secret, and only the grants its document
        // and its app client both allow (developer guide, CIMD).
        let metadata_url = crate::idp::cimd::is_url(&client_id).then(|| client_id.clone());
        if metadata_url.is_some() && secret.is_some() {
            return Err(oauth("invalid_client"));
        }
        let (client, secrets, grants) = self
            .tx(|tx| {
                if let Some(url) = &metadata_url {
                    let Some((client, grants)) = crate::idp::cimd::metadata_client(tx, domain, url)? else {
                        return Ok(None);
                    };
                    return Ok(Some((client, Vec::new(), Some(grants))));
                }
                let Some(client) = tx.client(&client_id)? else { return Ok(None) };
                let secrets = valid_secrets(self, tx, &client)?;
                Ok(Some((client, secrets, None)))
            })
            .map_err(internal)?
            .ok_or(oauth("invalid_client"))?;
        if grants.is_some_and(|g| !g.contains(grant_type)) {
            return Err(oauth("unauthorized_client"));
        }
        let client_id = client.client_id.clone().unwrap_or_default();
        // Any current secret: during a rotation, the old one and the new.
        if !secrets.is_empty() && !secret.as_ref().is_some_and(|given| secrets.contains(given)) {
            return Err(oauth("invalid_client"));
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
                // A code goes back to the client it was given to, by the name it used.
                if grant.metadata_url != metadata_url {
                    return Err(oauth("invalid_grant"));
                }
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
                let openid = grant.scopes.iter().any(|s| s == "openid");
                Ok(TokenAnswer {
                    access_token: result.access_token.unwrap_or_default(),
                    id_token: result.id_token.filter(|_| openid),
                    refresh_token: result.refresh_token,
                    token_type: "Bearer",
                    expires_in: result.expires_in.unwrap_or_default(),
                })
            }
            "refresh_token" => {
                let token = form.get("refresh_token").ok_or(oauth("invalid_request"))?;
                let minted = self
                    .tx(|tx| {
                        let pool = load_pool(tx, &pool_id)?;
                        let s = SignIn {
                            up: self,
                            ctx,
                            pool: &pool,
                            client: &client,
                            mail: &Default::default(),
                            hosted: false,
                        };
                        let (mut minted, _) = signin::refresh(&s, tx, token, signin::RefreshSecret::Checked, false)?;
                        if let Some(url) = &metadata_url {
                            minted.set_id_audience(url);
                        }
                        Ok(Some(minted))
                    })
                    .or_else(|e| if e.status == 400 { Ok(None) } else { Err(e) })
                    .map_err(internal)?
                    .ok_or(oauth("invalid_grant"))?;
                let result = self.finish(minted).map_err(internal)?;
                Ok(TokenAnswer {
                    access_token: result.access_token.unwrap_or_default(),
                    id_token: result.id_token,
                    refresh_token: None,
                    token_type: "Bearer",
                    expires_in: result.expires_in.unwrap_or_default(),
                })
            }
            "client_credentials" => {
                // A confidential client allowed the flow, and only its custom scopes (those of
                // resource servers): developer guide, "The token endpoint".
                if client.client_secret.is_none() {
                    return Err(oauth("invalid_client"));
                }
                let flows = client.allowed_oauth_flows.clone().unwrap_or_default();
                if !flows.contains(&OAuthFlowType::ClientCredentials) {
                    return Err(oauth("unauthorized_client"));
                }
                let allowed: Vec<String> =
                    client.allowed_oauth_scopes.iter().flatten().filter(|s| s.contains('/')).cloned().collect();
                let scopes: Vec<String> = match form.get("scope") {
                    None => allowed.clone(),
                    Some(asked) => asked.split_whitespace().map(str::to_string).collect(),
                };
                if scopes.is_empty() || scopes.iter().any(|s| !allowed.contains(s)) {
                    return Err(oauth("invalid_scope"));
                }
                // `aws_client_metadata`: URL-encoded JSON for the trigger (token endpoint docs).
                let metadata = match form.get("aws_client_metadata") {
                    None => serde_json::json!({}),
                    Some(text) => match serde_json::from_str::<serde_json::Value>(text) {
                        Ok(v) if v.is_object() => v,
                        _ => return Err(oauth("invalid_request")),
                    },
                };
                let token = self
                    .tx(|tx| crate::idp::issue::machine_token(self, ctx, tx, &client, &scopes))
                    .map_err(internal)?;
                let expires_in = token.expires_in;
                // A failing trigger: cognate answers invalid_request (what Cognito answers is
                // unconfirmed).
                let access_token = token.finish(self, metadata).map_err(|e| match e.status < 500 {
                    true => oauth("invalid_request"),
                    false => OAuthError { status: 500, error: "server_error" },
                })?;
                Ok(TokenAnswer { access_token, id_token: None, refresh_token: None, token_type: "Bearer", expires_in })
            }
            _ => Err(oauth("unsupported_grant_type")),
        }
    }
}
