//! Users as administrators manage them.

use crate::testkit::{Cognate, attr, attr_value, create_pool, failure, pool, set_password};
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::*;

async fn status(client: &Client, pool_id: &str, username: &str) -> UserStatusType {
    client.admin_get_user().user_pool_id(pool_id).username(username).send().await.unwrap().user_status.unwrap()
}

#[tokio::test]
async fn admin_create_user() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let pool_id = pool(&client, "users").await;
    let user = client
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("alice")
        .temporary_password("Temp123!x")
        .user_attributes(attr("email", "alice@example.com"))
        .user_attributes(attr("email_verified", "true"))
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap()
        .user
        .unwrap();
    assert_eq!(user.username(), Some("alice"));
    assert_eq!(user.user_status(), Some(&UserStatusType::ForceChangePassword));
    assert!(user.enabled());
    let sub = &user.attributes()[0];
    assert_eq!(sub.name(), "sub", "sub comes first");
    let uuid = sub.value().unwrap();
    assert_eq!(uuid.len(), 36);
    assert_eq!(&uuid[14..15], "4", "a version 4 UUID");

    let got = client.admin_get_user().user_pool_id(&pool_id).username("alice").send().await.unwrap();
    assert_eq!(got.username(), "alice");
    let names: Vec<_> = got.user_attributes().iter().map(|a| a.name()).collect();
    assert_eq!(names, ["sub", "email", "email_verified"]);

    let (code, message) = failure(client.admin_create_user().user_pool_id(&pool_id).username("alice").send().await);
    assert_eq!((code.as_str(), message.as_str()), ("UsernameExistsException", "User account already exists"));

    let (code, message) = failure(
        client.admin_create_user().user_pool_id(&pool_id).username("bob").temporary_password("short").send().await,
    );
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("InvalidPasswordException", "Password did not conform with policy: Password not long enough")
    );
    let (_, message) = failure(
        client
            .admin_create_user()
            .user_pool_id(&pool_id)
            .username("bob")
            .temporary_password("nouppercase1!")
            .send()
            .await,
    );
    assert_eq!(message, "Password did not conform with policy: Password must have uppercase characters");

    let (code, message) = failure(
        client
            .admin_create_user()
            .user_pool_id(&pool_id)
            .username("bob")
            .user_attributes(attr("custom:a", "x"))
            .user_attributes(attr("custom:b", "y"))
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "Attributes did not conform to the schema: custom:a: Attribute does not exist in the schema.\ncustom:b: Attribute does not exist in the schema.\n"
    );
    let (_, message) = failure(
        client
            .admin_create_user()
            .user_pool_id(&pool_id)
            .username("bob")
            .user_attributes(attr("email", "nope"))
            .send()
            .await,
    );
    assert_eq!(message, "Invalid email address format.");

    // Without a temporary password, one is generated; RESEND issues a new one.
    client.admin_create_user().user_pool_id(&pool_id).username("carol").send().await.unwrap();
    let resent = client
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("carol")
        .message_action(MessageActionType::Resend)
        .send()
        .await
        .unwrap();
    assert_eq!(resent.user().unwrap().username(), Some("carol"));
    let (code, _) = failure(
        client
            .admin_create_user()
            .user_pool_id(&pool_id)
            .username("nobody")
            .message_action(MessageActionType::Resend)
            .send()
            .await,
    );
    assert_eq!(code, "UserNotFoundException");

    let (code, message) = failure(client.admin_get_user().user_pool_id(&pool_id).username("nobody").send().await);
    assert_eq!((code.as_str(), message.as_str()), ("UserNotFoundException", "User does not exist."));
}

#[tokio::test]
async fn email_as_username() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let pool_id =
        create_pool(&client, "email", |b| b.username_attributes(UsernameAttributeType::Email)).await.id.unwrap();
    let (_, message) = failure(client.admin_create_user().user_pool_id(&pool_id).username("not-an-email").send().await);
    assert_eq!(message, "Username should be an email.");

    let user = client
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("dan@example.com")
        .send()
        .await
        .unwrap()
        .user
        .unwrap();
    let sub = user.attributes().iter().find(|a| a.name() == "sub").unwrap().value().unwrap().to_string();
    assert_eq!(user.username(), Some(sub.as_str()), "the username is the sub");
    assert!(user.attributes().iter().any(|a| a.name() == "email" && a.value() == Some("dan@example.com")));

    // The email finds the user, and belongs to one user only.
    let got = client.admin_get_user().user_pool_id(&pool_id).username("dan@example.com").send().await.unwrap();
    assert_eq!(got.username(), sub);
    let (code, message) =
        failure(client.admin_create_user().user_pool_id(&pool_id).username("dan@example.com").send().await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("UsernameExistsException", "An account with the given email already exists.")
    );
}

#[tokio::test]
async fn verified_aliases_are_unique() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let pool_id = create_pool(&client, "alias", |b| b.alias_attributes(AliasAttributeType::Email)).await.id.unwrap();
    let create = |name: &'static str, force: bool| {
        client
            .admin_create_user()
            .user_pool_id(&pool_id)
            .username(name)
            .user_attributes(attr("email", "shared@example.com"))
            .user_attributes(attr("email_verified", "true"))
            .force_alias_creation(force)
            .send()
    };
    create("first", false).await.unwrap();
    let (code, message) = failure(create("second", false).await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("AliasExistsException", "An account with the given email already exists.")
    );
    let got = client.admin_get_user().user_pool_id(&pool_id).username("shared@example.com").send().await.unwrap();
    assert_eq!(got.username(), "first", "a verified alias signs in as its user");

    create("second", true).await.unwrap();
    let got = client.admin_get_user().user_pool_id(&pool_id).username("shared@example.com").send().await.unwrap();
    assert_eq!(got.username(), "second", "ForceAliasCreation moves the alias");
    let first = client.admin_get_user().user_pool_id(&pool_id).username("first").send().await.unwrap();
    assert!(first.user_attributes().iter().any(|a| a.name() == "email_verified" && a.value() == Some("false")));
}

#[tokio::test]
async fn attributes_status_and_passwords() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let pool_id = pool(&client, "users").await;
    client
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("erin")
        .user_attributes(attr("email", "erin@example.com"))
        .user_attributes(attr("email_verified", "true"))
        .user_attributes(attr("name", "Erin"))
        .send()
        .await
        .unwrap();

    // A changed email is no longer verified.
    client
        .admin_update_user_attributes()
        .user_pool_id(&pool_id)
        .username("erin")
        .user_attributes(attr("email", "erin2@example.com"))
        .send()
        .await
        .unwrap();
    let got = client.admin_get_user().user_pool_id(&pool_id).username("erin").send().await.unwrap();
    let value = |n: &str| attr_value(got.user_attributes(), n);
    assert_eq!(value("email").as_deref(), Some("erin2@example.com"));
    assert_eq!(value("email_verified").as_deref(), Some("false"));

    let (code, message) = failure(
        client
            .admin_update_user_attributes()
            .user_pool_id(&pool_id)
            .username("erin")
            .user_attributes(attr("sub", "x"))
            .send()
            .await,
    );
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("InvalidParameterException", "user.sub: Attribute cannot be updated.\n")
    );
    let (_, message) = failure(
        client
            .admin_update_user_attributes()
            .user_pool_id(&pool_id)
            .username("erin")
            .user_attributes(attr("custom:address", "x"))
            .send()
            .await,
    );
    assert_eq!(message, "user.custom:address: Attribute does not exist in the schema.\n");

    client
        .admin_delete_user_attributes()
        .user_pool_id(&pool_id)
        .username("erin")
        .user_attribute_names("name")
        .send()
        .await
        .unwrap();
    let got = client.admin_get_user().user_pool_id(&pool_id).username("erin").send().await.unwrap();
    assert!(!got.user_attributes().iter().any(|a| a.name() == "name"));

    client.admin_disable_user().user_pool_id(&pool_id).username("erin").send().await.unwrap();
    let got = client.admin_get_user().user_pool_id(&pool_id).username("erin").send().await.unwrap();
    assert!(!got.enabled());
    client.admin_enable_user().user_pool_id(&pool_id).username("erin").send().await.unwrap();

    assert_eq!(status(&client, &pool_id, "erin").await, UserStatusType::ForceChangePassword);
    let (code, _) = failure(set_password(&client, &pool_id, "erin", "weak", true).await);
    assert_eq!(code, "InvalidPasswordException");
    set_password(&client, &pool_id, "erin", "Str0ng!pass", true).await.unwrap();
    assert_eq!(status(&client, &pool_id, "erin").await, UserStatusType::Confirmed);
    set_password(&client, &pool_id, "erin", "Str0ng!pass2", false).await.unwrap();
    assert_eq!(status(&client, &pool_id, "erin").await, UserStatusType::ForceChangePassword);

    let (code, message) = failure(client.admin_confirm_sign_up().user_pool_id(&pool_id).username("erin").send().await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("NotAuthorizedException", "User cannot be confirmed. Current status is FORCE_CHANGE_PASSWORD")
    );

    set_password(&client, &pool_id, "erin", "Str0ng!pass", true).await.unwrap();
    // The changed email is unverified, so there is nowhere to send a reset code.
    let (_, message) = failure(client.admin_reset_user_password().user_pool_id(&pool_id).username("erin").send().await);
    assert_eq!(message, "Cannot reset password for the user as there is no registered/verified email or phone_number");
    client
        .admin_update_user_attributes()
        .user_pool_id(&pool_id)
        .username("erin")
        .user_attributes(attr("email_verified", "true"))
        .send()
        .await
        .unwrap();
    client.admin_reset_user_password().user_pool_id(&pool_id).username("erin").send().await.unwrap();
    assert_eq!(status(&client, &pool_id, "erin").await, UserStatusType::ResetRequired);

    client.admin_delete_user().user_pool_id(&pool_id).username("erin").send().await.unwrap();
    let (code, _) = failure(client.admin_get_user().user_pool_id(&pool_id).username("erin").send().await);
    assert_eq!(code, "UserNotFoundException");
}

#[tokio::test]
async fn list_users_filters_and_pages() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let pool_id = pool(&client, "users").await;
    for (name, email, family) in [
        ("u1", "ann@example.com", "Reddy"),
        ("u2", "anne@example.org", "Smith"),
        ("u3", "bob@example.com", "Reddy"),
        ("u4", "Annabel@Example.com", "Jones"),
    ] {
        client
            .admin_create_user()
            .user_pool_id(&pool_id)
            .username(name)
            .user_attributes(attr("email", email))
            .user_attributes(attr("family_name", family))
            .send()
            .await
            .unwrap();
    }
    client.admin_disable_user().user_pool_id(&pool_id).username("u3").send().await.unwrap();
    let names = |r: &aws_sdk_cognitoidentityprovider::operation::list_users::ListUsersOutput| {
        let mut v: Vec<String> = r.users().iter().map(|u| u.username().unwrap().to_string()).collect();
        v.sort();
        v
    };
    let list = |filter: &str| client.list_users().user_pool_id(&pool_id).filter(filter).send();

    assert_eq!(names(&list("email ^= \"ann\"").await.unwrap()), ["u1", "u2", "u4"], "prefix, case-insensitive");
    assert_eq!(names(&list("family_name = \"Reddy\"").await.unwrap()), ["u1", "u3"]);
    assert_eq!(names(&list("status = \"Disabled\"").await.unwrap()), ["u3"]);
    assert_eq!(names(&list("cognito:user_status = \"FORCE_CHANGE_PASSWORD\"").await.unwrap()).len(), 4);
    assert_eq!(names(&list("username = \"u2\"").await.unwrap()), ["u2"]);
    assert!(list("email = \"nobody@example.com\"").await.unwrap().users().is_empty());

    let (code, message) = failure(list("email ~ \"x\"").await);
    assert_eq!((code.as_str(), message.as_str()), ("InvalidParameterException", "Error while parsing filter."));

    // Pages of two, then the rest, with only the attributes asked for.
    let first = client.list_users().user_pool_id(&pool_id).limit(2).attributes_to_get("email").send().await.unwrap();
    assert_eq!(first.users().len(), 2);
    assert!(first.users().iter().all(|u| u.attributes().len() == 1 && u.attributes()[0].name() == "email"));
    let second = client
        .list_users()
        .user_pool_id(&pool_id)
        .limit(2)
        .pagination_token(first.pagination_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(second.users().len(), 2);
    assert!(second.pagination_token().is_none());
    let mut all: Vec<_> = first.users().iter().chain(second.users()).map(|u| u.username().unwrap()).collect();
    all.sort();
    assert_eq!(all, ["u1", "u2", "u3", "u4"]);

    let (code, _) = failure(client.list_users().user_pool_id(&pool_id).limit(61).send().await);
    assert_eq!(code, "InvalidParameterException");
    let described = client.describe_user_pool().user_pool_id(&pool_id).send().await.unwrap();
    assert_eq!(described.user_pool().unwrap().estimated_number_of_users(), 4);
}

#[tokio::test]
async fn usernames_are_case_sensitive_unless_configured() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let sensitive = pool(&client, "users").await;
    client.admin_create_user().user_pool_id(&sensitive).username("Frank").send().await.unwrap();
    client.admin_create_user().user_pool_id(&sensitive).username("frank").send().await.unwrap();

    let insensitive = create_pool(&client, "ci", |b| {
        b.username_configuration(UsernameConfigurationType::builder().case_sensitive(false).build().unwrap())
    })
    .await
    .id
    .unwrap();
    client.admin_create_user().user_pool_id(&insensitive).username("Frank").send().await.unwrap();
    let (code, _) = failure(client.admin_create_user().user_pool_id(&insensitive).username("FRANK").send().await);
    assert_eq!(code, "UsernameExistsException");
    let got = client.admin_get_user().user_pool_id(&insensitive).username("frank").send().await.unwrap();
    assert_eq!(got.username(), "Frank", "the username keeps the case it was created with");
}
