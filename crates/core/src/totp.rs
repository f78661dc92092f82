//! Time-based one-time passwords as Cognito checks them: RFC 6238 over HMAC-SHA1, six digits,
//! 30-second steps, and a code from the step before or after accepted too ("within 30 seconds
//! before or after the attempt", developer guide, TOTP software token MFA).

use aws_lc_rs::hmac;

/// Seconds per step.
pub const STEP_SECONDS: u64 = 30;
/// Steps either side of now whose codes are accepted.
pub const SKEW_STEPS: u64 = 1;
/// Bytes of a new secret: 20, the HMAC-SHA1 block RFC 4226 recommends, which base32 writes as
/// the 32 characters Cognito's SecretCode has.
pub const SECRET_BYTES: usize = 20;

/// The 30-second step `unix_seconds` falls in.
pub fn step_of(unix_seconds: u64) -> u64 {
    unix_seconds / STEP_SECONDS
}

/// The code of `step` for `secret`, with `digits` digits (RFC 4226's dynamic truncation).
pub fn code(secret: &[u8], step: u64, digits: u32) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let mac = hmac::sign(&key, &step.to_be_bytes());
    let mac = mac.as_ref();
    let offset = (mac[mac.len() - 1] & 0x0f) as usize;
    let binary = u32::from_be_bytes([mac[offset] & 0x7f, mac[offset + 1], mac[offset + 2], mac[offset + 3]]);
    let value = binary % 10u32.pow(digits);
    format!("{value:0width$}", width = digits as usize)
}

/// The step whose six-digit code `given` is, among the steps around `now_step` and after
/// `used_step` (the step last accepted, which cannot be used again); `None` if none.
pub fn accept(secret: &[u8], given: &str, now_step: u64, used_step: u64) -> Option<u64> {
    let first = now_step.saturating_sub(SKEW_STEPS);
    (first..=now_step + SKEW_STEPS).filter(|&s| s > used_step).find(|&s| constant_eq(&code(secret, s, 6), given))
}

/// The secret as an authenticator app is given it: RFC 4648 base32, no padding.
pub fn encode_secret(secret: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(secret)
}

/// A secret from its base32 form.
pub fn decode_secret(text: &str) -> Option<Vec<u8>> {
    data_encoding::BASE32_NOPAD.decode(text.as_bytes()).ok()
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B: the SHA-1 rows, secret "12345678901234567890", 8 digits.
    #[test]
    fn rfc_6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (time, expected) in [
            (59u64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(code(secret, step_of(time), 8), expected, "T = {time}");
        }
        // Six digits are the last six of the same number.
        assert_eq!(code(secret, step_of(59), 6), "287082");
    }

    #[test]
    fn a_code_is_good_one_step_either_side_and_once() {
        let secret = b"12345678901234567890";
        let now = step_of(1_234_567_890);
        for offset in [-1i64, 0, 1] {
            let step = (now as i64 + offset) as u64;
            assert_eq!(accept(secret, &code(secret, step, 6), now, 0), Some(step));
        }
        assert_eq!(accept(secret, &code(secret, now - 2, 6), now, 0), None, "a minute old");
        assert_eq!(accept(secret, &code(secret, now + 2, 6), now, 0), None, "a minute early");
        assert_eq!(accept(secret, &code(secret, now, 6), now, now), None, "used already");
        assert_eq!(accept(secret, &code(secret, now - 1, 6), now, now), None, "older than the one used");
        assert_eq!(accept(secret, &code(secret, now + 1, 6), now, now), Some(now + 1));
        assert_eq!(accept(secret, "12345", now, 0), None);
    }

    #[test]
    fn secrets_are_base32_as_authenticator_apps_read_them() {
        assert_eq!(encode_secret(b"12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(encode_secret(&[0u8; SECRET_BYTES]).len(), 32);
        assert_eq!(decode_secret("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap(), b"12345678901234567890");
    }
}
