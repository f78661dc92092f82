//! MFA through the AWS SDK for Rust: the pool's settings, the user's, authenticator apps and
//! every refusal on the way, with TOTP codes from totp-lite (independent of cognate's own).
//! Amplify, amazon-cognito-identity-js, boto3 and pycognito run the same flows in tests/js and
//! tests/python.

use crate::testkit::{App, Cognate, PW, admin_password_auth, app, attr, failure, password_auth, user};
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::*;

fn sms_mfa() -> SmsMfaConfigType {
    SmsMfaConfigType::builder()
        .sms_authentication_message("Your code is {####}")
        .sms_configuration(
            SmsConfigurationType::builder()
                .sns_caller_arn("arn:aws:iam::000000000000:role/sns")
                .external_id("x")
                .build(),
        )
        .build()
}

fn totp_on() -> SoftwareTokenMfaConfigType {
    SoftwareTokenMfaConfigType::builder().enabled(true).build()
}

/// Cognate's time, in epoch seconds.
fn now(cognate: &Cognate) -> u64 {
    let (_, clock) = cognate.get("/_cognate/clock");
    clock["now"].as_f64().unwrap() as u64
}

/// The TOTP code of a base32 secret at `time`. Codes are made for a time read once, so a
/// step that begins mid-test changes nothing: cognate accepts a step either side.
fn code(secret: &str, time: u64) -> String {
    let key = data_encoding::BASE32_NOPAD.decode(secret.as_bytes()).unwrap();
    totp_lite::totp_custom::<totp_lite::Sha1>(30, 6, &key, time)
}

async fn access_token(client: &Client, app: &App, name: &str) -> String {
    let out = password_auth(client, &app.client_id, name, PW).send().await.unwrap();
    out.authentication_result.unwrap().access_token.unwrap()
}

#[tokio::test]
async fn pool_settings_are_refused_as_cognito_refuses_them() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let app = app(&client, |b| b).await;
    let got = client.get_user_pool_mfa_config().user_pool_id(&app.pool_id).send().await.unwrap();
    assert_eq!(got.mfa_configuration(), Some(&UserPoolMfaType::Off));
    assert!(got.software_token_mfa_configuration().is_none() && got.sms_mfa_configuration().is_none());

    let set = || client.set_user_pool_mfa_config().user_pool_id(&app.pool_id);
    assert_eq!(
        failure(set().mfa_configuration(UserPoolMfaType::Off).software_token_mfa_configuration(totp_on()).send().await),
        (
            "InvalidParameterException".into(),
            "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.".into()
        )
    );
    assert_eq!(
        failure(set().mfa_configuration(UserPoolMfaType::On).send().await),
        (
            "InvalidParameterException".into(),
            "Invalid MFA Configuration given. SMS MFA, Email MFA, or Software Token MFA must be enabled.".into()
        )
    );
    let email = EmailMfaConfigType::builder().message("Code {####}").subject("Sign-in").build();
    let (kind, _) =
        failure(set().mfa_configuration(UserPoolMfaType::Optional).email_mfa_configuration(email.clone()).send().await);
    assert_eq!(kind, "InvalidParameterException", "email MFA needs the pool's own SES sending");
    // A template without its code is refused before Cognito looks at the pool.
    let bad = SmsMfaConfigType::builder().sms_authentication_message("no code here").build();
    let (kind, message) =
        failure(set().mfa_configuration(UserPoolMfaType::Optional).sms_mfa_configuration(bad).send().await);
    assert_eq!(kind, "InvalidParameterException");
    assert!(message.starts_with("1 validation error detected: Value 'no code here' at "), "{message}");

    let (kind, message) =
        failure(client.create_user_pool().pool_name("required").mfa_configuration(UserPoolMfaType::On).send().await);
    assert_eq!(
        (kind.as_str(), message.as_str()),
        (
            "InvalidParameterException",
            "SMS configuration and Auto verification for phone_number are required when MFA is required/optional"
        )
    );
    let set = set()
        .mfa_configuration(UserPoolMfaType::Optional)
        .sms_mfa_configuration(sms_mfa())
        .software_token_mfa_configuration(totp_on())
        .send()
        .await
        .unwrap();
    assert_eq!(set.software_token_mfa_configuration().map(|t| t.enabled()), Some(true));
    let pool = client.describe_user_pool().user_pool_id(&app.pool_id).send().await.unwrap().user_pool.unwrap();
    assert_eq!(pool.sms_authentication_message(), Some("Your code is {####}"));
    assert_eq!(pool.mfa_configuration(), Some(&UserPoolMfaType::Optional));
}

#[tokio::test]
async fn an_authenticator_app_signs_in_and_every_wrong_answer_is_refused() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let app = app(&client, |b| b).await;
    user(&client, &app.pool_id, "tia", PW).await;
    let token = access_token(&client, &app, "tia").await;
    assert_eq!(
        failure(client.associate_software_token().access_token(&token).send().await),
        ("SoftwareTokenMFANotFoundException".into(), "Software Token MFA has not been enabled by the userPool.".into())
    );
    client
        .set_user_pool_mfa_config()
        .user_pool_id(&app.pool_id)
        .mfa_configuration(UserPoolMfaType::Optional)
        .software_token_mfa_configuration(totp_on())
        .send()
        .await
        .unwrap();
    let prefer = || {
        client.set_user_mfa_preference().access_token(&token).software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder().enabled(true).preferred_mfa(true).build(),
        )
    };
    assert_eq!(
        failure(prefer().send().await),
        (
            "InvalidParameterException".into(),
            "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA".into()
        )
    );
    assert_eq!(failure(client.verify_software_token().user_code("123456").send().await).0, "InvalidParameterException");
    let associated = client.associate_software_token().access_token(&token).send().await.unwrap();
    assert!(associated.session().is_none());
    let secret = associated.secret_code().unwrap().to_string();
    let t = now(&cognate);
    let wrong = if code(&secret, t) == "000000" { "111111" } else { "000000" };
    assert_eq!(
        failure(client.verify_software_token().access_token(&token).user_code(wrong).send().await),
        ("EnableSoftwareTokenMFAException".into(), "Code mismatch and fail enable Software Token MFA".into())
    );
    let verified = client
        .verify_software_token()
        .access_token(&token)
        .user_code(code(&secret, t))
        .friendly_device_name("phone")
        .send()
        .await
        .unwrap();
    assert_eq!(verified.status(), Some(&VerifySoftwareTokenResponseType::Success));
    prefer().send().await.unwrap();
    let got = client.get_user().access_token(&token).send().await.unwrap();
    assert_eq!(got.user_mfa_setting_list(), ["SOFTWARE_TOKEN_MFA"]);
    assert_eq!(got.preferred_mfa_setting(), Some("SOFTWARE_TOKEN_MFA"));

    // The admin flow, answered by the admin operation.
    let started = admin_password_auth(&client, &app.pool_id, &app.client_id, "tia", PW).send().await.unwrap();
    assert_eq!(started.challenge_name(), Some(&ChallengeNameType::SoftwareTokenMfa));
    let params = started.challenge_parameters().unwrap();
    assert_eq!(params.get("FRIENDLY_DEVICE_NAME").map(String::as_str), Some("phone"));
    assert_eq!(params.get("USER_ID_FOR_SRP").map(String::as_str), Some("tia"));
    let session = started.session().unwrap().to_string();
    let answer = |c: String| {
        client
            .admin_respond_to_auth_challenge()
            .user_pool_id(&app.pool_id)
            .client_id(&app.client_id)
            .challenge_name(ChallengeNameType::SoftwareTokenMfa)
            .session(&session)
            .challenge_responses("USERNAME", "tia")
            .challenge_responses("SOFTWARE_TOKEN_MFA_CODE", c)
            .send()
    };
    assert_eq!(
        failure(answer(wrong.to_string()).await),
        ("CodeMismatchException".into(), "Invalid code received for user".into())
    );
    assert_eq!(
        failure(answer(code(&secret, t)).await),
        ("ExpiredCodeException".into(), "Your software token has already been used once.".into())
    );
    let done = answer(code(&secret, t + 30)).await.unwrap();
    assert!(done.authentication_result().and_then(|r| r.id_token()).is_some());
    assert_eq!(failure(answer(code(&secret, t + 30)).await).0, "NotAuthorizedException", "a session answers once");

    // A session outlives neither its three minutes nor a wrong challenge name.
    let started = password_auth(&client, &app.client_id, "tia", PW).send().await.unwrap();
    let respond = |name: ChallengeNameType| {
        client
            .respond_to_auth_challenge()
            .client_id(&app.client_id)
            .challenge_name(name)
            .session(started.session().unwrap())
            .challenge_responses("USERNAME", "tia")
            .challenge_responses("SMS_MFA_CODE", "123456")
            .send()
    };
    assert_eq!(
        failure(respond(ChallengeNameType::SmsMfa).await),
        ("InvalidParameterException".into(), "Invalid challenge name, expected SOFTWARE_TOKEN_MFA".into())
    );
    cognate.advance_clock(181);
    assert_eq!(
        failure(respond(ChallengeNameType::SoftwareTokenMfa).await),
        ("NotAuthorizedException".into(), "Invalid session for the user, session is expired.".into())
    );

    // Without the app, the user signs in with a password alone.
    client.admin_delete_software_token().user_pool_id(&app.pool_id).username("tia").send().await.unwrap();
    let plain = password_auth(&client, &app.client_id, "tia", PW).send().await.unwrap();
    assert!(plain.authentication_result().is_some());
}

#[tokio::test]
async fn sms_codes_sign_in_and_mfa_required_without_a_factor_is_refused() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let app = app(&client, |b| b).await;
    user(&client, &app.pool_id, "sam", PW).await;
    client
        .set_user_pool_mfa_config()
        .user_pool_id(&app.pool_id)
        .mfa_configuration(UserPoolMfaType::On)
        .sms_mfa_configuration(sms_mfa())
        .send()
        .await
        .unwrap();
    assert_eq!(
        failure(password_auth(&client, &app.client_id, "sam", PW).send().await),
        ("MFAMethodNotFoundException".into(), "No MFA mechanism registerd in the account.".into())
    );
    client
        .admin_update_user_attributes()
        .user_pool_id(&app.pool_id)
        .username("sam")
        .user_attributes(attr("phone_number", "+15555550142"))
        .send()
        .await
        .unwrap();
    let started = password_auth(&client, &app.client_id, "sam", PW).send().await.unwrap();
    assert_eq!(started.challenge_name(), Some(&ChallengeNameType::SmsMfa));
    let params = started.challenge_parameters().unwrap();
    assert_eq!(params.get("CODE_DELIVERY_DESTINATION").map(String::as_str), Some("+*******0142"));
    assert_eq!(params.get("CODE_DELIVERY_DELIVERY_MEDIUM").map(String::as_str), Some("SMS"));
    let message = cognate.outbox("username=sam").remove(0);
    assert_eq!(
        (message["kind"].as_str(), message["destination"].as_str()),
        (Some("Authentication"), Some("+15555550142"))
    );
    let sent = message["code"].as_str().unwrap().to_string();
    assert_eq!(message["message"], format!("Your code is {sent}"));
    let answer = |c: &str| {
        client
            .respond_to_auth_challenge()
            .client_id(&app.client_id)
            .challenge_name(ChallengeNameType::SmsMfa)
            .session(started.session().unwrap())
            .challenge_responses("USERNAME", "sam")
            .challenge_responses("SMS_MFA_CODE", c)
            .send()
    };
    let wrong = if sent == "000000" { "111111" } else { "000000" };
    assert_eq!(
        failure(answer(wrong).await),
        ("CodeMismatchException".into(), "Invalid code or auth state for the user.".into())
    );
    let done = answer(&sent).await.unwrap();
    assert!(done.authentication_result().and_then(|r| r.access_token()).is_some());
    // AdminGetUser still lists nothing: the SMS factor came from MFA being required.
    let got = client.admin_get_user().user_pool_id(&app.pool_id).username("sam").send().await.unwrap();
    assert!(got.user_mfa_setting_list().is_empty() && got.preferred_mfa_setting().is_none());
}
