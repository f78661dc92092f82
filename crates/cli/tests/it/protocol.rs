//! The AWS JSON protocol: targets, content types, malformed input and error shapes.

use crate::testkit::{Cognate, failure, pool};
use serde_json::json;

#[tokio::test]
async fn validation_errors_are_worded_as_aws_words_them() {
    let cognate = Cognate::start();
    let r = cognate.call("DescribeUserPool", json!({}));
    assert_eq!(r.status, 400);
    assert_eq!(r.type_name(), "InvalidParameterException");
    assert_eq!(r.error_type.as_deref(), Some("InvalidParameterException:"));
    assert_eq!(
        r.message(),
        "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"
    );

    // Two problems with one member are both reported, length before pattern; sensitive
    // values (the username) are never echoed.
    let r = cognate.call("AdminGetUser", json!({"UserPoolId": "us-east-1_abc", "Username": ""}));
    assert_eq!(
        r.message(),
        "2 validation errors detected: Value at 'username' failed to satisfy constraint: Member must have length greater than or equal to 1; \
         Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"
    );

    // Nested paths and enum sets, as in captured Cognito messages.
    let r = cognate.call("CreateUserPool", json!({"PoolName": "p", "MfaConfiguration": "SOMETIMES"}));
    assert_eq!(
        r.message(),
        "1 validation error detected: Value 'SOMETIMES' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set: [OPTIONAL, OFF, ON]"
    );
    let r = cognate
        .call("CreateUserPool", json!({"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": 200}}}));
    assert_eq!(
        r.message(),
        "1 validation error detected: Value '200' at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint: Member must have value less than or equal to 99"
    );
    let r = cognate.call(
        "AdminCreateUser",
        json!({"UserPoolId": "us-east-1_abc", "Username": "u", "UserAttributes": [{"Value": "x"}]}),
    );
    assert_eq!(
        r.message(),
        "1 validation error detected: Value null at 'userAttributes.1.member.name' failed to satisfy constraint: Member must not be null"
    );

    // The SDK reads the same code and message.
    let (code, message) = failure(cognate.client().describe_user_pool().user_pool_id("not a pool id").send().await);
    assert_eq!(code, "InvalidParameterException");
    assert!(message.starts_with("1 validation error detected: Value 'not a pool id' at 'userPoolId'"), "{message}");
}

/// The operations of botocore's model of `service` (model/<service>.service-2.json.gz).
fn model_operations(service: &str) -> (String, Vec<String>) {
    use std::io::Read;
    let path = format!("{}/../../model/{service}.service-2.json.gz", env!("CARGO_MANIFEST_DIR"));
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).expect("the model is kept in model/"))
        .read_to_string(&mut text)
        .unwrap();
    let model: serde_json::Value = serde_json::from_str(&text).unwrap();
    let prefix = model["metadata"]["targetPrefix"].as_str().unwrap().to_string();
    (prefix, model["operations"].as_object().unwrap().keys().cloned().collect())
}

/// Every operation of both models has behaviour: asked with an empty body, each answers as its
/// input's checks or its work decide (a validation error, a missing resource, or an answer),
/// never UnsupportedOperationException, an unknown operation or a fault. (The generated traits
/// give no operation a default body, so the compiler holds the same line.)
#[tokio::test]
async fn every_operation_of_both_models_is_implemented() {
    let cognate = Cognate::start();
    let readme = std::fs::read_to_string(format!("{}/../../README.md", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let listing = readme.split("### Every operation, by group").nth(1).unwrap().split("\n### ").next().unwrap();
    let (idp_list, identity_list) = listing.split_once("`cognito-identity`").expect("both services are listed");
    for (service, count, listed) in [("cognito-idp", 153, idp_list), ("cognito-identity", 23, identity_list)] {
        let (prefix, operations) = model_operations(service);
        assert_eq!(operations.len(), count, "{service}'s model changed: update the README's lists");
        let words: Vec<&str> = listed.split(|c: char| !c.is_ascii_alphanumeric()).collect();
        for op in &operations {
            assert_eq!(words.iter().filter(|w| *w == op).count(), 1, "the README lists {service} {op} once");
        }
        for op in operations {
            let r = cognate.post(Some(&format!("{prefix}.{op}")), Some("application/x-amz-json-1.1"), b"{}");
            assert!(r.status < 500, "{service} {op}: {} {:?}", r.status, r.body);
            let kind = if r.status == 200 { "" } else { r.type_name() };
            assert!(
                !matches!(kind, "UnsupportedOperationException" | "UnknownOperationException"),
                "{service} {op} answered {kind}: {}",
                r.message()
            );
        }
    }
}

#[tokio::test]
async fn unknown_targets_and_bad_bodies() {
    let cognate = Cognate::start();
    let json11 = Some("application/x-amz-json-1.1");

    for target in
        [Some("AWSCognitoIdentityProviderService.NoSuchThing"), Some("Nope.ListUserPools"), Some("ListUserPools"), None]
    {
        let r = cognate.post(target, json11, b"{}");
        assert_eq!((r.status, r.type_name()), (400, "UnknownOperationException"), "{target:?}");
        assert!(r.body.get("message").is_none());
    }

    let list = Some("AWSCognitoIdentityProviderService.ListUserPools");
    let r = cognate.post(list, json11, b"{not json");
    assert_eq!((r.status, r.type_name()), (400, "SerializationException"));
    let r = cognate.post(list, json11, b"");
    assert_eq!((r.status, r.type_name()), (400, "SerializationException"));
    let r = cognate.post(list, json11, b"[1]");
    assert_eq!(r.message(), "Start of list found where not expected");
    let r = cognate.post(list, json11, br#"{"MaxResults": "ten"}"#);
    assert_eq!(
        (r.type_name(), r.message()),
        ("SerializationException", "STRING_VALUE can not be converted to an Integer")
    );
    let r = cognate.post(list, json11, br#"{"MaxResults": 10.5}"#);
    assert_eq!(r.type_name(), "SerializationException");
    let r = cognate.call("CreateUserPool", json!({"PoolName": {"a": 1}}));
    assert_eq!(r.message(), "Start of structure or map found where not expected.");

    // JSON 1.0 and a charset are accepted; a body that is not the AWS JSON protocol is not.
    let r = cognate.post(list, Some("application/x-amz-json-1.0; charset=utf-8"), br#"{"MaxResults": 5}"#);
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = cognate.post(list, Some("text/plain"), br#"{"MaxResults": 5}"#);
    assert_eq!((r.status, r.type_name()), (404, "UnknownOperationException"));

    // The identity-pool service answers on the same endpoint, with its own validation error.
    let r = cognate.post(Some("AWSCognitoIdentityService.ListIdentityPools"), json11, br#"{"MaxResults": 5}"#);
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = cognate.post(Some("AWSCognitoIdentityService.ListIdentityPools"), json11, br#"{"MaxResults": 0}"#);
    assert_eq!(r.type_name(), "ValidationException");

    // Every response has a request id.
    assert!(r.request_id.as_deref().is_some_and(|id| id.len() == 36));
}

#[tokio::test]
async fn bad_input_changes_nothing_and_the_server_keeps_serving() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let pool_id = pool(&client, "keep").await;

    let huge = vec![b' '; 10 * 1024 * 1024];
    let r = cognate.post(
        Some("AWSCognitoIdentityProviderService.CreateUserPool"),
        Some("application/x-amz-json-1.1"),
        &huge,
    );
    assert_eq!((r.status, r.type_name()), (413, "SerializationException"));

    // A request that fails half-way (a later attribute breaks the schema) writes nothing.
    let r = cognate.call(
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "half", "UserAttributes": [
            {"Name": "email", "Value": "half@example.com"}, {"Name": "custom:nope", "Value": "x"}]}),
    );
    assert_eq!(r.type_name(), "InvalidParameterException");
    let r = cognate.call("CreateUserPool", json!({"PoolName": 7}));
    assert_eq!(r.type_name(), "SerializationException");

    let users = client.list_users().user_pool_id(&pool_id).send().await.unwrap();
    assert!(users.users().is_empty());
    let pools = client.list_user_pools().max_results(60).send().await.unwrap();
    assert_eq!(pools.user_pools().len(), 1);
    assert_eq!(cognate.get("/_cognate/health"), (200, json!({"status": "ok"})));
}

#[tokio::test]
async fn cors_preflight_is_answered() {
    let cognate = Cognate::start();
    let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    let resp = agent
        .options(&cognate.url)
        .header("Origin", "http://localhost:3000")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type,x-amz-target,x-amz-user-agent")
        .call()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let allow = resp.headers().get("access-control-allow-origin").unwrap().to_str().unwrap();
    assert_eq!(allow, "*");
    let headers = resp.headers().get("access-control-allow-headers").unwrap().to_str().unwrap().to_lowercase();
    assert!(headers.contains("x-amz-target"), "{headers}");
}
