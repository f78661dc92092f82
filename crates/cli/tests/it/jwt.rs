//! cognate-jwt against a live cognate: the HTTP JWKS fetcher, both issuer forms, the
//! `cognate verify` command and the axum extractor.

use crate::testkit::{Cognate, PW, add_to_group, app, sign_in, user};
use axum::body::Body;
use axum::extract::FromRef;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use cognate_jwt::extract::CognitoClaims;
use cognate_jwt::{Error, TokenUse, Verifier};
use std::sync::Arc;
use tower::ServiceExt;

#[tokio::test]
async fn verifies_tokens_from_a_live_cognate() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let app = app(&client, |b| b).await;
    user(&client, &app.pool_id, "zoe", PW).await;
    client.create_group().user_pool_id(&app.pool_id).group_name("admins").send().await.unwrap();
    add_to_group(&client, &app.pool_id, "zoe", "admins").await.unwrap();
    let tokens = sign_in(&client, &app, "zoe", PW).await.unwrap();

    let issuer = format!("{}/{}", cognate.url, app.pool_id);
    let ids = Verifier::builder(&app.pool_id)
        .token_use(TokenUse::Id)
        .client_id(&app.client_id)
        .issuer(&issuer)
        .build()
        .unwrap();
    let claims = ids.verify(tokens.id_token().unwrap()).await.unwrap();
    assert_eq!(claims.username.as_deref(), Some("zoe"));
    assert_eq!(claims.email.as_deref(), Some("zoe@example.com"));
    assert_eq!(claims.groups, ["admins"]);
    let err = ids.verify(tokens.access_token().unwrap()).await.unwrap_err();
    assert!(matches!(err, Error::TokenUse { .. }), "{err}");

    let access = Verifier::builder(&app.pool_id)
        .token_use(TokenUse::Access)
        .client_id(&app.client_id)
        .issuer(&issuer)
        .groups(["admins"])
        .scopes(["aws.cognito.signin.user.admin"])
        .build()
        .unwrap();
    let claims = access.verify(tokens.access_token().unwrap()).await.unwrap();
    assert_eq!(claims.client_id.as_deref(), Some(app.client_id.as_str()));

    let other_client = Verifier::builder(&app.pool_id)
        .token_use(TokenUse::Id)
        .client_id("someone-else")
        .issuer(&issuer)
        .build()
        .unwrap();
    assert!(matches!(other_client.verify(tokens.id_token().unwrap()).await, Err(Error::Audience { .. })));
    // The AWS issuer is the default; a cognate token names another.
    let aws = Verifier::builder(&app.pool_id)
        .token_use(TokenUse::Id)
        .client_id(&app.client_id)
        .jwks_uri(format!("{issuer}/.well-known/jwks.json"))
        .build()
        .unwrap();
    assert!(matches!(aws.verify(tokens.id_token().unwrap()).await, Err(Error::Issuer { .. })));
}

#[tokio::test]
async fn the_aws_issuer_form_verifies_with_defaults_and_a_jwks_uri() {
    let cognate = Cognate::start_with(&["--ephemeral", "--issuer", "aws"]);
    let client = cognate.client();
    let app = app(&client, |b| b).await;
    user(&client, &app.pool_id, "ann", PW).await;
    let tokens = sign_in(&client, &app, "ann", PW).await.unwrap();
    let verifier = Verifier::builder(&app.pool_id)
        .token_use(TokenUse::Either)
        .client_id(&app.client_id)
        .jwks_uri(format!("{}/{}/.well-known/jwks.json", cognate.url, app.pool_id))
        .build()
        .unwrap();
    assert_eq!(verifier.issuer(), format!("https://cognito-idp.us-east-1.amazonaws.com/{}", app.pool_id));
    verifier.verify(tokens.id_token().unwrap()).await.unwrap();
    verifier.verify(tokens.access_token().unwrap()).await.unwrap();
}

#[tokio::test]
async fn the_verify_command() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let app = app(&client, |b| b).await;
    user(&client, &app.pool_id, "ben", PW).await;
    let tokens = sign_in(&client, &app, "ben", PW).await.unwrap();
    let issuer = format!("{}/{}", cognate.url, app.pool_id);
    let run = |token: &str, token_use: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_cognate"))
            .args(["verify", token, "--user-pool-id", &app.pool_id, "--client-id", &app.client_id])
            .args(["--token-use", token_use, "--issuer", &issuer])
            .output()
            .unwrap()
    };
    let ok = run(tokens.id_token().unwrap(), "id");
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let claims: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(claims["cognito:username"], "ben");
    let refused = run(tokens.id_token().unwrap(), "access");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("token_use"));
}

#[derive(Clone)]
struct State {
    verifier: Arc<Verifier>,
}

impl FromRef<State> for Arc<Verifier> {
    fn from_ref(s: &State) -> Self {
        s.verifier.clone()
    }
}

#[tokio::test]
async fn the_axum_extractor() {
    let cognate = Cognate::start();
    let client = cognate.client();
    let app = app(&client, |b| b).await;
    user(&client, &app.pool_id, "cat", PW).await;
    let tokens = sign_in(&client, &app, "cat", PW).await.unwrap();
    let verifier = Verifier::builder(&app.pool_id)
        .token_use(TokenUse::Access)
        .client_id(&app.client_id)
        .issuer(format!("{}/{}", cognate.url, app.pool_id))
        .build()
        .unwrap();
    let router = axum::Router::new()
        .route("/me", get(|CognitoClaims(c): CognitoClaims| async move { c.username.unwrap_or_default() }))
        .with_state(State { verifier: Arc::new(verifier) });
    let call = |auth: Option<String>| {
        let mut req = Request::builder().uri("/me");
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        router.clone().oneshot(req.body(Body::empty()).unwrap())
    };
    let resp = call(Some(format!("Bearer {}", tokens.access_token().unwrap()))).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body = axum::body::to_bytes(resp.into_body(), 1024).await.unwrap();
    assert_eq!(&body[..], b"cat");

    let resp = call(None).await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(resp.headers()["www-authenticate"], "Bearer");
    let resp = call(Some(format!("Bearer {}", tokens.id_token().unwrap()))).await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let challenge = resp.headers()["www-authenticate"].to_str().unwrap().to_string();
    assert!(challenge.starts_with("Bearer error=\"invalid_token\"") && challenge.contains("token_use"), "{challenge}");
}
