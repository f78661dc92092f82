//! Sign-up, confirmation, password reset and the profile operations, with the codes read from
//! the outbox as a test would.

use crate::testkit::{App, Cognate, app, attr, attr_value, confirm_sign_up, failure, refresh, sign_in, sign_up, user};
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::*;

async fn verifying_app(client: &Client) -> App {
    let app = app(client, |b| b).await;
    client
        .update_user_pool()
        .user_pool_id(&app.pool_id)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .send()
        .await
        .unwrap();
    app
}

/// The password here, in place of testkit's.
const PW: &str = "Sign-up!1pass";

#[tokio::test]
async fn sign_up_and_confirm() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let app = verifying_app(&client).await;

    let signed = sign_up(&client, &app, "kim", PW).await;
    assert!(!signed.user_confirmed());
    assert_eq!(signed.user_sub().len(), 36);
    let delivery = signed.code_delivery_details().unwrap();
    assert_eq!(delivery.destination(), Some("k***@e***"));
    assert_eq!(delivery.delivery_medium(), Some(&DeliveryMediumType::Email));
    assert_eq!(delivery.attribute_name(), Some("email"));

    let message = &cognate.outbox("username=kim")[0];
    assert_eq!(message["subject"], "Your verification code");
    let code = message["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 6);
    assert_eq!(message["message"], format!("Your verification code is {code}. "));

    assert_eq!(
        sign_in(&client, &app, "kim", PW).await.unwrap_err(),
        ("UserNotConfirmedException".into(), "User is not confirmed.".into())
    );
    let (code_, message_) =
        failure(client.sign_up().client_id(&app.client_id).username("kim").password(PW).send().await);
    assert_eq!((code_.as_str(), message_.as_str()), ("UsernameExistsException", "User already exists"));

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (c, m) = failure(confirm_sign_up(&client, &app, "kim", wrong).await);
    assert_eq!(
        (c.as_str(), m.as_str()),
        ("CodeMismatchException", "Invalid verification code provided, please try again.")
    );

    // A resend replaces the code.
    client.resend_confirmation_code().client_id(&app.client_id).username("kim").send().await.unwrap();
    let resent = cognate.last_code("kim");
    confirm_sign_up(&client, &app, "kim", &resent).await.unwrap();
    let got = client.admin_get_user().user_pool_id(&app.pool_id).username("kim").send().await.unwrap();
    assert_eq!(got.user_status(), Some(&UserStatusType::Confirmed));
    assert!(got.user_attributes().iter().any(|a| a.name() == "email_verified" && a.value() == Some("true")));
    assert!(sign_in(&client, &app, "kim", PW).await.is_ok());

    let (c, m) = failure(confirm_sign_up(&client, &app, "kim", &resent).await);
    assert_eq!(
        (c.as_str(), m.as_str()),
        ("NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")
    );
    let (c, m) = failure(client.resend_confirmation_code().client_id(&app.client_id).username("kim").send().await);
    assert_eq!((c.as_str(), m.as_str()), ("InvalidParameterException", "User is already confirmed."));

    // Sign-up checks the policy and the schema.
    let (c, m) = failure(client.sign_up().client_id(&app.client_id).username("lee").password("weakpass").send().await);
    assert_eq!(c, "InvalidPasswordException");
    assert_eq!(m, "Password did not conform with policy: Password must have uppercase characters");
}

#[tokio::test]
async fn codes_expire() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let app = verifying_app(&client).await;
    sign_up(&client, &app, "max", PW).await;
    let code = cognate.last_code("max");
    cognate.advance_clock(86_401);
    let (c, m) = failure(confirm_sign_up(&client, &app, "max", &code).await);
    assert_eq!(
        (c.as_str(), m.as_str()),
        ("ExpiredCodeException", "Invalid code provided, please request a code again.")
    );
}

#[tokio::test]
async fn forgot_and_change_password() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let app = app(&client, |b| b).await;
    user(&client, &app.pool_id, "ned", "0ld!Password").await;

    let out = client.forgot_password().client_id(&app.client_id).username("ned").send().await.unwrap();
    assert_eq!(out.code_delivery_details().unwrap().destination(), Some("n***@e***"));
    let code = cognate.last_code("ned");
    let (c, _) = failure(
        client
            .confirm_forgot_password()
            .client_id(&app.client_id)
            .username("ned")
            .confirmation_code(&code)
            .password("weak")
            .send()
            .await,
    );
    assert_eq!(c, "InvalidPasswordException");
    client
        .confirm_forgot_password()
        .client_id(&app.client_id)
        .username("ned")
        .confirmation_code(&code)
        .password("N3w!Password")
        .send()
        .await
        .unwrap();
    assert_eq!(sign_in(&client, &app, "ned", "0ld!Password").await.unwrap_err().1, "Incorrect username or password.");
    let tokens = sign_in(&client, &app, "ned", "N3w!Password").await.unwrap();

    let access = tokens.access_token().unwrap();
    let (c, m) = failure(
        client
            .change_password()
            .access_token(access)
            .previous_password("wrong")
            .proposed_password("An0ther!pw")
            .send()
            .await,
    );
    assert_eq!((c.as_str(), m.as_str()), ("NotAuthorizedException", "Incorrect username or password."));
    client
        .change_password()
        .access_token(access)
        .previous_password("N3w!Password")
        .proposed_password("An0ther!pw")
        .send()
        .await
        .unwrap();
    assert!(sign_in(&client, &app, "ned", "An0ther!pw").await.is_ok());

    // Without a verified channel there is nowhere to send a code.
    client
        .admin_create_user()
        .user_pool_id(&app.pool_id)
        .username("orphan")
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    let (c, m) = failure(client.forgot_password().client_id(&app.client_id).username("orphan").send().await);
    assert_eq!(c, "InvalidParameterException");
    assert_eq!(m, "Cannot reset password for the user as there is no registered/verified email or phone_number");
}

#[tokio::test]
async fn profile_operations() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let app = verifying_app(&client).await;
    user(&client, &app.pool_id, "oli", PW).await;
    let tokens = sign_in(&client, &app, "oli", PW).await.unwrap();
    let access = tokens.access_token().unwrap();

    let updated = client
        .update_user_attributes()
        .access_token(access)
        .user_attributes(attr("email", "oliver@example.com"))
        .user_attributes(attr("name", "Oliver"))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.code_delivery_details_list()[0].destination(), Some("o***@e***"));
    let me = client.get_user().access_token(access).send().await.unwrap();
    let value = |n: &str| attr_value(me.user_attributes(), n);
    assert_eq!(value("email").as_deref(), Some("oliver@example.com"));
    assert_eq!(value("email_verified").as_deref(), Some("false"));
    assert_eq!(value("name").as_deref(), Some("Oliver"));

    let code = cognate.outbox("destination=oliver@example.com")[0]["code"].as_str().unwrap().to_string();
    client.verify_user_attribute().access_token(access).attribute_name("email").code(&code).send().await.unwrap();
    let me = client.get_user().access_token(access).send().await.unwrap();
    assert!(me.user_attributes().iter().any(|a| a.name() == "email_verified" && a.value() == Some("true")));

    client.get_user_attribute_verification_code().access_token(access).attribute_name("email").send().await.unwrap();
    let (c, _) = failure(
        client.verify_user_attribute().access_token(access).attribute_name("email").code("12345x").send().await,
    );
    assert_eq!(c, "CodeMismatchException");

    let (c, m) = failure(
        client
            .update_user_attributes()
            .access_token(access)
            .user_attributes(attr("email_verified", "true"))
            .send()
            .await,
    );
    assert_eq!(
        (c.as_str(), m.as_str()),
        ("InvalidParameterException", "Cannot modify the non-mutable attribute email_verified")
    );

    client.delete_user_attributes().access_token(access).user_attribute_names("name").send().await.unwrap();
    let me = client.get_user().access_token(access).send().await.unwrap();
    assert!(!me.user_attributes().iter().any(|a| a.name() == "name"));

    client.delete_user().access_token(access).send().await.unwrap();
    let (c, _) = failure(client.admin_get_user().user_pool_id(&app.pool_id).username("oli").send().await);
    assert_eq!(c, "UserNotFoundException");
    let (c, m) = failure(client.get_user().access_token(access).send().await);
    assert_eq!(
        (c.as_str(), m.as_str()),
        ("UserNotFoundException", "User does not exist."),
        "a deleted user's tokens go with them"
    );
    let (c, m) = failure(refresh(&client, &app.client_id, tokens.refresh_token().unwrap()).await);
    assert_eq!((c.as_str(), m.as_str()), ("UserNotFoundException", "User does not exist."));
    // Someone new under the same name inherits nothing from the old tokens.
    user(&client, &app.pool_id, "oli", PW).await;
    let (c, _) = failure(client.get_user().access_token(access).send().await);
    assert_eq!(c, "UserNotFoundException");
}

#[tokio::test]
async fn outbox_filters() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let app = verifying_app(&client).await;
    for name in ["pat", "quinn"] {
        sign_up(&client, &app, name, PW).await;
    }
    assert_eq!(cognate.outbox(&format!("poolId={}", app.pool_id)).len(), 2);
    let pats = cognate.outbox("username=pat");
    assert_eq!(pats.len(), 1);
    assert_eq!(pats[0]["kind"], "SignUp");
    assert_eq!(cognate.outbox("destination=quinn@example.com")[0]["username"], "quinn");
    assert!(cognate.outbox("poolId=us-east-1_none").is_empty());
}

#[tokio::test]
async fn code_requests_are_rate_limited() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let app = app(&client, |b| b).await;
    user(&client, &app.pool_id, "rae", PW).await;
    for _ in 0..5 {
        client.forgot_password().client_id(&app.client_id).username("rae").send().await.unwrap();
    }
    let (c, m) = failure(client.forgot_password().client_id(&app.client_id).username("rae").send().await);
    assert_eq!(
        (c.as_str(), m.as_str()),
        ("LimitExceededException", "Attempt limit exceeded, please try after some time.")
    );
    cognate.advance_clock(3601);
    client.forgot_password().client_id(&app.client_id).username("rae").send().await.unwrap();
}

#[tokio::test]
async fn wrong_codes_are_counted_and_codes_verify_only_their_address() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let app = app(&client, |b| b).await;
    user(&client, &app.pool_id, "uma", PW).await;
    client.forgot_password().client_id(&app.client_id).username("uma").send().await.unwrap();
    let code = cognate.last_code("uma");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let confirm = |c: &str| {
        client
            .confirm_forgot_password()
            .client_id(&app.client_id)
            .username("uma")
            .confirmation_code(c)
            .password("Reset!Passw0rd")
            .send()
    };
    for _ in 0..5 {
        assert_eq!(failure(confirm(wrong).await).0, "CodeMismatchException");
    }
    let (c, m) = failure(confirm(&code).await);
    assert_eq!(
        (c.as_str(), m.as_str()),
        ("LimitExceededException", "Attempt limit exceeded, please try after some time.")
    );

    // A code sent to one address does not verify another the user switched to.
    let tokens = sign_in(&client, &app, "uma", PW).await.unwrap();
    let access = tokens.access_token().unwrap();
    client.get_user_attribute_verification_code().access_token(access).attribute_name("email").send().await.unwrap();
    let old_code = cognate.last_code("uma");
    client
        .update_user_attributes()
        .access_token(access)
        .user_attributes(attr("email", "other@example.com"))
        .send()
        .await
        .unwrap();
    let (c, _) = failure(
        client.verify_user_attribute().access_token(access).attribute_name("email").code(&old_code).send().await,
    );
    assert_eq!(c, "CodeMismatchException");
    let me = client.get_user().access_token(access).send().await.unwrap();
    assert!(me.user_attributes().iter().any(|a| a.name() == "email_verified" && a.value() == Some("false")));
}

#[tokio::test]
async fn clients_and_pools_limit_self_service() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let app = app(&client, |b| b.write_attributes("email").write_attributes("name")).await;
    let (c, m) = failure(
        client
            .sign_up()
            .client_id(&app.client_id)
            .username("vic")
            .password(PW)
            .user_attributes(attr("nickname", "v"))
            .send()
            .await,
    );
    assert_eq!(
        (c.as_str(), m.as_str()),
        ("NotAuthorizedException", "A client attempted to write unauthorized attribute")
    );
    user(&client, &app.pool_id, "vic", PW).await;
    let tokens = sign_in(&client, &app, "vic", PW).await.unwrap();
    let (c, _) = failure(
        client
            .update_user_attributes()
            .access_token(tokens.access_token().unwrap())
            .user_attributes(attr("nickname", "v"))
            .send()
            .await,
    );
    assert_eq!(c, "NotAuthorizedException");

    client
        .update_user_pool()
        .user_pool_id(&app.pool_id)
        .admin_create_user_config(AdminCreateUserConfigType::builder().allow_admin_create_user_only(true).build())
        .send()
        .await
        .unwrap();
    let (c, m) = failure(client.sign_up().client_id(&app.client_id).username("wes").password(PW).send().await);
    assert_eq!((c.as_str(), m.as_str()), ("NotAuthorizedException", "SignUp is not permitted for this user pool"));
}

#[tokio::test]
async fn verification_before_update_keeps_the_old_address() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let app = app(&client, |b| b).await;
    client
        .update_user_pool()
        .user_pool_id(&app.pool_id)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .user_attribute_update_settings(
            UserAttributeUpdateSettingsType::builder()
                .attributes_require_verification_before_update(VerifiedAttributeType::Email)
                .build(),
        )
        .send()
        .await
        .unwrap();
    user(&client, &app.pool_id, "yan", PW).await;
    let tokens = sign_in(&client, &app, "yan", PW).await.unwrap();
    let access = tokens.access_token().unwrap();
    client
        .update_user_attributes()
        .access_token(access)
        .user_attributes(attr("email", "yan.new@example.com"))
        .send()
        .await
        .unwrap();
    let email = |me: &aws_sdk_cognitoidentityprovider::operation::get_user::GetUserOutput| {
        attr_value(me.user_attributes(), "email")
    };
    let me = client.get_user().access_token(access).send().await.unwrap();
    assert_eq!(
        email(&me).as_deref(),
        Some("yan@example.com"),
        "the verified address stays until the new one is verified"
    );
    let code = cognate.outbox("destination=yan.new@example.com")[0]["code"].as_str().unwrap().to_string();
    client.verify_user_attribute().access_token(access).attribute_name("email").code(&code).send().await.unwrap();
    let me = client.get_user().access_token(access).send().await.unwrap();
    assert_eq!(email(&me).as_deref(), Some("yan.new@example.com"));
    assert!(me.user_attributes().iter().any(|a| a.name() == "email_verified" && a.value() == Some("true")));
}
