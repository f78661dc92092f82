//! The `Logins` map a client sends: which provider of the pool each key names, and the token
//! under it checked as Cognito checks it, before anything is linked.
//!
//! A key names one of the pool's providers:
//! - a user pool of cognate's (a CognitoIdentityProviders entry): AWS's form
//!   `cognito-idp.<region>.amazonaws.com/<poolId>`, or the form Amplify builds from the ID
//!   token's `iss` less its scheme (`127.0.0.1:9229/<poolId>`); both end in the pool id, and
//!   the login is recorded under the name the identity pool was given;
//! - an OpenID Connect provider (OpenIdConnectProviderARNs: the ARN's `oidc-provider/<host>`)
//!   or a social one (SupportedLoginProviders: `accounts.google.com`, …), whose ID token is
//!   checked against its issuer's JWKS;
//! - `cognito-identity.amazonaws.com`, the service's own OpenID token (the developer flow).

use super::service::{IdentityPools, SERVICE_HOST};
use crate::idp::{signed_out_since, user_key};
use crate::store::{CognitoProviderRecord, IdentityPoolRecord, Login, Tx};
use crate::tokens::{peek_claims, verify_with_jwks};
use cognate_proto::{ApiError, RequestContext};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A login whose token held.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    /// What links to an identity; `None` for the service's own token, which names one.
    pub login: Option<Login>,
    pub source: Source,
    /// The token's claims, for role rules and principal tags.
    pub claims: Map<String, Value>,
    /// The RoleMappings and principal-tag key of the provider: `<provider>:<client id>` for a
    /// user pool, else the provider's name.
    pub mapping_key: String,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Source {
    UserPool,
    Oidc,
    /// The service's own OpenID token for this identity.
    Own(String),
}

fn invalid(why: &str) -> ApiError {
    ApiError::not_authorized(format!("Invalid login token. {why}"))
}

/// Cognito's answer to a key that names none of the pool's providers.
pub(crate) fn unsupported_provider() -> ApiError {
    ApiError::not_authorized("Token is not from a supported provider of this identity pool.")
}

/// The user pool id a Logins key or provider name ends in (`…/us-east-1_Abc`).
fn user_pool_of(name: &str) -> Option<&str> {
    let (_, id) = name.rsplit_once('/')?;
    let (region, rest) = id.split_once('_')?;
    (!region.is_empty() && !rest.is_empty() && region.contains('-')).then_some(id)
}

enum Provider<'a> {
    UserPool(Vec<&'a CognitoProviderRecord>, String),
    Oidc(String),
    Own,
}

fn provider_of<'a>(pool: &'a IdentityPoolRecord, key: &str) -> Option<Provider<'a>> {
    if key == SERVICE_HOST {
        return Some(Provider::Own);
    }
    if let Some(pool_id) = user_pool_of(key) {
        let entries: Vec<_> = pool
            .cognito_identity_providers
            .iter()
            .flatten()
            .filter(|c| c.provider_name.as_deref().is_some_and(|n| n == key || user_pool_of(n) == Some(pool_id)))
            .collect();
        if !entries.is_empty() {
            return Some(Provider::UserPool(entries, pool_id.to_string()));
        }
    }
    let social = pool.supported_login_providers.as_ref().is_some_and(|s| s.contains_key(key));
    let oidc = pool
        .open_id_connect_provider_arns
        .iter()
        .flatten()
        .any(|arn| arn.split_once(":oidc-provider/").is_some_and(|(_, host)| host == key));
    (social || oidc).then(|| Provider::Oidc(key.to_string()))
}

impl IdentityPools {
    /// Cognito's refusal of a login token past its `exp` on cognate's clock.
    fn unexpired(&self, claims: &Map<String, Value>) -> Result<(), ApiError> {
        let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
        let now = self.now() as i64;
        if exp <= now {
            return Err(invalid(&format!("Token expired: {now} >= {exp}")));
        }
        Ok(())
    }

    /// Checks every login of `logins` for `pool`. The OIDC providers' keys are fetched first,
    /// outside any transaction; the user pools' tokens are checked in a transaction of their own.
    pub(crate) fn check_logins(
        &self,
        ctx: &RequestContext,
        pool: &IdentityPoolRecord,
        logins: &BTreeMap<String, String>,
    ) -> Result<Vec<Checked>, ApiError> {
        let configured = pool.cognito_identity_providers.as_ref().is_some_and(|c| !c.is_empty())
            || pool.supported_login_providers.as_ref().is_some_and(|s| !s.is_empty())
            || pool.open_id_connect_provider_arns.as_ref().is_some_and(|o| !o.is_empty())
            || pool.saml_provider_arns.as_ref().is_some_and(|s| !s.is_empty())
            || pool.developer_provider_name.is_some();
        if !logins.is_empty() && !configured {
            return Err(ApiError::not_authorized(format!(
                "Identity pool - {} does not have identity providers configured.",
                pool.id
            )));
        }
        let mut checked = Vec::with_capacity(logins.len());
        for (key, token) in logins {
            let provider = provider_of(pool, key).ok_or_else(unsupported_provider)?;
            checked.push(match provider {
                Provider::UserPool(entries, pool_id) => {
                    self.tx(|tx| self.user_pool_login(tx, &entries, &pool_id, token))?
                }
                Provider::Oidc(name) => self.oidc_login(&name, token)?,
                Provider::Own => self.own_login(ctx, pool, token)?,
            });
        }
        Ok(checked)
    }

    /// An ID token of one of cognate's user pools: signature, issuer, audience (a client the
    /// identity pool lists), expiry, and (ServerSideTokenCheck) that its sign-in stands.
    fn user_pool_login(
        &self,
        tx: &mut dyn Tx,
        entries: &[&CognitoProviderRecord],
        pool_id: &str,
        token: &str,
    ) -> Result<Checked, ApiError> {
        let peeked = peek_claims(token).ok_or_else(|| invalid("Not a valid OpenId Connect identity token."))?;
        let iss = peeked.get("iss").and_then(Value::as_str).unwrap_or_default();
        if user_pool_of(iss) != Some(pool_id) {
            return Err(invalid("Issuer doesn't match providerName"));
        }
        // An access token has no `aud` (amazon-cognito-identity-js#12).
        if !peeked.contains_key("aud") {
            return Err(invalid("Missing a required claim: aud"));
        }
        let user_pool = tx.pool(pool_id)?.ok_or_else(|| invalid("Couldn't verify signed token."))?;
        let claims =
            self.up.pool_keys(tx, pool_id)?.verify_id(token).ok_or_else(|| invalid("Couldn't verify signed token."))?;
        if claims.get("token_use").and_then(Value::as_str) != Some("id") {
            return Err(invalid("Not a Cognito token."));
        }
        self.unexpired(&claims)?;
        let aud = claims.get("aud").and_then(Value::as_str).unwrap_or_default();
        let entry = entries.iter().find(|c| c.client_id.as_deref() == Some(aud)).ok_or_else(unsupported_provider)?;
        let sub = claims.get("sub").and_then(Value::as_str).unwrap_or_default().to_string();
        if entry.server_side_token_check == Some(true) {
            let username = claims.get("cognito:username").and_then(Value::as_str).unwrap_or_default();
            let user = tx.user(pool_id, &user_key(&user_pool, username))?.filter(|u| u.sub == sub);
            let Some(user) = user.filter(|u| u.enabled) else {
                return Err(invalid("Token is not valid for this user."));
            };
            let origin = claims.get("origin_jti").and_then(Value::as_str).unwrap_or_default();
            let family = tx.family(pool_id, origin)?;
            let auth_time = claims.get("auth_time").and_then(Value::as_i64).unwrap_or(0);
            let revoked = match family {
                Some(f) => f.revoked,
                None => signed_out_since(&user, auth_time),
            };
            if revoked {
                return Err(invalid("Token has been revoked."));
            }
        }
        let provider = entry.provider_name.clone().unwrap_or_default();
        Ok(Checked {
            mapping_key: format!("{provider}:{aud}"),
            login: Some(Login { provider, subject: sub }),
            source: Source::UserPool,
            claims,
        })
    }

    /// An OpenID Connect provider's ID token, checked against its issuer's published keys.
    fn oidc_login(&self, name: &str, token: &str) -> Result<Checked, ApiError> {
        let peeked = peek_claims(token).ok_or_else(|| invalid("Not a valid OpenId Connect identity token."))?;
        let iss = peeked.get("iss").and_then(Value::as_str).unwrap_or_default();
        let bare = iss.strip_prefix("https://").or_else(|| iss.strip_prefix("http://")).unwrap_or(iss);
        if bare.trim_end_matches('/') != name {
            return Err(invalid("Issuer doesn't match providerName"));
        }
        let jwks = self
            .providers
            .jwks(iss)
            .map_err(|_| invalid("Couldn't retrieve verification key from your identity provider."))?;
        let claims = verify_with_jwks(token, &jwks).map_err(|_| invalid("Couldn't verify signed token."))?;
        self.unexpired(&claims)?;
        let sub = claims.get("sub").and_then(Value::as_str).unwrap_or_default().to_string();
        if sub.is_empty() {
            return Err(invalid("Not a valid OpenId Connect identity token."));
        }
        Ok(Checked {
            login: Some(Login { provider: name.to_string(), subject: sub }),
            source: Source::Oidc,
            claims,
            mapping_key: name.to_string(),
        })
    }

    /// The service's own OpenID token (from GetOpenIdTokenForDeveloperIdentity): signed by
    /// its key, for this pool, unexpired.
    fn own_login(&self, _: &RequestContext, pool: &IdentityPoolRecord, token: &str) -> Result<Checked, ApiError> {
        let claims = self
            .tx(|tx| Ok(self.signing_key(tx)?.verify_rs512(token)))?
            .ok_or_else(|| invalid("Couldn't verify signed token."))?;
        if claims.get("aud").and_then(Value::as_str) != Some(pool.id.as_str()) {
            return Err(unsupported_provider());
        }
        self.unexpired(&claims)?;
        let sub = claims.get("sub").and_then(Value::as_str).unwrap_or_default().to_string();
        Ok(Checked { login: None, source: Source::Own(sub), mapping_key: SERVICE_HOST.to_string(), claims })
    }
}
