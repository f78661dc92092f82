//! Finding things: a pool, a user by any name they sign in with, and the pagination tokens
//! every List operation shares. A leaf: it knows the store and the wire types, nothing of the
//! operations that use it.

use crate::store::{Tx, UserRecord};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognate_proto::ApiError;
use cognate_proto::idp::UserPoolType;
use std::sync::Arc;

/// The pool, or Cognito's error for a missing one.
pub(crate) fn load_pool(tx: &mut dyn Tx, pool_id: &str) -> Result<Arc<UserPoolType>, ApiError> {
    tx.pool(pool_id)?.ok_or_else(|| ApiError::resource_not_found(format!("User pool {pool_id} does not exist.")))
}

/// The part of a pool id after `_`, which SRP calls the pool name.
pub fn pool_name_of(pool_id: &str) -> &str {
    pool_id.split_once('_').map(|(_, n)| n).unwrap_or(pool_id)
}

/// Finds a user the way the admin operations do: by username, else by an alias the pool signs
/// in with, else by `sub`.
pub(crate) fn find_user(tx: &mut dyn Tx, pool: &UserPoolType, username: &str) -> Result<Option<UserRecord>, ApiError> {
    let pool_id = pool.id.as_deref().unwrap_or_default();
    if let Some(user) = tx.user(pool_id, &user_key(pool, username))? {
        return Ok(Some(user));
    }
    for alias in alias_attributes(pool) {
        let matches = tx.users_with(pool_id, alias, &username.to_lowercase())?;
        let verified = |u: &UserRecord| match alias {
            "email" => u.attribute("email_verified") == Some("true"),
            "phone_number" => u.attribute("phone_number_verified") == Some("true"),
            _ => true,
        };
        // With email or phone as username, the attribute identifies the user whether or not it
        // is verified; as an alias, only a verified value does.
        let as_username = pool.username_attributes.as_ref().is_some_and(|u| u.iter().any(|a| a.as_str() == alias));
        if let Some(user) = matches.into_iter().find(|u| as_username || verified(u)) {
            return Ok(Some(user));
        }
    }
    Ok(tx.users_with(pool_id, "sub", &username.to_lowercase())?.into_iter().next())
}

pub(crate) fn require_user(tx: &mut dyn Tx, pool: &UserPoolType, username: &str) -> Result<UserRecord, ApiError> {
    find_user(tx, pool, username)?.ok_or_else(|| ApiError::user_not_found("User does not exist."))
}

/// The attributes a user can sign in with besides the username.
pub(crate) fn alias_attributes(pool: &UserPoolType) -> Vec<&'static str> {
    let mut out = Vec::new();
    for a in pool.username_attributes.iter().flatten() {
        out.push(a.as_str());
    }
    for a in pool.alias_attributes.iter().flatten() {
        out.push(a.as_str());
    }
    out
}

/// Usernames are case-sensitive unless the pool says otherwise (UsernameConfiguration's
/// documented default is `true`).
pub(crate) fn case_sensitive(pool: &UserPoolType) -> bool {
    pool.username_configuration.as_ref().map(|c| c.case_sensitive).unwrap_or(true)
}

pub(crate) fn user_key(pool: &UserPoolType, username: &str) -> String {
    if case_sensitive(pool) { username.to_string() } else { username.to_lowercase() }
}

pub(crate) fn encode_token(position: &str) -> String {
    URL_SAFE_NO_PAD.encode(position)
}

pub(crate) fn decode_token(token: Option<&String>) -> Result<Option<String>, ApiError> {
    match token {
        None => Ok(None),
        Some(t) => URL_SAFE_NO_PAD
            .decode(t)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .map(Some)
            .ok_or_else(|| ApiError::invalid_parameter("Invalid pagination token.")),
    }
}

pub(crate) fn limit(requested: Option<i32>, default: usize) -> usize {
    match requested {
        Some(n) if n > 0 => n as usize,
        _ => default,
    }
}

/// Cognito's answer for an app client that is not there (or not the named pool's).
pub(crate) fn client_not_found(client_id: &str) -> ApiError {
    ApiError::resource_not_found(format!("User pool client {client_id} does not exist."))
}

/// `text` percent-encoded for a URI's path or query (RFC 3986's unreserved characters kept).
pub(crate) fn percent(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
