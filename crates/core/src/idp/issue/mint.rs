//! Deciding a sign-in's tokens inside its transaction: a new family and its claims.

use crate::env::RandomExt;
use crate::idp::issue::finish::TokenTrigger;
use crate::idp::issue::{ADMIN_SCOPE, lifetimes, signed_out_since};
use crate::idp::service::SignIn;
use crate::store::{TokenFamily, Tx, UserRecord};
use crate::tokens::Keys;
use cognate_proto::ApiError;
use cognate_proto::idp::*;
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// Tokens decided on inside a transaction and signed after it: RSA signing is the costliest
/// step of a sign-in, and doing it outside the store's lock lets sign-ins sign in parallel.
pub(crate) struct Minted {
    pub(super) keys: Arc<Keys>,
    pub(super) id: Map<String, Value>,
    pub(super) access: Map<String, Value>,
    pub(super) expires_in: i32,
    pub refresh_token: Option<String>,
    pub new_device_metadata: Option<NewDeviceMetadataType>,
    /// The pool's PreTokenGeneration trigger, run before signing.
    pub(super) trigger: Option<TokenTrigger>,
    /// The pool's PostAuthentication trigger (a sign-in, not a refresh), run before that.
    pub(super) post_authentication: Option<(String, TokenTrigger)>,
}

impl Minted {
    /// The ID token's audience when the app named itself by its metadata document URL: OpenID
    /// Connect Core §2 has `aud` "contain the OAuth 2.0 client_id of the Relying Party", and a
    /// relying party checks it (what Cognito puts there for a CIMD client is UNCONFIRMED).
    pub(crate) fn set_id_audience(&mut self, client_id: &str) {
        self.id.insert("aud".into(), Value::String(client_id.into()));
    }

    /// A claim the access token (and, with `id_too`, the ID token) carries besides those
    /// minting gave it, set before PreTokenGeneration sees the tokens.
    pub(crate) fn insert_claim(&mut self, name: &str, value: Value, id_too: bool) {
        self.access.insert(name.into(), value.clone());
        if id_too {
            self.id.insert(name.into(), value);
        }
    }
}

/// A claim's JSON type as Cognito writes it.
/// The `identities` attribute (a JSON string) as ID tokens carry it: an array, with `primary`
/// and `dateCreated` as strings.
pub(super) fn identities_claim(text: &str) -> Value {
    let Ok(Value::Array(mut list)) = serde_json::from_str::<Value>(text) else { return Value::String(text.into()) };
    for entry in list.iter_mut().filter_map(Value::as_object_mut) {
        for key in ["primary", "dateCreated"] {
            if let Some(v) = entry.get(key).filter(|v| !v.is_string()).map(Value::to_string) {
                entry.insert(key.into(), Value::String(v));
            }
        }
    }
    Value::Array(list)
}

pub(super) fn claim_value(name: &str, value: &str, pool: &UserPoolType) -> Value {
    let data_type = pool
        .schema_attributes
        .iter()
        .flatten()
        .find(|s| s.name.as_deref() == Some(name))
        .and_then(|s| s.attribute_data_type);
    match (name, data_type) {
        (_, Some(AttributeDataType::Boolean)) => Value::Bool(value == "true"),
        ("updated_at", _) => value.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::String(value.into())),
        _ => Value::String(value.into()),
    }
}

/// Starts a token family for a successful sign-in and mints its three tokens. A sign-in
/// from a known `device` carries its key; otherwise, in a s.pool that tracks devices, a new
/// device is made and announced in NewDeviceMetadata.
pub(crate) fn sign_in_tokens(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    user: &UserRecord,
    device: Option<String>,
    source: &'static str,
) -> Result<Minted, ApiError> {
    sign_in_tokens_scoped(s, tx, user, device, source, None)
}

/// [`sign_in_tokens`] with the OAuth scopes the hosted UI granted.
pub(crate) fn sign_in_tokens_scoped(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    user: &UserRecord,
    device: Option<String>,
    source: &'static str,
    scopes: Option<Vec<String>>,
) -> Result<Minted, ApiError> {
    let now = s.up.now();
    let (_, _, refresh_life) = lifetimes(s.client);
    let (device_key, new_device) = match device {
        Some(key) => (Some(key), None),
        None if s.pool.device_configuration.is_some() => {
            let d = s.up.track_new_device(tx, s.pool, user)?;
            (
                Some(d.device_key.clone()),
                Some(NewDeviceMetadataType { device_key: Some(d.device_key), device_group_key: Some(d.group_key) }),
            )
        }
        None => (None, None),
    };
    let mut family = TokenFamily {
        origin_jti: s.up.rng.uuid_v4(),
        pool_id: s.pool.id.clone().unwrap_or_default(),
        client_id: s.client.client_id.clone().unwrap_or_default(),
        user_key: user.key.clone(),
        sub: user.sub.clone(),
        device_key,
        auth_time: now as i64,
        expires: now + refresh_life as f64,
        revoked: false,
        refresh_id: s.up.rng.uuid_v4(),
        previous_refresh_id: None,
        previous_valid_until: 0.0,
        scopes,
        session: None,
    };
    if crate::idp::session_tracking::track(s, tx, user, &mut family)? {
        // A tracked session is a row from the start.
    } else if signed_out_since(user, family.auth_time) {
        // Begun in the second of a sign-out: only a row can say it came after it.
        s.up.store_family(tx, &family)?;
    }
    let mut result = mint(s, tx, user, &family, source)?;
    if let Some(arn) = s.pool.lambda_config.as_ref().and_then(|l| l.post_authentication.clone()) {
        let about = TokenTrigger {
            arn: arn.clone(),
            version: "1".into(),
            source: "PostAuthentication_Authentication",
            pool_id: family.pool_id.clone(),
            username: user.username.clone(),
            client_id: family.client_id.clone(),
            attributes: crate::triggers::event_attributes(user),
            groups: Vec::new(),
            roles: Vec::new(),
            preferred_role: None,
        };
        result.post_authentication = Some((arn, about));
    }
    result.refresh_token = Some(s.up.refresh_token(tx, &family)?);
    result.new_device_metadata = new_device;
    Ok(result)
}

/// An ID and an access token for `user`, descending from `family`.
pub(crate) fn mint(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    user: &UserRecord,
    family: &TokenFamily,
    source: &'static str,
) -> Result<Minted, ApiError> {
    let pool_id = s.pool.id.clone().unwrap_or_default();
    let keys = s.up.pool_keys(tx, &pool_id)?;
    let now = s.up.now() as i64;
    let (access_life, id_life, _) = lifetimes(s.client);
    let iss = s.up.issuer(s.ctx, &pool_id);
    let event_id = s.up.rng.uuid_v4();
    // Cognito's quota is 100 groups a user; asking for 1000 takes them all.
    let mut groups = tx.groups_of(&pool_id, &user.key, None, 1000)?.items;
    groups.sort_by(|a, b| {
        (a.precedence.unwrap_or(i32::MAX), &a.group_name).cmp(&(b.precedence.unwrap_or(i32::MAX), &b.group_name))
    });
    let group_names: Vec<Value> = groups.iter().filter_map(|g| g.group_name.clone()).map(Value::String).collect();
    let (roles, preferred_role) = group_roles(&groups);

    let mut id = Map::new();
    id.insert("sub".into(), json!(user.sub));
    if !group_names.is_empty() {
        id.insert("cognito:groups".into(), Value::Array(group_names.clone()));
    }
    let readable = |name: &str| s.client.read_attributes.as_ref().is_none_or(|r| r.iter().any(|a| a == name));
    if let Some(v) = user.attribute("email_verified").filter(|_| readable("email_verified")) {
        id.insert("email_verified".into(), claim_value("email_verified", v, s.pool));
    }
    if let Some(role) = &preferred_role {
        id.insert("cognito:preferred_role".into(), json!(role));
    }
    id.insert("iss".into(), json!(iss));
    id.insert("cognito:username".into(), json!(user.username));
    id.insert("origin_jti".into(), json!(family.origin_jti));
    if !roles.is_empty() {
        id.insert("cognito:roles".into(), json!(roles));
    }
    id.insert("aud".into(), json!(family.client_id));
    id.insert("event_id".into(), json!(event_id));
    id.insert("token_use".into(), json!("id"));
    id.insert("auth_time".into(), json!(family.auth_time));
    id.insert("exp".into(), json!(now + id_life));
    id.insert("iat".into(), json!(now));
    id.insert("jti".into(), json!(s.up.rng.uuid_v4()));
    for attr in &user.attributes {
        let name = attr.name.as_str();
        if matches!(name, "sub" | "email_verified") || !readable(name) {
            continue;
        }
        if let Some(v) = &attr.value {
            let value = if name == "identities" { identities_claim(v) } else { claim_value(name, v, s.pool) };
            id.insert(name.to_string(), value);
        }
    }

    let mut access = Map::new();
    access.insert("sub".into(), json!(user.sub));
    if !group_names.is_empty() {
        access.insert("cognito:groups".into(), Value::Array(group_names));
    }
    access.insert("iss".into(), json!(iss));
    access.insert("client_id".into(), json!(family.client_id));
    access.insert("origin_jti".into(), json!(family.origin_jti));
    access.insert("event_id".into(), json!(event_id));
    access.insert("token_use".into(), json!("access"));
    let scope = family.scopes.as_ref().map(|s| s.join(" ")).unwrap_or_else(|| ADMIN_SCOPE.to_string());
    access.insert("scope".into(), json!(scope));
    access.insert("auth_time".into(), json!(family.auth_time));
    access.insert("exp".into(), json!(now + access_life));
    access.insert("iat".into(), json!(now));
    access.insert("jti".into(), json!(s.up.rng.uuid_v4()));
    access.insert("username".into(), json!(user.username));
    if let Some(device) = &family.device_key {
        access.insert("device_key".into(), json!(device));
    }

    let lambda = s.pool.lambda_config.as_ref();
    let trigger = match lambda.and_then(|l| l.pre_token_generation_config.as_ref()) {
        Some(config) => {
            // V1_0, V2_0, V3_0 send events of version "1", "2", "3".
            let version =
                config.lambda_version.as_str().trim_start_matches('V').split('_').next().unwrap_or("1").to_string();
            Some((config.lambda_arn.clone(), version))
        }
        None => lambda.and_then(|l| l.pre_token_generation.clone()).map(|arn| (arn, "1".to_string())),
    }
    .map(|(arn, version)| TokenTrigger {
        arn,
        version,
        source,
        pool_id: pool_id.clone(),
        username: user.username.clone(),
        client_id: family.client_id.clone(),
        attributes: crate::triggers::event_attributes(user),
        groups: groups.iter().filter_map(|g| g.group_name.clone()).collect(),
        roles: roles.clone(),
        preferred_role: preferred_role.clone(),
    });
    Ok(Minted {
        keys,
        id,
        access,
        expires_in: access_life as i32,
        refresh_token: None,
        new_device_metadata: None,
        trigger,
        post_authentication: None,
    })
}

/// The IAM roles of a user's groups (`groups` in precedence order), for the ID token's
/// `cognito:roles`, and the preferred one: the role of the group with the lowest precedence
/// (a group without one comes last); two groups tied there with different roles leave none
/// preferred (developer guide, "Adding groups to a user pool").
fn group_roles(groups: &[GroupType]) -> (Vec<String>, Option<String>) {
    let with_roles: Vec<&GroupType> = groups.iter().filter(|g| g.role_arn.is_some()).collect();
    let mut roles: Vec<String> = Vec::new();
    for g in &with_roles {
        let role = g.role_arn.clone().unwrap_or_default();
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    let best = with_roles.iter().map(|g| g.precedence.unwrap_or(i32::MAX)).min();
    let tied: Vec<&String> = with_roles
        .iter()
        .filter(|g| Some(g.precedence.unwrap_or(i32::MAX)) == best)
        .filter_map(|g| g.role_arn.as_ref())
        .collect();
    let preferred = match tied.as_slice() {
        [first, rest @ ..] if rest.iter().all(|r| r == first) => Some((*first).clone()),
        _ => None,
    };
    (roles, preferred)
}
