//! App clients: ids, secrets, defaults and the rules on their settings.

use crate::testkit::{Cognate, create_client, failure, pool};
use aws_sdk_cognitoidentityprovider::types::*;

#[tokio::test]
async fn a_new_client_has_cognitos_defaults() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let pool_id = pool(&client, "clients").await;
    let app = create_client(&client, &pool_id, "web", |b| b).await;
    let id = app.client_id().unwrap();
    assert_eq!(id.len(), 26);
    assert!(id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    assert!(app.client_secret().is_none());

    let described = client
        .describe_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(id)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert_eq!(described.refresh_token_validity(), 30);
    assert_eq!(described.prevent_user_existence_errors(), Some(&PreventUserExistenceErrorTypes::Legacy));
    assert_eq!(described.enable_token_revocation(), Some(true));
    assert_eq!(described.auth_session_validity(), Some(3));
    assert_eq!(described.allowed_o_auth_flows_user_pool_client(), Some(false));
    assert_eq!(
        described.explicit_auth_flows(),
        [
            ExplicitAuthFlowsType::AllowRefreshTokenAuth,
            ExplicitAuthFlowsType::AllowUserSrpAuth,
            ExplicitAuthFlowsType::AllowCustomAuth
        ]
    );

    let with_secret = create_client(&client, &pool_id, "server", |b| b.generate_secret(true)).await;
    let secret = with_secret.client_secret().unwrap();
    assert!(secret.len() >= 51 && secret.chars().all(|c| c.is_ascii_alphanumeric()), "{secret}");
}

#[tokio::test]
async fn settings_are_checked() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let pool_id = pool(&client, "clients").await;

    let (code, message) = failure(
        client.create_user_pool_client().user_pool_id(&pool_id).client_name("c").access_token_validity(25).send().await,
    );
    // 25 hours (the default unit) is more than a day.
    assert_eq!((code.as_str(), message.as_str()), ("InvalidParameterException", "Invalid range for token validity."));
    // 2 days of access token is too long; 30 minutes is fine.
    let units = TokenValidityUnitsType::builder().access_token(TimeUnitsType::Days).build();
    let (_, message) = failure(
        client
            .create_user_pool_client()
            .user_pool_id(&pool_id)
            .client_name("c")
            .access_token_validity(2)
            .token_validity_units(units)
            .send()
            .await,
    );
    assert_eq!(message, "Invalid range for token validity.");
    let units = TokenValidityUnitsType::builder().access_token(TimeUnitsType::Minutes).build();
    create_client(&client, &pool_id, "c", |b| b.access_token_validity(30).token_validity_units(units)).await;

    let (code, message) = failure(
        client
            .create_user_pool_client()
            .user_pool_id(&pool_id)
            .client_name("c")
            .write_attributes("custom:nope")
            .send()
            .await,
    );
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("InvalidParameterException", "Invalid write attributes specified while creating a client")
    );
    let (_, message) = failure(
        client.create_user_pool_client().user_pool_id(&pool_id).client_name("c").read_attributes("nope").send().await,
    );
    assert_eq!(message, "Invalid read attributes specified while creating a client");

    let (code, _) = failure(
        client
            .create_user_pool_client()
            .user_pool_id(&pool_id)
            .client_name("c")
            .explicit_auth_flows(ExplicitAuthFlowsType::AdminNoSrpAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException");

    let (code, message) =
        failure(client.create_user_pool_client().user_pool_id("us-east-1_missing").client_name("c").send().await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("ResourceNotFoundException", "User pool us-east-1_missing does not exist.")
    );
}

#[tokio::test]
async fn update_list_and_delete() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let pool_id = pool(&client, "clients").await;
    let mut ids = Vec::new();
    for name in ["a", "b", "c"] {
        ids.push(create_client(&client, &pool_id, name, |b| b.generate_secret(true)).await);
    }
    let first = &ids[0];
    let id = first.client_id().unwrap();
    let updated = client
        .update_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(id)
        .client_name("renamed")
        .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert_eq!(updated.client_name(), Some("renamed"));
    assert_eq!(updated.client_secret(), first.client_secret(), "an update keeps the secret");
    assert_eq!(updated.prevent_user_existence_errors(), Some(&PreventUserExistenceErrorTypes::Enabled));

    let page = client.list_user_pool_clients().user_pool_id(&pool_id).max_results(2).send().await.unwrap();
    assert_eq!(page.user_pool_clients().len(), 2);
    let rest = client
        .list_user_pool_clients()
        .user_pool_id(&pool_id)
        .max_results(2)
        .next_token(page.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rest.user_pool_clients().len(), 1);
    assert!(rest.next_token().is_none());

    client.delete_user_pool_client().user_pool_id(&pool_id).client_id(id).send().await.unwrap();
    let (code, message) = failure(client.describe_user_pool_client().user_pool_id(&pool_id).client_id(id).send().await);
    assert_eq!(
        (code.as_str(), message),
        ("ResourceNotFoundException", format!("User pool client {id} does not exist."))
    );

    // A client is found only in its own pool.
    let other = pool(&client, "clients").await;
    let second = ids[1].client_id().unwrap();
    let (code, _) = failure(client.describe_user_pool_client().user_pool_id(&other).client_id(second).send().await);
    assert_eq!(code, "ResourceNotFoundException");
}
