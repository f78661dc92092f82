//! A confidential client's secrets: up to two at once, so that a secret can be rotated with no
//! moment when the client's callers are refused (Add/Delete/ListUserPoolClientSecrets).
//!
//! A client made with a secret has that one secret and no pool documents: its id is made from
//! the client's creation time, as Cognito's are (`<client-id>--<epoch-create-time>`). The first
//! AddUserPoolClientSecret writes both down as [`KeptSecret`]s. The client's own
//! `ClientSecret` (what DescribeUserPoolClient shows) stays the oldest secret still kept.
//! Secrets added are stored sealed under the pool's key; the client record's own is kept as
//! DescribeUserPoolClient must show it.

use crate::env::{LOWER_ALNUM, RandomExt};
use crate::idp::clients::secret_hash;
use crate::idp::lookup::{client_not_found, load_pool};
use crate::idp::pool_docs::{self, PoolDoc};
use crate::idp::service::UserPools;
use crate::store::{Owner, Tx};
use crate::tokens::Purpose;
use cognate_proto::ApiError;
use cognate_proto::idp::*;
use serde::{Deserialize, Serialize};

/// How many secrets a client may hold at once (the model's AddUserPoolClientSecret).
const MAX_SECRETS: usize = 2;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct KeptSecret {
    pub id: String,
    /// The client record's own secret is `None` here (it is read from the client); the others
    /// are sealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<String>,
    pub created: f64,
}

impl PoolDoc for KeptSecret {
    const KIND: &'static str = "client-secret";
}

fn secret_id(client_id: &str, created: f64) -> String {
    format!("{client_id}--{}", (created * 1000.0).round() as i64)
}

/// The client's secrets as kept, oldest first; empty for a public client.
fn kept(tx: &mut dyn Tx, client: &UserPoolClientType) -> Result<Vec<KeptSecret>, ApiError> {
    if client.client_secret.is_none() {
        return Ok(Vec::new());
    }
    let pool_id = client.user_pool_id.as_deref().unwrap_or_default();
    let client_id = client.client_id.as_deref().unwrap_or_default();
    let mut secrets: Vec<KeptSecret> = pool_docs::all(tx, pool_id, Owner::Client(client_id))?;
    if secrets.is_empty() {
        let created = client.creation_date.unwrap_or_default();
        secrets.push(KeptSecret { id: secret_id(client_id, created), sealed: None, created });
    }
    secrets.sort_by(|a, b| a.created.total_cmp(&b.created).then_with(|| a.id.cmp(&b.id)));
    Ok(secrets)
}

/// Every secret the client accepts now: its own and, while a rotation is under way, the other.
pub(crate) fn valid_secrets(
    up: &UserPools,
    tx: &mut dyn Tx,
    client: &UserPoolClientType,
) -> Result<Vec<String>, ApiError> {
    let Some(own) = client.client_secret.clone() else { return Ok(Vec::new()) };
    let kept = kept(tx, client)?;
    if kept.iter().all(|s| s.sealed.is_none()) {
        return Ok(vec![own]);
    }
    let keys = up.pool_keys(tx, client.user_pool_id.as_deref().unwrap_or_default())?;
    Ok(kept
        .iter()
        .filter_map(|s| match &s.sealed {
            None => Some(own.clone()),
            Some(sealed) => keys.open(Purpose::ClientSecret, sealed).and_then(|b| String::from_utf8(b).ok()),
        })
        .collect())
}

/// Whether `given` is SECRET_HASH for one of `usernames` under one of the client's secrets.
pub(crate) fn hash_matches<S: AsRef<str>>(secrets: &[String], client_id: &str, given: &str, usernames: &[S]) -> bool {
    secrets.iter().any(|secret| usernames.iter().any(|u| secret_hash(secret, u.as_ref(), client_id) == given))
}

fn confidential_client(tx: &mut dyn Tx, pool_id: &str, client_id: &str) -> Result<UserPoolClientType, ApiError> {
    load_pool(tx, pool_id)?;
    tx.client(client_id)?
        .filter(|c| c.user_pool_id.as_deref() == Some(pool_id))
        .ok_or_else(|| client_not_found(client_id))
}

fn descriptor(s: &KeptSecret) -> ClientSecretDescriptorType {
    ClientSecretDescriptorType {
        client_secret_id: Some(s.id.clone()),
        client_secret_create_date: Some(s.created),
        client_secret_value: None,
    }
}

pub(crate) fn add_user_pool_client_secret(
    up: &UserPools,
    input: AddUserPoolClientSecretRequest,
) -> Result<AddUserPoolClientSecretResponse, ApiError> {
    let now = up.now();
    let generated = input.client_secret.is_none();
    let value = input.client_secret.clone().unwrap_or_else(|| up.rng.string_from(LOWER_ALNUM, 51));
    up.tx(|tx| {
        let client = confidential_client(tx, &input.user_pool_id, &input.client_id)?;
        if client.client_secret.is_none() {
            // "Creates a new client secret for an existing confidential user pool app client"
            // (model): a public client stays public. UNCONFIRMED text.
            return Err(ApiError::invalid_parameter(format!(
                "App client {} is a public client and has no client secret.",
                input.client_id
            )));
        }
        let mut secrets = kept(tx, &client)?;
        if secrets.len() >= MAX_SECRETS {
            return Err(ApiError::limit_exceeded(format!(
                "App client {} already has the maximum of {MAX_SECRETS} client secrets.",
                input.client_id
            )));
        }
        let keys = up.pool_keys(tx, &input.user_pool_id)?;
        let id = secret_id(&input.client_id, now);
        if secrets.iter().any(|s| s.id == id) {
            return Err(ApiError::concurrent_modification("Another client secret was added at the same moment."));
        }
        let added = KeptSecret {
            id,
            sealed: Some(keys.seal(Purpose::ClientSecret, value.as_bytes(), up.rng.as_ref())),
            created: now,
        };
        secrets.push(added.clone());
        for s in &secrets {
            pool_docs::put(tx, &input.user_pool_id, Owner::Client(&input.client_id), &s.id, s)?;
        }
        let mut out = descriptor(&added);
        if generated {
            out.client_secret_value = Some(value.clone());
        }
        Ok(AddUserPoolClientSecretResponse { client_secret_descriptor: Some(out) })
    })
}

pub(crate) fn delete_user_pool_client_secret(
    up: &UserPools,
    input: DeleteUserPoolClientSecretRequest,
) -> Result<DeleteUserPoolClientSecretResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        let mut client = confidential_client(tx, &input.user_pool_id, &input.client_id)?;
        let secrets = kept(tx, &client)?;
        let Some(gone) = secrets.iter().find(|s| s.id == input.client_secret_id).cloned() else {
            return Err(ApiError::resource_not_found(format!(
                "Client secret {} does not exist for app client {}.",
                input.client_secret_id, input.client_id
            )));
        };
        if secrets.len() == 1 {
            return Err(ApiError::invalid_parameter("You cannot delete the last client secret of an app client."));
        }
        let owner = Owner::Client(&input.client_id);
        pool_docs::delete::<KeptSecret>(tx, &input.user_pool_id, owner, &gone.id)?;
        if gone.sealed.is_none() {
            // The client's own secret went: the one left becomes it.
            let keys = up.pool_keys(tx, &input.user_pool_id)?;
            let mut left = secrets.into_iter().find(|s| s.id != gone.id).expect("two secrets were kept");
            let value = left.sealed.as_deref().and_then(|s| keys.open(Purpose::ClientSecret, s));
            let value = value
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| ApiError::internal_error("A kept client secret does not open under the pool's key."))?;
            client.client_secret = Some(value);
            client.last_modified_date = Some(now);
            tx.put_client(&client)?;
            left.sealed = None;
            pool_docs::put(tx, &input.user_pool_id, owner, &left.id, &left)?;
        }
        Ok(DeleteUserPoolClientSecretResponse {})
    })
}

pub(crate) fn list_user_pool_client_secrets(
    up: &UserPools,
    input: ListUserPoolClientSecretsRequest,
) -> Result<ListUserPoolClientSecretsResponse, ApiError> {
    up.tx(|tx| {
        let client = confidential_client(tx, &input.user_pool_id, &input.client_id)?;
        let secrets = kept(tx, &client)?;
        Ok(ListUserPoolClientSecretsResponse {
            client_secrets: Some(secrets.iter().map(descriptor).collect()),
            next_token: None,
        })
    })
}

/// Checks SECRET_HASH when the client has a secret, under any of its current secrets;
/// `usernames` are the names the hash may have been computed over.
pub(crate) fn check_secret_hash<S: AsRef<str>>(
    up: &UserPools,
    tx: &mut dyn Tx,
    client: &UserPoolClientType,
    given: Option<&str>,
    usernames: &[S],
) -> Result<(), ApiError> {
    if client.client_secret.is_none() {
        return Ok(());
    }
    let id = client.client_id.as_deref().unwrap_or_default();
    let Some(given) = given else {
        return Err(ApiError::not_authorized(format!(
            "Client {id} is configured with secret but SECRET_HASH was not received"
        )));
    };
    let secrets = valid_secrets(up, tx, client)?;
    if hash_matches(&secrets, id, given, usernames) {
        Ok(())
    } else {
        Err(ApiError::not_authorized(format!("Unable to verify secret hash for client {id}")))
    }
}

/// The client secret, for the operations that take it whole rather than as SECRET_HASH: any
/// of the client's current secrets.
pub(crate) fn check_client_secret(
    up: &UserPools,
    tx: &mut dyn Tx,
    client: &UserPoolClientType,
    given: Option<&str>,
) -> Result<(), ApiError> {
    if client.client_secret.is_none() {
        return Ok(());
    }
    let accepted = match given {
        Some(given) => valid_secrets(up, tx, client)?.iter().any(|s| s == given),
        None => false,
    };
    if accepted {
        Ok(())
    } else {
        Err(ApiError::not_authorized(format!(
            "Unable to verify secret hash for client {}",
            client.client_id.as_deref().unwrap_or_default()
        )))
    }
}
