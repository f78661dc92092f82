//! Token cryptography: each pool's RSA signing keys, RS256 JWTs, the JWKS, and the opaque
//! (encrypted) refresh tokens.
//!
//! As in Cognito, every pool has two RSA-2048 keys, one signing ID tokens and one signing
//! access tokens, made when the pool is created and never shared with another pool. Refresh
//! tokens are JWE-shaped (`{"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}` header, five
//! segments) but readable only by cognate: the payload is sealed with AES-256-GCM under a
//! per-pool key, and the header is the authenticated data.

use crate::env::{KeySource, Random};
use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::rsa::KeyPair;
use aws_lc_rs::signature::{self, KeyPair as _, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What a sealed token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    RefreshToken,
    SrpSecretBlock,
    /// A user's TOTP secret, as the user record keeps it.
    TotpSecret,
    /// An app client's added secret (AddUserPoolClientSecret), as its pool document keeps it.
    ClientSecret,
    /// The token of an account-takeover email's feedback links (UpdateAuthEventFeedback).
    FeedbackToken,
}

impl Purpose {
    fn aad(self, header: &str) -> Vec<u8> {
        let tag = match self {
            Purpose::RefreshToken => "refresh",
            Purpose::SrpSecretBlock => "srp",
            Purpose::TotpSecret => "totp",
            Purpose::ClientSecret => "client-secret",
            Purpose::FeedbackToken => "feedback",
        };
        format!("{header}.{tag}").into_bytes()
    }
}

/// A pool's key material as stored; the record lives in `cognate-store`, the making of it in
/// [`PoolKeysExt`].
pub use cognate_store::PoolKeys;

/// Making a pool's [`PoolKeys`].
pub trait PoolKeysExt: Sized {
    /// Fresh keys for a new pool.
    fn generate(keys: &dyn KeySource, rng: &dyn Random) -> Self;

    /// A pool's keys from two RSA keys that are ready now, or `None` without waiting.
    fn ready(keys: &dyn KeySource, rng: &dyn Random) -> Option<Self>;
}

impl PoolKeysExt for PoolKeys {
    fn generate(keys: &dyn KeySource, rng: &dyn Random) -> Self {
        keys_from_pair((keys.rsa_2048_pkcs8(), keys.rsa_2048_pkcs8()), rng)
    }

    fn ready(keys: &dyn KeySource, rng: &dyn Random) -> Option<Self> {
        keys.ready_pair().map(|pair| keys_from_pair(pair, rng))
    }
}

fn keys_from_pair((id_key, access_key): (Vec<u8>, Vec<u8>), rng: &dyn Random) -> PoolKeys {
    let mut sealing = [0u8; 32];
    rng.fill(&mut sealing);
    PoolKeys {
        id_kid: kid_of(&id_key),
        id_key: STANDARD.encode(&id_key),
        access_kid: kid_of(&access_key),
        access_key: STANDARD.encode(&access_key),
        refresh_key: STANDARD.encode(sealing),
    }
}

/// Cognito's key ids are base64 of a SHA-256; cognate derives its own from the public key.
fn kid_of(pkcs8: &[u8]) -> String {
    use sha2::Digest;
    let public = KeyPair::from_pkcs8(pkcs8).map(|k| k.public_key().as_ref().to_vec()).unwrap_or_default();
    STANDARD.encode(sha2::Sha256::digest(&public))
}

/// Keys parsed and ready to use.
pub struct Keys {
    pub id_kid: String,
    pub access_kid: String,
    id: KeyPair,
    access: KeyPair,
    sealing: LessSafeKey,
    stand_in_key: Vec<u8>,
}

impl Keys {
    fn load(stored: &PoolKeys) -> Option<Self> {
        let der = |b64: &str| STANDARD.decode(b64).ok();
        let sealing = der(&stored.refresh_key)?;
        Some(Self {
            id_kid: stored.id_kid.clone(),
            access_kid: stored.access_kid.clone(),
            id: KeyPair::from_pkcs8(&der(&stored.id_key)?).ok()?,
            access: KeyPair::from_pkcs8(&der(&stored.access_key)?).ok()?,
            sealing: LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &sealing).ok()?),
            stand_in_key: {
                use sha2::Digest;
                sha2::Sha256::new().chain_update(b"stand-in").chain_update(&sealing).finalize().to_vec()
            },
        })
    }

    pub fn sign_id(&self, claims: &Map<String, Value>) -> String {
        sign(&self.id, &self.id_kid, claims)
    }

    pub fn sign_access(&self, claims: &Map<String, Value>) -> String {
        sign(&self.access, &self.access_kid, claims)
    }

    /// The claims of an access token this pool signed, if the signature holds.
    pub fn verify_access(&self, token: &str) -> Option<Map<String, Value>> {
        verify(&self.access, &self.access_kid, token)
    }

    /// The claims of an ID token this pool signed, if the signature holds.
    pub fn verify_id(&self, token: &str) -> Option<Map<String, Value>> {
        verify(&self.id, &self.id_kid, token)
    }

    /// An identity pool's OpenID token: RS512 under the ID key, with Cognito Identity's
    /// header (`{"kid":…,"typ":"JWS","alg":"RS512"}`).
    pub fn sign_rs512(&self, claims: &Map<String, Value>) -> String {
        let header = format!(r#"{{"kid":{},"typ":"JWS","alg":"RS512"}}"#, Value::String(self.id_kid.clone()));
        sign_with(&self.id, &header, &signature::RSA_PKCS1_SHA512, claims)
    }

    /// The claims of a token [`Keys::sign_rs512`] made, if the signature holds.
    pub fn verify_rs512(&self, token: &str) -> Option<Map<String, Value>> {
        verify_with(&self.id, &self.id_kid, "RS512", &signature::RSA_PKCS1_2048_8192_SHA512, token)
    }

    /// The JWKS of the RS512 key, as `cognito-identity.amazonaws.com/.well-known/jwks_uri`
    /// publishes its own.
    pub fn jwks_rs512(&self) -> Value {
        let public = self.id.public_key();
        json!({"keys": [{
            "kty": "RSA",
            "alg": "RS512",
            "use": "sig",
            "kid": self.id_kid,
            "n": URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero()),
            "e": URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero()),
        }]})
    }

    /// The JWKS document: both public keys, as Cognito publishes them.
    pub fn jwks(&self) -> Value {
        let jwk = |kp: &KeyPair, kid: &str| {
            let public = kp.public_key();
            json!({
                "alg": "RS256",
                "e": URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero()),
                "kid": kid,
                "kty": "RSA",
                "n": URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero()),
                "use": "sig",
            })
        };
        json!({"keys": [jwk(&self.id, &self.id_kid), jwk(&self.access, &self.access_kid)]})
    }

    /// Seals `payload` into a JWE-shaped opaque token.
    /// `purpose` is bound into the authenticated data, so a token sealed for one use (a
    /// refresh token) can never be opened as another (an SRP secret block).
    pub fn seal(&self, purpose: Purpose, payload: &[u8], rng: &dyn Random) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}"#);
        let mut wrapped = [0u8; 256];
        rng.fill(&mut wrapped);
        let mut iv = [0u8; 12];
        rng.fill(&mut iv);
        let mut data = payload.to_vec();
        let tag = self
            .sealing
            .seal_in_place_separate_tag(Nonce::assume_unique_for_key(iv), Aad::from(purpose.aad(&header)), &mut data)
            .expect("AES-GCM sealing does not fail on valid input");
        format!(
            "{header}.{}.{}.{}.{}",
            URL_SAFE_NO_PAD.encode(wrapped),
            URL_SAFE_NO_PAD.encode(iv),
            URL_SAFE_NO_PAD.encode(&data),
            URL_SAFE_NO_PAD.encode(tag.as_ref())
        )
    }

    /// 32 bytes that depend only on `input` and this pool's secret: stable stand-ins (such as
    /// the salt of a user who does not exist) that reveal nothing.
    pub fn seal_deterministic(&self, input: &[u8]) -> [u8; 32] {
        use hmac::{Hmac, KeyInit, Mac};
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&self.stand_in_key).expect("any key length");
        mac.update(input);
        mac.finalize().into_bytes().into()
    }

    /// Opens a token [`Keys::seal`] made; `None` for anything else.
    pub fn open(&self, purpose: Purpose, token: &str) -> Option<Vec<u8>> {
        let parts: Vec<&str> = token.split('.').collect();
        let [header, _, iv, data, tag] = parts.as_slice() else { return None };
        let iv: [u8; 12] = URL_SAFE_NO_PAD.decode(iv).ok()?.try_into().ok()?;
        let mut buf = URL_SAFE_NO_PAD.decode(data).ok()?;
        buf.extend(URL_SAFE_NO_PAD.decode(tag).ok()?);
        let plain = self
            .sealing
            .open_in_place(Nonce::assume_unique_for_key(iv), Aad::from(purpose.aad(header)), &mut buf)
            .ok()?;
        Some(plain.to_vec())
    }
}

fn sign(kp: &KeyPair, kid: &str, claims: &Map<String, Value>) -> String {
    let header = format!(r#"{{"kid":{},"alg":"RS256"}}"#, Value::String(kid.into()));
    sign_with(kp, &header, &signature::RSA_PKCS1_SHA256, claims)
}

fn sign_with(
    kp: &KeyPair,
    header: &str,
    alg: &'static dyn signature::RsaEncoding,
    claims: &Map<String, Value>,
) -> String {
    let header = URL_SAFE_NO_PAD.encode(header);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialise"));
    let input = format!("{header}.{payload}");
    let mut sig = vec![0u8; kp.public_modulus_len()];
    // RSASSA-PKCS1-v1_5 is deterministic. aws-lc-rs takes a `SecureRandom` for ring's sake and
    // ignores it (`RsaKeyPair::sign`: "Our implementation ignores the SecureRandom
    // parameter"), so this reads no randomness; the tidy test allows this one use.
    kp.sign(alg, &aws_lc_rs::rand::SystemRandom::new(), input.as_bytes(), &mut sig)
        .expect("RSA signing does not fail with a valid key");
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

/// Verifies an RS256 JWT made with `kp` under `kid`, and answers its claims.
fn verify(kp: &KeyPair, kid: &str, token: &str) -> Option<Map<String, Value>> {
    verify_with(kp, kid, "RS256", &signature::RSA_PKCS1_2048_8192_SHA256, token)
}

fn verify_with(
    kp: &KeyPair,
    kid: &str,
    alg_name: &str,
    alg: &'static signature::RsaParameters,
    token: &str,
) -> Option<Map<String, Value>> {
    let (input, sig) = token.rsplit_once('.')?;
    let (header, payload) = input.split_once('.')?;
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
    if header.get("alg")?.as_str()? != alg_name || header.get("kid")?.as_str()? != kid {
        return None;
    }
    let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
    UnparsedPublicKey::new(alg, kp.public_key().as_ref()).verify(input.as_bytes(), &sig).ok()?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

/// Checks an OpenID provider's ID token's RS256 signature by a key of the provider's JWKS
/// (fetched by the server), and answers its claims for the caller to check (issuer, audience,
/// expiry on cognate's clock). Used by user-pool federation and by identity pools.
pub fn verify_with_jwks(token: &str, jwks: &Value) -> Result<Map<String, Value>, String> {
    let invalid = || "Invalid id_token".to_string();
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(invalid());
    };
    let decode = |part: &str| URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).map_err(|_| invalid());
    let header: Value = serde_json::from_slice(&decode(h)?).map_err(|_| invalid())?;
    let claims: Map<String, Value> = serde_json::from_slice(&decode(p)?).map_err(|_| invalid())?;
    let signature = decode(s)?;
    if header["alg"].as_str() != Some("RS256") {
        return Err("Unsupported id_token signing algorithm".into());
    }
    let kid = header["kid"].as_str();
    let key = jwks["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|k| k["kty"] == "RSA" && (kid.is_none() || k["kid"].as_str() == kid))
        .ok_or_else(|| "No matching key in the identity provider's jwks".to_string())?;
    let n = decode(key["n"].as_str().unwrap_or_default())?;
    let e = decode(key["e"].as_str().unwrap_or_default())?;
    signature::RsaPublicKeyComponents { n: &n, e: &e }
        .verify(&signature::RSA_PKCS1_2048_8192_SHA256, format!("{h}.{p}").as_bytes(), &signature)
        .map_err(|_| invalid())?;
    Ok(claims)
}

/// The claims of a JWT, unverified: only to find which pool's keys to verify it with.
pub fn peek_claims(token: &str) -> Option<Map<String, Value>> {
    let payload = token.split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

/// Parsed keys by key id, so a sign-in does not parse PKCS#8 each time. Keys are immutable
/// once made, so a cached entry never goes stale; a new pool gets new key ids.
#[derive(Default)]
pub struct KeyCache(Mutex<HashMap<String, Arc<Keys>>>);

impl KeyCache {
    pub fn get(&self, stored: &PoolKeys) -> Option<Arc<Keys>> {
        let mut cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let cache_key = format!("{}/{}", stored.id_kid, stored.access_kid);
        if let Some(k) = cache.get(&cache_key) {
            return Some(k.clone());
        }
        let keys = Arc::new(Keys::load(stored)?);
        cache.insert(cache_key, keys.clone());
        Some(keys)
    }
}
