//! The second factor: which one a sign-in must pass (SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP,
//! a choice among them with SELECT_MFA_TYPE, or setting one up with MFA_SETUP), and the
//! checking of the answers. Facts and sources: docs/fidelity.md, "MFA".

use super::custom::Resume;
use super::{Answer, Challenge, SignIn, after_mfa, lockout, session};
use crate::idp::mfa::{EMAIL, ORDER, Offered, SMS, TOTP, deliverable, enable, secret_of};
use crate::store::{AuthSession, Tx, UserRecord};
use crate::totp;
use cognate_proto::ApiError;
use cognate_proto::idp::{ChallengeName, ChallengeNameType, DeliveryMediumType, UserPoolMfaType, UserStatusType};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a sign-in carries from one challenge to the next, in its session.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Carried {
    /// The DEVICE_KEY the sign-in began with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// The sign-in set a new password (PreTokenGeneration says so in its trigger source).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub new_password: bool,
    /// SMS_MFA, EMAIL_OTP: a digest of the code sent, never the code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// SELECT_MFA_TYPE and MFA_SETUP: the factors offered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub factors: Vec<String>,
    /// MFA_SETUP: VerifySoftwareToken accepted a code during this sign-in.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub verified: bool,
    /// EMAIL_OTP reached through MFA_SETUP: the right code turns email MFA on.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub setting_up: bool,
    /// SMS_MFA asked for by DefineAuthChallenge: the custom sign-in's history, which the
    /// answer goes back to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<Vec<serde_json::Value>>,
    /// WEB_AUTHN: the challenge the assertion must sign, the relying party and the user
    /// verification asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webauthn: Option<(String, String, String)>,
    /// EMAIL_OTP or SMS_OTP as USER_AUTH's first factor (an 8-digit code; no MFA after it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub first_factor: bool,
    /// The sign-in runs on the managed login pages: its sessions answer only there.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hosted: bool,
}

impl Carried {
    pub(crate) fn of(session: &AuthSession) -> Self {
        serde_json::from_value(session.state.clone()).unwrap_or_default()
    }

    pub(crate) fn state(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("carried state serialises")
    }

    /// The trigger source of the tokens this sign-in ends with.
    pub(crate) fn source(&self) -> &'static str {
        match self.new_password {
            true => "TokenGeneration_NewPasswordChallenge",
            false => "TokenGeneration_Authentication",
        }
    }
}

/// The challenge a user whose first factor passed must answer before tokens, if the pool and
/// the user call for one.
///
/// OPTIONAL asks only users with a factor on. ON asks everyone: a user with no factor on is
/// sent an SMS code if the pool has SMS and they have a phone number (amplify-js#11258), asked
/// for their authenticator if they verified one, and otherwise asked to set a factor up
/// (MFA_SETUP) or, when SMS is all the pool offers, refused (MFAMethodNotFoundException).
pub(super) fn challenge(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    user: &UserRecord,
    carried: Carried,
) -> Result<Option<Challenge>, ApiError> {
    let offered = Offered::of(tx, s.pool)?;
    if offered.mode == UserPoolMfaType::Off {
        return Ok(None);
    }
    let mut usable: Vec<&str> = ORDER
        .into_iter()
        .filter(|f| offered.offers(f) && deliverable(user, f))
        .filter(|f| user.mfa.enabled.iter().any(|e| e == f) || (*f == SMS && user.mfa.legacy_sms))
        .collect();
    if usable.is_empty() {
        if offered.mode == UserPoolMfaType::Optional {
            return Ok(None);
        }
        if offered.offers(TOTP) && deliverable(user, TOTP) {
            usable.push(TOTP);
        } else if offered.offers(SMS) && deliverable(user, SMS) {
            usable.push(SMS);
        } else {
            let can_set_up: Vec<String> = ORDER.into_iter().filter(|f| offered.offers(f)).map(String::from).collect();
            if can_set_up.iter().all(|f| f == SMS) {
                // The typo is Cognito's (aws-amplify/amplify-flutter#95).
                return Err(ApiError::mfa_method_not_found("No MFA mechanism registerd in the account."));
            }
            let carried = Carried { factors: can_set_up, ..carried };
            return open(s, tx, user, ChallengeNameType::MfaSetup, carried).map(Some);
        }
    }
    let preferred = user.mfa.preferred.as_deref().filter(|p| usable.contains(p));
    match (preferred, usable.as_slice()) {
        (Some(one), _) | (None, &[one]) => code_challenge(s, tx, user, one, carried).map(Some),
        (None, _) => {
            let carried = Carried { factors: usable.iter().map(|f| f.to_string()).collect(), ..carried };
            open(s, tx, user, ChallengeNameType::SelectMfaType, carried).map(Some)
        }
    }
}

/// SMS_MFA inside a custom sign-in: DefineAuthChallenge may name it (its session history lists
/// SMS_MFA among the challenge types, developer guide), and the code goes to the user's phone.
pub(super) fn custom_sms(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    user: &UserRecord,
    history: Vec<serde_json::Value>,
) -> Result<Challenge, ApiError> {
    if !deliverable(user, SMS) {
        return Err(ApiError::mfa_method_not_found("No MFA mechanism registerd in the account."));
    }
    code_challenge(s, tx, user, SMS, Carried { custom: Some(history), ..Carried::default() })
}

/// The challenge for one factor, with its code sent (SMS, email): an MFA code of six digits, or
/// USER_AUTH's one-time code of eight ("fixed at 8 digit PIN", amplify-js#14428) as SMS_OTP or
/// EMAIL_OTP.
pub(super) fn code_challenge(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    user: &UserRecord,
    factor: &str,
    mut carried: Carried,
) -> Result<Challenge, ApiError> {
    let (name, medium, attribute) = match factor {
        SMS if carried.first_factor => (ChallengeNameType::SmsOtp, DeliveryMediumType::Sms, "phone_number"),
        SMS => (ChallengeNameType::SmsMfa, DeliveryMediumType::Sms, "phone_number"),
        EMAIL => (ChallengeNameType::EmailOtp, DeliveryMediumType::Email, "email"),
        _ => return open(s, tx, user, ChallengeNameType::SoftwareTokenMfa, carried),
    };
    let destination = user.attribute(attribute).unwrap_or_default().to_string();
    let (body, subject) = match medium {
        DeliveryMediumType::Sms => (s.pool.sms_authentication_message.clone(), None),
        DeliveryMediumType::Email => {
            let email = tx.mfa_config(s.pool_id())?.and_then(|c| c.email).unwrap_or_default();
            (email.message, email.subject)
        }
    };
    let code = {
        let mut mail = s.mail.borrow_mut();
        let digits = if carried.first_factor { 8 } else { 6 };
        let template =
            crate::idp::messages::CodeTemplate { body: body.as_deref(), subject: subject.as_deref(), digits };
        s.up.send_sign_in_code(tx, &mut mail, s.pool, user, medium, &destination, template)?
    };
    carried.code = Some(digest(s, tx, user, &code)?);
    let first_factor = carried.first_factor;
    let mut challenge = open(s, tx, user, name, carried)?;
    if first_factor {
        challenge.parameters.remove("USER_ID_FOR_SRP");
    }
    let details = crate::idp::messages::details(medium, attribute, &destination);
    challenge.parameters.insert("CODE_DELIVERY_DELIVERY_MEDIUM".into(), medium.as_str().into());
    challenge.parameters.insert("CODE_DELIVERY_DESTINATION".into(), details.destination.unwrap_or_default());
    Ok(challenge)
}

/// Opens the session for `name`, with the parameters every MFA challenge has.
fn open(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    user: &UserRecord,
    name: ChallengeNameType,
    carried: Carried,
) -> Result<Challenge, ApiError> {
    let mut parameters = BTreeMap::new();
    parameters.insert("USER_ID_FOR_SRP".to_string(), user.username.clone());
    match name {
        ChallengeNameType::SoftwareTokenMfa => {
            let name = user.mfa.software_token.as_ref().and_then(|t| t.friendly_name.clone());
            if let Some(name) = name {
                parameters.insert("FRIENDLY_DEVICE_NAME".into(), name);
            }
        }
        ChallengeNameType::SelectMfaType => {
            parameters.insert("MFAS_CAN_CHOOSE".into(), serde_json::to_string(&carried.factors).unwrap());
        }
        ChallengeNameType::MfaSetup => {
            parameters.insert("MFAS_CAN_SETUP".into(), serde_json::to_string(&carried.factors).unwrap());
        }
        _ => {}
    }
    let session = session::open_with(s, tx, user, name, carried.state())?;
    Ok(Challenge { name, parameters, session: Some(session), available: Vec::new() })
}

/// A code as the session keeps it: bound to the pool's secret and the user, so the row alone
/// does not give it away.
fn digest(s: &SignIn<'_>, tx: &mut dyn Tx, user: &UserRecord, code: &str) -> Result<String, ApiError> {
    let keys = s.up.pool_keys(tx, s.pool_id())?;
    let bytes = keys.seal_deterministic(format!("mfa-code\0{}\0{code}", user.sub).as_bytes());
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// An answer to SMS_MFA, EMAIL_OTP or SOFTWARE_TOKEN_MFA. A wrong code leaves the session to
/// be answered again (within its validity) and counts towards the user's lockout.
pub(super) fn answer_code(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    answering: AuthSession,
    mut user: UserRecord,
    challenge: ChallengeNameType,
    responses: &BTreeMap<String, String>,
) -> Result<Answer, ApiError> {
    let carried = Carried::of(&answering);
    let field = match challenge {
        ChallengeNameType::SmsMfa => "SMS_MFA_CODE",
        ChallengeNameType::SmsOtp => "SMS_OTP_CODE",
        ChallengeNameType::EmailOtp => "EMAIL_OTP_CODE",
        _ => "SOFTWARE_TOKEN_MFA_CODE",
    };
    let given = super::flow::required(responses, field)?;
    // A one-time code as the first factor also confirms a user who had not confirmed their
    // sign-up (developer guide, "Authentication flows": UNCONFIRMED to CONFIRMED), so being
    // unconfirmed does not stop it.
    let confirming = carried.first_factor && user.status == UserStatusType::Unconfirmed;
    if confirming {
        user.status = UserStatusType::Confirmed;
    }
    if let Some(stop) = lockout::gate(s.up, &mut user) {
        return Ok(Answer::Refused(stop));
    }
    let ok = match challenge {
        ChallengeNameType::SoftwareTokenMfa => {
            let Some(token) = user.mfa.software_token.clone() else {
                return Err(ApiError::software_token_mfa_not_found("Software Token MFA does not exist for the user."));
            };
            let secret = secret_of(s.up, tx, s.pool_id(), &token.secret)?;
            let now_step = totp::step_of(s.up.now() as u64);
            match totp::accept(&secret, &given, now_step, token.last_step) {
                Some(step) => {
                    user.mfa.software_token = Some(crate::store::SoftwareToken { last_step: step, ..token });
                    true
                }
                // The code was right, and has been used (to sign in, or to verify the app).
                None if totp::accept(&secret, &given, now_step, 0).is_some() => {
                    return Ok(Answer::Refused(ApiError::expired_code(
                        "Your software token has already been used once.",
                    )));
                }
                None => false,
            }
        }
        _ => carried.code.as_deref() == Some(digest(s, tx, &user, &given)?.as_str()),
    };
    if !ok {
        if confirming {
            user.status = UserStatusType::Unconfirmed;
        }
        lockout::count(s, tx, user, ChallengeName::Mfa)?;
        return Ok(Answer::Refused(ApiError::code_mismatch(match challenge {
            ChallengeNameType::SoftwareTokenMfa => "Invalid code received for user",
            _ => "Invalid code or auth state for the user.",
        })));
    }
    session::spend(tx, &answering)?;
    // "These numbers will have a verified status after multi-factor authentication succeeds"
    // (developer guide, MFA).
    match challenge {
        ChallengeNameType::SmsMfa | ChallengeNameType::SmsOtp => user.set_attribute("phone_number_verified", "true"),
        ChallengeNameType::EmailOtp => {
            user.set_attribute("email_verified", "true");
            if carried.setting_up {
                enable(&mut user.mfa, EMAIL);
            }
        }
        _ => {}
    }
    tx.put_user(s.pool_id(), &user)?;
    if let Some(mut history) = carried.custom {
        history.push(serde_json::json!({"challengeName": "SMS_MFA", "challengeResult": true}));
        let pool = std::sync::Arc::new(s.pool.clone());
        return Ok(Answer::ResumeCustom(Box::new(Resume::new(pool, s.client.clone(), user, history))));
    }
    after_mfa(s, tx, user, carried.device.as_deref(), carried.source(), true)
}

/// SELECT_MFA_TYPE: the factor chosen (`ANSWER`) is challenged next.
pub(super) fn answer_select(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    answering: AuthSession,
    user: UserRecord,
    responses: &BTreeMap<String, String>,
) -> Result<Answer, ApiError> {
    let carried = Carried::of(&answering);
    let choice = super::flow::required(responses, "ANSWER")?;
    if !carried.factors.contains(&choice) {
        return Err(ApiError::invalid_parameter(format!("Invalid MFA type {choice}")));
    }
    session::spend(tx, &answering)?;
    let carried = Carried { factors: Vec::new(), ..carried };
    code_challenge(s, tx, &user, &choice, carried).map(Answer::Challenge)
}

/// MFA_SETUP: answered once VerifySoftwareToken has accepted a code with the session (tokens
/// follow), or with the `EMAIL` to send an email code to (EMAIL_OTP follows).
pub(super) fn answer_setup(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    answering: AuthSession,
    mut user: UserRecord,
    responses: &BTreeMap<String, String>,
) -> Result<Answer, ApiError> {
    let carried = Carried::of(&answering);
    if carried.verified {
        session::spend(tx, &answering)?;
        return after_mfa(s, tx, user, carried.device.as_deref(), carried.source(), true);
    }
    let email = responses.get("EMAIL").or_else(|| responses.get("email"));
    if let Some(email) = email.filter(|_| carried.factors.iter().any(|f| f == EMAIL)) {
        crate::idp::attributes::check_update(
            s.pool,
            &[cognate_proto::idp::AttributeType { name: "email".into(), value: Some(email.clone()) }],
        )?;
        if user.attribute("email") != Some(email.as_str()) {
            user.set_attribute("email", email);
            user.set_attribute("email_verified", "false");
            tx.put_user(s.pool_id(), &user)?;
        }
        session::spend(tx, &answering)?;
        let carried = Carried { factors: Vec::new(), setting_up: true, ..carried };
        return code_challenge(s, tx, &user, EMAIL, carried).map(Answer::Challenge);
    }
    Err(ApiError::invalid_parameter("Software token has not been verified for this session."))
}
