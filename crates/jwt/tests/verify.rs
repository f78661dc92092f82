//! cognate-jwt against tokens made here with keys made here: the seed guide's JWT cases,
//! algorithm confusion, key rotation, unknown keys, malformed input, and random mutations.

use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognate_jwt::{Error, StaticFetcher, TokenUse, Verifier};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

const POOL: &str = "us-east-1_TestPoolId";
const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPoolId";
const NOW: u64 = 1_800_000_000;

struct Key {
    kid: String,
    pair: KeyPair,
}

impl Key {
    fn new(kid: &str) -> Self {
        Self { kid: kid.into(), pair: KeyPair::generate(KeySize::Rsa2048).unwrap() }
    }

    fn jwk(&self) -> Value {
        let public = self.pair.public_key();
        json!({
            "kid": self.kid, "kty": "RSA", "alg": "RS256", "use": "sig",
            "n": URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero()),
            "e": URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero()),
        })
    }

    fn sign(&self, header: Value, claims: &Value) -> String {
        let input =
            format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
        let mut sig = vec![0u8; self.pair.public_modulus_len()];
        self.pair.sign(&RSA_PKCS1_SHA256, &aws_lc_rs::rand::SystemRandom::new(), input.as_bytes(), &mut sig).unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    fn token(&self, overrides: Value) -> String {
        let mut claims = json!({
            "sub": "user-uuid-123",
            "email": "user@example.com",
            "cognito:username": "testuser",
            "cognito:groups": ["users"],
            "iss": ISSUER,
            "aud": "test-client-id",
            "token_use": "id",
            "iat": NOW,
            "exp": NOW + 3600,
            "event_id": "test-event-id",
        });
        for (k, v) in overrides.as_object().unwrap() {
            claims[k] = v.clone();
        }
        self.sign(json!({"kid": self.kid, "alg": "RS256"}), &claims)
    }
}

fn jwks(keys: &[&Key]) -> Vec<u8> {
    json!({"keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>()}).to_string().into_bytes()
}

fn verifier(fetcher: Arc<StaticFetcher>, token_use: TokenUse) -> Verifier {
    Verifier::builder(POOL)
        .token_use(token_use)
        .client_id("test-client-id")
        .fetcher(fetcher)
        .clock(|| NOW)
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_seed_guides_cases() {
    let key = Key::new("test-key-id");
    let fetcher = Arc::new(StaticFetcher::new(jwks(&[&key])));
    let v = verifier(fetcher.clone(), TokenUse::Id);

    let claims = v.verify(&key.token(json!({}))).await.unwrap();
    assert_eq!(claims.sub, "user-uuid-123");
    assert_eq!(claims.email.as_deref(), Some("user@example.com"));

    let err = v.verify(&key.token(json!({"exp": NOW - 3600}))).await.unwrap_err();
    assert!(matches!(err, Error::Expired { .. }));
    assert!(err.to_string().contains("expired"), "{err}");

    let err = v.verify(&key.token(json!({"iss": "https://evil.example.com/fake-pool"}))).await.unwrap_err();
    assert!(err.to_string().contains("issuer"), "{err}");

    let err = v.verify(&key.token(json!({"aud": "wrong-client-id"}))).await.unwrap_err();
    assert!(err.to_string().contains("audience"), "{err}");

    let err = v.verify(&key.token(json!({"token_use": "access", "client_id": "test-client-id"}))).await.unwrap_err();
    assert!(err.to_string().contains("token_use"), "{err}");

    let good = key.token(json!({}));
    let (input, _) = good.rsplit_once('.').unwrap();
    assert!(v.verify(&format!("{input}.invalidsignature")).await.is_err());

    let claims = v.verify(&key.token(json!({"cognito:groups": ["admins", "users", "developers"]}))).await.unwrap();
    let mut groups = claims.groups.clone();
    groups.sort();
    assert_eq!(groups, ["admins", "developers", "users"]);
    assert_eq!(fetcher.fetches(), 1, "the JWKS is fetched once and cached");
}

#[tokio::test]
async fn access_tokens_name_their_client_in_client_id() {
    let key = Key::new("k1");
    let v = verifier(Arc::new(StaticFetcher::new(jwks(&[&key]))), TokenUse::Access);
    let access = key.token(json!({"token_use": "access", "client_id": "test-client-id", "aud": null, "scope": "aws.cognito.signin.user.admin"}));
    let claims = v.verify(&access).await.unwrap();
    assert_eq!(claims.client_id.as_deref(), Some("test-client-id"));
    assert_eq!(claims.scopes, ["aws.cognito.signin.user.admin"]);
    let other = key.token(json!({"token_use": "access", "client_id": "someone-else"}));
    assert!(matches!(v.verify(&other).await, Err(Error::Audience { .. })));
}

#[tokio::test]
async fn algorithm_confusion_is_refused() {
    let key = Key::new("k1");
    let v = verifier(Arc::new(StaticFetcher::new(jwks(&[&key]))), TokenUse::Id);
    let claims =
        json!({"sub": "x", "iss": ISSUER, "aud": "test-client-id", "token_use": "id", "iat": NOW, "exp": NOW + 60});
    let encode = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());

    let none = format!("{}.{}.", encode(&json!({"alg": "none", "kid": "k1"})), encode(&claims));
    assert_eq!(v.verify(&none).await.unwrap_err(), Error::Algorithm("none".into()));

    // HS256 with the public key as the secret: the classic key-confusion forgery.
    use aws_lc_rs::hmac;
    for alg in ["HS256", "HS384", "HS512"] {
        let input = format!("{}.{}", encode(&json!({"alg": alg, "kid": "k1"})), encode(&claims));
        let secret = hmac::Key::new(hmac::HMAC_SHA256, key.pair.public_key().as_ref());
        let tag = hmac::sign(&secret, input.as_bytes());
        let forged = format!("{input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()));
        assert_eq!(v.verify(&forged).await.unwrap_err(), Error::Algorithm(alg.into()));
    }
    let no_kid = key.sign(json!({"alg": "RS256"}), &claims);
    assert_eq!(v.verify(&no_kid).await.unwrap_err(), Error::MissingKid);
}

#[tokio::test]
async fn keys_rotate_and_unknown_kids_are_penalised() {
    let old = Key::new("old");
    let fetcher = Arc::new(StaticFetcher::new(jwks(&[&old])));
    let v = Verifier::builder(POOL)
        .token_use(TokenUse::Id)
        .client_id("test-client-id")
        .fetcher(fetcher.clone())
        .clock(|| NOW)
        .penalty(Duration::from_millis(300))
        .build()
        .unwrap();
    v.verify(&old.token(json!({}))).await.unwrap();

    // A new key appears: the unknown kid triggers one refetch and then verifies.
    let new = Key::new("new");
    fetcher.set(jwks(&[&old, &new]));
    v.verify(&new.token(json!({}))).await.unwrap();
    assert_eq!(fetcher.fetches(), 2);

    // A made-up kid: one refetch, then a wait period without fetching.
    let stranger = Key::new("made-up");
    assert_eq!(v.verify(&stranger.token(json!({}))).await.unwrap_err(), Error::KidNotFound("made-up".into()));
    assert_eq!(v.verify(&stranger.token(json!({}))).await.unwrap_err(), Error::WaitPeriod("made-up".into()));
    assert_eq!(fetcher.fetches(), 3);
    // Known keys still verify during the wait.
    v.verify(&old.token(json!({}))).await.unwrap();
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(v.verify(&stranger.token(json!({}))).await.unwrap_err(), Error::KidNotFound("made-up".into()));
    assert_eq!(fetcher.fetches(), 4);
}

#[tokio::test]
async fn concurrent_misses_share_one_fetch() {
    let key = Key::new("k1");
    let fetcher = Arc::new(StaticFetcher::new(jwks(&[&key])));
    let v = Arc::new(verifier(fetcher.clone(), TokenUse::Id));
    let token = key.token(json!({}));
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (v, token) = (v.clone(), token.clone());
            tokio::spawn(async move { v.verify(&token).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(fetcher.fetches(), 1);
}

#[tokio::test]
async fn claims_checks() {
    let key = Key::new("k1");
    let fetcher = Arc::new(StaticFetcher::new(jwks(&[&key])));
    let build = |b: cognate_jwt::VerifierBuilder| b.fetcher(fetcher.clone()).clock(|| NOW).build().unwrap();

    let grace = build(
        Verifier::builder(POOL).token_use(TokenUse::Id).client_id("test-client-id").grace(Duration::from_secs(30)),
    );
    grace.verify(&key.token(json!({"exp": NOW - 20}))).await.unwrap();
    assert!(matches!(grace.verify(&key.token(json!({"exp": NOW - 40}))).await, Err(Error::Expired { .. })));
    assert!(matches!(grace.verify(&key.token(json!({"nbf": NOW + 60}))).await, Err(Error::NotYetValid { .. })));
    // As in aws-jwt-verify, iat is not judged: a verifier whose clock is behind accepts a fresh token.
    grace.verify(&key.token(json!({"iat": NOW + 60}))).await.unwrap();

    let several = build(Verifier::builder(POOL).token_use(TokenUse::Either).client_ids(["a", "test-client-id"]));
    several.verify(&key.token(json!({}))).await.unwrap();

    let admins = build(Verifier::builder(POOL).token_use(TokenUse::Id).any_client().groups(["admins"]));
    assert!(matches!(admins.verify(&key.token(json!({}))).await, Err(Error::Groups { .. })));
    admins.verify(&key.token(json!({"aud": "anyone", "cognito:groups": ["admins"]}))).await.unwrap();

    let scoped = build(Verifier::builder(POOL).token_use(TokenUse::Access).any_client().scopes(["orders/read"]));
    let with_scope = key.token(json!({"token_use": "access", "scope": "openid orders/read"}));
    scoped.verify(&with_scope).await.unwrap();
    assert!(matches!(
        scoped.verify(&key.token(json!({"token_use": "access", "scope": "openid"}))).await,
        Err(Error::Scope { .. })
    ));

    let custom =
        build(Verifier::builder(POOL).token_use(TokenUse::Id).any_client().custom_check(|c| {
            if c.get("custom:tier") == Some(&json!("pro")) { Ok(()) } else { Err("not pro".into()) }
        }));
    assert_eq!(custom.verify(&key.token(json!({}))).await.unwrap_err(), Error::Custom("not pro".into()));
    custom.verify(&key.token(json!({"custom:tier": "pro"}))).await.unwrap();

    assert!(matches!(Verifier::builder(POOL).client_id("x").fetcher(fetcher.clone()).build(), Err(Error::Config(_))));
    assert!(matches!(
        Verifier::builder(POOL).token_use(TokenUse::Id).fetcher(fetcher.clone()).build(),
        Err(Error::Config(_))
    ));
    assert!(matches!(
        Verifier::builder("not-a-pool").token_use(TokenUse::Id).any_client().build(),
        Err(Error::Config(_))
    ));
}

#[tokio::test]
async fn wrong_keys_are_skipped_and_malformed_tokens_refused() {
    let key = Key::new("k1");
    let mut bad = key.jwk();
    bad["use"] = json!("enc");
    let doc = json!({"keys": [bad, {"kid": "ec", "kty": "EC", "crv": "P-256"}]}).to_string();
    let v = verifier(Arc::new(StaticFetcher::new(doc)), TokenUse::Id);
    assert_eq!(v.verify(&key.token(json!({}))).await.unwrap_err(), Error::KidNotFound("k1".into()));

    let v = verifier(Arc::new(StaticFetcher::new(jwks(&[&key]))), TokenUse::Id);
    for token in ["", "a", "a.b", "a.b.c.d", "!!!.???.###", "bnVsbA.bnVsbA.AA"] {
        assert!(matches!(v.verify(token).await, Err(Error::Malformed(_))), "{token:?}");
    }
    // `{}.{}.`: well formed, but a header without an algorithm.
    assert_eq!(v.verify("e30.e30.").await.unwrap_err(), Error::Algorithm(String::new()));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// No change to any byte of a valid token leaves it valid.
    #[test]
    fn no_byte_mutation_verifies(index in 0usize..10_000, byte in 0u8..=255) {
        use std::sync::OnceLock;
        static FIXTURE: OnceLock<(Key, String)> = OnceLock::new();
        let (key, token) = FIXTURE.get_or_init(|| {
            let key = Key::new("k1");
            let token = key.token(json!({}));
            (key, token)
        });
        let mut bytes = token.clone().into_bytes();
        let i = index % bytes.len();
        proptest::prop_assume!(bytes[i] != byte);
        bytes[i] = byte;
        let mutated = String::from_utf8_lossy(&bytes).into_owned();
        let v = verifier(Arc::new(StaticFetcher::new(jwks(&[key]))), TokenUse::Id);
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        // Base64url has no padding, so flipping unused low bits of the last character can
        // decode to the same bytes; such a token is the same token, and verifying is right.
        let same = mutated.split('.').zip(token.split('.')).all(|(a, b)| URL_SAFE_NO_PAD.decode(a).ok() == URL_SAFE_NO_PAD.decode(b).ok());
        let result = rt.block_on(v.verify(&mutated));
        proptest::prop_assert!(result.is_err() || same, "mutated token verified: {mutated}");
    }
}
