//! NEW_PASSWORD_REQUIRED: a user signing in with a temporary password sets their own, with
//! any required attributes they still lack.

use super::mfa::Carried;
use super::{Answer, Challenge, SignIn, session};
use crate::idp::lookup::pool_name_of;
use crate::idp::service::UserPools;
use crate::idp::{attributes, pools, users};
use crate::password::{self, PasswordVerifier, VerifierExt};
use crate::store::{AuthSession, Tx, UserRecord};
use cognate_proto::ApiError;
use cognate_proto::idp::{AttributeType, ChallengeNameType, UserPoolClientType, UserPoolType, UserStatusType};
use std::collections::BTreeMap;

/// Whether the temporary password is older than the pool's TemporaryPasswordValidityDays
/// (7 by default).
pub(super) fn temporary_expired(up: &UserPools, pool: &UserPoolType, user: &UserRecord) -> bool {
    let days = pool
        .policies
        .as_ref()
        .and_then(|p| p.password_policy.as_ref())
        .and_then(|p| p.temporary_password_validity_days)
        .unwrap_or(7);
    user.temporary_password_issued.is_some_and(|t| up.now() > t + days as f64 * 86_400.0)
}

/// The challenge, with the parameters Cognito sends: the user's attributes (not `sub`) and the
/// required attributes they still lack, both as JSON strings.
pub(super) fn challenge(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    user: &UserRecord,
    carried: &Carried,
) -> Result<Challenge, ApiError> {
    let mut attrs = serde_json::Map::new();
    for a in &user.attributes {
        if a.name != "sub" {
            attrs.insert(a.name.clone(), serde_json::Value::String(a.value.clone().unwrap_or_default()));
        }
    }
    let missing_names = missing_required(s.pool, user);
    // Required attributes the user lacks are listed too, empty (as Cognito sends them).
    for name in &missing_names {
        attrs.insert(name.clone(), serde_json::Value::String(String::new()));
    }
    let missing: Vec<String> = missing_names.into_iter().map(|n| format!("userAttributes.{n}")).collect();
    let mut parameters = BTreeMap::new();
    parameters.insert("USER_ID_FOR_SRP".to_string(), user.username.clone());
    parameters.insert("requiredAttributes".to_string(), serde_json::to_string(&missing).unwrap());
    parameters.insert("userAttributes".to_string(), serde_json::Value::Object(attrs).to_string());
    let session = session::open_with(s, tx, user, ChallengeNameType::NewPasswordRequired, carried.state())?;
    Ok(Challenge {
        name: ChallengeNameType::NewPasswordRequired,
        parameters,
        session: Some(session),
        available: Vec::new(),
    })
}

/// The answer: the new password (checked against the policy) and attributes; a second
/// factor or tokens follow.
pub(super) fn answer(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    session: AuthSession,
    mut user: UserRecord,
    responses: &BTreeMap<String, String>,
) -> Result<Answer, ApiError> {
    let now = s.up.now();
    let pool_id = s.pool_id();
    let new_password = super::flow::required(responses, "NEW_PASSWORD")?;
    password::check_policy(&users::policy(s.pool), &new_password)?;
    apply_attributes(s.pool, s.client, &mut user, responses)?;
    users::claim_identifiers(tx, s.pool, &user, false, now)?;
    user.password =
        Some(PasswordVerifier::new(pool_name_of(pool_id), &user.username, &new_password, s.up.rng.as_ref()));
    user.status = UserStatusType::Confirmed;
    user.temporary_password_issued = None;
    user.modified = now;
    tx.put_user(pool_id, &user)?;
    // A session answers once.
    session::spend(tx, &session)?;
    let carried = Carried { new_password: true, ..Carried::of(&session) };
    let device = carried.device.clone();
    super::after_password(s, tx, user, device.as_deref(), carried)
}

/// The `userAttributes.<name>` answers, as Cognito checks them.
fn apply_attributes(
    pool: &UserPoolType,
    client: &UserPoolClientType,
    user: &mut UserRecord,
    responses: &BTreeMap<String, String>,
) -> Result<(), ApiError> {
    let given: Vec<AttributeType> = responses
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("userAttributes.").map(|n| AttributeType { name: n.into(), value: Some(v.clone()) })
        })
        .collect();
    for attr in &given {
        let name = attr.name.as_str();
        let schema = pools::schema_entry(pool, name).ok_or_else(|| {
            ApiError::invalid_parameter(format!("user.{name}: Attribute does not exist in the schema.\n"))
        })?;
        let writable = client.write_attributes.as_ref().is_none_or(|w| w.iter().any(|a| a == name));
        if matches!(name, "email_verified" | "phone_number_verified" | "sub") || !writable {
            return Err(ApiError::invalid_parameter(format!("Cannot modify the non-mutable attribute {name}")));
        }
        // "You can't modify a required attribute that already has a value" (API reference,
        // RespondToAuthChallenge), nor an immutable one.
        let has_value = user.attribute(name).is_some_and(|v| !v.is_empty());
        if has_value && (schema.required == Some(true) || schema.mutable == Some(false)) {
            return Err(ApiError::not_authorized(format!("Cannot modify an already provided {name}")));
        }
    }
    attributes::check_update(pool, &given)?;
    for attr in &given {
        let value = attr.value.as_deref().unwrap_or_default();
        if user.attribute(&attr.name) != Some(value) {
            // A new address is not a verified one.
            match attr.name.as_str() {
                "email" => user.set_attribute("email_verified", "false"),
                "phone_number" => user.set_attribute("phone_number_verified", "false"),
                _ => {}
            }
        }
        user.set_attribute(&attr.name, value);
    }
    let missing = missing_required(pool, user);
    if !missing.is_empty() {
        return Err(ApiError::invalid_parameter(format!(
            "Invalid attributes given, {} is missing",
            missing.join(" and ")
        )));
    }
    Ok(())
}

/// Required schema attributes the user has no value for.
fn missing_required(pool: &UserPoolType, user: &UserRecord) -> Vec<String> {
    crate::idp::pools::required_attributes(pool)
        .filter(|n| user.attribute(n).is_none_or(str::is_empty))
        .map(str::to_string)
        .collect()
}
