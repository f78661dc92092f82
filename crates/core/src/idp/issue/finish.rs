//! Signing minted tokens outside any transaction, after PostAuthentication and
//! PreTokenGeneration have had their say.

use crate::idp::issue::{ADMIN_SCOPE, Minted};
use crate::idp::service::UserPools;
use cognate_proto::ApiError;
use cognate_proto::idp::*;
use serde_json::{Map, Value, json};

pub(super) struct TokenTrigger {
    pub(super) arn: String,
    /// "1", "2" or "3" (PreTokenGenerationConfig.LambdaVersion).
    pub(super) version: String,
    pub(super) source: &'static str,
    pub(super) pool_id: String,
    pub(super) username: String,
    pub(super) client_id: String,
    pub(super) attributes: Value,
    pub(super) groups: Vec<String>,
    /// The groups' IAM roles, and the preferred one.
    pub(super) roles: Vec<String>,
    pub(super) preferred_role: Option<String>,
}

/// Claims a PreTokenGeneration trigger may not add, change or suppress (developer guide).
pub(super) const PROTECTED_CLAIMS: &[&str] = &[
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

pub(super) fn apply_claims(claims: &mut Map<String, Value>, spec: Option<&Value>) {
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

/// A version 2 or 3 answer's `scopesToAdd` and `scopesToSuppress`, applied to an access
/// token's `scope`.
pub(super) fn apply_scopes(claims: &mut Map<String, Value>, access: Option<&Value>) {
    let mut scopes: Vec<String> =
        claims.get("scope").and_then(Value::as_str).unwrap_or_default().split(' ').map(str::to_string).collect();
    if let Some(Value::Array(add)) = access.and_then(|a| a.get("scopesToAdd")) {
        scopes.extend(add.iter().filter_map(Value::as_str).map(str::to_string));
    }
    if let Some(Value::Array(drop)) = access.and_then(|a| a.get("scopesToSuppress")) {
        let drop: Vec<&str> = drop.iter().filter_map(Value::as_str).collect();
        scopes.retain(|s| !drop.contains(&s.as_str()));
    }
    scopes.dedup();
    claims.insert("scope".into(), json!(scopes.join(" ")));
}

/// A `groupOverrideDetails`: the groups for both tokens; the roles and the preferred role for
/// the ID token only, which alone carries them.
pub(super) fn apply_groups(claims: &mut Map<String, Value>, spec: Option<&Value>, id_token: bool) {
    if let Some(Value::Array(groups)) = spec.and_then(|s| s.get("groupsToOverride")) {
        if groups.is_empty() {
            claims.remove("cognito:groups");
        } else {
            claims.insert("cognito:groups".into(), Value::Array(groups.clone()));
        }
    }
    if !id_token {
        return;
    }
    if let Some(Value::Array(roles)) = spec.and_then(|s| s.get("iamRolesToOverride")) {
        if roles.is_empty() {
            claims.remove("cognito:roles");
        } else {
            claims.insert("cognito:roles".into(), Value::Array(roles.clone()));
        }
    }
    if let Some(Value::String(role)) = spec.and_then(|s| s.get("preferredRole")) {
        claims.insert("cognito:preferred_role".into(), json!(role));
    }
}

impl UserPools {
    /// Runs PreTokenGeneration (if the pool has it), applies what it answers, and signs: after
    /// the transaction, so the handler may call cognate and the store's lock is free.
    pub(crate) fn finish(&self, mut minted: Minted) -> Result<AuthenticationResultType, ApiError> {
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
            "groupConfiguration": {"groupsToOverride": t.groups, "iamRolesToOverride": t.roles, "preferredRole": t.preferred_role},
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
            apply_groups(&mut minted.id, groups, true);
            apply_groups(&mut minted.access, groups, false);
        } else {
            let details = response.get("claimsAndScopeOverrideDetails");
            apply_claims(&mut minted.id, details.and_then(|d| d.get("idTokenGeneration")));
            let access = details.and_then(|d| d.get("accessTokenGeneration"));
            apply_claims(&mut minted.access, access);
            apply_scopes(&mut minted.access, access);
            let groups = details.and_then(|d| d.get("groupOverrideDetails"));
            apply_groups(&mut minted.id, groups, true);
            apply_groups(&mut minted.access, groups, false);
        }
        Ok(minted.sign())
    }
}

impl Minted {
    /// Tokens for the hosted UI: the app's nonce in the ID token, and no PostAuthentication
    /// (the sign-in that earned them ran its triggers already).
    pub(crate) fn for_hosted_ui(&mut self, nonce: Option<String>) {
        self.post_authentication = None;
        if let Some(n) = nonce {
            self.id.insert("nonce".into(), json!(n));
        }
    }

    pub(crate) fn sign(self) -> AuthenticationResultType {
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
