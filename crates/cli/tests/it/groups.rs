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
