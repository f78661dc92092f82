//! The Session a challenge is answered with: opened by one step, checked and used once by the
//! next.

use super::SignIn;
use crate::idp::client_secrets::check_secret_hash;
use crate::idp::lookup::find_user;
use crate::store::{AuthSession, Tx, UserRecord};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognate_proto::ApiError;
use cognate_proto::idp::{ChallengeNameType, UserPoolType, UserStatusType};
use std::collections::BTreeMap;

/// Opens a session for `challenge`, valid for the client's AuthSessionValidity (3 minutes by
/// default); its id is what the client answers with.
pub(crate) fn open(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    user: &UserRecord,
    challenge: ChallengeNameType,
) -> Result<String, ApiError> {
    open_with(s, tx, user, challenge, serde_json::Value::Null)
}

/// [`open`], with what the next step must know (a custom sign-in's history) kept in the row.
pub(crate) fn open_with(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    user: &UserRecord,
    challenge: ChallengeNameType,
    state: serde_json::Value,
) -> Result<String, ApiError> {
    let id = new_id(s.up);
    let mut row = new(s, id.clone(), user.key.clone(), user.sub.clone(), challenge);
    row.state = state;
    if s.hosted {
        // `mfa::Carried::hosted`, whatever else the state holds.
        if row.state.is_null() {
            row.state = serde_json::json!({});
        }
        if let Some(state) = row.state.as_object_mut() {
            state.insert("hosted".into(), true.into());
        }
    }
    s.up.store_session(tx, &row)?;
    Ok(id)
}

/// The user key of a session opened for a user who does not exist (USER_AUTH with
/// PreventUserExistenceErrors): no user has it, and its answers are refused as a wrong password.
pub(crate) const NOBODY: &str = "\0nobody";

/// What an answered session's row says instead of its challenge, until it expires: a second
/// answer is told the session was used (amplify-js#14330), not that it never existed.
const SPENT: &str = "spent";

/// Marks a session answered.
pub(crate) fn spend(tx: &mut dyn Tx, session: &AuthSession) -> Result<(), ApiError> {
    let spent = AuthSession { challenge: SPENT.into(), state: serde_json::Value::Null, ..session.clone() };
    tx.put_session(&spent)
}

/// Cognito's refusal of a session answered before.
pub(crate) fn check_unspent(session: &AuthSession) -> Result<(), ApiError> {
    match session.challenge == SPENT {
        true => Err(ApiError::not_authorized("Invalid session for the user, session can only be used once.")),
        false => Ok(()),
    }
}

/// A new session id: 96 random bytes, opaque to the client.
pub(crate) fn new_id(up: &crate::idp::service::UserPools) -> String {
    let mut raw = [0u8; 96];
    up.rng.fill(&mut raw);
    URL_SAFE_NO_PAD.encode(raw)
}

/// A session row for `challenge`, not yet stored.
pub(crate) fn new(
    s: &SignIn<'_>,
    id: String,
    user_key: String,
    sub: String,
    challenge: ChallengeNameType,
) -> AuthSession {
    let minutes = s.client.auth_session_validity.unwrap_or(3) as f64;
    AuthSession {
        id,
        pool_id: s.pool_id().to_string(),
        client_id: s.client.client_id.clone().unwrap_or_default(),
        user_key,
        sub,
        challenge: challenge.as_str().to_string(),
        expires: s.up.now() + minutes * 60.0,
        state: serde_json::Value::Null,
    }
}

/// The session a challenge answer names, checked as Cognito checks it (its client, its expiry,
/// its challenge), with the user it speaks for and the answer's SECRET_HASH.
pub(crate) fn answering(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    session: Option<&str>,
    challenge: ChallengeNameType,
    responses: &BTreeMap<String, String>,
) -> Result<(AuthSession, UserRecord), ApiError> {
    let session_id = session.ok_or_else(|| ApiError::invalid_parameter("Missing required parameter Session"))?;
    let invalid = || ApiError::not_authorized("Invalid session for the user.");
    let stored = tx.session(session_id)?.ok_or_else(invalid)?;
    if stored.client_id != s.client.client_id.as_deref().unwrap_or_default() || stored.pool_id != s.pool_id() {
        return Err(invalid());
    }
    if stored.expires < s.up.now() {
        return Err(ApiError::not_authorized("Invalid session for the user, session is expired."));
    }
    check_unspent(&stored)?;
    if super::mfa::Carried::of(&stored).hosted != s.hosted {
        return Err(invalid());
    }
    // SELECT_CHALLENGE's session may be answered with PASSWORD or PASSWORD_SRP straight away
    // (developer guide, "Authentication flows").
    let direct = matches!(challenge, ChallengeNameType::Password | ChallengeNameType::PasswordSrp)
        && stored.challenge == ChallengeNameType::SelectChallenge.as_str();
    if stored.challenge != challenge.as_str() && !direct {
        return Err(ApiError::invalid_parameter(format!("Invalid challenge name, expected {}", stored.challenge)));
    }
    let username = super::flow::required(responses, "USERNAME")?;
    if stored.user_key == NOBODY {
        return Err(ApiError::not_authorized("Incorrect username or password."));
    }
    // The session speaks for the user as they were when it began.
    let user = tx.user(s.pool_id(), &stored.user_key)?.filter(|u| u.sub == stored.sub).ok_or_else(invalid)?;
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    if challenge == ChallengeNameType::NewPasswordRequired && user.status != UserStatusType::ForceChangePassword {
        return Err(invalid());
    }
    let names = hash_names(tx, s.pool, &username, &user)?;
    check_secret_hash(s.up, tx, s.client, responses.get("SECRET_HASH").map(String::as_str), &names)?;
    Ok((stored, user))
}

/// The names a challenge answer's SECRET_HASH may be computed over: the user's username, and
/// the USERNAME sent only when that names this very user (not any name with a known hash).
pub(crate) fn hash_names(
    tx: &mut dyn Tx,
    pool: &UserPoolType,
    username: &str,
    user: &UserRecord,
) -> Result<Vec<String>, ApiError> {
    let mut names = vec![user.username.clone()];
    if username != user.username && find_user(tx, pool, username)?.is_some_and(|u| u.key == user.key) {
        names.push(username.to_string());
    }
    Ok(names)
}
