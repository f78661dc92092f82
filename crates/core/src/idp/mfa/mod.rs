//! Multi-factor authentication outside sign-in: the pool's settings (`config`), a user's
//! choices (`preference`) and their authenticator app (`software_token`). What a sign-in asks
//! for is decided in `signin::mfa`, from [`Offered`] and the user's [`UserMfa`].

mod config;
mod preference;
mod software_token;

pub(crate) use config::{
    check_sign_in_policy, first_factors, get_user_pool_mfa_config, on_pool_written, set_user_pool_mfa_config,
    validate_pool_mfa,
};
pub(crate) use preference::{
    admin_get_user_auth_factors, admin_set_user_mfa_preference, admin_set_user_settings, get_user_auth_factors,
    set_user_mfa_preference, set_user_settings, settings_of,
};
pub(crate) use software_token::{admin_delete_software_token, associate, check_offered, confirm, secret_of};

use crate::store::{MfaConfig, Tx, UserMfa, UserRecord};
use cognate_proto::ApiError;
use cognate_proto::idp::{UserPoolMfaType, UserPoolType};

/// The factors as Cognito names them in UserMFASettingList and the challenge names.
pub(crate) const SMS: &str = "SMS_MFA";
pub(crate) const TOTP: &str = "SOFTWARE_TOKEN_MFA";
pub(crate) const EMAIL: &str = "EMAIL_OTP";
/// The order Cognito lists factors in (MFAS_CAN_SETUP, MFAS_CAN_CHOOSE).
pub(crate) const ORDER: [&str; 3] = [SMS, TOTP, EMAIL];

/// What a pool offers as a second factor.
pub(crate) struct Offered {
    pub mode: UserPoolMfaType,
    pub config: MfaConfig,
}

impl Offered {
    pub(crate) fn of(tx: &mut dyn Tx, pool: &UserPoolType) -> Result<Self, ApiError> {
        let mode = pool.mfa_configuration.unwrap_or(UserPoolMfaType::Off);
        let config = match mode {
            UserPoolMfaType::Off => MfaConfig::default(),
            _ => tx.mfa_config(pool.id.as_deref().unwrap_or_default())?.unwrap_or_default(),
        };
        Ok(Self { mode, config })
    }

    pub(crate) fn offers(&self, factor: &str) -> bool {
        self.mode != UserPoolMfaType::Off
            && match factor {
                SMS => self.config.sms,
                TOTP => self.config.software_token,
                EMAIL => self.config.email.is_some(),
                _ => false,
            }
    }
}

/// Whether the user can receive `factor`'s code (an unverified address will do: "You can use
/// unverified phone numbers for SMS MFA", developer guide).
pub(crate) fn deliverable(user: &UserRecord, factor: &str) -> bool {
    match factor {
        SMS => user.attribute("phone_number").is_some(),
        EMAIL => user.attribute("email").is_some(),
        TOTP => user.mfa.software_token.is_some(),
        _ => false,
    }
}

/// Drops `factor` from what the user enabled and preferred.
pub(crate) fn disable(mfa: &mut UserMfa, factor: &str) {
    mfa.enabled.retain(|f| f != factor);
    if mfa.preferred.as_deref() == Some(factor) {
        mfa.preferred = None;
    }
}

/// Adds `factor` to what the user enabled, keeping Cognito's order.
pub(crate) fn enable(mfa: &mut UserMfa, factor: &str) {
    if !mfa.enabled.iter().any(|f| f == factor) {
        mfa.enabled.push(factor.to_string());
        mfa.enabled.sort_by_key(|f| ORDER.iter().position(|o| o == f));
    }
}
