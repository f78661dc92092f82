//! Passwords: the pool's policy, generated temporary passwords, and what is stored instead of
//! the password.
//!
//! cognate stores, per user, the SRP verifier Cognito's own protocol is built on: a random
//! salt and `v = g^x mod N` with `x = SHA256(PAD(salt) ‖ SHA256(poolName ‖ username ‖ ":" ‖
//! password))` over the 3072-bit group of RFC 3526 with g = 2 (see
//! `shared/reference/clients.md` §2). Recovering a password from it means a brute-force search
//! in which each guess costs a 3072-bit modular exponentiation, and the same record serves
//! both USER_PASSWORD_AUTH (recompute v and compare) and SRP (the verifier is what the server
//! side of SRP needs). Checking a password costs exactly one such exponentiation with a
//! 256-bit exponent.

use crate::env::hex;
use crate::env::{Random, RandomExt};
use cognate_proto::ApiError;
use cognate_proto::idp::PasswordPolicyType;
use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, Odd};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

/// The symbols Cognito's policy counts (developer guide, "Password policies").
pub const SYMBOLS: &str = "^$*.[]{}()?-\"!@#%&/\\,><':;|_~`+= ";

/// The policy of a pool created without one.
pub fn default_policy() -> PasswordPolicyType {
    PasswordPolicyType {
        minimum_length: Some(8),
        require_uppercase: Some(true),
        require_lowercase: Some(true),
        require_numbers: Some(true),
        require_symbols: Some(true),
        temporary_password_validity_days: Some(7),
        password_history_size: None,
    }
}

/// Checks `password` against `policy`, answering as Cognito does with the first rule broken.
pub fn check_policy(policy: &PasswordPolicyType, password: &str) -> Result<(), ApiError> {
    let fail = |why: &str| Err(ApiError::invalid_password(format!("Password did not conform with policy: {why}")));
    if (password.chars().count() as i32) < policy.minimum_length.unwrap_or(8) {
        return fail("Password not long enough");
    }
    if policy.require_lowercase.unwrap_or(false) && !password.chars().any(|c| c.is_lowercase()) {
        return fail("Password must have lowercase characters");
    }
    if policy.require_uppercase.unwrap_or(false) && !password.chars().any(|c| c.is_uppercase()) {
        return fail("Password must have uppercase characters");
    }
    if policy.require_numbers.unwrap_or(false) && !password.chars().any(|c| c.is_ascii_digit()) {
        return fail("Password must have numeric characters");
    }
    if policy.require_symbols.unwrap_or(false) && !password.chars().any(|c| SYMBOLS.contains(c) && c != ' ') {
        return fail("Password must have symbol characters");
    }
    Ok(())
}

/// A random password that satisfies `policy`: one character of each class it requires, the
/// rest letters and digits, in random order.
pub fn generate_temporary(policy: &PasswordPolicyType, rng: &dyn Random) -> String {
    let len = policy.minimum_length.unwrap_or(8).max(8) as usize;
    let mut chars: Vec<char> = vec![
        rng.string_from(b"ABCDEFGHJKLMNPQRSTUVWXYZ", 1).chars().next().unwrap(),
        rng.string_from(b"abcdefghijkmnopqrstuvwxyz", 1).chars().next().unwrap(),
        rng.string_from(b"23456789", 1).chars().next().unwrap(),
        rng.string_from(b"!#$%&*+-=?@^_", 1).chars().next().unwrap(),
    ];
    while chars.len() < len {
        chars.push(rng.string_from(crate::env::ALNUM, 1).chars().next().unwrap());
    }
    for i in (1..chars.len()).rev() {
        chars.swap(i, rng.below(i as u32 + 1) as usize);
    }
    chars.into_iter().collect()
}

/// What cognate keeps instead of a password; the record lives in `cognate-store`, the
/// arithmetic in [`VerifierExt`].
pub use cognate_store::PasswordVerifier;

/// Making and checking a [`PasswordVerifier`].
pub trait VerifierExt {
    /// `pool_name` is the part of the pool id after `_`; `user_id` is the username.
    fn new(pool_name: &str, user_id: &str, password: &str, rng: &dyn Random) -> Self;

    /// Whether `password` is the one this verifier was made from. Constant-time in the
    /// comparison; the exponentiation itself does not branch on secrets.
    fn matches(&self, pool_name: &str, user_id: &str, password: &str) -> bool;
}

impl VerifierExt for PasswordVerifier {
    fn new(pool_name: &str, user_id: &str, password: &str, rng: &dyn Random) -> Self {
        let mut salt = [0u8; 16];
        rng.fill(&mut salt);
        let salt = pad_hex(&salt);
        let verifier = hex(&srp::verifier(&salt, pool_name, user_id, password));
        Self { salt, verifier }
    }

    fn matches(&self, pool_name: &str, user_id: &str, password: &str) -> bool {
        let candidate = hex(&srp::verifier(&self.salt, pool_name, user_id, password));
        constant_time_eq(candidate.as_bytes(), self.verifier.as_bytes())
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Cognito's PAD: minimal big-endian bytes as even-length hex, with a leading `00` when the
/// top bit is set (a non-negative two's-complement number).
pub fn pad_hex(bytes: &[u8]) -> String {
    let trimmed: &[u8] = match bytes.iter().position(|&b| b != 0) {
        Some(i) => &bytes[i..],
        None => &[0],
    };
    let h = hex(trimmed);
    if trimmed[0] & 0x80 != 0 { format!("00{h}") } else { h }
}

/// The SRP group Cognito uses.
pub mod srp {
    use super::*;

    /// RFC 3526's 3072-bit MODP prime.
    pub const N_HEX: &str = concat!(
        "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD",
        "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
        "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
        "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
        "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
        "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
        "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
        "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    );
    pub const BITS: u32 = 3072;

    pub fn params() -> &'static BoxedMontyParams {
        static PARAMS: OnceLock<BoxedMontyParams> = OnceLock::new();
        PARAMS.get_or_init(|| {
            let n = BoxedUint::from_be_hex(N_HEX, BITS).expect("N is valid hex");
            BoxedMontyParams::new(Odd::new(n).expect("N is odd"))
        })
    }

    /// `g^exponent mod N` with g = 2, as big-endian bytes of N's width.
    pub fn g_pow(exponent: &[u8]) -> Vec<u8> {
        let g = BoxedMontyForm::new(BoxedUint::from_be_slice(&[2], BITS).expect("2 fits"), params());
        let e = BoxedUint::from_be_slice(exponent, (exponent.len() as u32 * 8).max(64).next_multiple_of(64))
            .expect("exponent fits its own width");
        g.pow(&e).retrieve().to_be_bytes().into_vec()
    }

    /// x = SHA256(PAD(salt) ‖ SHA256(poolName ‖ userId ‖ ":" ‖ password)).
    pub fn x(salt_pad_hex: &str, pool_name: &str, user_id: &str, password: &str) -> [u8; 32] {
        let inner = Sha256::new()
            .chain_update(pool_name.as_bytes())
            .chain_update(user_id.as_bytes())
            .chain_update(b":")
            .chain_update(password.as_bytes())
            .finalize();
        let salt = decode_hex(salt_pad_hex);
        Sha256::new().chain_update(&salt).chain_update(inner).finalize().into()
    }

    /// v = g^x mod N.
    pub fn verifier(salt_pad_hex: &str, pool_name: &str, user_id: &str, password: &str) -> Vec<u8> {
        g_pow(&x(salt_pad_hex, pool_name, user_id, password))
    }

    fn k_monty() -> BoxedMontyForm {
        static K: OnceLock<Vec<u8>> = OnceLock::new();
        let k = K.get_or_init(|| {
            let n = decode_hex(N_HEX);
            Sha256::new().chain_update([0u8]).chain_update(&n).chain_update([2u8]).finalize().to_vec()
        });
        monty(k)
    }

    fn monty(bytes: &[u8]) -> BoxedMontyForm {
        let value = BoxedUint::from_be_slice(bytes, BITS).expect("the value fits 3072 bits");
        BoxedMontyForm::new(value, params())
    }

    fn bytes_of(m: &BoxedMontyForm) -> Vec<u8> {
        m.retrieve().to_be_bytes().into_vec()
    }

    /// Cognito's PAD applied to a big-endian number, as the bytes that get hashed.
    pub fn pad(bytes: &[u8]) -> Vec<u8> {
        decode_hex(&super::pad_hex(bytes))
    }

    /// Parses the client's `SRP_A` (hex, possibly odd-length) and reduces it mod N; `None`
    /// when it is not hex, is wider than N, or is 0 mod N (which would let a client skip the
    /// password).
    pub fn parse_a(hex: &str) -> Option<Vec<u8>> {
        if hex.is_empty() || hex.len() > 768 || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let value = BoxedUint::from_be_slice(&decode_hex(hex), BITS).ok()?;
        let n = crypto_bigint::NonZero::new(params().modulus().as_ref().clone()).expect("N is not zero");
        // A is public, so a variable-time reduction leaks nothing.
        let reduced = value.rem_vartime(&n);
        if bool::from(reduced.is_zero()) {
            return None;
        }
        Some(reduced.to_be_bytes().into_vec())
    }

    /// The server's public value B = (k·v + g^b) mod N.
    pub fn server_b(verifier: &[u8], b: &[u8]) -> Vec<u8> {
        server_b_from(verifier, &g_pow(b))
    }

    /// B = k·v + g^b mod N, given g^b (which needs no verifier, so can be made beforehand).
    pub fn server_b_from(verifier: &[u8], g_b: &[u8]) -> Vec<u8> {
        bytes_of(&(k_monty() * monty(verifier) + monty(g_b)))
    }

    /// u = H(PAD(A) ‖ PAD(B)).
    pub fn u(a: &[u8], b_pub: &[u8]) -> [u8; 32] {
        Sha256::new().chain_update(pad(a)).chain_update(pad(b_pub)).finalize().into()
    }

    /// The shared secret the server computes: S = (A · v^u)^b mod N.
    pub fn server_s(a: &[u8], verifier: &[u8], u: &[u8; 32], b: &[u8]) -> Vec<u8> {
        let u = BoxedUint::from_be_slice(u, 256).expect("u is 256 bits");
        let b = BoxedUint::from_be_slice(b, (b.len() as u32 * 8).next_multiple_of(64)).expect("b fits its width");
        let base = monty(a) * monty(verifier).pow(&u);
        bytes_of(&base.pow(&b))
    }

    /// The 16-byte key both sides derive: HKDF-SHA256 with salt PAD(u), key material PAD(S)
    /// and info "Caldera Derived Key".
    pub fn session_key(s: &[u8], u: &[u8; 32]) -> [u8; 16] {
        use hmac::{Hmac, KeyInit, Mac};
        let mut prk = Hmac::<Sha256>::new_from_slice(&pad(u)).expect("any key length");
        prk.update(&pad(s));
        let prk = prk.finalize().into_bytes();
        let mut okm = Hmac::<Sha256>::new_from_slice(&prk).expect("any key length");
        okm.update(b"Caldera Derived Key\x01");
        let full = okm.finalize().into_bytes();
        full[..16].try_into().expect("16 of 32 bytes")
    }

    /// PASSWORD_CLAIM_SIGNATURE as the client must have made it.
    pub fn claim_signature(
        key: &[u8; 16],
        pool_name: &str,
        user_id: &str,
        secret_block: &[u8],
        timestamp: &str,
    ) -> [u8; 32] {
        use hmac::{Hmac, KeyInit, Mac};
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
        mac.update(pool_name.as_bytes());
        mac.update(user_id.as_bytes());
        mac.update(secret_block);
        mac.update(timestamp.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The client's side of the handshake, as Amplify and amazon-cognito-identity-js compute
    /// it: for tests and benchmarks that must sign in as a real client would.
    pub mod client {
        use super::*;

        /// The client's key for this round: S = (B − k·g^x)^(a + u·x) mod N, then HKDF.
        pub fn session_key(
            a: &[u8],
            b_pub: &[u8],
            salt_pad_hex: &str,
            pool_name: &str,
            user_id: &str,
            password: &str,
        ) -> [u8; 16] {
            session_key_with_a(a, &g_pow(a), b_pub, salt_pad_hex, pool_name, user_id, password)
        }

        /// [`session_key`] for a client that kept its A = g^a from the first step.
        pub fn session_key_with_a(
            a: &[u8],
            a_pub: &[u8],
            b_pub: &[u8],
            salt_pad_hex: &str,
            pool_name: &str,
            user_id: &str,
            password: &str,
        ) -> [u8; 16] {
            let u = super::u(a_pub, b_pub);
            let x = super::x(salt_pad_hex, pool_name, user_id, password);
            let gx = monty(&g_pow(&x));
            let base = monty(b_pub) - k_monty() * gx;
            // Wide enough for a + u·x and no wider: the constant-time power walks every bit of
            // the exponent's width, so N's width here would cost a dozen exponentiations.
            let wide = ((a.len() as u32 * 8).max(512) + 64).next_multiple_of(64);
            let exponent = BoxedUint::from_be_slice(a, wide).expect("a fits").wrapping_add(
                BoxedUint::from_be_slice(&u, wide)
                    .expect("u fits")
                    .wrapping_mul(BoxedUint::from_be_slice(&x, wide).expect("x fits")),
            );
            let s = bytes_of(&base.pow(&exponent));
            super::session_key(&s, &u)
        }
    }

    pub fn decode_hex(h: &str) -> Vec<u8> {
        let h = if h.len() % 2 == 1 { format!("0{h}") } else { h.to_string() };
        (0..h.len()).step_by(2).filter_map(|i| u8::from_str_radix(&h[i..i + 2], 16).ok()).collect()
    }
}

/// How many verified credentials the in-memory cache holds before it starts afresh.
const VERIFIED_CACHE_LIMIT: usize = 100_000;

/// Credentials verified in this process. A password already verified against this exact
/// verifier is recognised by an HMAC under a key that never leaves memory, so repeated
/// sign-ins skip the exponentiation; what is stored is unchanged, and a new password (a new
/// verifier) is checked in full.
pub struct VerifiedCache {
    key: [u8; 32],
    tags: Mutex<HashSet<[u8; 32]>>,
}

impl VerifiedCache {
    pub fn new(key: [u8; 32]) -> Self {
        VerifiedCache { key, tags: Mutex::default() }
    }

    fn tag(&self, parts: &[&str]) -> [u8; 32] {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        mac.finalize().into_bytes().into()
    }

    /// Whether the credential `parts` name was verified before.
    pub fn knows(&self, parts: &[&str]) -> bool {
        let tag = self.tag(parts);
        self.tags.lock().unwrap_or_else(|e| e.into_inner()).contains(&tag)
    }

    /// Notes that the credential `parts` name was verified.
    pub fn remember(&self, parts: &[&str]) {
        let tag = self.tag(parts);
        let mut tags = self.tags.lock().unwrap_or_else(|e| e.into_inner());
        if tags.len() >= VERIFIED_CACHE_LIMIT {
            tags.clear();
        }
        tags.insert(tag);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::SeededRandom;

    #[test]
    fn k_matches_cognito() {
        // k = H(PAD(N) ‖ PAD(g)); Cognito's value as asserted by client test suites.
        let n = srp::decode_hex(srp::N_HEX);
        let k = Sha256::new().chain_update([0u8]).chain_update(&n).chain_update([2u8]).finalize();
        assert_eq!(hex(&k), "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6");
    }

    // The protocol's inputs, named as the SRP papers name them.
    #[allow(clippy::too_many_arguments)]
    fn client_signature(
        salt: &str,
        b_pub: &[u8],
        a: &[u8],
        pool: &str,
        user: &str,
        password: &str,
        block: &[u8],
        ts: &str,
    ) -> [u8; 32] {
        let key = srp::client::session_key(a, b_pub, salt, pool, user, password);
        srp::claim_signature(&key, pool, user, block, ts)
    }

    #[test]
    fn server_and_client_agree() {
        let rng = SeededRandom::new(3);
        let v = PasswordVerifier::new("Pool1", "zed", "Secr3t!pw", &rng);
        let verifier = srp::decode_hex(&v.verifier);
        let mut a = [0u8; 128];
        rng.fill(&mut a);
        let mut b = [0u8; 32];
        rng.fill(&mut b);
        let a_pub = srp::g_pow(&a);
        let b_pub = srp::server_b(&verifier, &b);
        let block = b"secret-block";
        let ts = "Thu Nov 6 09:05:07 UTC 2026";
        let u = srp::u(&a_pub, &b_pub);
        let server_key = srp::session_key(&srp::server_s(&a_pub, &verifier, &u, &b), &u);
        let expected = srp::claim_signature(&server_key, "Pool1", "zed", block, ts);
        assert_eq!(client_signature(&v.salt, &b_pub, &a, "Pool1", "zed", "Secr3t!pw", block, ts), expected);
        assert_ne!(client_signature(&v.salt, &b_pub, &a, "Pool1", "zed", "wrong", block, ts), expected);
        // A of zero (or N) is refused; odd-length hex is fine.
        assert!(srp::parse_a("0").is_none());
        assert!(srp::parse_a(&srp::N_HEX.to_lowercase()).is_none());
        assert!(srp::parse_a("abc").is_some());
    }

    #[test]
    fn verifier_checks_the_password_only() {
        let rng = SeededRandom::new(7);
        let v = PasswordVerifier::new("AbCdEf123", "alice", "Passw0rd!", &rng);
        assert!(v.matches("AbCdEf123", "alice", "Passw0rd!"));
        assert!(!v.matches("AbCdEf123", "alice", "Passw0rd?"));
        assert!(!v.matches("AbCdEf123", "bob", "Passw0rd!"));
        assert!(!v.verifier.contains("Passw0rd"));
    }

    #[test]
    fn policy_messages() {
        let p = default_policy();
        let msg = |pw: &str| check_policy(&p, pw).unwrap_err().message.unwrap();
        assert_eq!(msg("Ab1!"), "Password did not conform with policy: Password not long enough");
        assert_eq!(msg("ABCDEFG1!"), "Password did not conform with policy: Password must have lowercase characters");
        assert_eq!(msg("abcdefg1!"), "Password did not conform with policy: Password must have uppercase characters");
        assert_eq!(msg("Abcdefgh!"), "Password did not conform with policy: Password must have numeric characters");
        assert_eq!(msg("Abcdefgh1"), "Password did not conform with policy: Password must have symbol characters");
        assert!(check_policy(&p, "Abcdefg1!").is_ok());
    }

    #[test]
    fn generated_passwords_conform() {
        let rng = SeededRandom::new(1);
        for len in [6, 8, 12, 30] {
            let policy = PasswordPolicyType { minimum_length: Some(len), ..default_policy() };
            for _ in 0..50 {
                let pw = generate_temporary(&policy, &rng);
                check_policy(&policy, &pw).unwrap();
            }
        }
    }
}
