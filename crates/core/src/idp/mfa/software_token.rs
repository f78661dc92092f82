//! The authenticator app (TOTP, "software token"): the secret AssociateSoftwareToken hands
//! out, its confirmation by VerifySoftwareToken, and AdminDeleteSoftwareToken. The secret is
//! kept sealed under the pool's key, and is never logged.

use super::{Offered, TOTP, disable};
use crate::idp::lookup::{load_pool, require_user};
use crate::idp::service::UserPools;
use crate::store::{SoftwareToken, Tx, UserRecord};
use crate::tokens::Purpose;
use crate::totp;
use cognate_proto::ApiError;
use cognate_proto::idp::*;

/// Refuses when the pool does not offer TOTP (developer guide, TOTP software token MFA).
pub(crate) fn check_offered(tx: &mut dyn Tx, pool: &UserPoolType) -> Result<(), ApiError> {
    match Offered::of(tx, pool)?.offers(TOTP) {
        true => Ok(()),
        false => {
            Err(ApiError::software_token_mfa_not_found("Software Token MFA has not been enabled by the userPool."))
        }
    }
}

/// A new secret for the user, kept as the one a code must now confirm. Associating replaces
/// the authenticator the user had: it stops working at once (developer guide).
pub(crate) fn associate(
    up: &UserPools,
    tx: &mut dyn Tx,
    pool_id: &str,
    user: &mut UserRecord,
) -> Result<String, ApiError> {
    let mut secret = [0u8; totp::SECRET_BYTES];
    up.rng.fill(&mut secret);
    let keys = up.pool_keys(tx, pool_id)?;
    user.mfa.pending_secret = Some(keys.seal(Purpose::TotpSecret, &secret, up.rng.as_ref()));
    user.mfa.software_token = None;
    disable(&mut user.mfa, TOTP);
    user.modified = up.now();
    tx.put_user(pool_id, user)?;
    Ok(totp::encode_secret(&secret))
}

/// Confirms the associated secret with a code from the app, which becomes the user's
/// authenticator. It is not turned on as an MFA factor: SetUserMFAPreference does that
/// (aws-amplify/docs#5690; aws/aws-sdk#693). A wrong code leaves the secret waiting.
pub(crate) fn confirm(
    up: &UserPools,
    tx: &mut dyn Tx,
    pool_id: &str,
    user: &mut UserRecord,
    code: &str,
    friendly_name: Option<String>,
) -> Result<(), ApiError> {
    let Some(sealed) = user.mfa.pending_secret.clone() else {
        return Err(ApiError::enable_software_token_mfa("Code mismatch and fail enable Software Token MFA"));
    };
    let secret = secret_of(up, tx, pool_id, &sealed)?;
    let Some(step) = totp::accept(&secret, code, totp::step_of(up.now() as u64), 0) else {
        return Err(ApiError::enable_software_token_mfa("Code mismatch and fail enable Software Token MFA"));
    };
    user.mfa.software_token = Some(SoftwareToken { secret: sealed, friendly_name, last_step: step });
    user.mfa.pending_secret = None;
    user.modified = up.now();
    tx.put_user(pool_id, user)
}

/// The secret a sealed one holds.
pub(crate) fn secret_of(up: &UserPools, tx: &mut dyn Tx, pool_id: &str, sealed: &str) -> Result<Vec<u8>, ApiError> {
    let keys = up.pool_keys(tx, pool_id)?;
    keys.open(Purpose::TotpSecret, sealed)
        .ok_or_else(|| ApiError::internal_error("a TOTP secret that the pool's key does not open"))
}

pub(crate) fn admin_delete_software_token(
    up: &UserPools,
    input: AdminDeleteSoftwareTokenRequest,
) -> Result<AdminDeleteSoftwareTokenResponse, ApiError> {
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let mut user = require_user(tx, &pool, &input.username)?;
        user.mfa.software_token = None;
        user.mfa.pending_secret = None;
        disable(&mut user.mfa, TOTP);
        user.modified = up.now();
        tx.put_user(&input.user_pool_id, &user)?;
        Ok(AdminDeleteSoftwareTokenResponse::default())
    })
}
