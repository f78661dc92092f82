//! Minting tokens as Cognito makes them, and checking the access tokens operations accept.

use crate::env::RandomExt;
use crate::idp::UserPools;
use crate::idp::lookup::{load_pool, user_key};
use crate::store::{AuthSession, TokenFamily, Tx, UserRecord};
use crate::tokens::{Keys, PoolKeys, Purpose, peek_claims};
use cognate_proto::idp::*;
use cognate_proto::{ApiError, RequestContext};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// Tokens decided on inside a transaction and signed after it: RSA signing is the costliest
/// step of a sign-in, and doing it outside the store's lock lets sign-ins sign in parallel.
pub(super) struct Minted {
    keys: Arc<Keys>,
    id: Map<String, Value>,
    access: Map<String, Value>,
    expires_in: i32,
    pub refresh_token: Option<String>,
    pub new_device_metadata: Option<NewDeviceMetadataType>,
    /// The pool's PreTokenGeneration trigger, run before signing.
    trigger: Option<TokenTrigger>,
    /// The pool's PostAuthentication trigger (a sign-in, not a refresh), run before that.
    post_authentication: Option<(String, TokenTrigger)>,
}

struct TokenTrigger {
    arn: String,
    /// "1", "2" or "3" (PreTokenGenerationConfig.LambdaVersion).
    version: String,
    source: &'static str,
    pool_id: String,
    username: String,
    client_id: String,
    attributes: Value,
    groups: Vec<String>,
}

/// Claims a PreTokenGeneration trigger may not add, change or suppress (developer guide).
const PROTECTED_CLAIMS: &[&str] = &[
    "acr",
    "amr",
    "aud",
    "auth_time",
    "azp",
    "exp",
    "iat",
    "identities",
    "iss",
    "sub",
    "token_use",
    "nonce",
    "at_hash",
    "cognito:username",
    "client_id",
    "origin_jti",
    "jti",
    "event_id",
    "username",
    "scope",
    "device_key",
];

fn apply_claims(claims: &mut Map<String, Value>, spec: Option<&Value>) {
    let Some(spec) = spec else { return };
    if let Some(Value::Object(add)) = spec.get("claimsToAddOrOverride") {
        for (k, v) in add {
            if !PROTECTED_CLAIMS.contains(&k.as_str()) {
                claims.insert(k.clone(), v.clone());
            }
        }
    }
    if let Some(Value::Array(names)) = spec.get("claimsToSuppress") {
        for name in names.iter().filter_map(Value::as_str) {
            if !PROTECTED_CLAIMS.contains(&name) {
                claims.remove(name);
            }
        }
    }
}

fn apply_groups(claims: &mut Map<String, Value>, spec: Option<&Value>) {
    if let Some(Value::Array(groups)) = spec.and_then(|s| s.get("groupsToOverride")) {
        if groups.is_empty() {
            claims.remove("cognito:groups");
        } else {
            claims.insert("cognito:groups".into(), Value::Array(groups.clone()));
        }
    }
}

impl UserPools {
    /// Runs PreTokenGeneration (if the pool has it), applies what it answers, and signs: after
    /// the transaction, so the handler may call cognate and the store's lock is free.
    pub(super) fn finish(&self, mut minted: Minted) -> Result<AuthenticationResultType, ApiError> {
        if let Some((arn, t)) = minted.post_authentication.take() {
            let header = crate::triggers::EventHeader {
                trigger_source: t.source,
                user_pool_id: &t.pool_id,
                user_name: &t.username,
                client_id: Some(&t.client_id),
            };
            let request = json!({
                "userAttributes": t.attributes,
                "newDeviceUsed": minted.new_device_metadata.is_some(),
                "clientMetadata": {},
            });
            self.run_trigger(&arn, "PostAuthentication", crate::triggers::event(&header, request))?;
        }
        let Some(t) = minted.trigger.take() else { return Ok(minted.sign()) };
        let mut request = json!({
            "userAttributes": t.attributes,
            "groupConfiguration": {"groupsToOverride": t.groups, "iamRolesToOverride": [], "preferredRole": null},
            "clientMetadata": {},
        });
        if t.version != "1" {
            let scopes: Vec<&str> =
                minted.access.get("scope").and_then(Value::as_str).unwrap_or(ADMIN_SCOPE).split(' ').collect();
            request["scopes"] = json!(scopes);
        }
        let header = crate::triggers::EventHeader {
            trigger_source: t.source,
            user_pool_id: &t.pool_id,
            user_name: &t.username,
            client_id: Some(&t.client_id),
        };
        let mut event = crate::triggers::event(&header, request);
        event["version"] = json!(t.version);
        let answer = self.run_trigger(&t.arn, "PreTokenGeneration", event)?;
        let response = answer.get("response").cloned().unwrap_or_default();
        if t.version == "1" {
            let details = response.get("claimsOverrideDetails");
            apply_claims(&mut minted.id, details);
            let groups = details.and_then(|d| d.get("groupOverrideDetails"));
            apply_groups(&mut minted.id, groups);
            apply_groups(&mut minted.access, groups);
        } else {
            let details = response.get("claimsAndScopeOverrideDetails");
            apply_claims(&mut minted.id, details.and_then(|d| d.get("idTokenGeneration")));
            let access = details.and_then(|d| d.get("accessTokenGeneration"));
            apply_claims(&mut minted.access, access);
            let mut scopes: Vec<String> = minted
                .access
                .get("scope")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .split(' ')
                .map(str::to_string)
                .collect();
            if let Some(Value::Array(add)) = access.and_then(|a| a.get("scopesToAdd")) {
                scopes.extend(add.iter().filter_map(Value::as_str).map(str::to_string));
            }
            if let Some(Value::Array(drop)) = access.and_then(|a| a.get("scopesToSuppress")) {
                let drop: Vec<&str> = drop.iter().filter_map(Value::as_str).collect();
                scopes.retain(|s| !drop.contains(&s.as_str()));
            }
            scopes.dedup();
            minted.access.insert("scope".into(), json!(scopes.join(" ")));
            let groups = details.and_then(|d| d.get("groupOverrideDetails"));
            apply_groups(&mut minted.id, groups);
            apply_groups(&mut minted.access, groups);
        }
        Ok(minted.sign())
    }
}

impl Minted {
    /// Tokens for the hosted UI: the app's nonce in the ID token, and no PostAuthentication
    /// (the sign-in that earned them ran its triggers already).
    pub(super) fn for_hosted_ui(&mut self, nonce: Option<String>) {
        self.post_authentication = None;
        if let Some(n) = nonce {
            self.id.insert("nonce".into(), json!(n));
        }
    }

    pub(super) fn sign(self) -> AuthenticationResultType {
        AuthenticationResultType {
            access_token: Some(self.keys.sign_access(&self.access)),
            expires_in: Some(self.expires_in),
            id_token: Some(self.keys.sign_id(&self.id)),
            token_type: Some("Bearer".into()),
            refresh_token: self.refresh_token,
            new_device_metadata: self.new_device_metadata,
        }
    }
}

/// The scope of tokens from the API flows (not the hosted UI).
pub const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

/// Which issuer tokens name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IssuerStyle {
    /// `<public base URL>/<poolId>`: where cognate can be reached, so discovery works.
    #[default]
    Local,
    /// `https://cognito-idp.<region>.amazonaws.com/<poolId>`, for verifiers that insist on it.
    Aws,
}

/// What a refresh token carries, sealed: its whole family, so that a sign-in need store
/// nothing (see [`TokenFamily`]).
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct RefreshPayload {
    pub pool: String,
    pub client: String,
    pub key: String,
    pub fam: String,
    pub rid: String,
    pub exp: f64,
    /// 1 when the payload carries the family; tokens from before that always have a row.
    #[serde(default)]
    pub v: u8,
    #[serde(default)]
    pub sub: String,
    #[serde(default)]
    pub auth: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dev: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scp: Option<Vec<String>>,
}

impl RefreshPayload {
    /// The family as this token carries it, if it carries it.
    pub fn family(&self) -> Option<TokenFamily> {
        (self.v >= 1).then(|| TokenFamily {
            origin_jti: self.fam.clone(),
            pool_id: self.pool.clone(),
            client_id: self.client.clone(),
            user_key: self.key.clone(),
            sub: self.sub.clone(),
            auth_time: self.auth,
            device_key: self.dev.clone(),
            expires: self.exp,
            revoked: false,
            refresh_id: self.rid.clone(),
            previous_refresh_id: None,
            previous_valid_until: 0.0,
            scopes: self.scp.clone(),
        })
    }
}

/// Whether a family without a row of its own, begun at `auth_time`, was revoked by the user
/// signing out everywhere in or after that second.
pub(super) fn signed_out_since(user: &UserRecord, auth_time: i64) -> bool {
    auth_time <= user.signed_out
}

fn seconds_in(unit: Option<TimeUnitsType>, default: TimeUnitsType) -> i64 {
    match unit.unwrap_or(default) {
        TimeUnitsType::Seconds => 1,
        TimeUnitsType::Minutes => 60,
        TimeUnitsType::Hours => 3600,
        TimeUnitsType::Days => 86_400,
    }
}

/// Lifetimes in seconds from the client's settings: (access, id, refresh).
pub(super) fn lifetimes(client: &UserPoolClientType) -> (i64, i64, i64) {
    let units = client.token_validity_units.as_ref();
    let access = client
        .access_token_validity
        .map_or(3600, |v| v as i64 * seconds_in(units.and_then(|u| u.access_token), TimeUnitsType::Hours));
    let id = client
        .id_token_validity
        .map_or(3600, |v| v as i64 * seconds_in(units.and_then(|u| u.id_token), TimeUnitsType::Hours));
    let refresh = match client.refresh_token_validity {
        None | Some(0) => 30 * 86_400,
        Some(v) => v as i64 * seconds_in(units.and_then(|u| u.refresh_token), TimeUnitsType::Days),
    };
    (access, id, refresh)
}

/// A claim's JSON type as Cognito writes it.
/// The `identities` attribute (a JSON string) as ID tokens carry it: an array, with `primary`
/// and `dateCreated` as strings.
fn identities_claim(text: &str) -> Value {
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

fn claim_value(name: &str, value: &str, pool: &UserPoolType) -> Value {
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

impl UserPools {
    pub(super) fn issuer(&self, ctx: &RequestContext, pool_id: &str) -> String {
        match self.settings.issuer {
            IssuerStyle::Aws => {
                let region = pool_id.split_once('_').map(|(r, _)| r).unwrap_or("us-east-1");
                format!("https://cognito-idp.{region}.amazonaws.com/{pool_id}")
            }
            IssuerStyle::Local => {
                let base = ctx.base_url.as_deref().unwrap_or("http://localhost:9229").trim_end_matches('/');
                format!("{base}/{pool_id}")
            }
        }
    }

    /// Keys for a pool that has none, made before the transaction that stores them (unless
    /// another request stored some first): two RSA keys take a quarter of a second, which the
    /// store's lock should not be held for.
    pub(super) fn give_keys(&self, pool_id: &str) -> Result<(), ApiError> {
        let made = crate::tokens::PoolKeys::generate(self.keys.as_ref(), self.rng.as_ref());
        self.tx(|tx| {
            if tx.pool(pool_id)?.is_some() && tx.keys(pool_id)?.is_none() {
                tx.put_keys(pool_id, &made)?;
            }
            Ok(())
        })
    }

    /// The pool's parsed keys, made on first use for pools that have none yet.
    pub(super) fn pool_keys(&self, tx: &mut dyn Tx, pool_id: &str) -> Result<Arc<Keys>, ApiError> {
        let stored = match tx.keys(pool_id)? {
            Some(k) => k,
            None => {
                let k = PoolKeys::generate(self.keys.as_ref(), self.rng.as_ref());
                tx.put_keys(pool_id, &k)?;
                Arc::new(k)
            }
        };
        self.key_cache.get(&stored).ok_or_else(|| ApiError::internal_error("The pool's signing keys are unreadable."))
    }

    /// The JWKS of a pool, or `None` if there is no such pool.
    pub fn jwks(&self, pool_id: &str) -> Result<Option<Value>, ApiError> {
        self.tx(|tx| {
            if tx.pool(pool_id)?.is_none() {
                return Ok(None);
            }
            Ok(Some(self.pool_keys(tx, pool_id)?.jwks()))
        })
    }

    /// The OpenID discovery document of a pool, or `None` if there is no such pool.
    pub fn openid_configuration(&self, ctx: &RequestContext, pool_id: &str) -> Result<Option<Value>, ApiError> {
        let exists = self.tx(|tx| Ok(tx.pool(pool_id)?.is_some()))?;
        if !exists {
            return Ok(None);
        }
        let issuer = self.issuer(ctx, pool_id);
        let base = ctx.base_url.as_deref().unwrap_or("http://localhost:9229").trim_end_matches('/');
        Ok(Some(json!({
            "issuer": issuer,
            "jwks_uri": format!("{base}/{pool_id}/.well-known/jwks.json"),
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "token"],
            "scopes_supported": ["openid", "email", "phone", "profile"],
            "subject_types_supported": ["public"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        })))
    }

    /// Starts a token family for a successful sign-in and mints its three tokens. A sign-in
    /// from a known `device` carries its key; otherwise, in a pool that tracks devices, a new
    /// device is made and announced in NewDeviceMetadata.
    pub(super) fn sign_in_tokens(
        &self,
        tx: &mut dyn Tx,
        ctx: &RequestContext,
        pool: &UserPoolType,
        client: &UserPoolClientType,
        user: &UserRecord,
        device: Option<String>,
        source: &'static str,
    ) -> Result<Minted, ApiError> {
        self.sign_in_tokens_scoped(tx, ctx, pool, client, user, device, source, None)
    }

    /// [`Self::sign_in_tokens`] with the OAuth scopes the hosted UI granted.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn sign_in_tokens_scoped(
        &self,
        tx: &mut dyn Tx,
        ctx: &RequestContext,
        pool: &UserPoolType,
        client: &UserPoolClientType,
        user: &UserRecord,
        device: Option<String>,
        source: &'static str,
        scopes: Option<Vec<String>>,
    ) -> Result<Minted, ApiError> {
        let now = self.now();
        let (_, _, refresh_life) = lifetimes(client);
        let (device_key, new_device) = match device {
            Some(key) => (Some(key), None),
            None if pool.device_configuration.is_some() => {
                let d = self.track_new_device(tx, pool, user)?;
                (
                    Some(d.device_key.clone()),
                    Some(NewDeviceMetadataType { device_key: Some(d.device_key), device_group_key: Some(d.group_key) }),
                )
            }
            None => (None, None),
        };
        let family = TokenFamily {
            origin_jti: self.rng.uuid_v4(),
            pool_id: pool.id.clone().unwrap_or_default(),
            client_id: client.client_id.clone().unwrap_or_default(),
            user_key: user.key.clone(),
            sub: user.sub.clone(),
            device_key,
            auth_time: now as i64,
            expires: now + refresh_life as f64,
            revoked: false,
            refresh_id: self.rng.uuid_v4(),
            previous_refresh_id: None,
            previous_valid_until: 0.0,
            scopes,
        };
        if signed_out_since(user, family.auth_time) {
            // Begun in the second of a sign-out: only a row can say it came after it.
            self.store_family(tx, &family)?;
        }
        let mut result = self.mint(tx, ctx, pool, client, user, &family, source)?;
        if let Some(arn) = pool.lambda_config.as_ref().and_then(|l| l.post_authentication.clone()) {
            let about = TokenTrigger {
                arn: arn.clone(),
                version: "1".into(),
                source: "PostAuthentication_Authentication",
                pool_id: family.pool_id.clone(),
                username: user.username.clone(),
                client_id: family.client_id.clone(),
                attributes: crate::triggers::event_attributes(user),
                groups: Vec::new(),
            };
            result.post_authentication = Some((arn, about));
        }
        result.refresh_token = Some(self.refresh_token(tx, &family)?);
        result.new_device_metadata = new_device;
        Ok(result)
    }

    /// Writes a family whose state its refresh token no longer tells.
    pub(super) fn store_family(&self, tx: &mut dyn Tx, family: &TokenFamily) -> Result<(), ApiError> {
        tx.put_family(family)?;
        self.purge_expired(tx)
    }

    /// Writes a new session (a challenge, a hosted-UI flow or code).
    pub(super) fn store_session(&self, tx: &mut dyn Tx, session: &AuthSession) -> Result<(), ApiError> {
        tx.put_session(session)?;
        self.purge_expired(tx)
    }

    /// Expired families and sessions go whenever new ones are stored, so neither table grows
    /// without end; a day's margin keeps what an unexpired access token or a late answer still
    /// needs.
    fn purge_expired(&self, tx: &mut dyn Tx) -> Result<(), ApiError> {
        tx.purge_expired(self.now() - 86_400.0)
    }

    pub(super) fn refresh_token(&self, tx: &mut dyn Tx, family: &TokenFamily) -> Result<String, ApiError> {
        let keys = self.pool_keys(tx, &family.pool_id)?;
        let payload = RefreshPayload {
            pool: family.pool_id.clone(),
            client: family.client_id.clone(),
            key: family.user_key.clone(),
            fam: family.origin_jti.clone(),
            rid: family.refresh_id.clone(),
            exp: family.expires,
            v: 1,
            sub: family.sub.clone(),
            auth: family.auth_time,
            dev: family.device_key.clone(),
            scp: family.scopes.clone(),
        };
        Ok(keys.seal(
            Purpose::RefreshToken,
            &serde_json::to_vec(&payload).expect("payload serialises"),
            self.rng.as_ref(),
        ))
    }

    /// An ID and an access token for `user`, descending from `family`.
    pub(super) fn mint(
        &self,
        tx: &mut dyn Tx,
        ctx: &RequestContext,
        pool: &UserPoolType,
        client: &UserPoolClientType,
        user: &UserRecord,
        family: &TokenFamily,
        source: &'static str,
    ) -> Result<Minted, ApiError> {
        let pool_id = pool.id.clone().unwrap_or_default();
        let keys = self.pool_keys(tx, &pool_id)?;
        let now = self.now() as i64;
        let (access_life, id_life, _) = lifetimes(client);
        let iss = self.issuer(ctx, &pool_id);
        let event_id = self.rng.uuid_v4();
        // Cognito allows a user at most 100 groups.
        let mut groups = tx.groups_of(&pool_id, &user.key, None, 1000)?.items;
        groups.sort_by(|a, b| {
            (a.precedence.unwrap_or(i32::MAX), &a.group_name).cmp(&(b.precedence.unwrap_or(i32::MAX), &b.group_name))
        });
        let group_names: Vec<Value> = groups.iter().filter_map(|g| g.group_name.clone()).map(Value::String).collect();

        let mut id = Map::new();
        id.insert("sub".into(), json!(user.sub));
        if !group_names.is_empty() {
            id.insert("cognito:groups".into(), Value::Array(group_names.clone()));
        }
        let readable = |name: &str| client.read_attributes.as_ref().is_none_or(|r| r.iter().any(|a| a == name));
        if let Some(v) = user.attribute("email_verified").filter(|_| readable("email_verified")) {
            id.insert("email_verified".into(), claim_value("email_verified", v, pool));
        }
        id.insert("iss".into(), json!(iss));
        id.insert("cognito:username".into(), json!(user.username));
        id.insert("origin_jti".into(), json!(family.origin_jti));
        id.insert("aud".into(), json!(family.client_id));
        id.insert("event_id".into(), json!(event_id));
        id.insert("token_use".into(), json!("id"));
        id.insert("auth_time".into(), json!(family.auth_time));
        id.insert("exp".into(), json!(now + id_life));
        id.insert("iat".into(), json!(now));
        id.insert("jti".into(), json!(self.rng.uuid_v4()));
        for attr in &user.attributes {
            let name = attr.name.as_str();
            if matches!(name, "sub" | "email_verified") || !readable(name) {
                continue;
            }
            if let Some(v) = &attr.value {
                let value = if name == "identities" { identities_claim(v) } else { claim_value(name, v, pool) };
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
        access.insert("jti".into(), json!(self.rng.uuid_v4()));
        access.insert("username".into(), json!(user.username));
        if let Some(device) = &family.device_key {
            access.insert("device_key".into(), json!(device));
        }

        let lambda = pool.lambda_config.as_ref();
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

    /// The pool and user an access token speaks for, after checking everything Cognito checks:
    /// signature, pool, `token_use`, expiry, scope, and that it was not revoked.
    pub(super) fn access_user(
        &self,
        tx: &mut dyn Tx,
        token: &str,
    ) -> Result<(Arc<UserPoolType>, UserRecord), ApiError> {
        let invalid = || ApiError::not_authorized("Invalid Access Token");
        let claims = peek_claims(token).ok_or_else(invalid)?;
        let pool_id =
            claims.get("iss").and_then(Value::as_str).and_then(|i| i.rsplit('/').next()).ok_or_else(invalid)?;
        let pool = tx.pool(pool_id)?.ok_or_else(invalid)?;
        let keys = self.pool_keys(tx, pool_id)?;
        let claims = keys.verify_access(token).ok_or_else(invalid)?;
        if claims.get("token_use").and_then(Value::as_str) != Some("access") {
            return Err(invalid());
        }
        let exp = claims.get("exp").and_then(Value::as_f64).ok_or_else(invalid)?;
        if exp <= self.now() {
            return Err(ApiError::not_authorized("Access Token has expired"));
        }
        let scopes = claims.get("scope").and_then(Value::as_str).unwrap_or_default();
        if !scopes.split(' ').any(|s| s == ADMIN_SCOPE) {
            return Err(ApiError::not_authorized("Access Token does not have required scopes"));
        }
        let origin = claims.get("origin_jti").and_then(Value::as_str).ok_or_else(invalid)?;
        let revoked = || ApiError::not_authorized("Access Token has been revoked");
        let row = tx.family(pool_id, origin)?;
        if row.as_ref().is_some_and(|f| f.revoked) {
            return Err(revoked());
        }
        let username = claims.get("username").and_then(Value::as_str).ok_or_else(invalid)?;
        let sub = claims.get("sub").and_then(Value::as_str).ok_or_else(invalid)?;
        let user = tx
            .user(pool_id, &user_key(&pool, username))?
            .filter(|u| u.sub == sub)
            .ok_or_else(|| ApiError::user_not_found("User does not exist."))?;
        if row.is_none() {
            // Without a row of its own the family stands unless the user signed out since.
            let auth_time = claims.get("auth_time").and_then(Value::as_i64).ok_or_else(invalid)?;
            if signed_out_since(&user, auth_time) {
                return Err(revoked());
            }
        }
        Ok((pool, user))
    }

    /// The app client an access token (already checked) was issued to.
    pub(super) fn token_client(&self, tx: &mut dyn Tx, token: &str) -> Result<Option<UserPoolClientType>, ApiError> {
        let client_id = peek_claims(token).and_then(|c| c.get("client_id").and_then(Value::as_str).map(str::to_string));
        match client_id {
            Some(id) => tx.client(&id),
            None => Ok(None),
        }
    }

    /// Revokes every token of a user: GlobalSignOut, AdminUserGlobalSignOut, AdminDisableUser.
    /// Writes `user` with its new sign-out time.
    pub(super) fn sign_out_everywhere(
        &self,
        tx: &mut dyn Tx,
        pool_id: &str,
        user: &mut UserRecord,
    ) -> Result<(), ApiError> {
        user.signed_out = user.signed_out.max(self.now().floor() as i64);
        tx.put_user(pool_id, user)?;
        tx.revoke_families(pool_id, &user.key)
    }
}

pub(crate) fn global_sign_out(up: &UserPools, input: GlobalSignOutRequest) -> Result<GlobalSignOutResponse, ApiError> {
    up.tx(|tx| {
        let (pool, mut user) = up.access_user(tx, &input.access_token)?;
        up.sign_out_everywhere(tx, pool.id.as_deref().unwrap_or_default(), &mut user)?;
        Ok(GlobalSignOutResponse::default())
    })
}

pub(crate) fn admin_user_global_sign_out(
    up: &UserPools,
    input: AdminUserGlobalSignOutRequest,
) -> Result<AdminUserGlobalSignOutResponse, ApiError> {
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let mut user = crate::idp::lookup::require_user(tx, &pool, &input.username)?;
        up.sign_out_everywhere(tx, &input.user_pool_id, &mut user)?;
        Ok(AdminUserGlobalSignOutResponse::default())
    })
}
