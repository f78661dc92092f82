//! GetDerivedToken: OAuth 2.0 token exchange (RFC 8693) of a token this pool issued for a new
//! one, scoped and audience-bound for a downstream service (model; developer guide, "token
//! exchange"). Without an ActorToken the new token speaks for the user directly
//! (ALLOW_TOKEN_EXCHANGE_IMPERSONATION); with one it carries an `act` claim naming the
//! intermediary (ALLOW_TOKEN_EXCHANGE_DELEGATION). The token is minted as a sign-in's would be,
//! in the subject's token family (so revoking the subject's sign-in revokes it too), for the
//! requesting client, and through PreTokenGeneration. Tokens of other providers (SAML2, OIDC)
//! are not exchanged yet. Facts and what is unconfirmed: docs/research/newest-operations.md §9.2.

use crate::idp::client_secrets::check_client_secret;
use crate::idp::clients::{allows, client_and_pool};
use crate::idp::issue::{ADMIN_SCOPE, mint, signed_out_since};
use crate::idp::lookup::user_key;
use crate::idp::service::{Mail, SignIn, UserPools};
use crate::store::{TokenFamily, Tx, UserRecord};
use cognate_proto::idp::*;
use cognate_proto::{ApiError, RequestContext};
use serde_json::{Map, Value, json};
use std::cell::RefCell;

/// A token of the pool, checked: its claims, and its user (none for a machine token).
struct Checked {
    claims: Map<String, Value>,
    user: Option<UserRecord>,
}

fn invalid(what: &str) -> ApiError {
    ApiError::not_authorized(format!("Invalid {what}."))
}

/// A token the pool issued, of the declared type: signature, pool, `token_use`, expiry, and
/// that its sign-in was not revoked.
fn check_token(
    up: &UserPools,
    tx: &mut dyn Tx,
    pool: &UserPoolType,
    token: &str,
    kind: TokenTypeIdentifierType,
    what: &str,
) -> Result<Checked, ApiError> {
    let pool_id = pool.id.as_deref().unwrap_or_default();
    let keys = up.pool_keys(tx, pool_id)?;
    let (claims, token_use) = match kind {
        TokenTypeIdentifierType::AccessToken => (keys.verify_access(token), "access"),
        TokenTypeIdentifierType::IdToken => (keys.verify_id(token), "id"),
        TokenTypeIdentifierType::Saml2 => {
            return Err(ApiError::invalid_parameter(format!(
                "cognate exchanges only tokens its user pools issued; the {what} is SAML2."
            )));
        }
    };
    let claims = claims.ok_or_else(|| invalid(what))?;
    if claims.get("token_use").and_then(Value::as_str) != Some(token_use)
        || claims.get("iss").and_then(Value::as_str).and_then(|i| i.rsplit('/').next()) != Some(pool_id)
    {
        return Err(invalid(what));
    }
    if claims.get("exp").and_then(Value::as_f64).is_none_or(|exp| exp <= up.now()) {
        return Err(ApiError::not_authorized(format!("The {what} has expired.")));
    }
    let revoked = || ApiError::not_authorized(format!("The {what} has been revoked."));
    let origin = claims.get("origin_jti").and_then(Value::as_str);
    let row = match origin {
        Some(jti) => tx.family(pool_id, jti)?,
        None => None,
    };
    if row.as_ref().is_some_and(|f| f.revoked) {
        return Err(revoked());
    }
    let username = claims.get(if token_use == "id" { "cognito:username" } else { "username" }).and_then(Value::as_str);
    let Some(username) = username else {
        // A machine token (client_credentials) has no user behind it.
        return Ok(Checked { claims, user: None });
    };
    let sub = claims.get("sub").and_then(Value::as_str).unwrap_or_default();
    let user = tx
        .user(pool_id, &user_key(pool, username))?
        .filter(|u| u.sub == sub)
        .ok_or_else(|| ApiError::user_not_found("User does not exist."))?;
    let auth_time = claims.get("auth_time").and_then(Value::as_i64).unwrap_or_default();
    if row.is_none() && signed_out_since(&user, auth_time) {
        return Err(revoked());
    }
    Ok(Checked { claims, user: Some(user) })
}

fn scopes_of(claims: &Map<String, Value>) -> Vec<String> {
    claims
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

pub(crate) fn get_derived_token(
    up: &UserPools,
    ctx: &RequestContext,
    input: GetDerivedTokenRequest,
) -> Result<GetDerivedTokenResponse, ApiError> {
    let now = up.now();
    let requested = input.requested_token_type.unwrap_or(IssuedTokenTypeIdentifierType::AccessToken);
    let mail = RefCell::new(Mail::default());
    let (minted, granted) = up.tx(|tx| {
        let (client, pool) = client_and_pool(tx, None, &input.client_id)?;
        check_client_secret(up, tx, &client, input.client_secret.as_deref())?;
        let (flow, name) = match input.actor_token {
            Some(_) => (ExplicitAuthFlowsType::AllowTokenExchangeDelegation, "ALLOW_TOKEN_EXCHANGE_DELEGATION"),
            None => (ExplicitAuthFlowsType::AllowTokenExchangeImpersonation, "ALLOW_TOKEN_EXCHANGE_IMPERSONATION"),
        };
        if !allows(&client, flow, None) {
            return Err(ApiError::not_authorized(format!("Client {} is not allowed {name}.", input.client_id)));
        }
        if input.audiences.is_some() && input.resources.is_some() {
            return Err(ApiError::invalid_parameter("You can't request both Audiences and Resources."));
        }
        if input.subject_token_provider_name.is_some() || input.actor_token_provider_name.is_some() {
            return Err(ApiError::invalid_parameter(
                "cognate exchanges only tokens its user pools issued: omit the provider name.",
            ));
        }
        let subject = check_token(up, tx, &pool, &input.subject_token, input.subject_token_type, "SubjectToken")?;
        let Some(user) = subject.user.clone() else {
            return Err(ApiError::invalid_parameter("The SubjectToken must speak for a user."));
        };
        let actor = match (&input.actor_token, input.actor_token_type) {
            (Some(token), Some(kind)) => Some(check_token(up, tx, &pool, token, kind, "ActorToken")?),
            (Some(_), None) => {
                return Err(ApiError::invalid_parameter("ActorTokenType is required with an ActorToken."));
            }
            (None, _) => None,
        };
        let pool_id = pool.id.clone().unwrap_or_default();
        for resource in input.resources.iter().flatten() {
            if tx.resource_server(&pool_id, resource)?.is_none() {
                return Err(ApiError::invalid_parameter(format!("Resource server {resource} does not exist.")));
            }
        }
        // The intersection of what is asked, what the subject token holds and what the client
        // may have ("the same scopes as your SubjectToken" when none are asked).
        let held = scopes_of(&subject.claims);
        let allowed: Vec<String> = client.allowed_oauth_scopes.clone().unwrap_or_default();
        let may = |s: &String| allowed.contains(s) || s == ADMIN_SCOPE;
        let granted: Vec<String> = match &input.scopes {
            Some(asked) => asked.iter().filter(|s| held.contains(s) && may(s)).cloned().collect(),
            None => held.clone(),
        };
        let family = TokenFamily {
            origin_jti: subject.claims.get("origin_jti").and_then(Value::as_str).unwrap_or_default().to_string(),
            pool_id: pool_id.clone(),
            client_id: input.client_id.clone(),
            user_key: user.key.clone(),
            sub: user.sub.clone(),
            auth_time: subject.claims.get("auth_time").and_then(Value::as_i64).unwrap_or(now as i64),
            device_key: None,
            expires: now,
            revoked: false,
            refresh_id: String::new(),
            previous_refresh_id: None,
            previous_valid_until: 0.0,
            scopes: Some(granted.clone()),
            session: None,
        };
        let s = SignIn { up, ctx, pool: &pool, client: &client, mail: &mail, hosted: false };
        let mut minted = mint(&s, tx, &user, &family, "TokenGeneration_Authentication")?;
        let audience = input.audiences.iter().chain(input.resources.iter()).flatten().next().cloned();
        if let Some(aud) = audience {
            minted.insert_claim("aud", json!(aud), false);
        }
        if let Some(actor) = actor {
            let who = actor.claims.get("sub").cloned().unwrap_or(Value::Null);
            minted.insert_claim("act", json!({ "sub": who }), true);
        }
        Ok((minted, granted))
    })?;
    let result = up.finish(minted)?;
    let (issued, token_type) = match requested {
        IssuedTokenTypeIdentifierType::AccessToken => (result.access_token, OAuthTokenTypeType::Bearer),
        IssuedTokenTypeIdentifierType::IdToken => (result.id_token, OAuthTokenTypeType::NA),
    };
    Ok(GetDerivedTokenResponse {
        issued_token: issued.unwrap_or_default(),
        issued_token_type: requested,
        token_type,
        expires_in: result.expires_in,
        scopes: Some(granted),
    })
}
