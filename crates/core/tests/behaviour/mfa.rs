//! MFA as Cognito does it. The facts, with their sources, are in docs/fidelity.md ("MFA").

use crate::fixture::{Core, PASSWORD};
use cognate_core::env::Clock;
use cognate_core::store::OutboxQuery;
use cognate_core::totp;
use serde_json::{Value, json};

const SMS_CONFIG: &str = "arn:aws:iam::000000000000:role/sns";

fn sms() -> Value {
    json!({"SmsAuthenticationMessage": "Your code is {####}", "SmsConfiguration": {"SnsCallerArn": SMS_CONFIG, "ExternalId": "x"}})
}

fn set_mfa(core: &Core, config: Value) -> Value {
    let mut body = config;
    body["UserPoolId"] = json!(core.pool);
    core.ok("SetUserPoolMfaConfig", body)
}

fn access_token(core: &Core) -> String {
    core.password_auth("ann", PASSWORD).unwrap()["AuthenticationResult"]["AccessToken"].as_str().unwrap().to_string()
}

/// The current code of a base32 secret, on the core's clock.
fn code(core: &Core, secret: &str) -> String {
    let now = core.clock.now_millis() as u64 / 1000;
    totp::code(&totp::decode_secret(secret).unwrap(), totp::step_of(now), 6)
}

/// Associates and verifies an authenticator for `ann`: answers its secret.
fn register_app(core: &Core, token: &str) -> String {
    let secret = core.ok("AssociateSoftwareToken", json!({"AccessToken": token}));
    assert_eq!(secret.get("Session"), None, "no Session with an access token");
    let secret = secret["SecretCode"].as_str().unwrap().to_string();
    let verified = core.ok(
        "VerifySoftwareToken",
        json!({"AccessToken": token, "UserCode": code(core, &secret), "FriendlyDeviceName": "phone"}),
    );
    assert_eq!(verified, json!({"Status": "SUCCESS"}));
    secret
}

fn respond(core: &Core, challenge: &str, session: &Value, responses: Value) -> Result<Value, Value> {
    core.call(
        "RespondToAuthChallenge",
        json!({"ClientId": core.client, "ChallengeName": challenge, "Session": session, "ChallengeResponses": responses}),
    )
}

/// The newest code the outbox holds for `ann`.
fn last_code(core: &Core) -> (Value, String) {
    use cognate_core::store::OutboxMessage;
    let query = OutboxQuery { username: Some("ann".into()), limit: 1, ..Default::default() };
    let m: OutboxMessage = core.pools.outbox(&query).unwrap().remove(0);
    let code = m.code.clone().unwrap();
    (serde_json::to_value(m).unwrap(), code)
}

fn type_of(e: Value) -> (String, String) {
    (e["__type"].as_str().unwrap().to_string(), e["message"].as_str().unwrap().to_string())
}

#[test]
fn the_pools_mfa_configuration_is_set_whole_and_checked() {
    let core = Core::new();
    let get = || core.ok("GetUserPoolMfaConfig", json!({"UserPoolId": core.pool}));
    assert_eq!(get(), json!({"MfaConfiguration": "OFF"}), "a new pool shows nothing else");
    let refusals = [
        (
            json!({"MfaConfiguration": "OFF", "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
            "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.",
        ),
        (
            json!({"MfaConfiguration": "ON"}),
            "Invalid MFA Configuration given. SMS MFA, Email MFA, or Software Token MFA must be enabled.",
        ),
        (
            json!({"MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": {"Enabled": false}}),
            "Invalid MFA Configuration given. SMS MFA, Email MFA, or Software Token MFA must be enabled.",
        ),
        (
            json!({"MfaConfiguration": "OPTIONAL", "EmailMfaConfiguration": {"Message": "Code {####}"}}),
            "Cannot set EmailMfaConfiguration when user pool EmailConfiguration contains an EmailSendingAccount of COGNITO_DEFAULT.Update the value of EmailSendingAccount",
        ),
    ];
    for (config, message) in refusals {
        let mut body = config.clone();
        body["UserPoolId"] = json!(core.pool);
        assert_eq!(core.refused("SetUserPoolMfaConfig", body), message, "{config}");
        assert_eq!(get(), json!({"MfaConfiguration": "OFF"}), "a refusal changes nothing");
    }
    let set =
        set_mfa(&core, json!({"MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": {"Enabled": true}}));
    assert_eq!(set, json!({"MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": {"Enabled": true}}));
    assert_eq!(get(), set);
    // SMS MFA's settings are the pool's own.
    let set = set_mfa(&core, json!({"MfaConfiguration": "ON", "SmsMfaConfiguration": sms()}));
    assert_eq!(set, json!({"MfaConfiguration": "ON", "SmsMfaConfiguration": sms()}), "TOTP, left out, is off");
    let pool = core.ok("DescribeUserPool", json!({"UserPoolId": core.pool}))["UserPool"].clone();
    assert_eq!(pool["MfaConfiguration"], "ON");
    assert_eq!(pool["SmsAuthenticationMessage"], "Your code is {####}");
    assert_eq!(pool["SmsConfiguration"]["SnsCallerArn"], SMS_CONFIG);
    // Set with nothing but the pool turns MFA off.
    assert_eq!(set_mfa(&core, json!({})), json!({"MfaConfiguration": "OFF"}));
    // Email MFA needs the pool's own SES sending, and a tier above Lite.
    core.ok(
        "UpdateUserPool",
        json!({"UserPoolId": core.pool, "UserPoolTier": "LITE",
               "EmailConfiguration": {"EmailSendingAccount": "DEVELOPER", "SourceArn": "arn:aws:ses:us-east-1:000000000000:identity/example.com"}}),
    );
    let email = json!({"MfaConfiguration": "OPTIONAL", "EmailMfaConfiguration": {"Message": "Code {####}", "Subject": "Sign-in"}});
    let mut body = email.clone();
    body["UserPoolId"] = json!(core.pool);
    let e = type_of(core.call("SetUserPoolMfaConfig", body).unwrap_err());
    assert_eq!(
        e,
        (
            "FeatureUnavailableInTierException".into(),
            "The following feature is not available for the LITE pricing tier configured: Email MFA".into()
        )
    );
    // CreateUserPool can only turn MFA on with SMS.
    assert_eq!(
        core.refused("CreateUserPool", json!({"PoolName": "q", "MfaConfiguration": "ON"})),
        "SMS configuration and Auto verification for phone_number are required when MFA is required/optional"
    );
    let made = core.ok(
        "CreateUserPool",
        json!({"PoolName": "q", "MfaConfiguration": "OPTIONAL", "SmsConfiguration": sms()["SmsConfiguration"]}),
    );
    let id = made["UserPool"]["Id"].as_str().unwrap();
    let got = core.ok("GetUserPoolMfaConfig", json!({"UserPoolId": id}));
    assert_eq!(got["MfaConfiguration"], "OPTIONAL");
    assert_eq!(got["SmsMfaConfiguration"]["SmsConfiguration"]["SnsCallerArn"], SMS_CONFIG);
}

#[test]
fn an_authenticator_app_is_set_up_verified_and_then_asked_for() {
    let core = Core::new();
    let token = access_token(&core);
    assert_eq!(
        type_of(core.call("AssociateSoftwareToken", json!({"AccessToken": token})).unwrap_err()),
        ("SoftwareTokenMFANotFoundException".into(), "Software Token MFA has not been enabled by the userPool.".into())
    );
    set_mfa(&core, json!({"MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": {"Enabled": true}}));
    assert_eq!(
        core.refused(
            "SetUserMFAPreference",
            json!({"AccessToken": token, "SoftwareTokenMfaSettings": {"Enabled": true}})
        ),
        "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA"
    );
    let associated = core.ok("AssociateSoftwareToken", json!({"AccessToken": token}));
    let secret = associated["SecretCode"].as_str().unwrap();
    assert_eq!(secret.len(), 32);
    assert!(secret.chars().all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c)), "base32: {secret}");
    let wrong = if code(&core, secret) == "000000" { "111111" } else { "000000" };
    assert_eq!(
        type_of(core.call("VerifySoftwareToken", json!({"AccessToken": token, "UserCode": wrong})).unwrap_err()),
        ("EnableSoftwareTokenMFAException".into(), "Code mismatch and fail enable Software Token MFA".into())
    );
    // A wrong code leaves the secret waiting for a right one.
    let verified = core.ok(
        "VerifySoftwareToken",
        json!({"AccessToken": token, "UserCode": code(&core, secret), "FriendlyDeviceName": "phone"}),
    );
    assert_eq!(verified, json!({"Status": "SUCCESS"}));
    // Verified is not enabled: the user's settings are as before, and sign-in asks nothing.
    let user = core.ok("GetUser", json!({"AccessToken": token}));
    assert_eq!((user.get("UserMFASettingList"), user.get("PreferredMfaSetting")), (None, None), "{user}");
    assert!(core.password_auth("ann", PASSWORD).unwrap()["AuthenticationResult"].is_object());

    core.ok(
        "SetUserMFAPreference",
        json!({"AccessToken": token, "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    );
    let user = core.ok("AdminGetUser", json!({"UserPoolId": core.pool, "Username": "ann"}));
    assert_eq!(user["UserMFASettingList"], json!(["SOFTWARE_TOKEN_MFA"]));
    assert_eq!(user["PreferredMfaSetting"], "SOFTWARE_TOKEN_MFA");

    let started = core.password_auth("ann", PASSWORD).unwrap();
    assert_eq!(started["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    assert_eq!(started["ChallengeParameters"], json!({"USER_ID_FOR_SRP": "ann", "FRIENDLY_DEVICE_NAME": "phone"}));
    let session = &started["Session"];
    let answer = |c: &str| {
        respond(&core, "SOFTWARE_TOKEN_MFA", session, json!({"USERNAME": "ann", "SOFTWARE_TOKEN_MFA_CODE": c}))
    };
    assert_eq!(
        type_of(answer(wrong).unwrap_err()),
        ("CodeMismatchException".into(), "Invalid code received for user".into())
    );
    // The code VerifySoftwareToken took is spent for its 30 seconds.
    assert_eq!(
        type_of(answer(&code(&core, secret)).unwrap_err()),
        ("ExpiredCodeException".into(), "Your software token has already been used once.".into())
    );
    core.advance(30.0);
    let done = answer(&code(&core, secret)).unwrap();
    assert!(done["AuthenticationResult"]["IdToken"].is_string(), "{done}");
    // The session answered once.
    assert_eq!(
        type_of(answer(&code(&core, secret)).unwrap_err()).1,
        "Invalid session for the user, session can only be used once."
    );
    // And the same code cannot sign in again.
    let again = core.password_auth("ann", PASSWORD).unwrap();
    let reused = respond(
        &core,
        "SOFTWARE_TOKEN_MFA",
        &again["Session"],
        json!({"USERNAME": "ann", "SOFTWARE_TOKEN_MFA_CODE": code(&core, secret)}),
    );
    assert_eq!(reused.unwrap_err()["__type"], "ExpiredCodeException");
    // A code a step early or late is good; two steps is not.
    core.advance(30.0);
    let late =
        totp::code(&totp::decode_secret(secret).unwrap(), totp::step_of(core.clock.now_millis() as u64 / 1000) - 1, 6);
    let answer = respond(
        &core,
        "SOFTWARE_TOKEN_MFA",
        &again["Session"],
        json!({"USERNAME": "ann", "SOFTWARE_TOKEN_MFA_CODE": late}),
    );
    assert_eq!(answer.unwrap_err()["__type"], "ExpiredCodeException", "the previous step was the one just used");

    // An administrator removes the app: sign-in no longer asks for it.
    core.ok("AdminDeleteSoftwareToken", json!({"UserPoolId": core.pool, "Username": "ann"}));
    assert!(core.password_auth("ann", PASSWORD).unwrap()["AuthenticationResult"].is_object());
    let user = core.ok("AdminGetUser", json!({"UserPoolId": core.pool, "Username": "ann"}));
    assert_eq!(user["UserMFASettingList"], json!([]));
    assert_eq!(user.get("PreferredMfaSetting"), None);
}

#[test]
fn sms_codes_are_sent_checked_and_verify_the_phone() {
    let core = Core::new();
    set_mfa(&core, json!({"MfaConfiguration": "OPTIONAL", "SmsMfaConfiguration": sms()}));
    let token = access_token(&core);
    assert_eq!(
        core.refused("SetUserMFAPreference", json!({"AccessToken": token, "SMSMfaSettings": {"Enabled": true}})),
        "User does not have delivery config set to turn on SMS_MFA"
    );
    core.ok(
        "AdminUpdateUserAttributes",
        json!({"UserPoolId": core.pool, "Username": "ann", "UserAttributes": [{"Name": "phone_number", "Value": "+15555550123"}]}),
    );
    core.ok(
        "AdminSetUserMFAPreference",
        json!({"UserPoolId": core.pool, "Username": "ann", "SMSMfaSettings": {"Enabled": true}}),
    );
    let user = core.ok("AdminGetUser", json!({"UserPoolId": core.pool, "Username": "ann"}));
    assert_eq!(user["UserMFASettingList"], json!(["SMS_MFA"]));
    assert_eq!(user.get("PreferredMfaSetting"), None, "enabled, not preferred");

    let started = core.password_auth("ann", PASSWORD).unwrap();
    assert_eq!(started["ChallengeName"], "SMS_MFA");
    assert_eq!(
        started["ChallengeParameters"],
        json!({"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "CODE_DELIVERY_DESTINATION": "+*******0123", "USER_ID_FOR_SRP": "ann"})
    );
    let (message, sent) = last_code(&core);
    assert_eq!((message["kind"].as_str(), message["medium"].as_str()), (Some("Authentication"), Some("SMS")));
    assert_eq!(message["message"], format!("Your code is {sent}"));
    assert_eq!(sent.len(), 6);
    let answer =
        |c: &str| respond(&core, "SMS_MFA", &started["Session"], json!({"USERNAME": "ann", "SMS_MFA_CODE": c}));
    let wrong = if sent == "000000" { "111111" } else { "000000" };
    assert_eq!(
        type_of(answer(wrong).unwrap_err()),
        ("CodeMismatchException".into(), "Invalid code or auth state for the user.".into())
    );
    let done = answer(&sent).unwrap();
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());
    let user = core.ok("AdminGetUser", json!({"UserPoolId": core.pool, "Username": "ann"}));
    let verified = user["UserAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["Name"] == "phone_number_verified" && a["Value"] == "true");
    assert!(verified, "{user}");
    // The code lives as long as the session (three minutes by default).
    let started = core.password_auth("ann", PASSWORD).unwrap();
    let (_, sent) = last_code(&core);
    core.advance(181.0);
    let late = respond(&core, "SMS_MFA", &started["Session"], json!({"USERNAME": "ann", "SMS_MFA_CODE": sent}));
    assert_eq!(type_of(late.unwrap_err()).1, "Invalid session for the user, session is expired.");
}

#[test]
fn several_factors_and_none_preferred_ask_the_user_to_choose() {
    let core = Core::new();
    set_mfa(
        &core,
        json!({"MfaConfiguration": "OPTIONAL", "SmsMfaConfiguration": sms(), "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
    );
    core.ok(
        "AdminUpdateUserAttributes",
        json!({"UserPoolId": core.pool, "Username": "ann", "UserAttributes": [{"Name": "phone_number", "Value": "+15555550123"}]}),
    );
    let token = access_token(&core);
    let secret = register_app(&core, &token);
    assert_eq!(
        core.refused(
            "SetUserMFAPreference",
            json!({"AccessToken": token, "SMSMfaSettings": {"Enabled": true, "PreferredMfa": true},
                   "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}})
        ),
        "Only one MFA method can be set as preferred."
    );
    core.ok(
        "SetUserMFAPreference",
        json!({"AccessToken": token, "SMSMfaSettings": {"Enabled": true}, "SoftwareTokenMfaSettings": {"Enabled": true}}),
    );
    let started = core.password_auth("ann", PASSWORD).unwrap();
    assert_eq!(started["ChallengeName"], "SELECT_MFA_TYPE");
    assert_eq!(
        started["ChallengeParameters"],
        json!({"MFAS_CAN_CHOOSE": "[\"SMS_MFA\",\"SOFTWARE_TOKEN_MFA\"]", "USER_ID_FOR_SRP": "ann"})
    );
    let chosen = respond(
        &core,
        "SELECT_MFA_TYPE",
        &started["Session"],
        json!({"USERNAME": "ann", "ANSWER": "SOFTWARE_TOKEN_MFA"}),
    )
    .unwrap();
    assert_eq!(chosen["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    core.advance(30.0);
    let done = respond(
        &core,
        "SOFTWARE_TOKEN_MFA",
        &chosen["Session"],
        json!({"USERNAME": "ann", "SOFTWARE_TOKEN_MFA_CODE": code(&core, &secret)}),
    )
    .unwrap();
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());
    // Preferring one settles it.
    core.ok("SetUserMFAPreference", json!({"AccessToken": token, "SMSMfaSettings": {"PreferredMfa": true}}));
    assert_eq!(core.password_auth("ann", PASSWORD).unwrap()["ChallengeName"], "SMS_MFA");
}

#[test]
fn mfa_required_sets_a_factor_up_during_sign_in() {
    let core = Core::new();
    set_mfa(&core, json!({"MfaConfiguration": "ON", "SoftwareTokenMfaConfiguration": {"Enabled": true}}));
    // An administrator's new user sets a password first, then an authenticator.
    core.ok("AdminCreateUser", json!({"UserPoolId": core.pool, "Username": "ben", "TemporaryPassword": "Temp0rary!x", "MessageAction": "SUPPRESS"}));
    let started = core.password_auth("ben", "Temp0rary!x").unwrap();
    assert_eq!(started["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    let setup = respond(
        &core,
        "NEW_PASSWORD_REQUIRED",
        &started["Session"],
        json!({"USERNAME": "ben", "NEW_PASSWORD": PASSWORD}),
    )
    .unwrap();
    assert_eq!(setup["ChallengeName"], "MFA_SETUP");
    assert_eq!(
        setup["ChallengeParameters"],
        json!({"MFAS_CAN_SETUP": "[\"SOFTWARE_TOKEN_MFA\"]", "USER_ID_FOR_SRP": "ben"})
    );
    // Answering before an app is verified gets nowhere.
    assert!(respond(&core, "MFA_SETUP", &setup["Session"], json!({"USERNAME": "ben"})).is_err());
    let associated = core.ok("AssociateSoftwareToken", json!({"Session": setup["Session"]}));
    let secret = associated["SecretCode"].as_str().unwrap().to_string();
    assert_ne!(associated["Session"], setup["Session"], "a new session");
    assert_eq!(
        core.refused("AssociateSoftwareToken", json!({"Session": setup["Session"]})),
        "Invalid session for the user, session can only be used once.",
        "the old one is spent"
    );
    let wrong = if code(&core, &secret) == "000000" { "111111" } else { "000000" };
    let refused = core.call("VerifySoftwareToken", json!({"Session": associated["Session"], "UserCode": wrong}));
    assert_eq!(refused.unwrap_err()["__type"], "EnableSoftwareTokenMFAException");
    let verified =
        core.ok("VerifySoftwareToken", json!({"Session": associated["Session"], "UserCode": code(&core, &secret)}));
    assert_eq!(verified["Status"], "SUCCESS");
    let done = respond(&core, "MFA_SETUP", &verified["Session"], json!({"USERNAME": "ben"})).unwrap();
    assert!(done["AuthenticationResult"]["AccessToken"].is_string(), "{done}");
    // From now on the app is asked for, MFA being required.
    core.advance(30.0);
    let again = core.password_auth("ben", PASSWORD).unwrap();
    assert_eq!(again["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    let done = respond(
        &core,
        "SOFTWARE_TOKEN_MFA",
        &again["Session"],
        json!({"USERNAME": "ben", "SOFTWARE_TOKEN_MFA_CODE": code(&core, &secret)}),
    )
    .unwrap();
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());
}

#[test]
fn mfa_required_with_only_sms_uses_the_phone_or_refuses() {
    let core = Core::new();
    set_mfa(&core, json!({"MfaConfiguration": "ON", "SmsMfaConfiguration": sms()}));
    let e = type_of(core.password_auth("ann", PASSWORD).unwrap_err());
    assert_eq!(e, ("MFAMethodNotFoundException".into(), "No MFA mechanism registerd in the account.".into()));
    core.ok(
        "AdminUpdateUserAttributes",
        json!({"UserPoolId": core.pool, "Username": "ann", "UserAttributes": [{"Name": "phone_number", "Value": "+15555550123"}]}),
    );
    // No preference needed: the phone number is enough (amplify-js#11258).
    assert_eq!(core.password_auth("ann", PASSWORD).unwrap()["ChallengeName"], "SMS_MFA");
}

#[test]
fn wrong_codes_count_towards_the_lockout() {
    let core = Core::new();
    set_mfa(&core, json!({"MfaConfiguration": "OPTIONAL", "SmsMfaConfiguration": sms()}));
    core.ok(
        "AdminUpdateUserAttributes",
        json!({"UserPoolId": core.pool, "Username": "ann", "UserAttributes": [{"Name": "phone_number", "Value": "+15555550123"}]}),
    );
    core.ok(
        "AdminSetUserMFAPreference",
        json!({"UserPoolId": core.pool, "Username": "ann", "SMSMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    );
    let started = core.password_auth("ann", PASSWORD).unwrap();
    let (_, sent) = last_code(&core);
    let wrong = if sent == "000000" { "111111" } else { "000000" };
    let answer =
        |c: &str| respond(&core, "SMS_MFA", &started["Session"], json!({"USERNAME": "ann", "SMS_MFA_CODE": c}));
    for _ in 0..5 {
        assert_eq!(answer(wrong).unwrap_err()["__type"], "CodeMismatchException");
    }
    assert_eq!(type_of(answer(&sent).unwrap_err()).1, "Password attempts exceeded", "locked, even with the right code");
    assert_eq!(type_of(core.password_auth("ann", PASSWORD).unwrap_err()).1, "Password attempts exceeded");
    core.advance(2.0);
    assert!(answer(&sent).unwrap()["AuthenticationResult"].is_object(), "the session outlived the lock");
}

#[test]
fn email_codes_use_the_pools_email_mfa_message() {
    let core = Core::new();
    core.ok(
        "UpdateUserPool",
        json!({"UserPoolId": core.pool,
               "EmailConfiguration": {"EmailSendingAccount": "DEVELOPER", "SourceArn": "arn:aws:ses:us-east-1:000000000000:identity/example.com"}}),
    );
    set_mfa(
        &core,
        json!({"MfaConfiguration": "OPTIONAL", "EmailMfaConfiguration": {"Message": "Sign in with {####}", "Subject": "Your sign-in code"}}),
    );
    core.ok(
        "AdminUpdateUserAttributes",
        json!({"UserPoolId": core.pool, "Username": "ann", "UserAttributes": [{"Name": "email", "Value": "ann@example.com"}]}),
    );
    core.ok(
        "AdminSetUserMFAPreference",
        json!({"UserPoolId": core.pool, "Username": "ann", "EmailMfaSettings": {"Enabled": true}}),
    );
    let started = core.password_auth("ann", PASSWORD).unwrap();
    assert_eq!(started["ChallengeName"], "EMAIL_OTP");
    assert_eq!(
        started["ChallengeParameters"],
        json!({"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL", "CODE_DELIVERY_DESTINATION": "a***@e***", "USER_ID_FOR_SRP": "ann"})
    );
    let (message, sent) = last_code(&core);
    assert_eq!(message["subject"], "Your sign-in code");
    assert_eq!(message["message"], format!("Sign in with {sent}"));
    let done =
        respond(&core, "EMAIL_OTP", &started["Session"], json!({"USERNAME": "ann", "EMAIL_OTP_CODE": sent})).unwrap();
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());
}

#[test]
fn legacy_settings_turn_sms_on_without_listing_it() {
    let core = Core::new();
    set_mfa(&core, json!({"MfaConfiguration": "OPTIONAL", "SmsMfaConfiguration": sms()}));
    core.ok(
        "AdminUpdateUserAttributes",
        json!({"UserPoolId": core.pool, "Username": "ann", "UserAttributes": [{"Name": "phone_number", "Value": "+15555550123"}]}),
    );
    core.ok(
        "AdminSetUserSettings",
        json!({"UserPoolId": core.pool, "Username": "ann", "MFAOptions": [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]}),
    );
    let user = core.ok("AdminGetUser", json!({"UserPoolId": core.pool, "Username": "ann"}));
    assert_eq!(user["MFAOptions"], json!([{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]));
    assert_eq!(user.get("UserMFASettingList"), None);
    assert_eq!(core.password_auth("ann", PASSWORD).unwrap()["ChallengeName"], "SMS_MFA");
    core.ok("AdminSetUserSettings", json!({"UserPoolId": core.pool, "Username": "ann", "MFAOptions": []}));
    assert!(core.password_auth("ann", PASSWORD).unwrap()["AuthenticationResult"].is_object());
}

/// DefineAuthChallenge as a closure: asks for SMS_MFA first, then issues tokens once it passed.
struct SmsInCustomAuth;

impl cognate_core::triggers::Lambda for SmsInCustomAuth {
    fn invoke(&self, _: &str, event: &Value) -> Result<Value, cognate_core::triggers::LambdaFailure> {
        let mut event = event.clone();
        let session = event["request"]["session"].as_array().cloned().unwrap_or_default();
        let passed = session.last().is_some_and(|r| r["challengeName"] == "SMS_MFA" && r["challengeResult"] == true);
        event["response"] = match passed {
            true => json!({"issueTokens": true, "failAuthentication": false}),
            false => json!({"challengeName": "SMS_MFA", "issueTokens": false, "failAuthentication": false}),
        };
        Ok(event)
    }
}

#[test]
fn define_auth_challenge_may_ask_for_an_sms_code() {
    let core = Core::new().with_lambda(std::sync::Arc::new(SmsInCustomAuth));
    core.ok(
        "UpdateUserPool",
        json!({"UserPoolId": core.pool, "LambdaConfig": {"DefineAuthChallenge": "arn:aws:lambda:us-east-1:000000000000:function:define"}}),
    );
    core.ok(
        "UpdateUserPoolClient",
        json!({"UserPoolId": core.pool, "ClientId": core.client, "ExplicitAuthFlows": ["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    );
    core.ok(
        "AdminUpdateUserAttributes",
        json!({"UserPoolId": core.pool, "Username": "ann", "UserAttributes": [{"Name": "phone_number", "Value": "+15555550123"}]}),
    );
    let started = core.ok(
        "InitiateAuth",
        json!({"AuthFlow": "CUSTOM_AUTH", "ClientId": core.client, "AuthParameters": {"USERNAME": "ann"}}),
    );
    assert_eq!(started["ChallengeName"], "SMS_MFA");
    assert_eq!(started["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"], "+*******0123");
    let (_, sent) = last_code(&core);
    let wrong = if sent == "000000" { "111111" } else { "000000" };
    let answer =
        |c: &str| respond(&core, "SMS_MFA", &started["Session"], json!({"USERNAME": "ann", "SMS_MFA_CODE": c}));
    assert_eq!(answer(wrong).unwrap_err()["__type"], "CodeMismatchException");
    let done = answer(&sent).unwrap();
    assert!(
        done["AuthenticationResult"]["AccessToken"].is_string(),
        "DefineAuthChallenge saw the SMS round pass: {done}"
    );
}
