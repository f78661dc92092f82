//! The pool's SAML signing certificate (GetSigningCertificate): "the x.509 certificate that
//! signs SAML 2.0 authentication requests for your user pool", valid for ten years (model;
//! developer guide, "Signing and encrypting SAML").
//!
//! Made the first time it is asked for, from a key of its own (not a token key), and the same
//! one answered from then on. The value is the certificate's DER, base64, without PEM armour,
//! as Cognito's is believed to be (docs/research/newest-operations.md §8).

use crate::idp::lookup::load_pool;
use crate::idp::pool_docs::{self, PoolDoc};
use crate::idp::service::UserPools;
use crate::store::Owner;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cognate_proto::ApiError;
use cognate_proto::idp::*;
use serde::{Deserialize, Serialize};

const TEN_YEARS: i64 = 10 * 365 * 86_400 + 2 * 86_400;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SigningCertificate {
    /// DER, base64.
    certificate: String,
    /// The key's PKCS#8, sealed under nothing but the store: the pool's own signing key, as
    /// its token keys are kept.
    key: String,
}

impl PoolDoc for SigningCertificate {
    const KIND: &'static str = "saml-signing";
}

const KEY: &str = "current";

/// A self-signed certificate over `pkcs8`, for `pool_id`, from `now` for ten years.
fn make(pool_id: &str, pkcs8: &[u8], serial: [u8; 16], now: f64) -> Result<Vec<u8>, String> {
    let key = rcgen::KeyPair::try_from(pkcs8).map_err(|e| e.to_string())?;
    let mut params = rcgen::CertificateParams::default();
    let mut name = rcgen::DistinguishedName::new();
    name.push(rcgen::DnType::CommonName, pool_id);
    params.distinguished_name = name;
    let start = now.floor() as i64;
    params.not_before = time::OffsetDateTime::from_unix_timestamp(start).map_err(|e| e.to_string())?;
    params.not_after = time::OffsetDateTime::from_unix_timestamp(start + TEN_YEARS).map_err(|e| e.to_string())?;
    // A positive serial: the top bit clear.
    let mut serial = serial;
    serial[0] &= 0x7f;
    params.serial_number = Some(rcgen::SerialNumber::from_slice(&serial));
    let cert = params.self_signed(&key).map_err(|e| e.to_string())?;
    Ok(cert.der().to_vec())
}

pub(crate) fn get_signing_certificate(
    up: &UserPools,
    input: GetSigningCertificateRequest,
) -> Result<GetSigningCertificateResponse, ApiError> {
    if let Some(kept) = up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        pool_docs::get::<SigningCertificate>(tx, &input.user_pool_id, Owner::Pool, KEY)
    })? {
        return Ok(GetSigningCertificateResponse { certificate: Some(kept.certificate) });
    }
    // The key is made outside the transaction (an RSA key takes a while to find).
    let pkcs8 = up.keys.rsa_2048_pkcs8();
    let mut serial = [0u8; 16];
    up.rng.fill(&mut serial);
    let der = make(&input.user_pool_id, &pkcs8, serial, up.now())
        .map_err(|e| ApiError::internal_error(format!("making the signing certificate: {e}")))?;
    let made = SigningCertificate { certificate: STANDARD.encode(der), key: STANDARD.encode(&pkcs8) };
    let kept = up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        // Another request may have made one meanwhile: the first kept stands.
        if let Some(first) = pool_docs::get::<SigningCertificate>(tx, &input.user_pool_id, Owner::Pool, KEY)? {
            return Ok(first);
        }
        pool_docs::put(tx, &input.user_pool_id, Owner::Pool, KEY, &made)?;
        Ok(made)
    })?;
    Ok(GetSigningCertificateResponse { certificate: Some(kept.certificate) })
}
