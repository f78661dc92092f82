//! USER_AUTH, choice-based sign-in: the first factor the user picks (PASSWORD, PASSWORD_SRP,
//! EMAIL_OTP, SMS_OTP) from those the pool allows and the user can use, asked for with
//! PREFERRED_CHALLENGE or chosen by answering SELECT_CHALLENGE. A password first factor goes on
//! to MFA as any password sign-in does; a one-time code is the whole sign-in. Facts and sources:
//! docs/research/user-auth-passkeys.md, docs/fidelity.md "Choice-based sign-in".

use super::mfa::{Carried, code_challenge};
use super::{Answer, Challenge, SignIn, lockout, next_step, session, srp};
use crate::idp::client_secrets::check_secret_hash;
use crate::idp::clients::prevents_existence_errors;
use crate::idp::lookup::{find_user, pool_name_of};
use crate::idp::mfa::{EMAIL, Offered, SMS, first_factors};
use crate::idp::passkeys;
use crate::idp::service::UserPools;
use crate::password::VerifierExt;
use crate::store::{AuthSession, Tx, UserRecord};
use cognate_proto::ApiError;
use cognate_proto::idp::{AuthFactorType, ChallengeNameType as C, UserPoolClientType, UserPoolMfaType};
use std::collections::BTreeMap;

/// The first factors `user` may choose, in the order Cognito lists them (the developer
/// guide's `["EMAIL_OTP","SMS_OTP","PASSWORD"]`, and `["PASSWORD","PASSWORD_SRP"]` for a user
/// with a password only). Passwordless factors need an attribute to send the code to (verified
/// or not), and are closed to users who must pass MFA: everyone in a pool where it is
/// required, and those who turned a factor on where it is optional.
pub(super) fn available(s: &SignIn<'_>, tx: &mut dyn Tx, user: &UserRecord) -> Result<Vec<C>, ApiError> {
    let factors = first_factors(s.pool);
    let mode = Offered::of(tx, s.pool)?.mode;
    let has_mfa = !user.mfa.enabled.is_empty() || user.mfa.legacy_sms;
    let passwordless = match mode {
        UserPoolMfaType::Off => true,
        UserPoolMfaType::Optional => !has_mfa,
        UserPoolMfaType::On => false,
    };
    let mut out = Vec::new();
    // A passkey with user verification may stand in for MFA where the pool says so
    // (WebAuthnConfiguration's MULTI_FACTOR_WITH_USER_VERIFICATION, the model).
    let passkey_as_mfa = tx
        .mfa_config(s.pool_id())?
        .and_then(|c| c.web_authn)
        .and_then(|w| w.factor_configuration)
        .is_some_and(|f| f == "MULTI_FACTOR_WITH_USER_VERIFICATION");
    if (passwordless || passkey_as_mfa) && factors.contains(&AuthFactorType::WebAuthn) && !user.passkeys.is_empty() {
        out.push(C::WebAuthn);
    }
    if passwordless && factors.contains(&AuthFactorType::EmailOtp) && user.attribute("email").is_some() {
        out.push(C::EmailOtp);
    }
    if passwordless && factors.contains(&AuthFactorType::SmsOtp) && user.attribute("phone_number").is_some() {
        out.push(C::SmsOtp);
    }
    if user.password.is_some() {
        out.extend([C::Password, C::PasswordSrp]);
    }
    Ok(out)
}

fn names(available: &[C]) -> Vec<String> {
    available.iter().map(|c| c.as_str().to_string()).collect()
}

/// The first step of USER_AUTH without a password or SRP_A to go on: the preferred challenge
/// when the user may take it, else SELECT_CHALLENGE ("If the preferred challenge isn't
/// available, Amazon Cognito responds with SELECT_CHALLENGE", developer guide).
pub(super) fn start(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    username: &str,
    preferred: Option<&str>,
    secret_hash: Option<&str>,
    device: Option<&str>,
) -> Result<Answer, ApiError> {
    check_secret_hash(s.up, tx, s.client, secret_hash, &[username])?;
    let Some(user) = find_user(tx, s.pool, username)? else {
        if !prevents_existence_errors(s.client) {
            return Ok(Answer::Refused(ApiError::user_not_found("User does not exist.")));
        }
        // A challenge like a real user's, from the pool's factors, which no answer passes
        // (developer guide, "Managing user existence error responses").
        return nobody(s, tx, username).map(Answer::Challenge);
    };
    if !user.enabled {
        return Ok(Answer::Refused(ApiError::not_authorized("User is disabled.")));
    }
    let available = available(s, tx, &user)?;
    if available.is_empty() {
        return Ok(Answer::Refused(ApiError::not_authorized("The user has no available challenges.")));
    }
    let carried = Carried { device: device.map(str::to_string), factors: names(&available), ..Carried::default() };
    let chosen = preferred.and_then(|p| available.iter().copied().find(|c| c.as_str() == p));
    let challenge = match chosen {
        Some(C::EmailOtp) => code_challenge(s, tx, &user, EMAIL, Carried { first_factor: true, ..carried })?,
        Some(C::SmsOtp) => code_challenge(s, tx, &user, SMS, Carried { first_factor: true, ..carried })?,
        Some(C::WebAuthn) => web_authn_challenge(s, tx, &user, carried)?,
        Some(name) => open(s, tx, &user, name, carried)?,
        None => open(s, tx, &user, C::SelectChallenge, carried)?,
    };
    Ok(Answer::Challenge(Challenge { available, ..challenge }))
}

fn open(s: &SignIn<'_>, tx: &mut dyn Tx, user: &UserRecord, name: C, carried: Carried) -> Result<Challenge, ApiError> {
    let session = session::open_with(s, tx, user, name, carried.state())?;
    Ok(Challenge { name, parameters: BTreeMap::new(), session: Some(session), available: Vec::new() })
}

/// The stand-in for a user who does not exist: SELECT_CHALLENGE over the pool's factors, with
/// a session no answer passes.
fn nobody(s: &SignIn<'_>, tx: &mut dyn Tx, username: &str) -> Result<Challenge, ApiError> {
    let factors = first_factors(s.pool);
    let mut available = Vec::new();
    for (factor, challenge) in [(AuthFactorType::EmailOtp, C::EmailOtp), (AuthFactorType::SmsOtp, C::SmsOtp)] {
        if factors.contains(&factor) {
            available.push(challenge);
        }
    }
    available.extend([C::Password, C::PasswordSrp]);
    let carried = Carried { factors: names(&available), ..Carried::default() };
    let mut row =
        session::new(s, session::new_id(s.up), session::NOBODY.to_string(), username.to_string(), C::SelectChallenge);
    row.state = carried.state();
    s.up.store_session(tx, &row)?;
    Ok(Challenge { name: C::SelectChallenge, parameters: BTreeMap::new(), session: Some(row.id), available })
}

/// SELECT_CHALLENGE answered: `ANSWER` is one of the factors offered, and may come with what
/// completes it at once (`PASSWORD`, `SRP_A`); a code factor sends its code.
pub(super) fn answer_select(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    answering: AuthSession,
    user: UserRecord,
    responses: &BTreeMap<String, String>,
    ephemeral: Option<srp::Ephemeral>,
) -> Result<Answer, ApiError> {
    let carried = Carried::of(&answering);
    let choice = super::flow::required(responses, "ANSWER")?;
    if !carried.factors.contains(&choice) {
        return Err(ApiError::invalid_parameter(format!("The challenge {choice} is not available for this user.")));
    }
    let carried = Carried { factors: Vec::new(), ..carried };
    match choice.as_str() {
        "PASSWORD" => match responses.get("PASSWORD") {
            Some(password) => check_password(s, tx, answering, user, password),
            None => {
                session::spend(tx, &answering)?;
                open(s, tx, &user, C::Password, carried).map(Answer::Challenge)
            }
        },
        "PASSWORD_SRP" => match (responses.get("SRP_A"), ephemeral) {
            (Some(a), Some(ephemeral)) => {
                session::spend(tx, &answering)?;
                let hash = responses.get("SECRET_HASH").map(String::as_str);
                srp::start(s, tx, &user.username, a, hash, carried.device.clone(), ephemeral)
            }
            _ => {
                session::spend(tx, &answering)?;
                open(s, tx, &user, C::PasswordSrp, carried).map(Answer::Challenge)
            }
        },
        "WEB_AUTHN" => {
            session::spend(tx, &answering)?;
            web_authn_challenge(s, tx, &user, carried).map(Answer::Challenge)
        }
        "EMAIL_OTP" | "SMS_OTP" => {
            session::spend(tx, &answering)?;
            let factor = if choice == "EMAIL_OTP" { EMAIL } else { SMS };
            code_challenge(s, tx, &user, factor, Carried { first_factor: true, ..carried }).map(Answer::Challenge)
        }
        other => Err(ApiError::invalid_parameter(format!("The challenge {other} is not available for this user."))),
    }
}

/// The WEB_AUTHN challenge: CREDENTIAL_REQUEST_OPTIONS (a JSON string) with a new challenge
/// for the user's passkeys of the pool's relying party.
fn web_authn_challenge(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    user: &UserRecord,
    carried: Carried,
) -> Result<Challenge, ApiError> {
    let (rp_id, verification) = passkeys::relying_party(s.up, tx, s.pool)?;
    let challenge = passkeys::new_challenge(s.up);
    let options = passkeys::request_options(&challenge, &rp_id, &verification, user);
    let carried = Carried { webauthn: Some((challenge, rp_id, verification)), ..carried };
    let mut opened = open(s, tx, user, C::WebAuthn, carried)?;
    opened.parameters.insert("CREDENTIAL_REQUEST_OPTIONS".into(), options);
    Ok(opened)
}

/// WEB_AUTHN answered with the browser's assertion (`CREDENTIAL`). A passkey is the whole
/// sign-in. One that fails is refused as a wrong password is, counted towards the lockout, and
/// the session may be answered again.
pub(super) fn answer_web_authn(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    answering: AuthSession,
    mut user: UserRecord,
    responses: &BTreeMap<String, String>,
) -> Result<Answer, ApiError> {
    let credential = super::flow::required(responses, "CREDENTIAL")?;
    let carried = Carried::of(&answering);
    let Some((challenge, rp_id, verification)) = carried.webauthn.clone() else {
        return Err(ApiError::not_authorized("Invalid session for the user."));
    };
    if let Some(stop) = lockout::gate(s.up, &mut user) {
        return Ok(Answer::Refused(stop));
    }
    if passkeys::verify_assertion(&mut user, &credential, &challenge, &rp_id, &verification).is_err() {
        return lockout::fail(s, tx, user).map(Answer::Refused);
    }
    session::spend(tx, &answering)?;
    tx.put_user(s.pool_id(), &user)?;
    super::after_mfa(s, tx, user, carried.device.as_deref(), carried.source(), false)
}

/// PASSWORD answered (on its own session, or on SELECT_CHALLENGE's, as the guide allows).
pub(super) fn answer_password(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    answering: AuthSession,
    user: UserRecord,
    responses: &BTreeMap<String, String>,
) -> Result<Answer, ApiError> {
    let password = super::flow::required(responses, "PASSWORD")?;
    check_password(s, tx, answering, user, &password)
}

/// PASSWORD_SRP answered with SRP_A: PASSWORD_VERIFIER follows, as in USER_SRP_AUTH.
pub(super) fn answer_password_srp(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    answering: AuthSession,
    user: UserRecord,
    responses: &BTreeMap<String, String>,
    ephemeral: Option<srp::Ephemeral>,
) -> Result<Answer, ApiError> {
    let a = super::flow::required(responses, "SRP_A")?;
    let carried = Carried::of(&answering);
    session::spend(tx, &answering)?;
    let ephemeral = ephemeral.unwrap_or_else(|| srp::Ephemeral::new(s.up));
    let hash = responses.get("SECRET_HASH").map(String::as_str);
    srp::start(s, tx, &user.username, &a, hash, carried.device, ephemeral)
}

/// A password checked inside the transaction (a choice-based sign-in's password arrives with
/// its answer); a wrong one counts towards the lockout and leaves the session to try again.
fn check_password(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    answering: AuthSession,
    mut user: UserRecord,
    password: &str,
) -> Result<Answer, ApiError> {
    if let Some(stop) = lockout::gate(s.up, &mut user) {
        return Ok(Answer::Refused(stop));
    }
    let ok = user.password.as_ref().is_some_and(|v| v.matches(pool_name_of(s.pool_id()), &user.username, password));
    if !ok {
        return lockout::fail(s, tx, user).map(Answer::Refused);
    }
    let carried = Carried::of(&answering);
    session::spend(tx, &answering)?;
    next_step(s, tx, user, carried.device.as_deref())
}

/// What a sign-up session row says: SignUp's (to hand to ConfirmSignUp) and ConfirmSignUp's
/// (to sign in with USER_AUTH, the confirmation code standing for the first factor).
pub(crate) const SIGNED_UP: &str = "SIGNED_UP";
pub(crate) const CONFIRMED: &str = "CONFIRMED_SIGN_UP";

/// What ConfirmSignUp's session vouches for: the password given at sign-up (SignUp's session was
/// handed back), and the address the confirmation code went to (`email`, `phone_number`).
pub(crate) struct Vouched<'a> {
    pub password: bool,
    pub attribute: Option<&'a str>,
}

/// Opens a sign-up session for `user` (SignUp's or ConfirmSignUp's), lasting the client's
/// AuthSessionValidity.
pub(crate) fn open_sign_up_session(
    up: &UserPools,
    tx: &mut dyn Tx,
    client: &UserPoolClientType,
    pool_id: &str,
    user: &UserRecord,
    stage: &str,
    vouched: Vouched<'_>,
) -> Result<String, ApiError> {
    let minutes = client.auth_session_validity.unwrap_or(3) as f64;
    let row = AuthSession {
        id: session::new_id(up),
        pool_id: pool_id.to_string(),
        client_id: client.client_id.clone().unwrap_or_default(),
        user_key: user.key.clone(),
        sub: user.sub.clone(),
        challenge: stage.to_string(),
        expires: up.now() + minutes * 60.0,
        state: serde_json::json!({"password": vouched.password, "attribute": vouched.attribute}),
    };
    up.store_session(tx, &row)?;
    Ok(row.id)
}

/// The sign-up session `id` of `stage` for `user` at `client`, spent, if it is one and still
/// live; `None` otherwise.
pub(crate) fn take_sign_up_session(
    up: &UserPools,
    tx: &mut dyn Tx,
    id: &str,
    client_id: &str,
    user: &UserRecord,
    stage: &str,
) -> Result<Option<AuthSession>, ApiError> {
    let Some(row) = tx.session(id)? else { return Ok(None) };
    let live = row.challenge == stage
        && row.client_id == client_id
        && row.user_key == user.key
        && row.sub == user.sub
        && row.expires >= up.now();
    if !live {
        return Ok(None);
    }
    session::spend(tx, &row)?;
    Ok(Some(row))
}

/// USER_AUTH with the Session ConfirmSignUp returned: the user is signed in, the confirmation
/// code standing for their first factor ("Amazon Cognito assumes the SMS or email message
/// one-time verification password from ConfirmSignUp as the primary authentication factor",
/// InitiateAuth's Session) where the user may sign in with that code's factor, or the password
/// given at sign-up where SignUp's session reached ConfirmSignUp (amplify-android#3136).
/// Otherwise, or without a live session of this user, `None`: the sign-in goes on as any
/// USER_AUTH does (SELECT_CHALLENGE, as amplify-android#3136 saw).
pub(super) fn auto_sign_in(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    username: &str,
    session_id: &str,
) -> Result<Option<Answer>, ApiError> {
    let Some(user) = find_user(tx, s.pool, username)? else { return Ok(None) };
    let client_id = s.client.client_id.clone().unwrap_or_default();
    let Some(row) = take_sign_up_session(s.up, tx, session_id, &client_id, &user, CONFIRMED)? else {
        return Ok(None);
    };
    let by_password = row.state.get("password").and_then(serde_json::Value::as_bool) == Some(true);
    let factor = match row.state.get("attribute").and_then(serde_json::Value::as_str) {
        Some("email") => Some(C::EmailOtp),
        Some("phone_number") => Some(C::SmsOtp),
        _ => None,
    };
    let by_code = factor.is_some_and(|f| available(s, tx, &user).is_ok_and(|a| a.contains(&f)));
    if !by_password && !by_code {
        return Ok(None);
    }
    if !user.enabled {
        return Ok(Some(Answer::Refused(ApiError::not_authorized("User is disabled."))));
    }
    super::after_mfa(s, tx, user, None, "TokenGeneration_Authentication", false).map(Some)
}
