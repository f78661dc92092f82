//! Choice-based sign-in (USER_AUTH) and passkey settings through the AWS SDK for Rust: the
//! first factors offered, a one-time code by email, a password chosen, and the refusals of the
//! pool's sign-in policy and of passkeys where the pool has none.

use crate::testkit::*;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFactorType, AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType, SignInPolicyType, UserPoolPolicyType,
};

fn policy(factors: &[AuthFactorType]) -> UserPoolPolicyType {
    UserPoolPolicyType::builder()
        .sign_in_policy(SignInPolicyType::builder().set_allowed_first_auth_factors(Some(factors.to_vec())).build())
        .build()
}

#[tokio::test]
async fn a_user_picks_a_first_factor_and_signs_in_with_an_email_code_or_a_password() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let pool_id =
        create_pool(&client, "choice", |b| b.policies(policy(&[AuthFactorType::Password, AuthFactorType::EmailOtp])))
            .await
            .id
            .unwrap();
    let made = create_client(&client, &pool_id, "app", |b| {
        b.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
    })
    .await;
    let client_id = made.client_id.unwrap();
    user(&client, &pool_id, "ada", PW).await;
    let start = |preferred: Option<&str>| {
        let mut req = client
            .initiate_auth()
            .client_id(&client_id)
            .auth_flow(AuthFlowType::UserAuth)
            .auth_parameters("USERNAME", "ada");
        if let Some(p) = preferred {
            req = req.auth_parameters("PREFERRED_CHALLENGE", p);
        }
        req.send()
    };

    let select = start(None).await.unwrap();
    assert_eq!(select.challenge_name, Some(ChallengeNameType::SelectChallenge));
    assert_eq!(
        select.available_challenges(),
        [ChallengeNameType::EmailOtp, ChallengeNameType::Password, ChallengeNameType::PasswordSrp]
    );
    let done = client
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::SelectChallenge)
        .session(select.session.unwrap())
        .challenge_responses("USERNAME", "ada")
        .challenge_responses("ANSWER", "PASSWORD")
        .challenge_responses("PASSWORD", PW)
        .send()
        .await
        .unwrap();
    assert!(done.authentication_result.is_some(), "a password chosen and given signs in");

    let otp = start(Some("EMAIL_OTP")).await.unwrap();
    assert_eq!(otp.challenge_name, Some(ChallengeNameType::EmailOtp));
    assert_eq!(otp.challenge_parameters().unwrap()["CODE_DELIVERY_DELIVERY_MEDIUM"], "EMAIL");
    let code = cognate.last_code("ada");
    assert_eq!(code.len(), 8, "passwordless codes have eight digits (amplify-js#14428)");
    let done = client
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::EmailOtp)
        .session(otp.session.unwrap())
        .challenge_responses("USERNAME", "ada")
        .challenge_responses("EMAIL_OTP_CODE", code)
        .send()
        .await
        .unwrap();
    let tokens = done.authentication_result.unwrap();
    let factors = client.get_user_auth_factors().access_token(tokens.access_token.unwrap()).send().await.unwrap();
    assert_eq!(factors.configured_user_auth_factors(), [AuthFactorType::Password, AuthFactorType::EmailOtp]);

    // Passkeys need WEB_AUTHN among the pool's factors.
    let (code, _) =
        failure(client.start_web_authn_registration().access_token(tokens.id_token.unwrap_or_default()).send().await);
    assert_eq!(code, "NotAuthorizedException", "an ID token is not an access token");
    let tokens = sign_in_with(&client, &client_id).await;
    let (code, _) = failure(client.start_web_authn_registration().access_token(tokens).send().await);
    assert_eq!(code, "WebAuthnNotEnabledException");
}

async fn sign_in_with(client: &aws_sdk_cognitoidentityprovider::Client, client_id: &str) -> String {
    let out = client
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserAuth)
        .auth_parameters("USERNAME", "ada")
        .auth_parameters("PREFERRED_CHALLENGE", "PASSWORD")
        .auth_parameters("PASSWORD", PW)
        .send()
        .await
        .unwrap();
    out.authentication_result.unwrap().access_token.unwrap()
}

#[tokio::test]
async fn the_sign_in_policy_keeps_a_password_and_passkeys_need_a_relying_party() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let (code, message) =
        failure(client.create_user_pool().pool_name("nopw").policies(policy(&[AuthFactorType::EmailOtp])).send().await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("InvalidParameterException", "Password should be configured as one of the allowed first auth factors.")
    );
    let pool_id =
        create_pool(&client, "passkeys", |b| b.policies(policy(&[AuthFactorType::Password, AuthFactorType::WebAuthn])))
            .await
            .id
            .unwrap();
    let made = create_client(&client, &pool_id, "app", |b| {
        b.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
    })
    .await;
    user(&client, &pool_id, "ada", PW).await;
    let token = sign_in_with(&client, made.client_id.as_deref().unwrap()).await;
    // Neither a RelyingPartyId nor a domain to take one from.
    let (code, _) = failure(client.start_web_authn_registration().access_token(&token).send().await);
    assert_eq!(code, "WebAuthnConfigurationMissingException");
    client.create_user_pool_domain().user_pool_id(&pool_id).domain("passkeys-demo").send().await.unwrap();
    let options = client.start_web_authn_registration().access_token(&token).send().await.unwrap();
    let options = document_json(&options.credential_creation_options);
    assert_eq!(options["rp"]["id"], "passkeys-demo.auth.us-east-1.amazoncognito.com", "the prefix domain's host");
    assert_eq!(options["timeout"], 60000);
}

/// An SDK Document as JSON.
fn document_json(d: &aws_smithy_types::Document) -> serde_json::Value {
    use aws_smithy_types::{Document, Number};
    match d {
        Document::Object(m) => {
            serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), document_json(v))).collect())
        }
        Document::Array(a) => serde_json::Value::Array(a.iter().map(document_json).collect()),
        Document::Number(Number::PosInt(n)) => serde_json::json!(n),
        Document::Number(Number::NegInt(n)) => serde_json::json!(n),
        Document::Number(Number::Float(f)) => serde_json::json!(f),
        Document::String(s) => serde_json::json!(s),
        Document::Bool(b) => serde_json::json!(b),
        Document::Null => serde_json::Value::Null,
    }
}
