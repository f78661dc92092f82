//! The service's OpenID tokens: GetOpenIdToken (the basic flow's first half) and the
//! developer-authenticated identities (GetOpenIdTokenForDeveloperIdentity, with
//! LookupDeveloperIdentity, MergeDeveloperIdentities and UnlinkDeveloperIdentity).

use super::identities::{forbidden, require_proof, unauthenticated_not_allowed};
use super::logins::{Checked, Source};
use super::pools::invalid_token;
use super::service::{IdentityPools, SERVICE_HOST, identity_and_pool, load_identity, load_pool};
use crate::idp::{decode_token, encode_token};
use crate::store::{IdentityPoolRecord, Login, Tx};
use cognate_proto::identity::*;
use cognate_proto::{ApiError, RequestContext};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// GetOpenIdToken's tokens last ten minutes (the operation's documentation).
const OPEN_ID_SECONDS: i64 = 600;
/// GetOpenIdTokenForDeveloperIdentity's default TokenDuration: fifteen minutes.
const DEVELOPER_SECONDS: i64 = 900;

/// What a token says of how its identity signed in: `authenticated` and each provider with the
/// subject it vouched for, or `unauthenticated`.
fn amr(pool: &IdentityPoolRecord, checked: &[Checked], developer: Option<&Login>) -> Vec<String> {
    let mut amr = vec!["authenticated".to_string()];
    if let Some(dev) = developer {
        amr.push(dev.provider.clone());
        amr.push(format!("{}:{}:{}", dev.provider, pool.id, dev.subject));
    }
    for c in checked {
        let Some(login) = &c.login else { continue };
        amr.push(login.provider.clone());
        let how = match c.source {
            Source::UserPool => "CognitoSignIn".to_string(),
            _ => c.claims.get("aud").and_then(Value::as_str).unwrap_or_default().to_string(),
        };
        amr.push(format!("{}:{how}:{}", login.provider, login.subject));
    }
    amr
}

/// What a token says: whom, how they signed in, for how long, with which principal tags.
struct Grant<'a> {
    identity_id: &'a str,
    amr: Vec<String>,
    seconds: i64,
    tags: Option<&'a BTreeMap<String, String>>,
}

impl IdentityPools {
    /// Signs a token of `pool`.
    fn mint(
        &self,
        tx: &mut dyn Tx,
        ctx: &RequestContext,
        pool: &IdentityPoolRecord,
        grant: Grant<'_>,
    ) -> Result<String, ApiError> {
        let Grant { identity_id, amr, seconds, tags } = grant;
        let now = self.now() as i64;
        let mut claims = Map::new();
        claims.insert("sub".into(), json!(identity_id));
        claims.insert("aud".into(), json!(pool.id));
        claims.insert("amr".into(), json!(amr));
        claims.insert("iss".into(), json!(self.issuer(ctx)));
        claims.insert(format!("https://{SERVICE_HOST}/identity-pool-arn"), json!(self.pool_arn(&pool.id)));
        if let Some(tags) = tags.filter(|t| !t.is_empty()) {
            // STS's session-tag claim, which AssumeRoleWithWebIdentity reads.
            let tags: Map<String, Value> = tags.iter().map(|(k, v)| (k.clone(), json!([v]))).collect();
            claims.insert("https://aws.amazon.com/tags".into(), json!({"principal_tags": tags}));
        }
        claims.insert("exp".into(), json!(now + seconds));
        claims.insert("iat".into(), json!(now));
        Ok(self.signing_key(tx)?.sign_rs512(&claims))
    }
}

pub(crate) fn get_open_id_token(
    ip: &IdentityPools,
    ctx: &RequestContext,
    input: GetOpenIdTokenInput,
) -> Result<GetOpenIdTokenResponse, ApiError> {
    let (identity, pool) = ip.tx(|tx| identity_and_pool(tx, &input.identity_id))?;
    if pool.allow_classic_flow == Some(false) {
        return Err(ApiError::invalid_parameter("Basic (classic) flow is not enabled, please use enhanced flow."));
    }
    if identity.disabled {
        return Err(forbidden(&identity.id));
    }
    let logins = input.logins.unwrap_or_default();
    if logins.is_empty() {
        if !identity.logins.is_empty() {
            return Err(forbidden(&identity.id));
        }
        if !pool.allow_unauthenticated {
            return Err(unauthenticated_not_allowed());
        }
        let token = ip.tx(|tx| {
            let grant = Grant {
                identity_id: &identity.id,
                amr: vec!["unauthenticated".into()],
                seconds: OPEN_ID_SECONDS,
                tags: None,
            };
            ip.mint(tx, ctx, &pool, grant)
        })?;
        return Ok(GetOpenIdTokenResponse { identity_id: Some(identity.id), token: Some(token) });
    }
    if !pool.role_mappings.is_empty() {
        return Err(ApiError::invalid_parameter(
            "Basic (classic) flow is not supported with RoleMappings, please use enhanced flow.",
        ));
    }
    let checked = ip.check_logins(ctx, &pool, &logins)?;
    if !identity.logins.is_empty() {
        require_proof(&identity, &checked)?;
    }
    let (identity, token) = ip.tx(|tx| {
        let pool = load_pool(tx, &pool.id)?;
        let identity = load_identity(tx, &identity.id)?;
        let identity = ip.link(tx, &pool, Some(identity), &checked)?;
        let token = ip.mint(
            tx,
            ctx,
            &pool,
            Grant { identity_id: &identity.id, amr: amr(&pool, &checked, None), seconds: OPEN_ID_SECONDS, tags: None },
        )?;
        Ok((identity, token))
    })?;
    Ok(GetOpenIdTokenResponse { identity_id: Some(identity.id), token: Some(token) })
}

/// danilop/LambdAuth#32 has the words; the exception is cognate's guess.
fn not_this_developer() -> ApiError {
    ApiError::not_authorized("This identity pool does not support the specified developer provider")
}

/// The pool's developer provider, or Cognito's refusal when it has none or `name` is another.
fn developer_provider(pool: &IdentityPoolRecord, name: Option<&str>) -> Result<String, ApiError> {
    match (&pool.developer_provider_name, name) {
        (Some(dev), None) => Ok(dev.clone()),
        (Some(dev), Some(n)) if dev == n => Ok(dev.clone()),
        _ => Err(not_this_developer()),
    }
}

pub(crate) fn get_open_id_token_for_developer_identity(
    ip: &IdentityPools,
    ctx: &RequestContext,
    input: GetOpenIdTokenForDeveloperIdentityInput,
) -> Result<GetOpenIdTokenForDeveloperIdentityResponse, ApiError> {
    let pool = ip.tx(|tx| load_pool(tx, &input.identity_pool_id))?;
    let dev = developer_provider(&pool, None)?;
    let mut others = input.logins.clone();
    let Some(user) = others.remove(&dev) else {
        return Err(not_this_developer());
    };
    let checked = ip.check_logins(ctx, &pool, &others)?;
    let dev_login = Login { provider: dev, subject: user };
    let seconds = input.token_duration.unwrap_or(DEVELOPER_SECONDS);
    let (identity, token) = ip.tx(|tx| {
        let pool = load_pool(tx, &pool.id)?;
        let holder = tx.identity_by_login(&pool.id, &dev_login)?;
        let mut identity = match (&input.identity_id, holder) {
            (Some(id), Some(holder)) if holder.id != *id => {
                return Err(ApiError::developer_user_already_registered(
                    "The developer user identifier is already registered with a different identity ID.",
                ));
            }
            (Some(id), _) => {
                let identity = load_identity(tx, id)?;
                if identity.pool_id != pool.id {
                    return Err(ApiError::resource_not_found(format!("Identity '{id}' not found.")));
                }
                // An identity with logins of its own is linked to only by one who proves one of
                // them (aws/aws-sdk-net#1112).
                if !identity.logins.is_empty() && !identity.logins.contains(&dev_login) {
                    require_proof(&identity, &checked)?;
                }
                identity
            }
            (None, Some(holder)) => holder,
            (None, None) => ip.new_identity(&pool),
        };
        if identity.disabled {
            return Err(forbidden(&identity.id));
        }
        if !identity.logins.contains(&dev_login) {
            identity.logins.push(dev_login.clone());
            identity.logins.sort();
        }
        let identity = ip.link(tx, &pool, Some(identity), &checked)?;
        let grant = Grant {
            identity_id: &identity.id,
            amr: amr(&pool, &checked, Some(&dev_login)),
            seconds,
            tags: input.principal_tags.as_ref(),
        };
        let token = ip.mint(tx, ctx, &pool, grant)?;
        Ok((identity, token))
    })?;
    Ok(GetOpenIdTokenForDeveloperIdentityResponse { identity_id: Some(identity.id), token: Some(token) })
}

pub(crate) fn lookup_developer_identity(
    ip: &IdentityPools,
    _: &RequestContext,
    input: LookupDeveloperIdentityInput,
) -> Result<LookupDeveloperIdentityResponse, ApiError> {
    let after = decode_token(input.next_token.as_ref()).map_err(|_| invalid_token())?;
    let limit = input.max_results.unwrap_or(60).max(1) as usize;
    ip.tx(|tx| {
        let pool = load_pool(tx, &input.identity_pool_id)?;
        let dev = developer_provider(&pool, None)?;
        let by_user = match &input.developer_user_identifier {
            Some(user) => Some(
                tx.identity_by_login(&pool.id, &Login { provider: dev.clone(), subject: user.clone() })?.ok_or_else(
                    || ApiError::resource_not_found(format!("DeveloperUserIdentifier '{user}' not found.")),
                )?,
            ),
            None => None,
        };
        let identity = match (&input.identity_id, by_user) {
            (Some(id), Some(found)) if found.id != *id => {
                return Err(ApiError::resource_conflict("The IdentityId and DeveloperUserIdentifier do not match."));
            }
            (_, Some(found)) => found,
            (Some(id), None) => {
                let identity = load_identity(tx, id)?;
                if identity.pool_id != pool.id {
                    return Err(ApiError::resource_not_found(format!("Identity '{id}' not found.")));
                }
                identity
            }
            (None, None) => {
                return Err(ApiError::invalid_parameter(
                    "Either IdentityId or DeveloperUserIdentifier must be specified.",
                ));
            }
        };
        let users: Vec<String> = identity
            .logins
            .iter()
            .filter(|l| l.provider == dev && after.as_deref().is_none_or(|a| l.subject.as_str() > a))
            .map(|l| l.subject.clone())
            .collect();
        let more = users.len() > limit;
        let users: Vec<String> = users.into_iter().take(limit).collect();
        Ok(LookupDeveloperIdentityResponse {
            identity_id: Some(identity.id),
            next_token: if more { users.last().map(|u| encode_token(u)) } else { None },
            developer_user_identifier_list: Some(users),
        })
    })
}

/// Most developer user identifiers one identity may hold (MergeDeveloperIdentities' limit).
const MAX_DEVELOPER_USERS: usize = 20;

pub(crate) fn merge_developer_identities(
    ip: &IdentityPools,
    _: &RequestContext,
    input: MergeDeveloperIdentitiesInput,
) -> Result<MergeDeveloperIdentitiesResponse, ApiError> {
    ip.tx(|tx| {
        let pool = load_pool(tx, &input.identity_pool_id)?;
        let dev = developer_provider(&pool, Some(&input.developer_provider_name))?;
        let find = |tx: &mut dyn Tx, user: &str| {
            tx.identity_by_login(&pool.id, &Login { provider: dev.clone(), subject: user.to_string() })?
                .ok_or_else(|| ApiError::resource_not_found(format!("DeveloperUserIdentifier '{user}' not found.")))
        };
        let source = find(tx, &input.source_user_identifier)?;
        let destination = find(tx, &input.destination_user_identifier)?;
        if source.id == destination.id {
            return Ok(MergeDeveloperIdentitiesResponse { identity_id: Some(destination.id) });
        }
        let merged = ip.merge(tx, &pool, source, destination)?;
        if merged.logins.iter().filter(|l| l.provider == dev).count() > MAX_DEVELOPER_USERS {
            return Err(ApiError::limit_exceeded(format!(
                "An identity can be linked to at most {MAX_DEVELOPER_USERS} developer user identifiers."
            )));
        }
        tx.put_identity(&merged)?;
        Ok(MergeDeveloperIdentitiesResponse { identity_id: Some(merged.id) })
    })
}

pub(crate) fn unlink_developer_identity(
    ip: &IdentityPools,
    _: &RequestContext,
    input: UnlinkDeveloperIdentityInput,
) -> Result<(), ApiError> {
    ip.tx(|tx| {
        let pool = load_pool(tx, &input.identity_pool_id)?;
        let dev = developer_provider(&pool, Some(&input.developer_provider_name))?;
        let mut identity = load_identity(tx, &input.identity_id)?;
        let login = Login { provider: dev, subject: input.developer_user_identifier.clone() };
        if identity.pool_id != pool.id || !identity.logins.contains(&login) {
            return Err(ApiError::resource_not_found(format!(
                "DeveloperUserIdentifier '{}' not found.",
                input.developer_user_identifier
            )));
        }
        identity.logins.retain(|l| *l != login);
        identity.disabled = identity.logins.is_empty();
        identity.modified = ip.now();
        tx.put_identity(&identity)
    })
}
