//! Groups and membership.

use crate::testkit::{Cognate, add_to_group, failure, pool};

#[tokio::test]
async fn groups_and_membership() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let pool_id = pool(&client, "g").await;
    let created = client
        .create_group()
        .user_pool_id(&pool_id)
        .group_name("admins")
        .precedence(1)
        .role_arn("arn:aws:iam::000000000000:role/admin")
        .description("Admins")
        .send()
        .await
        .unwrap()
        .group
        .unwrap();
    assert_eq!((created.group_name(), created.precedence()), (Some("admins"), Some(1)));
    let (code, message) = failure(client.create_group().user_pool_id(&pool_id).group_name("admins").send().await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("GroupExistsException", "A group with the name admins already exists.")
    );
    client.create_group().user_pool_id(&pool_id).group_name("users").send().await.unwrap();

    let updated = client
        .update_group()
        .user_pool_id(&pool_id)
        .group_name("admins")
        .precedence(5)
        .send()
        .await
        .unwrap()
        .group
        .unwrap();
    assert_eq!(
        (updated.precedence(), updated.description()),
        (Some(5), Some("Admins")),
        "what an update leaves out stays"
    );

    client.admin_create_user().user_pool_id(&pool_id).username("gina").send().await.unwrap();
    for g in ["admins", "users"] {
        add_to_group(&client, &pool_id, "gina", g).await.unwrap();
    }
    let groups = client.admin_list_groups_for_user().user_pool_id(&pool_id).username("gina").send().await.unwrap();
    let names: Vec<_> = groups.groups().iter().map(|g| g.group_name().unwrap()).collect();
    assert_eq!(names, ["admins", "users"]);
    let members = client.list_users_in_group().user_pool_id(&pool_id).group_name("admins").send().await.unwrap();
    assert_eq!(members.users()[0].username(), Some("gina"));

    let (code, message) = failure(add_to_group(&client, &pool_id, "gina", "nope").await);
    assert_eq!((code.as_str(), message.as_str()), ("ResourceNotFoundException", "Group not found."));
    let (code, _) = failure(add_to_group(&client, &pool_id, "nobody", "users").await);
    assert_eq!(code, "UserNotFoundException");

    client
        .admin_remove_user_from_group()
        .user_pool_id(&pool_id)
        .username("gina")
        .group_name("users")
        .send()
        .await
        .unwrap();
    client.delete_group().user_pool_id(&pool_id).group_name("admins").send().await.unwrap();
    let groups = client.admin_list_groups_for_user().user_pool_id(&pool_id).username("gina").send().await.unwrap();
    assert!(groups.groups().is_empty(), "deleting a group ends its memberships");
    let (code, _) = failure(client.get_group().user_pool_id(&pool_id).group_name("admins").send().await);
    assert_eq!(code, "ResourceNotFoundException");
    let listed = client.list_groups().user_pool_id(&pool_id).send().await.unwrap();
    assert_eq!(listed.groups().len(), 1);
}

/// The ID token names the IAM roles of the user's groups and the one of the group that takes
/// precedence; two groups tied with different roles leave none preferred ("Adding groups to a
/// user pool", and the ID token example in "Understanding the identity (ID) token").
#[tokio::test]
async fn the_id_token_carries_the_groups_roles_and_the_preferred_one() {
    use crate::testkit::{PW, app, jwt_parts, sign_in, user};
    let cognate = Cognate::start();
    let client = cognate.client();
    let app = app(&client, |b| b).await;
    user(&client, &app.pool_id, "ada", PW).await;
    let role = |n: &str| format!("arn:aws:iam::000000000000:role/{n}");
    for (name, precedence, arn) in
        [("editors", Some(2), Some(role("Editor"))), ("admins", Some(1), Some(role("Admin"))), ("plain", Some(0), None)]
    {
        client
            .create_group()
            .user_pool_id(&app.pool_id)
            .group_name(name)
            .set_precedence(precedence)
            .set_role_arn(arn)
            .send()
            .await
            .unwrap();
        add_to_group(&client, &app.pool_id, "ada", name).await.unwrap();
    }
    let tokens = sign_in(&client, &app, "ada", PW).await.unwrap();
    let (_, id) = jwt_parts(tokens.id_token.as_deref().unwrap());
    assert_eq!(id["cognito:roles"], serde_json::json!([role("Admin"), role("Editor")]), "a list, in precedence order");
    assert_eq!(id["cognito:preferred_role"], role("Admin").as_str(), "a group without a role is passed over");
    let (_, access) = jwt_parts(tokens.access_token.as_deref().unwrap());
    assert!(access.get("cognito:roles").is_none() && access.get("cognito:preferred_role").is_none());

    client.update_group().user_pool_id(&app.pool_id).group_name("editors").precedence(1).send().await.unwrap();
    let tokens = sign_in(&client, &app, "ada", PW).await.unwrap();
    let (_, id) = jwt_parts(tokens.id_token.as_deref().unwrap());
    assert!(id.get("cognito:preferred_role").is_none(), "tied with different roles: none preferred, {id}");
    assert_eq!(id["cognito:roles"].as_array().map(Vec::len), Some(2));
}
