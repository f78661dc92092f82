//! SetUserPoolMfaConfig and GetUserPoolMfaConfig, and the MFA part of CreateUserPool and
//! UpdateUserPool.
//!
//! SetUserPoolMfaConfig replaces the whole configuration: an omitted MfaConfiguration is OFF
//! and an omitted factor is off (measured against AWS by floci's and cdkd's tests; see
//! docs/fidelity.md). SMS MFA's message and SNS settings are the pool's own
//! SmsAuthenticationMessage and SmsConfiguration, which DescribeUserPool shows.

use crate::idp::lookup::load_pool;
use crate::idp::service::UserPools;
use crate::store::{EmailMfa, MfaConfig, Tx, WebAuthnSettings};
use cognate_proto::ApiError;
use cognate_proto::idp::*;
use std::sync::Arc;

const NO_FACTOR: &str = "Invalid MFA Configuration given. SMS MFA, Email MFA, or Software Token MFA must be enabled.";
const OFF_WITH_FACTOR: &str = "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.";
/// Passwordless first factors and required MFA exclude each other (measured against AWS by
/// go-to-k/cdkd#1975, #2064; docs/research/user-auth-passkeys.md §1).
const OTP_WITH_MFA: &str =
    "Only PASSWORD and WEB_AUTHN (if configured) can be enabled as an auth factor if MFA is enabled";
const WEB_AUTHN_SINGLE_WITH_MFA: &str = "Cannot set WebAuthn factor configuration to SINGLE_FACTOR if MFA is required and WebAuthn is an allowed first auth factor";
const WEB_AUTHN_WITH_MFA: &str =
    "WEB_AUTHN cannot be used as an auth factor when MFA is enabled if not configured for MFA.";
/// CreateUserPool's refusal of MFA without SMS (aws-cdk#12075, #11478).
const CREATE_WITHOUT_SMS: &str =
    "SMS configuration and Auto verification for phone_number are required when MFA is required/optional";

pub(crate) fn set_user_pool_mfa_config(
    up: &UserPools,
    input: SetUserPoolMfaConfigRequest,
) -> Result<SetUserPoolMfaConfigResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        let mut pool = Arc::unwrap_or_clone(load_pool(tx, &input.user_pool_id)?);
        let mode = input.mfa_configuration.unwrap_or(UserPoolMfaType::Off);
        let factor_given = input.sms_mfa_configuration.is_some()
            || input.software_token_mfa_configuration.is_some()
            || input.email_mfa_configuration.is_some();
        if mode == UserPoolMfaType::Off && factor_given {
            return Err(ApiError::invalid_parameter(OFF_WITH_FACTOR));
        }
        if let Some(email) = &input.email_mfa_configuration {
            check_email_mfa(&pool, email)?;
        }
        let old = tx.mfa_config(&input.user_pool_id)?.unwrap_or_default();
        let config = MfaConfig {
            sms: input.sms_mfa_configuration.is_some(),
            software_token: input.software_token_mfa_configuration.as_ref().and_then(|t| t.enabled).unwrap_or(false),
            email: input
                .email_mfa_configuration
                .as_ref()
                .map(|e| EmailMfa { message: e.message.clone(), subject: e.subject.clone() }),
            web_authn: match &input.web_authn_configuration {
                Some(w) => Some(web_authn(w)),
                None => old.web_authn,
            },
        };
        if mode != UserPoolMfaType::Off && !(config.sms || config.software_token || config.email.is_some()) {
            return Err(ApiError::invalid_parameter(NO_FACTOR));
        }
        if mode == UserPoolMfaType::On {
            let factors = first_factors(&pool);
            if factors.iter().any(|f| matches!(f, AuthFactorType::EmailOtp | AuthFactorType::SmsOtp)) {
                return Err(ApiError::invalid_parameter(OTP_WITH_MFA));
            }
            // The request replaces the configuration: a WebAuthn block left out is SINGLE_FACTOR.
            let multi = input.web_authn_configuration.as_ref().and_then(|w| w.factor_configuration)
                == Some(WebAuthnFactorConfigurationType::MultiFactorWithUserVerification);
            if factors.contains(&AuthFactorType::WebAuthn) && !multi {
                return Err(ApiError::invalid_parameter(WEB_AUTHN_SINGLE_WITH_MFA));
            }
        }
        if let Some(sms) = &input.sms_mfa_configuration {
            if let Some(message) = &sms.sms_authentication_message {
                pool.sms_authentication_message = Some(message.clone());
            }
            if let Some(configuration) = &sms.sms_configuration {
                pool.sms_configuration = Some(configuration.clone());
            }
        }
        pool.mfa_configuration = Some(mode);
        pool.last_modified_date = Some(now);
        tx.put_pool(&pool)?;
        tx.put_mfa_config(&input.user_pool_id, &config)?;
        Ok(response(&pool, &config))
    })
}

pub(crate) fn get_user_pool_mfa_config(
    up: &UserPools,
    input: GetUserPoolMfaConfigRequest,
) -> Result<GetUserPoolMfaConfigResponse, ApiError> {
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let config = tx.mfa_config(&input.user_pool_id)?.unwrap_or_default();
        let r = response(&pool, &config);
        Ok(GetUserPoolMfaConfigResponse {
            email_mfa_configuration: r.email_mfa_configuration,
            mfa_configuration: r.mfa_configuration,
            sms_mfa_configuration: r.sms_mfa_configuration,
            software_token_mfa_configuration: r.software_token_mfa_configuration,
            web_authn_configuration: r.web_authn_configuration,
        })
    })
}

/// The configuration as both operations answer it: only the factors that are on (a new pool
/// answers `{"MfaConfiguration":"OFF"}` alone).
fn response(pool: &UserPoolType, config: &MfaConfig) -> SetUserPoolMfaConfigResponse {
    SetUserPoolMfaConfigResponse {
        mfa_configuration: Some(pool.mfa_configuration.unwrap_or(UserPoolMfaType::Off)),
        sms_mfa_configuration: config.sms.then(|| SmsMfaConfigType {
            sms_authentication_message: pool.sms_authentication_message.clone(),
            sms_configuration: pool.sms_configuration.clone(),
        }),
        software_token_mfa_configuration: config
            .software_token
            .then_some(SoftwareTokenMfaConfigType { enabled: Some(true) }),
        email_mfa_configuration: config
            .email
            .as_ref()
            .map(|e| EmailMfaConfigType { message: e.message.clone(), subject: e.subject.clone() }),
        web_authn_configuration: config.web_authn.as_ref().map(|w| WebAuthnConfigurationType {
            relying_party_id: w.relying_party_id.clone(),
            user_verification: enum_of(&w.user_verification),
            factor_configuration: w.factor_configuration.as_deref().and_then(enum_of),
        }),
    }
}

/// Email MFA needs the Essentials or Plus tier and the pool's own SES sending (developer guide,
/// "SMS and email message MFA"; the texts are AWS's, from its knowledge-centre article).
fn check_email_mfa(pool: &UserPoolType, _email: &EmailMfaConfigType) -> Result<(), ApiError> {
    if pool.user_pool_tier == Some(UserPoolTierType::Lite) {
        return Err(ApiError::feature_unavailable_in_tier(
            "The following feature is not available for the LITE pricing tier configured: Email MFA",
        ));
    }
    let account = pool.email_configuration.as_ref().and_then(|e| e.email_sending_account);
    if account != Some(EmailSendingAccountType::Developer) {
        return Err(ApiError::invalid_parameter(
            "Cannot set EmailMfaConfiguration when user pool EmailConfiguration contains an EmailSendingAccount of COGNITO_DEFAULT.Update the value of EmailSendingAccount",
        ));
    }
    Ok(())
}

fn web_authn(w: &WebAuthnConfigurationType) -> WebAuthnSettings {
    WebAuthnSettings {
        relying_party_id: w.relying_party_id.clone(),
        user_verification: w.user_verification.unwrap_or(UserVerificationType::Preferred).as_str().to_string(),
        factor_configuration: w.factor_configuration.map(|f| f.as_str().to_string()),
    }
}

fn enum_of<T: serde::de::DeserializeOwned>(wire: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(wire.to_string())).ok()
}

/// The first factors a pool's sign-in policy allows (PASSWORD unless it says otherwise).
pub(crate) fn first_factors(pool: &UserPoolType) -> Vec<AuthFactorType> {
    pool.policies
        .as_ref()
        .and_then(|p| p.sign_in_policy.as_ref())
        .and_then(|s| s.allowed_first_auth_factors.clone())
        .unwrap_or_else(|| vec![AuthFactorType::Password])
}

/// A sign-in policy as CreateUserPool and UpdateUserPool check it: PASSWORD always allowed
/// (research §1, from Terraform's and CloudFormation's reports of AWS's answer), SOFTWARE_TOKEN
/// never ("not currently supported as a first auth factor", the model; the text is cognate's).
pub(crate) fn check_sign_in_policy(policies: Option<&UserPoolPolicyType>) -> Result<(), ApiError> {
    let Some(factors) =
        policies.and_then(|p| p.sign_in_policy.as_ref()).and_then(|s| s.allowed_first_auth_factors.as_ref())
    else {
        return Ok(());
    };
    if factors.contains(&AuthFactorType::SoftwareToken) {
        return Err(ApiError::invalid_parameter("SOFTWARE_TOKEN is not supported as an allowed first auth factor."));
    }
    if !factors.contains(&AuthFactorType::Password) {
        return Err(ApiError::invalid_parameter(
            "Password should be configured as one of the allowed first auth factors.",
        ));
    }
    Ok(())
}

/// CreateUserPool's check of its MfaConfiguration: ON or OPTIONAL needs SMS set up, since
/// a new pool's only factor is SMS until SetUserPoolMfaConfig adds others.
pub(crate) fn validate_pool_mfa(
    mode: Option<UserPoolMfaType>,
    sms: Option<&SmsConfigurationType>,
) -> Result<(), ApiError> {
    match mode.unwrap_or(UserPoolMfaType::Off) {
        UserPoolMfaType::Off => Ok(()),
        _ if sms.is_some() => Ok(()),
        _ => Err(ApiError::invalid_parameter(CREATE_WITHOUT_SMS)),
    }
}

/// Keeps the pool's MFA settings in step with a pool CreateUserPool or UpdateUserPool just
/// wrote: MFA turned off turns every factor off; on, SMS is a factor exactly when the pool
/// has an SMS configuration, and the factors SetUserPoolMfaConfig added stay. At least one
/// factor must remain.
pub(crate) fn on_pool_written(tx: &mut dyn Tx, pool: &UserPoolType) -> Result<(), ApiError> {
    let pool_id = pool.id.as_deref().unwrap_or_default();
    let old = tx.mfa_config(pool_id)?;
    let mut config = old.clone().unwrap_or_default();
    match pool.mfa_configuration.unwrap_or(UserPoolMfaType::Off) {
        UserPoolMfaType::Off => {
            config = MfaConfig { web_authn: config.web_authn, ..MfaConfig::default() };
        }
        mode => {
            config.sms = pool.sms_configuration.is_some();
            if !(config.sms || config.software_token || config.email.is_some()) {
                return Err(ApiError::invalid_parameter(CREATE_WITHOUT_SMS));
            }
            if mode == UserPoolMfaType::On {
                let factors = first_factors(pool);
                if factors.iter().any(|f| matches!(f, AuthFactorType::EmailOtp | AuthFactorType::SmsOtp)) {
                    return Err(ApiError::invalid_parameter(OTP_WITH_MFA));
                }
                let multi = config.web_authn.as_ref().and_then(|w| w.factor_configuration.as_deref())
                    == Some(WebAuthnFactorConfigurationType::MultiFactorWithUserVerification.as_str());
                if factors.contains(&AuthFactorType::WebAuthn) && !multi {
                    return Err(ApiError::invalid_parameter(WEB_AUTHN_WITH_MFA));
                }
            }
        }
    }
    if old.as_ref() != Some(&config) && (old.is_some() || config != MfaConfig::default()) {
        tx.put_mfa_config(pool_id, &config)?;
    }
    Ok(())
}
