//! The provider's answer at `/oauth2/idpresponse`: the federated user made or updated (with
//! PreSignUp_ExternalProvider, PostConfirmation and Pre/PostAuthentication), then a code or
//! tokens for the app.

use crate::env::RandomExt;
use crate::idp::issue;
use crate::idp::lookup::{find_user, load_pool, user_key};
use crate::idp::oauth::{Grant, HostedAnswer, PENDING, redirect_error, refusal};
use crate::idp::service::{SignIn, UserPools};
use crate::store::{Tx, UserRecord};
use cognate_proto::idp::*;
use cognate_proto::{ApiError, RequestContext};
use serde_json::{Map, Value, json};

/// A claim as an attribute value: strings as they are, anything else as JSON.
fn claim_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

impl UserPools {
    /// Checks the claims of a provider's ID token whose signature the server has verified, as
    /// Cognito does (oidc-flow docs): its issuer, its audience (the provider's client id) and
    /// its expiry, on cognate's clock. Answers what failed, as the app will be told it.
    pub fn check_provider_id_token(
        &self,
        provider: &IdentityProviderType,
        claims: &Map<String, Value>,
    ) -> Result<(), String> {
        let details = provider.provider_details.clone().unwrap_or_default();
        let issuer = details.get("oidc_issuer").map(String::as_str).unwrap_or_default();
        let client_id = details.get("client_id").map(String::as_str).unwrap_or_default();
        let iss = claims.get("iss").and_then(Value::as_str).unwrap_or_default();
        if iss.trim_end_matches('/') != issuer.trim_end_matches('/') {
            return Err(format!("Bad id_token issuer {iss}"));
        }
        let audience_ok = match claims.get("aud") {
            Some(Value::String(a)) => a == client_id,
            Some(Value::Array(list)) => list.iter().any(|a| a == client_id),
            _ => false,
        };
        if !audience_ok {
            return Err("Bad id_token audience".into());
        }
        let now = self.now();
        if claims.get("exp").and_then(Value::as_f64).is_none_or(|exp| exp < now.floor()) {
            return Err("id_token has expired".into());
        }
        Ok(())
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
            return Ok(refusal("The sign-in took too long or was already finished."));
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
        // A user the provider's identity was linked to (AdminLinkProviderForUser) signs in as
        // that user; otherwise the provider's own profile.
        let existing =
            self.tx(|tx| match crate::idp::links::linked_user(tx, &pool_id, &grant.provider, &subject, &mapped)? {
                Some(linked) => Ok(Some(linked)),
                None => find_user(tx, &pool, &username),
            })?;
        let missing: Vec<&str> = crate::idp::pools::required_attributes(&pool)
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
        // PostConfirmation instead).
        if !first && let Err(e) = self.post_authentication(&pool_id, &user, &client_id) {
            return Ok(trigger_failed(e));
        }
        self.issue_to_app(ctx, &grant, &pool_id, &user)
    }

    /// A new token family for a hosted-UI sign-in, with the scopes the app was granted.
    pub(super) fn hosted_tokens(
        &self,
        tx: &mut dyn Tx,
        ctx: &RequestContext,
        pool: &UserPoolType,
        client: &UserPoolClientType,
        user: &UserRecord,
        grant: &Grant,
    ) -> Result<crate::idp::issue::Minted, ApiError> {
        let scopes = Some(grant.scopes.clone());
        let s = SignIn { up: self, ctx, pool, client, mail: &Default::default(), hosted: false };
        let mut minted = issue::sign_in_tokens_scoped(&s, tx, user, None, "TokenGeneration_HostedAuth", scopes)?;
        if let Some(url) = &grant.metadata_url {
            minted.set_id_audience(url);
        }
        Ok(minted)
    }

    /// Signs hosted-UI tokens after PreTokenGeneration, with the app's nonce in the ID token.
    pub(super) fn finish_hosted(
        &self,
        mut minted: crate::idp::issue::Minted,
        nonce: Option<String>,
    ) -> Result<AuthenticationResultType, ApiError> {
        minted.for_hosted_ui(nonce);
        self.finish(minted)
    }
}
