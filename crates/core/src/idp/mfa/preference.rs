//! A user's MFA choices: SetUserMFAPreference and its admin form, the legacy SetUserSettings
//! (SMS only, through MFAOptions) and its admin form, and how GetUser shows them.

use super::{EMAIL, SMS, TOTP, deliverable, disable, enable};
use crate::idp::lookup::{load_pool, require_user};
use crate::idp::service::UserPools;
use crate::store::UserRecord;
use cognate_proto::ApiError;
use cognate_proto::idp::*;

/// One factor's `{Enabled, PreferredMfa}`.
type Choice = (Option<bool>, Option<bool>);

pub(crate) fn set_user_mfa_preference(
    up: &UserPools,
    input: SetUserMFAPreferenceRequest,
) -> Result<SetUserMFAPreferenceResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        let (pool, mut user) = up.access_user(tx, &input.access_token)?;
        let choices = choices(
            input.sms_mfa_settings,
            input.software_token_mfa_settings,
            input.email_mfa_settings,
            input.web_authn_mfa_settings,
        );
        apply(&mut user, &choices)?;
        user.modified = now;
        tx.put_user(pool.id.as_deref().unwrap_or_default(), &user)?;
        Ok(SetUserMFAPreferenceResponse::default())
    })
}

pub(crate) fn admin_set_user_mfa_preference(
    up: &UserPools,
    input: AdminSetUserMFAPreferenceRequest,
) -> Result<AdminSetUserMFAPreferenceResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let mut user = require_user(tx, &pool, &input.username)?;
        let choices = choices(
            input.sms_mfa_settings,
            input.software_token_mfa_settings,
            input.email_mfa_settings,
            input.web_authn_mfa_settings,
        );
        apply(&mut user, &choices)?;
        user.modified = now;
        tx.put_user(&input.user_pool_id, &user)?;
        Ok(AdminSetUserMFAPreferenceResponse::default())
    })
}

/// Each factor's settings in a request, under the factor's name.
fn choices(
    sms: Option<SMSMfaSettingsType>,
    totp: Option<SoftwareTokenMfaSettingsType>,
    email: Option<EmailMfaSettingsType>,
    web_authn: Option<WebAuthnMfaSettingsType>,
) -> [(&'static str, Option<Choice>); 4] {
    [
        (SMS, sms.map(|s| (s.enabled, s.preferred_mfa))),
        (TOTP, totp.map(|s| (s.enabled, s.preferred_mfa))),
        (EMAIL, email.map(|s| (s.enabled, s.preferred_mfa))),
        ("WEB_AUTHN", web_authn.map(|s| (s.enabled, None))),
    ]
}

/// Applies the choices to the user, all or none. A factor can be turned on only if the user
/// can receive it ("User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA",
/// aws-sdk-js-v3#4645; the SMS and email texts follow the same template); preferring a factor
/// turns it on; only one factor can be preferred.
fn apply(user: &mut UserRecord, choices: &[(&str, Option<Choice>)]) -> Result<(), ApiError> {
    let preferred: Vec<&str> =
        choices.iter().filter(|(_, c)| c.is_some_and(|(_, p)| p == Some(true))).map(|(f, _)| *f).collect();
    if preferred.len() > 1 {
        return Err(ApiError::invalid_parameter("Only one MFA method can be set as preferred."));
    }
    let mut mfa = user.mfa.clone();
    for (factor, choice) in choices {
        let Some((enabled, prefer)) = *choice else { continue };
        let enabled = enabled.or(prefer.filter(|p| *p));
        if prefer == Some(true) && enabled == Some(false) {
            return Err(ApiError::invalid_parameter(format!(
                "Preferred MFA {factor} cannot be disabled at the same time."
            )));
        }
        match enabled {
            Some(true) => {
                if !deliverable(user, factor) {
                    return Err(ApiError::invalid_parameter(format!(
                        "User does not have delivery config set to turn on {factor}"
                    )));
                }
                enable(&mut mfa, factor);
            }
            Some(false) => disable(&mut mfa, factor),
            None => {}
        }
        match prefer {
            Some(true) => mfa.preferred = Some(factor.to_string()),
            Some(false) if mfa.preferred.as_deref() == Some(*factor) => mfa.preferred = None,
            _ => {}
        }
    }
    mfa.preferences_set = true;
    user.mfa = mfa;
    Ok(())
}

pub(crate) fn set_user_settings(
    up: &UserPools,
    input: SetUserSettingsRequest,
) -> Result<SetUserSettingsResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        let (pool, mut user) = up.access_user(tx, &input.access_token)?;
        legacy(&mut user, &input.mfa_options)?;
        user.modified = now;
        tx.put_user(pool.id.as_deref().unwrap_or_default(), &user)?;
        Ok(SetUserSettingsResponse::default())
    })
}

pub(crate) fn admin_set_user_settings(
    up: &UserPools,
    input: AdminSetUserSettingsRequest,
) -> Result<AdminSetUserSettingsResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let mut user = require_user(tx, &pool, &input.username)?;
        legacy(&mut user, &input.mfa_options)?;
        user.modified = now;
        tx.put_user(&input.user_pool_id, &user)?;
        Ok(AdminSetUserSettingsResponse::default())
    })
}

/// MFAOptions: "You can use it to configure only SMS MFA" (API reference); an empty list
/// turns it off.
fn legacy(user: &mut UserRecord, options: &[MFAOptionType]) -> Result<(), ApiError> {
    for option in options {
        let sms = option.delivery_medium == Some(DeliveryMediumType::Sms);
        if !sms || option.attribute_name.as_deref() != Some("phone_number") {
            return Err(ApiError::invalid_parameter("Only SMS MFA on phone_number can be set with MFAOptions."));
        }
    }
    if !options.is_empty() && !deliverable(user, SMS) {
        return Err(ApiError::invalid_parameter("User does not have delivery config set to turn on SMS_MFA"));
    }
    user.mfa.legacy_sms = !options.is_empty();
    Ok(())
}

/// What GetUser and AdminGetUser show: UserMFASettingList and PreferredMfaSetting once the
/// user has set a preference (absent before, even when MFA is required: aws/aws-sdk#693),
/// and the legacy MFAOptions when SetUserSettings chose SMS.
pub(crate) fn settings_of(user: &UserRecord) -> (Option<Vec<String>>, Option<String>, Option<Vec<MFAOptionType>>) {
    let list = user.mfa.preferences_set.then(|| user.mfa.enabled.clone());
    let options = user.mfa.legacy_sms.then(|| {
        vec![MFAOptionType {
            delivery_medium: Some(DeliveryMediumType::Sms),
            attribute_name: Some("phone_number".to_string()),
        }]
    });
    (list, user.mfa.preferred.clone(), options)
}

/// The sign-in factors a user has: PASSWORD with a password, EMAIL_OTP and SMS_OTP where the
/// pool allows them and the user has the address to send the code to, WEB_AUTHN with a passkey
/// (GetUserAuthFactors;
/// a real answer: `["PASSWORD","EMAIL_OTP","SMS_OTP","WEB_AUTHN"]`).
fn auth_factors(pool: &UserPoolType, user: &UserRecord) -> Vec<AuthFactorType> {
    let allowed = super::first_factors(pool);
    let mut factors = Vec::new();
    if user.password.is_some() {
        factors.push(AuthFactorType::Password);
    }
    if allowed.contains(&AuthFactorType::EmailOtp) && user.attribute("email").is_some() {
        factors.push(AuthFactorType::EmailOtp);
    }
    if allowed.contains(&AuthFactorType::SmsOtp) && user.attribute("phone_number").is_some() {
        factors.push(AuthFactorType::SmsOtp);
    }
    if !user.passkeys.is_empty() {
        factors.push(AuthFactorType::WebAuthn);
    }
    factors
}

pub(crate) fn get_user_auth_factors(
    up: &UserPools,
    input: GetUserAuthFactorsRequest,
) -> Result<GetUserAuthFactorsResponse, ApiError> {
    up.tx(|tx| {
        let (pool, user) = up.access_user(tx, &input.access_token)?;
        let (list, preferred, _) = settings_of(&user);
        Ok(GetUserAuthFactorsResponse {
            configured_user_auth_factors: Some(auth_factors(&pool, &user)),
            preferred_mfa_setting: preferred,
            user_mfa_setting_list: list,
            username: user.username,
        })
    })
}

pub(crate) fn admin_get_user_auth_factors(
    up: &UserPools,
    input: AdminGetUserAuthFactorsRequest,
) -> Result<AdminGetUserAuthFactorsResponse, ApiError> {
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let user = require_user(tx, &pool, &input.username)?;
        let (list, preferred, _) = settings_of(&user);
        Ok(AdminGetUserAuthFactorsResponse {
            configured_user_auth_factors: Some(auth_factors(&pool, &user)),
            preferred_mfa_setting: preferred,
            user_mfa_setting_list: list,
            username: user.username,
        })
    })
}
