//! Sign-in, tokens, challenges, refresh and revocation.

use crate::testkit::{
    App, Cognate, PW, add_to_group, admin_password_auth, app, app_for_other_pool, create_client, create_pool, failure,
    jwt_parts, password_auth, pool, refresh, secret_hash, set_password, sign_in, user,
};
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::*;

#[tokio::test]
async fn tokens_carry_cognitos_claims() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let app = app(&client, |b| b).await;
    user(&client, &app.pool_id, "ada", PW).await;
    client.create_group().user_pool_id(&app.pool_id).group_name("admins").precedence(1).send().await.unwrap();
    add_to_group(&client, &app.pool_id, "ada", "admins").await.unwrap();

    let tokens = sign_in(&client, &app, "ada", PW).await.unwrap();
    assert_eq!(tokens.token_type(), Some("Bearer"));
    assert_eq!(tokens.expires_in(), 3600);
    let refresh = tokens.refresh_token().unwrap();
    assert_eq!(refresh.split('.').count(), 5, "an opaque, JWE-shaped refresh token");

    let (id_header, id) = jwt_parts(tokens.id_token().unwrap());
    let (access_header, access) = jwt_parts(tokens.access_token().unwrap());
    assert_eq!(id_header["alg"], "RS256");
    assert_ne!(id_header["kid"], access_header["kid"], "ID and access tokens are signed with different keys");
    let issuer = format!("{}/{}", cognate.url, app.pool_id);
    assert_eq!(id["iss"], issuer.as_str());
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["aud"], app.client_id.as_str());
    assert_eq!(id["cognito:username"], "ada");
    assert_eq!(id["email"], "ada@example.com");
    assert_eq!(id["email_verified"], true, "booleans are JSON booleans");
    assert_eq!(id["cognito:groups"], serde_json::json!(["admins"]));
    assert_eq!(id["exp"].as_i64().unwrap() - id["iat"].as_i64().unwrap(), 3600);
    for claim in ["sub", "origin_jti", "event_id", "auth_time", "jti"] {
        assert!(id.get(claim).is_some(), "ID token has {claim}");
    }
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["client_id"], app.client_id.as_str());
    assert!(access.get("aud").is_none(), "access tokens have no aud");
    assert_eq!(access["scope"], "aws.cognito.signin.user.admin");
    assert_eq!(access["username"], "ada");
    assert_eq!(access["origin_jti"], id["origin_jti"]);
    assert_eq!(access["event_id"], id["event_id"]);
    assert_ne!(access["jti"], id["jti"]);

    // Discovery: the issuer's documents describe the keys that signed the tokens.
    let (status, config) = cognate.get(&format!("/{}/.well-known/openid-configuration", app.pool_id));
    assert_eq!(status, 200);
    assert_eq!(config["issuer"], issuer.as_str());
    let jwks_path = config["jwks_uri"].as_str().unwrap().strip_prefix(&cognate.url).unwrap().to_string();
    let (_, jwks) = cognate.get(&jwks_path);
    let kids: Vec<_> = jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].clone()).collect();
    assert!(kids.contains(&id_header["kid"]) && kids.contains(&access_header["kid"]));
    for key in jwks["keys"].as_array().unwrap() {
        assert_eq!(
            (key["kty"].as_str(), key["alg"].as_str(), key["use"].as_str()),
            (Some("RSA"), Some("RS256"), Some("sig"))
        );
    }

    // Another pool has keys of its own.
    let other = app_pool_keys(&cognate, &client).await;
    assert!(!other.iter().any(|k| kids.contains(k)));
    assert_eq!(cognate.get("/us-east-1_nothere/.well-known/jwks.json").0, 404);
}

async fn app_pool_keys(cognate: &Cognate, client: &Client) -> Vec<serde_json::Value> {
    let pool = pool(client, "other").await;
    let (_, jwks) = cognate.get(&format!("/{pool}/.well-known/jwks.json"));
    jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].clone()).collect()
}

#[tokio::test]
async fn sign_in_failures_as_cognito_reports_them() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let app = app(&client, |b| b).await;
    user(&client, &app.pool_id, "bea", PW).await;

    assert_eq!(
        sign_in(&client, &app, "bea", "wrong").await.unwrap_err(),
        ("NotAuthorizedException".into(), "Incorrect username or password.".into())
    );
    // The API default (LEGACY) says who does not exist.
    assert_eq!(
        sign_in(&client, &app, "nobody", PW).await.unwrap_err(),
        ("UserNotFoundException".into(), "User does not exist.".into())
    );
    assert!(sign_in(&client, &app, "bea", PW).await.is_ok());

    client.admin_disable_user().user_pool_id(&app.pool_id).username("bea").send().await.unwrap();
    assert_eq!(sign_in(&client, &app, "bea", PW).await.unwrap_err().1, "User is disabled.");
    client.admin_enable_user().user_pool_id(&app.pool_id).username("bea").send().await.unwrap();

    client.admin_reset_user_password().user_pool_id(&app.pool_id).username("bea").send().await.unwrap();
    assert_eq!(
        sign_in(&client, &app, "bea", PW).await.unwrap_err(),
        ("PasswordResetRequiredException".into(), "Password reset required for the user".into())
    );

    // A client that does not allow the flow.
    let srp_only = create_client(&client, &app.pool_id, "srp", |b| b).await;
    let only = App { pool_id: app.pool_id.clone(), client_id: srp_only.client_id.unwrap(), secret: None };
    assert_eq!(
        sign_in(&client, &only, "bea", PW).await.unwrap_err(),
        ("InvalidParameterException".into(), "USER_PASSWORD_AUTH flow not enabled for this client".into())
    );
    let (code, message) = failure(admin_password_auth(&client, &app.pool_id, &only.client_id, "bea", PW).send().await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("InvalidParameterException", "Auth flow not enabled for this client")
    );
    let (_, message) = failure(
        client
            .initiate_auth()
            .client_id(&app.client_id)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", "bea")
            .auth_parameters("PASSWORD", PW)
            .send()
            .await,
    );
    assert_eq!(message, "Initiate Auth method not supported.");
    let (code, message) = failure(
        client.initiate_auth().client_id("nosuchclient").auth_flow(AuthFlowType::UserPasswordAuth).send().await,
    );
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("ResourceNotFoundException", "User pool client nosuchclient does not exist.")
    );
}

#[tokio::test]
async fn prevent_user_existence_errors_enabled_hides_who_exists() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let app = app(&client, |b| b.prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)).await;
    user(&client, &app.pool_id, "cy", PW).await;
    assert_eq!(
        sign_in(&client, &app, "nobody", PW).await.unwrap_err(),
        ("NotAuthorizedException".into(), "Incorrect username or password.".into())
    );
    // ForgotPassword for nobody looks like it worked, and nothing is sent.
    let out = client.forgot_password().client_id(&app.client_id).username("nobody").send().await.unwrap();
    assert!(out.code_delivery_details().unwrap().destination().unwrap().contains("***"));
    assert!(cognate.outbox("username=nobody").is_empty());
}

#[tokio::test]
async fn secret_hash_is_required_and_checked() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let app = app(&client, |b| b.generate_secret(true)).await;
    user(&client, &app.pool_id, "dee", PW).await;
    assert!(sign_in(&client, &app, "dee", PW).await.is_ok());

    let (code, message) = failure(password_auth(&client, &app.client_id, "dee", PW).send().await);
    assert_eq!(code, "NotAuthorizedException");
    assert_eq!(message, format!("Client {} is configured with secret but SECRET_HASH was not received", app.client_id));
    let (_, message) = failure(
        password_auth(&client, &app.client_id, "dee", PW)
            .auth_parameters("SECRET_HASH", secret_hash("not-the-secret", "dee", &app.client_id))
            .send()
            .await,
    );
    assert_eq!(message, format!("Unable to verify secret hash for client {}", app.client_id));
}

#[tokio::test]
async fn lockout_grows_and_ends_with_time() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let app = app(&client, |b| b).await;
    user(&client, &app.pool_id, "eve", PW).await;
    for _ in 0..5 {
        assert_eq!(sign_in(&client, &app, "eve", "bad").await.unwrap_err().1, "Incorrect username or password.");
    }
    // Locked: even the right password is refused, and refusals do not extend the lock.
    assert_eq!(sign_in(&client, &app, "eve", PW).await.unwrap_err().1, "Password attempts exceeded");
    assert_eq!(sign_in(&client, &app, "eve", "bad").await.unwrap_err().1, "Password attempts exceeded");
    cognate.advance_clock(2);
    // The sixth failure locks for two seconds.
    assert_eq!(sign_in(&client, &app, "eve", "bad").await.unwrap_err().1, "Incorrect username or password.");
    cognate.advance_clock(1);
    assert_eq!(sign_in(&client, &app, "eve", PW).await.unwrap_err().1, "Password attempts exceeded");
    cognate.advance_clock(2);
    assert!(sign_in(&client, &app, "eve", PW).await.is_ok(), "the lock ends and a success resets the count");
    assert_eq!(sign_in(&client, &app, "eve", "bad").await.unwrap_err().1, "Incorrect username or password.");
    assert!(sign_in(&client, &app, "eve", PW).await.is_ok());
}

#[tokio::test]
async fn new_password_required() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let pool_id =
        create_pool(&client, "np", |b| b.schema(SchemaAttributeType::builder().name("name").required(true).build()))
            .await
            .id
            .unwrap();
    let client_id = create_client(&client, &pool_id, "c", |b| {
        b.explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
    })
    .await
    .client_id
    .unwrap();
    client
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("fay")
        .temporary_password("Temp0rary!")
        .user_attributes(AttributeType::builder().name("email").value("fay@example.com").build().unwrap())
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .send()
        .await
        .unwrap();
    // The invitation carries the temporary password, rendered with the default template.
    let invite = &cognate.outbox("username=fay")[0];
    assert_eq!(invite["subject"], "Your temporary password");
    assert_eq!(invite["message"], "Your username is fay and temporary password is Temp0rary!. ");
    assert_eq!(invite["destination"], "fay@example.com");

    let start = || admin_password_auth(&client, &pool_id, &client_id, "fay", "Temp0rary!").send();
    let challenge = start().await.unwrap();
    assert_eq!(challenge.challenge_name(), Some(&ChallengeNameType::NewPasswordRequired));
    let params = challenge.challenge_parameters().unwrap();
    assert_eq!(params["USER_ID_FOR_SRP"], "fay");
    assert_eq!(params["requiredAttributes"], r#"["userAttributes.name"]"#);
    let attrs: serde_json::Value = serde_json::from_str(&params["userAttributes"]).unwrap();
    // No sub; a required attribute the user lacks is there, empty.
    assert_eq!(attrs, serde_json::json!({"email": "fay@example.com", "name": ""}));
    let session = challenge.session().unwrap().to_string();

    let answer = |session: String, extra: Option<(&'static str, &'static str)>| {
        let mut req = client
            .admin_respond_to_auth_challenge()
            .user_pool_id(&pool_id)
            .client_id(&client_id)
            .challenge_name(ChallengeNameType::NewPasswordRequired)
            .session(session)
            .challenge_responses("USERNAME", "fay")
            .challenge_responses("NEW_PASSWORD", "N3w!password");
        if let Some((k, v)) = extra {
            req = req.challenge_responses(k, v);
        }
        req.send()
    };
    let (code, message) = failure(answer(session.clone(), None).await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("InvalidParameterException", "Invalid attributes given, name is missing")
    );
    let (_, message) = failure(answer(session.clone(), Some(("userAttributes.email_verified", "true"))).await);
    assert_eq!(message, "Cannot modify the non-mutable attribute email_verified");
    let done = answer(session.clone(), Some(("userAttributes.name", "Fay"))).await.unwrap();
    assert!(done.authentication_result().unwrap().id_token().is_some());

    // A session answers once (amplify-js#14330 quotes Cognito's words).
    let (code, message) = failure(answer(session, Some(("userAttributes.name", "Fay"))).await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("NotAuthorizedException", "Invalid session for the user, session can only be used once.")
    );
    let user = client.admin_get_user().user_pool_id(&pool_id).username("fay").send().await.unwrap();
    assert_eq!(user.user_status(), Some(&UserStatusType::Confirmed));
    assert!(user.user_attributes().iter().any(|a| a.name() == "name" && a.value() == Some("Fay")));

    // A session does not outlive the user's state: disabled, it is refused.
    set_password(&client, &pool_id, "fay", "Temp0rary!", false).await.unwrap();
    let session = start().await.unwrap().session.unwrap();
    client.admin_disable_user().user_pool_id(&pool_id).username("fay").send().await.unwrap();
    let (code, message) = failure(answer(session, Some(("userAttributes.name", "Fay"))).await);
    assert_eq!((code.as_str(), message.as_str()), ("NotAuthorizedException", "User is disabled."));
    client.admin_enable_user().user_pool_id(&pool_id).username("fay").send().await.unwrap();

    // A required attribute that has a value cannot be changed in the answer.
    let session = start().await.unwrap().session.unwrap();
    let (code, message) = failure(answer(session, Some(("userAttributes.name", "Someone else"))).await);
    assert_eq!((code.as_str(), message.as_str()), ("NotAuthorizedException", "Cannot modify an already provided name"));

    // Sessions expire (3 minutes by default).
    set_password(&client, &pool_id, "fay", "Temp0rary!", false).await.unwrap();
    let session = start().await.unwrap().session.unwrap();
    cognate.advance_clock(181);
    let (_, message) = failure(answer(session, None).await);
    assert_eq!(message, "Invalid session for the user, session is expired.");

    // A temporary password lasts 7 days.
    cognate.advance_clock(8 * 86_400);
    let (code, message) = failure(start().await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("NotAuthorizedException", "Temporary password has expired and must be reset by an administrator.")
    );
}

#[tokio::test]
async fn refresh_keeps_the_session_and_checks_the_token() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let app = app(&client, |b| b).await;
    user(&client, &app.pool_id, "gus", PW).await;
    let first = sign_in(&client, &app, "gus", PW).await.unwrap();
    let refresh_token = first.refresh_token().unwrap().to_string();
    cognate.advance_clock(60);

    let again = refresh(&client, &app.client_id, refresh_token.clone()).await.unwrap().authentication_result.unwrap();
    assert!(again.refresh_token().is_none(), "no new refresh token without rotation");
    let (_, before) = jwt_parts(first.id_token().unwrap());
    let (_, after) = jwt_parts(again.id_token().unwrap());
    assert_eq!(after["auth_time"], before["auth_time"]);
    assert_eq!(after["origin_jti"], before["origin_jti"]);
    assert!(after["iat"].as_i64() > before["iat"].as_i64());

    let (code, message) = failure(refresh(&client, &app.client_id, "garbage").await);
    assert_eq!((code.as_str(), message.as_str()), ("NotAuthorizedException", "Invalid Refresh Token."));
    let mut tampered = refresh_token.clone();
    tampered.replace_range(tampered.len() - 3.., "AAA");
    assert_eq!(failure(refresh(&client, &app.client_id, tampered).await).1, "Invalid Refresh Token.");

    let other = create_client(&client, &app.pool_id, "other", |b| b).await.client_id.unwrap();
    let (_, message) = failure(refresh(&client, &other, &refresh_token).await);
    assert_eq!(message, "Refresh Token has different Client");

    cognate.advance_clock(31 * 86_400);
    assert_eq!(failure(refresh(&client, &app.client_id, refresh_token).await).1, "Refresh Token has expired");
}

#[tokio::test]
async fn access_tokens_are_checked_and_revoked() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let app = app(&client, |b| b).await;
    user(&client, &app.pool_id, "hal", PW).await;
    let tokens = sign_in(&client, &app, "hal", PW).await.unwrap();
    let access = tokens.access_token().unwrap().to_string();

    let me = client.get_user().access_token(&access).send().await.unwrap();
    assert_eq!(me.username(), "hal");

    // Tampering with the claims breaks the signature; an ID token is not an access token.
    let mut parts: Vec<String> = access.split('.').map(str::to_string).collect();
    let (_, mut claims) = jwt_parts(&access);
    claims["username"] = "someone-else".into();
    use base64::Engine as _;
    parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string());
    for bad in [parts.join("."), tokens.id_token().unwrap().to_string(), "not.a.jwt".into()] {
        let (code, message) = failure(client.get_user().access_token(bad).send().await);
        assert_eq!((code.as_str(), message.as_str()), ("NotAuthorizedException", "Invalid Access Token"));
    }
    // Another pool's token, made to name this pool, fails this pool's signature check.
    let other = app_for_other_pool(&client).await;
    let foreign = sign_in(&client, &other, "ivy", PW).await.unwrap().access_token.unwrap();
    assert_eq!(client.get_user().access_token(&foreign).send().await.unwrap().username(), "ivy");
    let mut parts: Vec<String> = foreign.split('.').map(str::to_string).collect();
    let (_, mut claims) = jwt_parts(&foreign);
    claims["iss"] = format!("{}/{}", cognate.url, app.pool_id).into();
    parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string());
    assert_eq!(failure(client.get_user().access_token(parts.join(".")).send().await).1, "Invalid Access Token");

    // Expiry, with the clock moved on.
    let later = sign_in(&client, &app, "hal", PW).await.unwrap();
    cognate.advance_clock(3601);
    let (_, message) = failure(client.get_user().access_token(later.access_token().unwrap()).send().await);
    assert_eq!(message, "Access Token has expired");

    // GlobalSignOut revokes every token of the user, refresh tokens included.
    let fresh = sign_in(&client, &app, "hal", PW).await.unwrap();
    client.global_sign_out().access_token(fresh.access_token().unwrap()).send().await.unwrap();
    let (code, message) = failure(client.get_user().access_token(fresh.access_token().unwrap()).send().await);
    assert_eq!((code.as_str(), message.as_str()), ("NotAuthorizedException", "Access Token has been revoked"));
    let (_, message) = failure(refresh(&client, &app.client_id, fresh.refresh_token().unwrap()).await);
    assert_eq!(message, "Refresh Token has been revoked");
    // A sign-in after the sign-out is not affected.
    let after = sign_in(&client, &app, "hal", PW).await.unwrap();
    client.get_user().access_token(after.access_token().unwrap()).send().await.unwrap();

    // RevokeToken ends one sign-in only.
    let one = sign_in(&client, &app, "hal", PW).await.unwrap();
    client.revoke_token().client_id(&app.client_id).token(one.refresh_token().unwrap()).send().await.unwrap();
    let (_, message) = failure(client.get_user().access_token(one.access_token().unwrap()).send().await);
    assert_eq!(message, "Access Token has been revoked");
    client.get_user().access_token(after.access_token().unwrap()).send().await.unwrap();
    let (code, _) =
        failure(client.revoke_token().client_id(&app.client_id).token(after.access_token().unwrap()).send().await);
    assert_eq!(code, "UnsupportedTokenTypeException");

    // AdminUserGlobalSignOut and AdminDisableUser revoke as well.
    client.admin_user_global_sign_out().user_pool_id(&app.pool_id).username("hal").send().await.unwrap();
    let (_, message) = failure(client.get_user().access_token(after.access_token().unwrap()).send().await);
    assert_eq!(message, "Access Token has been revoked");
    let last = sign_in(&client, &app, "hal", PW).await.unwrap();
    client.admin_disable_user().user_pool_id(&app.pool_id).username("hal").send().await.unwrap();
    let (_, message) = failure(client.get_user().access_token(last.access_token().unwrap()).send().await);
    assert_eq!(message, "Access Token has been revoked");
}

#[tokio::test]
async fn refresh_token_rotation() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let rotation = RefreshTokenRotationType::builder()
        .feature(FeatureType::Enabled)
        .retry_grace_period_seconds(10)
        .build()
        .unwrap();
    let app = app(&client, |b| b.refresh_token_rotation(rotation)).await;
    user(&client, &app.pool_id, "jo", PW).await;
    let first = sign_in(&client, &app, "jo", PW).await.unwrap();
    let old = first.refresh_token().unwrap().to_string();

    let rotated =
        client.get_tokens_from_refresh_token().client_id(&app.client_id).refresh_token(&old).send().await.unwrap();
    let new = rotated.authentication_result().unwrap().refresh_token().unwrap().to_string();
    assert_ne!(new, old);
    // Within the grace period the old one still works; after it, it does not.
    client.get_tokens_from_refresh_token().client_id(&app.client_id).refresh_token(&old).send().await.unwrap();
    cognate.advance_clock(11);
    let (code, _) =
        failure(client.get_tokens_from_refresh_token().client_id(&app.client_id).refresh_token(&old).send().await);
    assert_eq!(code, "RefreshTokenReuseException");
    client.get_tokens_from_refresh_token().client_id(&app.client_id).refresh_token(&new).send().await.unwrap();
}

#[tokio::test]
async fn the_aws_issuer_form_and_a_public_url() {
    let cognate =
        Cognate::start_with(&["--ephemeral", "--issuer", "aws", "--public-url", "https://cognito.example.test"]);
    let client = cognate.client();
    let app = app(&client, |b| b).await;
    user(&client, &app.pool_id, "sam", PW).await;
    let tokens = sign_in(&client, &app, "sam", PW).await.unwrap();
    let (_, claims) = jwt_parts(tokens.id_token().unwrap());
    let issuer = format!("https://cognito-idp.us-east-1.amazonaws.com/{}", app.pool_id);
    assert_eq!(claims["iss"], issuer.as_str());
    let (_, config) = cognate.get(&format!("/{}/.well-known/openid-configuration", app.pool_id));
    assert_eq!(config["issuer"], issuer.as_str());
    assert_eq!(
        config["jwks_uri"],
        format!("https://cognito.example.test/{}/.well-known/jwks.json", app.pool_id).as_str()
    );
    // The tokens still work against cognate.
    client.get_user().access_token(tokens.access_token().unwrap()).send().await.unwrap();
}

#[tokio::test]
async fn client_rules_for_revocation_and_refresh() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let app = app(&client, |b| b.enable_token_revocation(false)).await;
    user(&client, &app.pool_id, "tom", PW).await;
    let tokens = sign_in(&client, &app, "tom", PW).await.unwrap();
    let (code, _) =
        failure(client.revoke_token().client_id(&app.client_id).token(tokens.refresh_token().unwrap()).send().await);
    assert_eq!(code, "UnsupportedOperationException");

    let (code, message) = failure(
        client
            .create_user_pool_client()
            .user_pool_id(&app.pool_id)
            .client_name("norefresh")
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .send()
            .await,
    );
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("InvalidParameterException", "REFRESH_TOKEN_AUTH should always be allowed.")
    );
}
