//! The stored form of pools and clients, pinned by golden documents.
//!
//! `golden/pool.v1.json` and `golden/client.v1.json` are a pool and a client with every
//! member the model had set, as [`documents`] writes them at version 1 (pretty-printed here
//! for reading; written compactly, byte for byte what is stored). They are never edited to
//! make a test pass: a failure here means the generated types now write or read pools or
//! clients differently, which needs a new document version and a reader of the old one (see
//! [`cognate_store::documents`]). Only a member the model adds, which changes nothing
//! already stored, is added to them, by hand and in its place.

use cognate_proto::idp::{
    ExplicitAuthFlowsType, OAuthFlowType, SHAPES, TimeUnitsType, UserPoolClientType, UserPoolMfaType, UserPoolType,
    VerifiedAttributeType,
};
use cognate_proto::model::Kind;
use cognate_store::documents;
use serde_json::Value;
use std::path::PathBuf;

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name)
}

fn golden(name: &str) -> String {
    std::fs::read_to_string(golden_path(name)).unwrap_or_else(|e| panic!("reading golden/{name}: {e}"))
}

/// The golden document as it is stored: compact, in the order it was written.
fn stored(name: &str) -> String {
    let value: Value = serde_json::from_str(&golden(name)).unwrap();
    serde_json::to_string(&value).unwrap()
}

#[test]
fn the_golden_pool_decodes_to_what_it_holds() {
    let pool: UserPoolType = documents::decode_pool(&stored("pool.v1.json")).unwrap();
    assert_eq!(pool.id.as_deref(), Some("us-east-1_G0ldenP00l"));
    assert_eq!(pool.name.as_deref(), Some("golden"));
    assert_eq!(pool.arn.as_deref(), Some("arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_G0ldenP00l"));
    assert_eq!(pool.creation_date, Some(1767225600.5));
    assert_eq!(pool.mfa_configuration, Some(UserPoolMfaType::Optional));
    assert_eq!(pool.auto_verified_attributes, Some(vec![VerifiedAttributeType::Email]));
    let policy = pool.policies.as_ref().and_then(|p| p.password_policy.as_ref()).unwrap();
    assert_eq!(policy.minimum_length, Some(12));
    assert_eq!(policy.require_symbols, Some(true));
    let lambdas = pool.lambda_config.as_ref().unwrap();
    assert_eq!(lambdas.pre_sign_up.as_deref(), Some("arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up"));
    let schema = pool.schema_attributes.as_ref().unwrap();
    assert_eq!(schema[0].name.as_deref(), Some("email"));
    assert_eq!(schema[0].required, Some(true));
    assert_eq!(pool.user_pool_tags.as_ref().unwrap().get("team").map(String::as_str), Some("identity"));
    assert_eq!(pool.estimated_number_of_users, Some(3));
}

#[test]
fn the_golden_client_decodes_to_what_it_holds() {
    let client: UserPoolClientType = documents::decode_client(&stored("client.v1.json")).unwrap();
    assert_eq!(client.client_id.as_deref(), Some("1example23456789abcdefghij"));
    assert_eq!(client.user_pool_id.as_deref(), Some("us-east-1_G0ldenP00l"));
    assert_eq!(client.client_name.as_deref(), Some("golden-app"));
    assert_eq!(
        client.explicit_auth_flows,
        Some(vec![ExplicitAuthFlowsType::AllowUserSrpAuth, ExplicitAuthFlowsType::AllowRefreshTokenAuth])
    );
    assert_eq!(client.allowed_oauth_flows, Some(vec![OAuthFlowType::Code]));
    assert_eq!(client.callback_urls, Some(vec!["https://app.example/callback".to_string()]));
    assert_eq!(client.refresh_token_validity, Some(30));
    assert_eq!(client.access_token_validity, Some(60));
    assert_eq!(client.token_validity_units.as_ref().unwrap().access_token, Some(TimeUnitsType::Minutes));
    assert_eq!(client.enable_token_revocation, Some(true));
    assert_eq!(client.creation_date, Some(1767225600.5));
}

#[test]
fn the_golden_documents_encode_again_byte_for_byte() {
    let pool = documents::decode_pool(&stored("pool.v1.json")).unwrap();
    assert_eq!(
        documents::encode_pool(&pool).unwrap(),
        stored("pool.v1.json"),
        "a pool is no longer written as version 1 wrote it: add a document version, do not edit the golden one"
    );
    let client = documents::decode_client(&stored("client.v1.json")).unwrap();
    assert_eq!(
        documents::encode_client(&client).unwrap(),
        stored("client.v1.json"),
        "a client is no longer written as version 1 wrote it: add a document version, do not edit the golden one"
    );
    assert_eq!(documents::POOL_VERSION, 1, "a new version needs golden documents of its own");
    assert_eq!(documents::CLIENT_VERSION, 1, "a new version needs golden documents of its own");
}

/// So that the byte-for-byte test covers every member, the golden documents set every member
/// the model has. One the model adds fails this until it is added to them.
#[test]
fn the_golden_documents_set_every_member_of_the_model() {
    for (file, body, shape) in
        [("pool.v1.json", "pool", "UserPoolType"), ("client.v1.json", "client", "UserPoolClientType")]
    {
        let doc: Value = serde_json::from_str(&golden(file)).unwrap();
        let mut missing = Vec::new();
        let mut unknown = Vec::new();
        walk(shape_index(shape), &doc[body], shape, &mut missing, &mut unknown);
        assert!(missing.is_empty(), "golden/{file} lacks members the model has: {missing:#?}");
        assert!(unknown.is_empty(), "golden/{file} has members the model no longer has: {unknown:#?}");
    }
}

fn shape_index(name: &str) -> usize {
    SHAPES.iter().position(|s| s.name == name).unwrap_or_else(|| panic!("the model has no shape {name}"))
}

fn walk(shape: usize, value: &Value, path: &str, missing: &mut Vec<String>, unknown: &mut Vec<String>) {
    match &SHAPES[shape].kind {
        Kind::Structure { members } => {
            let Some(object) = value.as_object() else { return missing.push(format!("{path} (not an object)")) };
            for m in *members {
                match object.get(m.name) {
                    Some(v) => walk(m.shape, v, &format!("{path}.{}", m.name), missing, unknown),
                    None => missing.push(format!("{path}.{}", m.name)),
                }
            }
            for key in object.keys().filter(|k| !members.iter().any(|m| m.name == k.as_str())) {
                unknown.push(format!("{path}.{key}"));
            }
        }
        Kind::List { member, .. } => match value.as_array() {
            Some(items) if !items.is_empty() => {
                items.iter().for_each(|v| walk(*member, v, &format!("{path}[]"), missing, unknown))
            }
            _ => missing.push(format!("{path}[]")),
        },
        Kind::Map { value: v, .. } => match value.as_object() {
            Some(entries) if !entries.is_empty() => {
                entries.values().for_each(|x| walk(*v, x, &format!("{path}{{}}"), missing, unknown))
            }
            _ => missing.push(format!("{path}{{}}")),
        },
        _ => {}
    }
}

/// Writes the golden documents of the current versions that do not exist yet (it never
/// replaces one): `cargo test -p cognate-store --test golden -- --ignored`. Used once per
/// document version; every member is set, with a few given realistic values.
#[test]
#[ignore]
fn write_missing_golden_documents() {
    let pool_file = format!("pool.v{}.json", documents::POOL_VERSION);
    if !golden_path(&pool_file).exists() {
        let mut pool = exemplar(shape_index("UserPoolType"), "UserPool", 0);
        let id = "us-east-1_G0ldenP00l";
        set(&mut pool, "/Id", id.into());
        set(&mut pool, "/Name", "golden".into());
        set(&mut pool, "/Arn", format!("arn:aws:cognito-idp:us-east-1:123456789012:userpool/{id}").into());
        set(&mut pool, "/MfaConfiguration", "OPTIONAL".into());
        set(&mut pool, "/AutoVerifiedAttributes", serde_json::json!(["email"]));
        set(&mut pool, "/Policies/PasswordPolicy/MinimumLength", 12.into());
        set(&mut pool, "/LambdaConfig/PreSignUp", "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up".into());
        set(&mut pool, "/SchemaAttributes/0/Name", "email".into());
        set(&mut pool, "/UserPoolTags", serde_json::json!({"team": "identity"}));
        set(&mut pool, "/EstimatedNumberOfUsers", 3.into());
        let pool: UserPoolType = serde_json::from_value(pool).unwrap();
        write(&pool_file, &documents::encode_pool(&pool).unwrap());
    }
    let client_file = format!("client.v{}.json", documents::CLIENT_VERSION);
    if !golden_path(&client_file).exists() {
        let mut client = exemplar(shape_index("UserPoolClientType"), "UserPoolClient", 0);
        set(&mut client, "/ClientId", "1example23456789abcdefghij".into());
        set(&mut client, "/UserPoolId", "us-east-1_G0ldenP00l".into());
        set(&mut client, "/ClientName", "golden-app".into());
        set(&mut client, "/ExplicitAuthFlows", serde_json::json!(["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]));
        set(&mut client, "/AllowedOAuthFlows", serde_json::json!(["code"]));
        set(&mut client, "/CallbackURLs", serde_json::json!(["https://app.example/callback"]));
        set(&mut client, "/RefreshTokenValidity", 30.into());
        set(&mut client, "/AccessTokenValidity", 60.into());
        set(&mut client, "/TokenValidityUnits/AccessToken", "minutes".into());
        let client: UserPoolClientType = serde_json::from_value(client).unwrap();
        write(&client_file, &documents::encode_client(&client).unwrap());
    }
}

fn set(doc: &mut Value, pointer: &str, value: Value) {
    *doc.pointer_mut(pointer).unwrap_or_else(|| panic!("no {pointer} in the exemplar")) = value;
}

fn write(name: &str, stored: &str) {
    let value: Value = serde_json::from_str(stored).unwrap();
    std::fs::write(golden_path(name), serde_json::to_string_pretty(&value).unwrap() + "\n").unwrap();
}

/// A value of `shape` with every member set: the first of an enum's values, one item in each
/// list and map, and a string naming where it is.
fn exemplar(shape: usize, name: &str, depth: usize) -> Value {
    assert!(depth < 12, "{name}: the model nests deeper than expected");
    match &SHAPES[shape].kind {
        Kind::Structure { members } => {
            Value::Object(members.iter().map(|m| (m.name.to_string(), exemplar(m.shape, m.name, depth + 1))).collect())
        }
        Kind::List { member, .. } => Value::Array(vec![exemplar(*member, name, depth + 1)]),
        Kind::Map { key, value, .. } => {
            let key = match exemplar(*key, &format!("{name}Key"), depth + 1) {
                Value::String(s) => s,
                other => other.to_string(),
            };
            Value::Object([(key, exemplar(*value, name, depth + 1))].into_iter().collect())
        }
        Kind::String { enum_values, .. } => match enum_values.first() {
            Some(first) => Value::String(first.to_string()),
            None => Value::String(format!("golden {name}")),
        },
        Kind::Integer { min, max } | Kind::Long { min, max } => {
            let n = min.unwrap_or(1).max(1);
            Value::from(max.map_or(n, |max| n.min(max)))
        }
        Kind::Boolean => Value::Bool(true),
        Kind::Timestamp => Value::from(1767225600.5),
        Kind::Blob { .. } => Value::String("Z29sZGVu".into()),
        Kind::Document => serde_json::json!({"golden": [1, "two", null]}),
    }
}
