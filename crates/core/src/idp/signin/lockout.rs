//! Lockout: five failed passwords lock a user for a second, each one more doubles it, up to
//! about 15 minutes (developer guide, "Lockout behavior").

use crate::idp::auth_events::{self, Outcome};
use crate::idp::service::{SignIn, UserPools};
use crate::store::{Tx, UserRecord};
use cognate_proto::ApiError;
use cognate_proto::idp::{ChallengeName, EventResponseType, EventType, UserStatusType};

/// Failed attempts before Cognito starts locking a user out, and the longest lock.
const THRESHOLD: u32 = 5;
const MAX_SECONDS: f64 = 900.0;
/// Failures older than this no longer count.
const FORGET_SECONDS: f64 = 900.0;

/// What stops a sign-in before the password is looked at: a disabled, unconfirmed,
/// reset-required or locked-out user. Also forgets failures older than 15 minutes.
pub(crate) fn gate(up: &UserPools, user: &mut UserRecord) -> Option<ApiError> {
    if !user.enabled {
        return Some(ApiError::not_authorized("User is disabled."));
    }
    match user.status {
        UserStatusType::Unconfirmed => return Some(ApiError::user_not_confirmed("User is not confirmed.")),
        UserStatusType::ResetRequired => {
            return Some(ApiError::password_reset_required("Password reset required for the user"));
        }
        _ => {}
    }
    let now = up.now();
    if now < user.locked_until {
        return Some(ApiError::not_authorized("Password attempts exceeded"));
    }
    if now - user.last_failure > FORGET_SECONDS {
        user.failed_attempts = 0;
    }
    None
}

/// Counts a wrong password, and answers Cognito's refusal for it.
pub(crate) fn fail(s: &SignIn<'_>, tx: &mut dyn Tx, user: UserRecord) -> Result<ApiError, ApiError> {
    count(s, tx, user, ChallengeName::Password)?;
    Ok(ApiError::not_authorized("Incorrect username or password."))
}

/// Counts a failed attempt (a wrong password, or a wrong MFA code: the developer guide's
/// lockout counts both), locking the user once there are enough.
/// The failure is an auth event too, where the pool keeps them.
pub(crate) fn count(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    mut user: UserRecord,
    failed: ChallengeName,
) -> Result<(), ApiError> {
    let outcome = Outcome::new(EventType::SignIn, EventResponseType::Fail);
    let outcome = match failed {
        ChallengeName::Mfa => outcome.challenge(ChallengeName::Password, true).challenge(ChallengeName::Mfa, false),
        ChallengeName::Password => outcome.challenge(ChallengeName::Password, false),
    };
    auth_events::record(s.up, tx, s.ctx, s.pool, &user, outcome)?;
    let (up, pool_id) = (s.up, s.pool_id());
    let now = up.now();
    user.failed_attempts += 1;
    user.last_failure = now;
    if user.failed_attempts >= THRESHOLD {
        let exponent = (user.failed_attempts - THRESHOLD).min(20);
        user.locked_until = now + (2f64.powi(exponent as i32)).min(MAX_SECONDS);
    }
    tx.put_user(pool_id, &user)
}

/// A right password clears the count.
pub(crate) fn forgive(tx: &mut dyn Tx, pool_id: &str, user: &mut UserRecord) -> Result<(), ApiError> {
    if user.failed_attempts > 0 || user.locked_until > 0.0 {
        user.failed_attempts = 0;
        user.locked_until = 0.0;
        tx.put_user(pool_id, user)?;
    }
    Ok(())
}
