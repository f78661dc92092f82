//! The UserMigration trigger: when a user who does not exist signs in with a password or asks
//! to reset it, the pool's migration handler may vouch for them; cognate then creates them as
//! it answers, and the flow goes on as if they had been there.

use crate::env::RandomExt;
use crate::idp::lookup::{find_user, load_pool, pool_name_of, user_key};
use crate::idp::service::UserPools;
use crate::idp::{attributes, users};
use crate::password::{PasswordVerifier, VerifierExt};
use crate::store::UserRecord;
use crate::triggers::{EventHeader, event};
use cognate_proto::ApiError;
use cognate_proto::idp::{AttributeType, UserStatusType};

/// Runs the pool's UserMigration handler, outside any transaction, for `username` signing in
/// with `password` or (with `forgot`) asking for a reset code, if the pool has the trigger and
/// no such user.
pub(crate) fn migrate_user(
    up: &UserPools,
    client_id: &str,
    username: Option<&str>,
    password: Option<&str>,
    forgot: bool,
) -> Result<(), ApiError> {
    let Some(username) = username else { return Ok(()) };
    let found = up.tx(|tx| {
        let Some(client) = tx.client(client_id)? else { return Ok(None) };
        let Some(pool) = tx.pool(client.user_pool_id.as_deref().unwrap_or_default())? else { return Ok(None) };
        let Some(arn) = pool.lambda_config.as_ref().and_then(|l| l.user_migration.clone()) else { return Ok(None) };
        if find_user(tx, &pool, username)?.is_some() {
            return Ok(None);
        }
        Ok(Some((pool, arn)))
    })?;
    let Some((pool, arn)) = found else { return Ok(()) };
    let pool_id = pool.id.clone().unwrap_or_default();
    let source = if forgot { "UserMigration_ForgotPassword" } else { "UserMigration_Authentication" };
    let header =
        EventHeader { trigger_source: source, user_pool_id: &pool_id, user_name: username, client_id: Some(client_id) };
    let mut request = serde_json::json!({"validationData": {}, "clientMetadata": {}});
    if let Some(pw) = password {
        request["password"] = serde_json::json!(pw);
    }
    let answer = up.run_trigger(&arn, "UserMigration", event(&header, request))?;
    let response = &answer["response"];
    // No attributes: the handler does not know the user either.
    let Some(attrs) = response["userAttributes"].as_object() else { return Ok(()) };
    let status = match response["finalUserStatus"].as_str() {
        Some("RESET_REQUIRED") => UserStatusType::ResetRequired,
        _ if password.is_none() => UserStatusType::ResetRequired,
        _ => UserStatusType::Confirmed,
    };
    let now = up.now();
    let sub = up.rng.uuid_v4();
    let with_alias_username = pool.username_attributes.as_ref().is_some_and(|a| !a.is_empty());
    let name = if with_alias_username { sub.clone() } else { username.to_string() };
    // The verifier is made here, so that its exponentiation holds no lock.
    let verifier = password
        .filter(|_| status == UserStatusType::Confirmed)
        .map(|pw| PasswordVerifier::new(pool_name_of(&pool_id), &name, pw, up.rng.as_ref()));
    up.tx(|tx| {
        let pool = load_pool(tx, &pool_id)?;
        if find_user(tx, &pool, username)?.is_some() {
            return Ok(());
        }
        let mut attributes = vec![AttributeType { name: "sub".into(), value: Some(sub.clone()) }];
        attributes.extend(attrs.iter().filter(|(k, _)| k.as_str() != "sub").map(|(k, v)| AttributeType {
            name: k.clone(),
            value: Some(v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())),
        }));
        attributes::check_new(&pool, &attributes[1..])?;
        let user = UserRecord {
            key: user_key(&pool, &name),
            password: verifier.clone(),
            username: name.clone(),
            sub: sub.clone(),
            attributes,
            enabled: true,
            status,
            created: now,
            modified: now,
            ..Default::default()
        };
        let force = response["forceAliasCreation"].as_bool().unwrap_or(false);
        users::claim_identifiers(tx, &pool, &user, force, now)?;
        tx.put_user(&pool_id, &user)
    })
}
