//! Machine-to-machine tokens: the access token the client_credentials grant issues to an app
//! client itself, with no user behind it.

use crate::env::RandomExt;
use crate::idp::issue::lifetimes;
use crate::idp::service::UserPools;
use crate::store::Tx;
use crate::tokens::Keys;
use cognate_proto::idp::UserPoolClientType;
use cognate_proto::{ApiError, RequestContext};
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// A client's access token, decided inside a transaction and signed after it. Its claims are
/// those of a real one decoded (`sub` and `client_id` the client's id, `version` 2, no
/// `username`, no `origin_jti`), in that order.
pub(crate) struct MachineToken {
    pub(crate) keys: Arc<Keys>,
    pub(crate) claims: Map<String, Value>,
    pub(crate) expires_in: i32,
    /// The pool's PreTokenGeneration function, when it is a version 3 one: only those see
    /// machine tokens ("Version three event responses apply to access tokens from ... machine
    /// authentication": pre token generation, developer guide).
    trigger: Option<String>,
    pool_id: String,
}

impl MachineToken {
    /// Runs the version 3 PreTokenGeneration trigger (outside any transaction) with the
    /// request's client metadata, applies what it answers to the access token, and signs.
    pub(crate) fn finish(mut self, up: &UserPools, metadata: Value) -> Result<String, ApiError> {
        if let Some(arn) = self.trigger.take() {
            let client_id = self.claims["client_id"].as_str().unwrap_or_default().to_string();
            let scopes: Vec<&str> = self.claims["scope"].as_str().unwrap_or_default().split(' ').collect();
            let header = crate::triggers::EventHeader {
                trigger_source: "TokenGeneration_ClientCredentials",
                user_pool_id: &self.pool_id,
                // The token endpoint's example event names no user: `userName: 'ClientCredentials'`.
                user_name: "ClientCredentials",
                client_id: Some(&client_id),
            };
            let request = json!({
                "userAttributes": {},
                "groupConfiguration": null,
                "scopes": scopes,
                "clientMetadata": metadata,
            });
            let mut event = crate::triggers::event(&header, request);
            event["version"] = json!("3");
            event["response"] = json!({"claimsAndScopeOverrideDetails": null});
            let answer = up.run_trigger(&arn, "PreTokenGeneration", event)?;
            let access = answer.pointer("/response/claimsAndScopeOverrideDetails/accessTokenGeneration");
            // Besides the claims no token's trigger may touch, a machine token's `version`,
            // `nbf` and `cognito:` claims are its own (developer guide, the claims table).
            let kept = self.claims.clone();
            super::finish::apply_claims(&mut self.claims, access);
            self.claims.retain(|k, _| !(k.starts_with("cognito:") || k == "nbf") || kept.contains_key(k));
            self.claims.insert("version".into(), kept["version"].clone());
            super::finish::apply_scopes(&mut self.claims, access);
        }
        Ok(self.keys.sign_access(&self.claims))
    }
}

pub(crate) fn machine_token(
    up: &UserPools,
    ctx: &RequestContext,
    tx: &mut dyn Tx,
    client: &UserPoolClientType,
    scopes: &[String],
) -> Result<MachineToken, ApiError> {
    let pool_id = client.user_pool_id.clone().unwrap_or_default();
    let client_id = client.client_id.clone().unwrap_or_default();
    let pool = crate::idp::lookup::load_pool(tx, &pool_id)?;
    let trigger = pool
        .lambda_config
        .as_ref()
        .and_then(|l| l.pre_token_generation_config.as_ref())
        .filter(|c| c.lambda_version.as_str() == "V3_0")
        .map(|c| c.lambda_arn.clone());
    let keys = up.pool_keys(tx, &pool_id)?;
    let now = up.now() as i64;
    let (life, _, _) = lifetimes(client);
    let mut claims = Map::new();
    claims.insert("sub".into(), json!(client_id));
    claims.insert("token_use".into(), json!("access"));
    claims.insert("scope".into(), json!(scopes.join(" ")));
    claims.insert("auth_time".into(), json!(now));
    claims.insert("iss".into(), json!(up.issuer(ctx, &pool_id)));
    claims.insert("exp".into(), json!(now + life));
    claims.insert("iat".into(), json!(now));
    claims.insert("version".into(), json!(2));
    claims.insert("jti".into(), json!(up.rng.uuid_v4()));
    claims.insert("client_id".into(), json!(client_id));
    Ok(MachineToken { keys, claims, expires_in: life as i32, trigger, pool_id })
}
