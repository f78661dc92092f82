//! User pools: defaults, updates, deletion, listing, custom attributes and tags.

use crate::testkit::{Cognate, create_pool, failure, pool};
use aws_sdk_cognitoidentityprovider::types::*;

#[tokio::test]
async fn a_new_pool_has_cognitos_defaults() {
    let cognate = Cognate::start();
    let client = cognate.client_in("eu-west-2");
    let pool = create_pool(&client, "defaults", |b| b).await;

    let id = pool.id().unwrap();
    let (region, suffix) = id.split_once('_').unwrap();
    assert_eq!(region, "eu-west-2", "the region comes from the request's signature");
    assert_eq!(suffix.len(), 9);
    assert!(suffix.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(pool.arn().unwrap(), format!("arn:aws:cognito-idp:eu-west-2:000000000000:userpool/{id}"));

    let described = client.describe_user_pool().user_pool_id(id).send().await.unwrap().user_pool.unwrap();
    let policy = described.policies().unwrap().password_policy().unwrap();
    assert_eq!(policy.minimum_length(), Some(8));
    assert_eq!(
        (policy.require_uppercase(), policy.require_lowercase(), policy.require_numbers(), policy.require_symbols()),
        (true, true, true, true)
    );
    assert_eq!(policy.temporary_password_validity_days(), 7);
    assert_eq!(described.mfa_configuration(), Some(&UserPoolMfaType::Off));
    assert_eq!(described.deletion_protection(), Some(&DeletionProtectionType::Inactive));
    assert_eq!(described.estimated_number_of_users(), 0);
    assert_eq!(
        described.email_configuration().unwrap().email_sending_account(),
        Some(&EmailSendingAccountType::CognitoDefault)
    );
    let admin = described.admin_create_user_config().unwrap();
    assert_eq!((admin.allow_admin_create_user_only(), admin.unused_account_validity_days()), (false, 7));
    assert_eq!(
        described.verification_message_template().unwrap().default_email_option(),
        Some(&DefaultEmailOptionType::ConfirmWithCode)
    );

    let schema = described.schema_attributes();
    let names: Vec<_> = schema.iter().map(|s| s.name().unwrap()).collect();
    assert_eq!(
        names,
        [
            "sub",
            "name",
            "given_name",
            "family_name",
            "middle_name",
            "nickname",
            "preferred_username",
            "profile",
            "picture",
            "website",
            "email",
            "email_verified",
            "gender",
            "birthdate",
            "zoneinfo",
            "locale",
            "phone_number",
            "phone_number_verified",
            "address",
            "updated_at"
        ]
    );
    let sub = &schema[0];
    assert_eq!((sub.mutable(), sub.required()), (Some(false), Some(true)));
    assert_eq!(sub.string_attribute_constraints().unwrap().min_length(), Some("1"));
}

#[tokio::test]
async fn schema_custom_attributes_and_policies_are_kept() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let pool = create_pool(&client, "custom", |b| {
        b.policies(
            UserPoolPolicyType::builder()
                .password_policy(PasswordPolicyType::builder().minimum_length(10).require_numbers(true).build())
                .build(),
        )
        .schema(SchemaAttributeType::builder().name("email").required(true).mutable(true).build())
        .schema(
            SchemaAttributeType::builder()
                .name("tier")
                .attribute_data_type(AttributeDataType::String)
                .mutable(true)
                .build(),
        )
        .auto_verified_attributes(VerifiedAttributeType::Email)
    })
    .await;
    let policy = pool.policies().unwrap().password_policy().unwrap();
    assert_eq!((policy.minimum_length(), policy.require_numbers(), policy.require_symbols()), (Some(10), true, false));
    let email = pool.schema_attributes().iter().find(|s| s.name() == Some("email")).unwrap();
    assert_eq!(email.required(), Some(true));
    let tier = pool.schema_attributes().iter().find(|s| s.name() == Some("custom:tier")).unwrap();
    assert_eq!(tier.string_attribute_constraints().unwrap().max_length(), Some("2048"));
    assert_eq!(pool.auto_verified_attributes(), [VerifiedAttributeType::Email]);

    let id = pool.id().unwrap();
    client
        .add_custom_attributes()
        .user_pool_id(id)
        .custom_attributes(
            SchemaAttributeType::builder().name("age").attribute_data_type(AttributeDataType::Number).build(),
        )
        .send()
        .await
        .unwrap();
    let (code, message) = failure(
        client
            .add_custom_attributes()
            .user_pool_id(id)
            .custom_attributes(SchemaAttributeType::builder().name("tier").build())
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(message, "custom:tier: Existing attribute already has name custom:tier.");
    let (_, message) = failure(
        client
            .add_custom_attributes()
            .user_pool_id(id)
            .custom_attributes(SchemaAttributeType::builder().name("must").required(true).build())
            .send()
            .await,
    );
    assert_eq!(message, "Required custom attributes are not supported currently.");
    let described = client.describe_user_pool().user_pool_id(id).send().await.unwrap().user_pool.unwrap();
    assert!(described.schema_attributes().iter().any(|s| s.name() == Some("custom:age")));
    assert!(!described.schema_attributes().iter().any(|s| s.name() == Some("custom:must")));

    let (_, message) = failure(
        client
            .create_user_pool()
            .pool_name("both")
            .alias_attributes(AliasAttributeType::Email)
            .username_attributes(UsernameAttributeType::Email)
            .send()
            .await,
    );
    assert_eq!(message, "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.");
}

#[tokio::test]
async fn update_resets_what_it_does_not_name() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let pool = create_pool(&client, "upd", |b| {
        b.mfa_configuration(UserPoolMfaType::Off).auto_verified_attributes(VerifiedAttributeType::Email)
    })
    .await;
    let id = pool.id().unwrap();
    client
        .update_user_pool()
        .user_pool_id(id)
        .deletion_protection(DeletionProtectionType::Active)
        .user_pool_tags("team", "auth")
        .send()
        .await
        .unwrap();
    let described = client.describe_user_pool().user_pool_id(id).send().await.unwrap().user_pool.unwrap();
    assert_eq!(described.deletion_protection(), Some(&DeletionProtectionType::Active));
    assert!(described.auto_verified_attributes().is_empty(), "unset on update, so back to the default");
    assert_eq!(described.name(), Some("upd"));
    assert_eq!(described.user_pool_tags().unwrap().get("team").map(String::as_str), Some("auth"));
    assert!(described.last_modified_date().unwrap() >= described.creation_date().unwrap());

    let (code, message) = failure(client.delete_user_pool().user_pool_id(id).send().await);
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first."
    );
    client.update_user_pool().user_pool_id(id).send().await.unwrap();
    client.delete_user_pool().user_pool_id(id).send().await.unwrap();
    let (code, message) = failure(client.describe_user_pool().user_pool_id(id).send().await);
    assert_eq!((code.as_str(), message), ("ResourceNotFoundException", format!("User pool {id} does not exist.")));
}

#[tokio::test]
async fn list_pools_pages() {
    let cognate = Cognate::start();
    let client = cognate.client();
    for i in 0..5 {
        pool(&client, format!("p{i}")).await;
    }
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = client.list_user_pools().max_results(2).set_next_token(token).send().await.unwrap();
        assert!(page.user_pools().len() <= 2);
        seen.extend(page.user_pools().iter().map(|p| p.name().unwrap().to_string()));
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    seen.sort();
    assert_eq!(seen, ["p0", "p1", "p2", "p3", "p4"]);
    let (code, _) = failure(client.list_user_pools().max_results(61).send().await);
    assert_eq!(code, "InvalidParameterException");
}

#[tokio::test]
async fn tags() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let pool = create_pool(&client, "t", |b| b.user_pool_tags("a", "1")).await;
    let arn = pool.arn().unwrap();
    client.tag_resource().resource_arn(arn).tags("b", "2").send().await.unwrap();
    client.untag_resource().resource_arn(arn).tag_keys("a").send().await.unwrap();
    let tags = client.list_tags_for_resource().resource_arn(arn).send().await.unwrap();
    assert_eq!(tags.tags().unwrap().len(), 1);
    assert_eq!(tags.tags().unwrap().get("b").map(String::as_str), Some("2"));
    let (code, _) = failure(
        client
            .list_tags_for_resource()
            .resource_arn("arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_none")
            .send()
            .await,
    );
    assert_eq!(code, "ResourceNotFoundException");
}

#[tokio::test]
async fn pools_made_in_a_burst_each_get_keys_of_their_own() {
    // More pools than the key reserve holds: the later ones get their keys at first use.
    let cognate = Cognate::start();
    let client = cognate.client();
    let mut kids = std::collections::BTreeSet::new();
    for i in 0..12 {
        let id = pool(&client, format!("burst{i}")).await;
        let (status, jwks) = cognate.get(&format!("/{id}/.well-known/jwks.json"));
        assert_eq!(status, 200);
        let (_, again) = cognate.get(&format!("/{id}/.well-known/jwks.json"));
        assert_eq!(jwks, again, "a pool's keys, once made, stay");
        for key in jwks["keys"].as_array().unwrap() {
            assert!(kids.insert(key["kid"].as_str().unwrap().to_string()), "no two pools share a key");
        }
    }
    assert_eq!(kids.len(), 24);
}
