//! Verifications per second on one core, beside the machine's raw RSA-2048 verify rate.
//!
//! `cargo run --release -p cognate-jwt --example bench [-- iterations]`

use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognate_jwt::{StaticFetcher, TokenUse, Verifier};
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let n: u32 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let pair = KeyPair::generate(KeySize::Rsa2048).unwrap();
    let public = pair.public_key();
    let jwks = json!({"keys": [{
        "kid": "k", "kty": "RSA", "alg": "RS256", "use": "sig",
        "n": URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero()),
        "e": URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero()),
    }]});
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let claims = json!({
        "sub": "s", "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Bench", "aud": "c",
        "token_use": "id", "iat": now, "exp": now + 3600, "cognito:username": "u", "email": "u@example.com",
    });
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(r#"{"kid":"k","alg":"RS256"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut sig = vec![0u8; pair.public_modulus_len()];
    pair.sign(&RSA_PKCS1_SHA256, &aws_lc_rs::rand::SystemRandom::new(), input.as_bytes(), &mut sig).unwrap();
    let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(&sig));

    // The bound: aws-lc-rs verifying the same signature, nothing else.
    let key = UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, public.as_ref().to_vec());
    let start = Instant::now();
    for _ in 0..n {
        key.verify(input.as_bytes(), &sig).unwrap();
    }
    let raw = n as f64 / start.elapsed().as_secs_f64();

    let verifier = Verifier::builder("us-east-1_Bench")
        .token_use(TokenUse::Id)
        .client_id("c")
        .fetcher(Arc::new(StaticFetcher::new(jwks.to_string())))
        .build()
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let full = rt.block_on(async {
        verifier.verify(&token).await.unwrap();
        let start = Instant::now();
        for _ in 0..n {
            verifier.verify(&token).await.unwrap();
        }
        n as f64 / start.elapsed().as_secs_f64()
    });
    println!("RSA-2048 verify (aws-lc-rs):      {raw:>10.0} /s");
    println!("cognate-jwt verify (full checks): {full:>10.0} /s  ({:.0}% of the bound)", 100.0 * full / raw);
}
