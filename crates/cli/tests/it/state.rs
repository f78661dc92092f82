//! State that outlives a request: persistence, the seed file and reset.

use crate::testkit::{Cognate, add_to_group, attr, pool};
use aws_sdk_cognitoidentityprovider::types::*;
use serde_json::json;

#[tokio::test]
async fn acknowledged_writes_survive_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let pool_id = {
        let cognate = Cognate::start_in(dir.path());
        let client = cognate.client();
        let pool_id = pool(&client, "durable").await;
        client
            .admin_create_user()
            .user_pool_id(&pool_id)
            .username("hana")
            .user_attributes(attr("email", "hana@example.com"))
            .send()
            .await
            .unwrap();
        client.create_group().user_pool_id(&pool_id).group_name("g").send().await.unwrap();
        add_to_group(&client, &pool_id, "hana", "g").await.unwrap();
        cognate.kill();
        pool_id
    };
    let cognate = Cognate::start_in(dir.path());
    let client = cognate.client();
    let user = client.admin_get_user().user_pool_id(&pool_id).username("hana").send().await.unwrap();
    assert!(user.user_attributes().iter().any(|a| a.value() == Some("hana@example.com")));
    let groups = client.admin_list_groups_for_user().user_pool_id(&pool_id).username("hana").send().await.unwrap();
    assert_eq!(groups.groups().len(), 1);
    let listed =
        client.list_users().user_pool_id(&pool_id).filter("email = \"hana@example.com\"").send().await.unwrap();
    assert_eq!(listed.users().len(), 1, "the indexes came back too");
}

#[tokio::test]
async fn ephemeral_state_does_not_survive() {
    let cognate = Cognate::start();
    pool(&cognate.client(), "gone").await;
    cognate.kill();
    let cognate = Cognate::start();
    let pools = cognate.client().list_user_pools().max_results(10).send().await.unwrap();
    assert!(pools.user_pools().is_empty());
}

const SEED: &str = r#"
[[pool]]
id = "us-east-1_TestPoolId"
name = "TestPool"
[pool.settings]
UsernameAttributes = ["email"]
AutoVerifiedAttributes = ["email"]
Policies = { PasswordPolicy = { MinimumLength = 8, RequireUppercase = true, RequireLowercase = true, RequireNumbers = true, RequireSymbols = false } }

[[pool.client]]
id = "test-client-id"
name = "TestClient"
[pool.client.settings]
ExplicitAuthFlows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

[[pool.client]]
id = "confidentialclient"
secret = "aFixedSecretOf24CharsOrMore"

[[pool.group]]
name = "admins"
precedence = 1

[[pool.user]]
username = "testuser@example.com"
password = "TestPass123!"
groups = ["admins"]
attributes = { email_verified = "true" }
"#;

#[tokio::test]
async fn seed_file_creates_fixed_ids_and_reset_restores_it() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed.toml");
    std::fs::write(&seed, SEED).unwrap();
    let data = dir.path().join("data");
    let args = ["--seed", seed.to_str().unwrap(), "--data-dir", data.to_str().unwrap()];
    let cognate = Cognate::start_with(&args);
    let client = cognate.client();

    let pool =
        client.describe_user_pool().user_pool_id("us-east-1_TestPoolId").send().await.unwrap().user_pool.unwrap();
    assert_eq!(pool.name(), Some("TestPool"));
    assert_eq!(pool.username_attributes(), [UsernameAttributeType::Email]);
    assert!(!pool.policies().unwrap().password_policy().unwrap().require_symbols());
    let app = client
        .describe_user_pool_client()
        .user_pool_id("us-east-1_TestPoolId")
        .client_id("confidentialclient")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert_eq!(app.client_secret(), Some("aFixedSecretOf24CharsOrMore"));
    let user = client
        .admin_get_user()
        .user_pool_id("us-east-1_TestPoolId")
        .username("testuser@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status(), Some(&UserStatusType::Confirmed));
    let groups = client
        .admin_list_groups_for_user()
        .user_pool_id("us-east-1_TestPoolId")
        .username("testuser@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(groups.groups()[0].group_name(), Some("admins"));
    // The seed guide's client id is seeded exactly, even though AWS's model would refuse it in
    // a request (ClientIdType is `[\w+]+`), as AWS would.
    let r = cognate
        .call("DescribeUserPoolClient", json!({"UserPoolId": "us-east-1_TestPoolId", "ClientId": "test-client-id"}));
    assert_eq!(r.type_name(), "InvalidParameterException");

    // Applying the seed again at start changes nothing it finds.
    let sub = user.user_attributes().iter().find(|a| a.name() == "sub").unwrap().value().unwrap().to_string();
    client.create_user_pool().pool_name("extra").send().await.unwrap();
    cognate.kill();
    let cognate = Cognate::start_with(&args);
    let client = cognate.client();
    let again = client
        .admin_get_user()
        .user_pool_id("us-east-1_TestPoolId")
        .username("testuser@example.com")
        .send()
        .await
        .unwrap();
    assert!(again.user_attributes().iter().any(|a| a.value() == Some(sub.as_str())));
    assert_eq!(client.list_user_pools().max_results(10).send().await.unwrap().user_pools().len(), 2);

    // Reset forgets everything but the seed; moto's reset path does the same.
    for path in ["/_cognate/reset", "/moto-api/reset"] {
        client.create_user_pool().pool_name("temporary").send().await.unwrap();
        assert_eq!(cognate.post_path(path).0, 200);
        let pools = client.list_user_pools().max_results(10).send().await.unwrap();
        let names: Vec<_> = pools.user_pools().iter().map(|p| p.name().unwrap()).collect();
        assert_eq!(names, ["TestPool"], "after {path}");
    }
}

#[test]
fn a_bad_seed_file_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed.toml");
    std::fs::write(&seed, "[[pool]]\nid = \"us-east-1_x\"\n[pool.settings]\nMfaConfiguration = \"SOMETIMES\"\n")
        .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cognate"))
        .args(["serve", "--ephemeral", "--port", "0", "--seed", seed.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("mfaConfiguration"), "{stderr}");
}

#[test]
fn a_second_cognate_cannot_share_a_data_directory() {
    // The store holds its database exclusively; two servers writing one file would each keep
    // a stale view of the other's writes.
    let dir = tempfile::tempdir().unwrap();
    let _first = Cognate::start_in(dir.path());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cognate"))
        .args(["serve", "--port", "0", "--data-dir", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is in use by another process"), "{stderr}");
}
