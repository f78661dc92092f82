//! WebAuthn as a relying party reads it (W3C Web Authentication, §6.1 authenticator data, §7.1
//! registration, §7.2 assertion): the client data, the authenticator data, the attestation
//! object, a credential's COSE public key, and signatures. CBOR is ciborium's, COSE keys coset's
//! and the signature maths aws-lc-rs's; what is written here is only the layout WebAuthn fixes.
//! What Cognito does with the results (which challenge, which origin, which error) is
//! `idp::passkeys`' and `idp::signin::choice`'s.

use aws_lc_rs::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ciborium::Value;
use coset::{CborSerializable, CoseKey, KeyType, Label, iana};
use sha2::{Digest, Sha256};

/// User present.
pub const UP: u8 = 0x01;
/// User verified.
pub const UV: u8 = 0x04;
/// Attested credential data included.
pub const AT: u8 = 0x40;
/// Extensions included.
const ED: u8 = 0x80;

pub const ES256: i64 = -7;
pub const RS256: i64 = -257;

/// Why a credential was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not what WebAuthn says it must be (bad base64, CBOR, JSON or layout).
    Malformed(&'static str),
    /// A key type or algorithm other than ES256 and RS256, or an attestation format unknown.
    NotSupported,
    /// A signature that does not verify.
    BadSignature,
}

/// base64url without padding (what browsers send), tolerating padding.
pub fn b64(text: &str) -> Result<Vec<u8>, Refusal> {
    URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).map_err(|_| Refusal::Malformed("base64url"))
}

pub fn b64_encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// `clientDataJSON`: what the browser says the ceremony was.
#[derive(Debug, Clone)]
pub struct ClientData {
    /// `webauthn.create` or `webauthn.get`.
    pub kind: String,
    /// base64url, as the relying party issued it.
    pub challenge: String,
    pub origin: String,
    /// SHA-256 of the JSON bytes, which signatures cover.
    pub hash: [u8; 32],
}

pub fn client_data(b64_json: &str) -> Result<ClientData, Refusal> {
    let raw = b64(b64_json)?;
    let json: serde_json::Value = serde_json::from_slice(&raw).map_err(|_| Refusal::Malformed("clientDataJSON"))?;
    let field = |name: &str| json.get(name).and_then(|v| v.as_str()).map(str::to_string);
    Ok(ClientData {
        kind: field("type").ok_or(Refusal::Malformed("clientDataJSON.type"))?,
        challenge: field("challenge").ok_or(Refusal::Malformed("clientDataJSON.challenge"))?,
        origin: field("origin").ok_or(Refusal::Malformed("clientDataJSON.origin"))?,
        hash: Sha256::digest(&raw).into(),
    })
}

/// The authenticator data (§6.1).
#[derive(Debug, Clone)]
pub struct AuthData {
    pub raw: Vec<u8>,
    pub rp_id_hash: [u8; 32],
    pub flags: u8,
    pub sign_count: u32,
    /// Present at registration (the AT flag).
    pub credential: Option<AttestedCredential>,
}

#[derive(Debug, Clone)]
pub struct AttestedCredential {
    pub id: Vec<u8>,
    /// The credential's public key, a COSE_Key in CBOR.
    pub cose_key: Vec<u8>,
}

pub fn auth_data(raw: &[u8]) -> Result<AuthData, Refusal> {
    let short = Refusal::Malformed("authenticatorData");
    if raw.len() < 37 {
        return Err(short);
    }
    let rp_id_hash: [u8; 32] = raw[..32].try_into().map_err(|_| short.clone())?;
    let flags = raw[32];
    let sign_count = u32::from_be_bytes(raw[33..37].try_into().map_err(|_| short.clone())?);
    let credential = if flags & AT != 0 {
        // aaguid (16), credentialIdLength (2), credentialId, credentialPublicKey (CBOR).
        let rest = raw.get(37..).ok_or(short.clone())?;
        if rest.len() < 18 {
            return Err(short);
        }
        let len = u16::from_be_bytes([rest[16], rest[17]]) as usize;
        let id = rest.get(18..18 + len).ok_or(short.clone())?.to_vec();
        let key_and_more = rest.get(18 + len..).ok_or(short.clone())?;
        let mut cursor = std::io::Cursor::new(key_and_more);
        let _: Value = ciborium::de::from_reader(&mut cursor).map_err(|_| Refusal::Malformed("credentialPublicKey"))?;
        let used = cursor.position() as usize;
        if flags & ED == 0 && used != key_and_more.len() {
            return Err(Refusal::Malformed("authenticatorData has bytes after the key"));
        }
        Some(AttestedCredential { id, cose_key: key_and_more[..used].to_vec() })
    } else {
        None
    };
    Ok(AuthData { raw: raw.to_vec(), rp_id_hash, flags, sign_count, credential })
}

/// SHA-256 of a relying party id, as the authenticator data carries it.
pub fn rp_id_hash(rp_id: &str) -> [u8; 32] {
    Sha256::digest(rp_id.as_bytes()).into()
}

/// A credential's public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// P-256, as the uncompressed point `04 || x || y`.
    Es256(Vec<u8>),
    Rs256 {
        n: Vec<u8>,
        e: Vec<u8>,
    },
}

fn param(key: &CoseKey, label: i64) -> Option<&Vec<u8>> {
    key.params.iter().find(|(l, _)| *l == Label::Int(label)).and_then(|(_, v)| v.as_bytes())
}

/// The public key of a COSE_Key, and its algorithm: ES256 (EC2, P-256) or RS256, which are
/// what Cognito accepts ("ES256 and RS256", developer guide, passkeys).
pub fn public_key(cose: &[u8]) -> Result<(i64, PublicKey), Refusal> {
    let key = CoseKey::from_slice(cose).map_err(|_| Refusal::Malformed("COSE key"))?;
    let alg = match &key.alg {
        Some(coset::Algorithm::Assigned(iana::Algorithm::ES256)) => ES256,
        Some(coset::Algorithm::Assigned(iana::Algorithm::RS256)) => RS256,
        _ => return Err(Refusal::NotSupported),
    };
    match (&key.kty, alg) {
        (KeyType::Assigned(iana::KeyType::EC2), ES256) => {
            let crv = key.params.iter().find(|(l, _)| *l == Label::Int(-1)).and_then(|(_, v)| v.as_integer());
            if crv != Some(1.into()) {
                return Err(Refusal::NotSupported);
            }
            let (x, y) = (param(&key, -2), param(&key, -3));
            match (x, y) {
                (Some(x), Some(y)) if x.len() == 32 && y.len() == 32 => {
                    let mut point = vec![0x04];
                    point.extend_from_slice(x);
                    point.extend_from_slice(y);
                    Ok((ES256, PublicKey::Es256(point)))
                }
                _ => Err(Refusal::Malformed("EC2 key")),
            }
        }
        (KeyType::Assigned(iana::KeyType::RSA), RS256) => match (param(&key, -1), param(&key, -2)) {
            (Some(n), Some(e)) => Ok((RS256, PublicKey::Rs256 { n: n.clone(), e: e.clone() })),
            _ => Err(Refusal::Malformed("RSA key")),
        },
        _ => Err(Refusal::NotSupported),
    }
}

/// Whether `sig` is `key`'s signature of `message` (ECDSA signatures DER-encoded, as WebAuthn
/// has them).
pub fn verify(key: &PublicKey, message: &[u8], sig: &[u8]) -> bool {
    match key {
        PublicKey::Es256(point) => {
            UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_ASN1, point).verify(message, sig).is_ok()
        }
        PublicKey::Rs256 { n, e } => RsaPublicKeyComponents { n: n.as_slice(), e: e.as_slice() }
            .verify(&signature::RSA_PKCS1_2048_8192_SHA256, message, sig)
            .is_ok(),
    }
}

/// An attestation object (§6.5): its format, statement and authenticator data.
pub struct Attestation {
    pub fmt: String,
    statement: Vec<(Value, Value)>,
    pub auth_data: AuthData,
}

pub fn attestation_object(raw: &[u8]) -> Result<Attestation, Refusal> {
    let value: Value = ciborium::de::from_reader(raw).map_err(|_| Refusal::Malformed("attestationObject"))?;
    let map = value.into_map().map_err(|_| Refusal::Malformed("attestationObject"))?;
    let get = |name: &str| map.iter().find(|(k, _)| k.as_text() == Some(name)).map(|(_, v)| v.clone());
    let fmt = get("fmt").and_then(|v| v.into_text().ok()).ok_or(Refusal::Malformed("attestationObject.fmt"))?;
    let statement = get("attStmt").and_then(|v| v.into_map().ok()).unwrap_or_default();
    let auth =
        get("authData").and_then(|v| v.into_bytes().ok()).ok_or(Refusal::Malformed("attestationObject.authData"))?;
    Ok(Attestation { fmt, statement, auth_data: auth_data(&auth)? })
}

impl Attestation {
    /// Checks the attestation statement (§8): `none` has nothing to check; `packed` self
    /// attestation is the credential's own signature over the authenticator data and the
    /// client data's hash. A `packed` statement with a certificate (`x5c`) is taken without
    /// checking the certificate, as Cognito enforces no attestation (developer guide,
    /// passkeys); other formats likewise carry nothing a relying party without attestation
    /// policy needs.
    pub fn verify(&self, key: &PublicKey, alg: i64, client_data_hash: &[u8; 32]) -> Result<(), Refusal> {
        let get = |name: &str| self.statement.iter().find(|(k, _)| k.as_text() == Some(name)).map(|(_, v)| v);
        match self.fmt.as_str() {
            "none" => Ok(()),
            "packed" if get("x5c").is_none() => {
                let stated = get("alg").and_then(|v| v.as_integer()).and_then(|i| i64::try_from(i).ok());
                if stated != Some(alg) {
                    return Err(Refusal::BadSignature);
                }
                let sig = get("sig").and_then(|v| v.as_bytes()).ok_or(Refusal::Malformed("attStmt.sig"))?;
                let mut message = self.auth_data.raw.clone();
                message.extend_from_slice(client_data_hash);
                if verify(key, &message, sig) { Ok(()) } else { Err(Refusal::BadSignature) }
            }
            "packed" | "fido-u2f" | "tpm" | "android-key" | "android-safetynet" | "apple" => Ok(()),
            _ => Err(Refusal::NotSupported),
        }
    }
}

/// Whether `origin` may speak for relying party `rp_id`: the RP id itself or a subdomain of
/// it over HTTPS (WebAuthn §5.1.3 and §13.4.9), or, for `localhost`, a page on localhost over
/// either scheme, as browsers allow.
pub fn origin_allowed(origin: &str, rp_id: &str) -> bool {
    let (scheme, rest) = match origin.split_once("://") {
        Some(parts) => parts,
        None => return false,
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    };
    let host = host.to_ascii_lowercase();
    let rp = rp_id.to_ascii_lowercase();
    let same_site = host == rp || host.ends_with(&format!(".{rp}"));
    match scheme {
        "https" => same_site,
        "http" => same_site && (rp == "localhost" || rp.ends_with(".localhost")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_the_rp_id_or_its_subdomains_over_https_and_localhost_over_either() {
        assert!(origin_allowed("https://auth.example.com", "auth.example.com"));
        assert!(origin_allowed("https://app.example.com:8443", "example.com"));
        assert!(origin_allowed("http://localhost:5173", "localhost"));
        assert!(!origin_allowed("http://auth.example.com", "auth.example.com"), "plain HTTP is not a secure context");
        assert!(!origin_allowed("https://example.com.evil.test", "example.com"));
        assert!(!origin_allowed("https://notexample.com", "example.com"));
        assert!(!origin_allowed("localhost", "localhost"));
    }

    #[test]
    fn a_short_or_truncated_authenticator_data_is_malformed() {
        assert!(matches!(auth_data(&[0; 36]), Err(Refusal::Malformed(_))));
        let mut raw = vec![0u8; 37];
        raw[32] = AT;
        assert!(matches!(auth_data(&raw), Err(Refusal::Malformed(_))), "AT set but no credential data");
    }
}
