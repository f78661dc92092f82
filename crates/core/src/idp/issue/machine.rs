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
}

impl MachineToken {
    pub(crate) fn sign(&self) -> String {
        self.keys.sign_access(&self.claims)
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
    Ok(MachineToken { keys, claims, expires_in: life as i32 })
}
