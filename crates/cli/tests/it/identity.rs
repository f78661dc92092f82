//! Identity pools through the AWS SDK for Rust's `aws-sdk-cognitoidentity`: a guest's and a
//! signed-in user's way to credentials, the role each gets, and the service's OpenID token.

use crate::testkit::*;
use aws_sdk_cognitoidentity::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_cognitoidentity::types::CognitoIdentityProvider;
use aws_sdk_cognitoidentity::{Client, Config};
use std::collections::HashMap;

const AUTH_ROLE: &str = "arn:aws:iam::000000000000:role/Cognito_Auth_Role";
const GUEST_ROLE: &str = "arn:aws:iam::000000000000:role/Cognito_Unauth_Role";

fn identity_client(cognate: &Cognate) -> Client {
    let config = Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(&cognate.url)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .build();
    Client::from_conf(config)
}

/// An identity pool taking the ID tokens of `app`, allowing guests, with both roles set.
async fn identity_pool(ci: &Client, app: &App) -> String {
    let provider = format!("cognito-idp.us-east-1.amazonaws.com/{}", app.pool_id);
    let pool = ci
        .create_identity_pool()
        .identity_pool_name("rust_sdk")
        .allow_unauthenticated_identities(true)
        .cognito_identity_providers(
            CognitoIdentityProvider::builder().provider_name(provider).client_id(&app.client_id).build(),
        )
        .send()
        .await
        .unwrap();
    let id = pool.identity_pool_id;
    ci.set_identity_pool_roles()
        .identity_pool_id(&id)
        .roles("authenticated", AUTH_ROLE)
        .roles("unauthenticated", GUEST_ROLE)
        .send()
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn a_guest_and_a_signed_in_user_get_credentials_for_their_roles() {
    let cognate = Cognate::start();
    let idp = cognate.client();
    let ci = identity_client(&cognate);
    let app = app(&idp, |b| b).await;
    user(&idp, &app.pool_id, "ada", PW).await;
    let pool_id = identity_pool(&ci, &app).await;
    assert!(pool_id.starts_with("us-east-1:"), "{pool_id}");

    let guest = ci.get_id().identity_pool_id(&pool_id).send().await.unwrap().identity_id.unwrap();
    let out = ci.get_credentials_for_identity().identity_id(&guest).send().await.unwrap();
    let creds = out.credentials.unwrap();
    let key = creds.access_key_id.unwrap();
    assert!(key.starts_with("ASIA") && key.len() == 20, "{key}");
    assert_eq!(creds.secret_key.unwrap().len(), 40);
    assert!(creds.session_token.is_some());
    // Expiration is epoch seconds on the wire; the SDK reads it as a DateTime an hour ahead.
    let (_, clock) = cognate.get("/_cognate/clock");
    let now = clock["now"].as_f64().unwrap_or_default() as i64;
    let expires = creds.expiration.unwrap().secs();
    assert!((3590..=3600).contains(&(expires - now)), "expires {expires}, now {now}");
    let (status, record) = cognate.get(&format!("/_cognate/credentials/{key}"));
    assert_eq!(status, 200);
    assert_eq!(record["RoleArn"], GUEST_ROLE);
    assert_eq!(record["IdentityId"], guest.as_str());

    let tokens = sign_in(&idp, &app, "ada", PW).await.unwrap();
    let logins =
        HashMap::from([(format!("cognito-idp.us-east-1.amazonaws.com/{}", app.pool_id), tokens.id_token.unwrap())]);
    let signed_in = ci
        .get_id()
        .identity_pool_id(&pool_id)
        .set_logins(Some(logins.clone()))
        .send()
        .await
        .unwrap()
        .identity_id
        .unwrap();
    assert_ne!(signed_in, guest, "a user's identity is not a guest's");
    let again = ci.get_id().identity_pool_id(&pool_id).set_logins(Some(logins.clone())).send().await.unwrap();
    assert_eq!(again.identity_id.as_deref(), Some(signed_in.as_str()), "the same login, the same identity");
    let out = ci
        .get_credentials_for_identity()
        .identity_id(&signed_in)
        .set_logins(Some(logins.clone()))
        .send()
        .await
        .unwrap();
    let key = out.credentials.unwrap().access_key_id.unwrap();
    let (_, record) = cognate.get(&format!("/_cognate/credentials/{key}"));
    assert_eq!(record["RoleArn"], AUTH_ROLE);

    // Without its login, an authenticated identity is refused (amplify-js#5696).
    let (code, message) = failure(ci.get_credentials_for_identity().identity_id(&signed_in).send().await);
    assert_eq!(
        (code.as_str(), message),
        ("NotAuthorizedException", format!("Access to Identity '{signed_in}' is forbidden."))
    );

    // The basic flow's token names the identity and the pool, signed RS512.
    let token = ci.get_open_id_token().identity_id(&signed_in).set_logins(Some(logins)).send().await.unwrap();
    let (header, claims) = jwt_parts(&token.token.unwrap());
    assert_eq!((header["alg"].as_str(), header["typ"].as_str()), (Some("RS512"), Some("JWS")));
    assert_eq!(claims["sub"], signed_in.as_str());
    assert_eq!(claims["aud"], pool_id.as_str());
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 600);
}

#[tokio::test]
async fn bad_input_is_refused_in_the_services_words_and_creates_nothing() {
    let cognate = Cognate::start();
    let idp = cognate.client();
    let ci = identity_client(&cognate);
    let app = app(&idp, |b| b).await;
    user(&idp, &app.pool_id, "ada", PW).await;
    let pool_id = identity_pool(&ci, &app).await;
    let tokens = sign_in(&idp, &app, "ada", PW).await.unwrap();
    let key = format!("cognito-idp.us-east-1.amazonaws.com/{}", app.pool_id);

    let (code, message) = failure(ci.get_id().identity_pool_id("not-an-id").send().await);
    assert_eq!(code, "ValidationException");
    assert_eq!(
        message,
        "1 validation error detected: Value 'not-an-id' at 'identityPoolId' failed to satisfy constraint: \
         Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+"
    );
    let missing = "us-east-1:00000000-0000-0000-0000-000000000000";
    let (code, message) = failure(ci.describe_identity_pool().identity_pool_id(missing).send().await);
    assert_eq!((code.as_str(), message), ("ResourceNotFoundException", format!("IdentityPool '{missing}' not found.")));

    let access = tokens.access_token.unwrap();
    let (code, message) = failure(ci.get_id().identity_pool_id(&pool_id).logins(&key, access).send().await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("NotAuthorizedException", "Invalid login token. Missing a required claim: aud")
    );
    let id_token = tokens.id_token.unwrap();
    let forged = format!("{}x", &id_token[..id_token.len() - 1]);
    let (_, message) = failure(ci.get_id().identity_pool_id(&pool_id).logins(&key, forged).send().await);
    assert_eq!(message, "Invalid login token. Couldn't verify signed token.");
    let (_, message) =
        failure(ci.get_id().identity_pool_id(&pool_id).logins("graph.facebook.com", "token").send().await);
    assert_eq!(message, "Token is not from a supported provider of this identity pool.");

    let listed = ci.list_identities().identity_pool_id(&pool_id).max_results(60).send().await.unwrap();
    assert_eq!(listed.identities.unwrap_or_default().len(), 0, "no refused login made an identity");
}

const SEED: &str = r#"
[[pool]]
id = "us-east-1_SeededPool"
[[pool.client]]
id = "seededclient"
[pool.client.settings]
ExplicitAuthFlows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
[[pool.user]]
username = "ada"
password = "Corr3ct!horse"

[[identity_pool]]
id = "us-east-1:11111111-2222-3333-4444-555555555555"
name = "Seeded"
[identity_pool.settings]
AllowUnauthenticatedIdentities = true
CognitoIdentityProviders = [{ ProviderName = "cognito-idp.us-east-1.amazonaws.com/us-east-1_SeededPool", ClientId = "seededclient" }]
[identity_pool.roles]
Roles = { authenticated = "arn:aws:iam::000000000000:role/Cognito_Auth_Role" }
"#;

#[tokio::test]
async fn a_seeded_identity_pool_has_its_fixed_id_and_roles_and_survives_reset() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed.toml");
    std::fs::write(&seed, SEED).unwrap();
    let cognate = Cognate::start_with(&["--ephemeral", "--seed", seed.to_str().unwrap()]);
    let ci = identity_client(&cognate);
    let id = "us-east-1:11111111-2222-3333-4444-555555555555";
    for round in ["at start", "after a reset"] {
        let pool = ci.describe_identity_pool().identity_pool_id(id).send().await.unwrap();
        assert_eq!(
            (pool.identity_pool_name.as_str(), pool.allow_unauthenticated_identities),
            ("Seeded", true),
            "{round}"
        );
        let roles = ci.get_identity_pool_roles().identity_pool_id(id).send().await.unwrap();
        assert_eq!(roles.roles.unwrap().get("authenticated").map(String::as_str), Some(AUTH_ROLE), "{round}");
        let app = App { pool_id: "us-east-1_SeededPool".into(), client_id: "seededclient".into(), secret: None };
        let token = sign_in(&cognate.client(), &app, "ada", PW).await.unwrap().id_token.unwrap();
        let key = "cognito-idp.us-east-1.amazonaws.com/us-east-1_SeededPool";
        let identity = ci.get_id().identity_pool_id(id).logins(key, &token).send().await.unwrap().identity_id.unwrap();
        let creds = ci.get_credentials_for_identity().identity_id(&identity).logins(key, token).send().await.unwrap();
        let access_key = creds.credentials.unwrap().access_key_id.unwrap();
        assert_eq!(cognate.get(&format!("/_cognate/credentials/{access_key}")).1["RoleArn"], AUTH_ROLE, "{round}");
        ci.create_identity_pool()
            .identity_pool_name("temporary")
            .allow_unauthenticated_identities(false)
            .send()
            .await
            .unwrap();
        assert_eq!(cognate.post_path("/_cognate/reset").0, 200);
        let listed = ci.list_identity_pools().max_results(10).send().await.unwrap().identity_pools.unwrap();
        assert_eq!(listed.len(), 1, "reset leaves the seed's pool alone: {listed:?}");
    }
}
