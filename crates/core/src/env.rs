//! Time and randomness, injected so that tests control them.

use std::sync::Mutex;

/// Milliseconds since the Unix epoch.
pub trait Clock: Send + Sync {
    fn now_millis(&self) -> i64;

    /// Seconds since the epoch with millisecond precision, as the JSON protocol sends dates.
    fn now_seconds(&self) -> f64 {
        self.now_millis() as f64 / 1000.0
    }
}

/// A source of unpredictable bytes (the OS generator in production).
pub trait Random: Send + Sync {
    fn fill(&self, buf: &mut [u8]);
}

/// A clock that only moves when told to.
#[derive(Debug, Default)]
pub struct ManualClock(Mutex<i64>);

impl ManualClock {
    pub fn new(millis: i64) -> Self {
        Self(Mutex::new(millis))
    }
    pub fn advance(&self, millis: i64) {
        *self.0.lock().unwrap() += millis;
    }
}

impl Clock for ManualClock {
    fn now_millis(&self) -> i64 {
        *self.0.lock().unwrap()
    }
}

/// A deterministic generator (SplitMix64) for tests; never for production secrets.
#[derive(Debug)]
pub struct SeededRandom(Mutex<u64>);

impl SeededRandom {
    pub fn new(seed: u64) -> Self {
        Self(Mutex::new(seed))
    }
}

impl Random for SeededRandom {
    fn fill(&self, buf: &mut [u8]) {
        let mut state = self.0.lock().unwrap();
        for chunk in buf.chunks_mut(8) {
            *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = *state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
        }
    }
}

/// Helpers over any [`Random`].
pub trait RandomExt {
    /// A uniformly chosen string of `len` characters from `alphabet`.
    fn string_from(&self, alphabet: &[u8], len: usize) -> String;
    /// A random (version 4) UUID in its hyphenated form.
    fn uuid_v4(&self) -> String;
    /// A uniform integer in `0..bound`.
    fn below(&self, bound: u32) -> u32;
}

impl<R: Random + ?Sized> RandomExt for R {
    fn string_from(&self, alphabet: &[u8], len: usize) -> String {
        (0..len).map(|_| alphabet[self.below(alphabet.len() as u32) as usize] as char).collect()
    }

    fn uuid_v4(&self) -> String {
        let mut b = [0u8; 16];
        self.fill(&mut b);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h = hex(&b);
        let mut uuid = String::with_capacity(36);
        for (i, part) in [&h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32]].into_iter().enumerate() {
            if i > 0 {
                uuid.push('-');
            }
            uuid.push_str(part);
        }
        uuid
    }

    fn below(&self, bound: u32) -> u32 {
        // Rejection sampling keeps the choice unbiased.
        let zone = u32::MAX - (u32::MAX % bound);
        loop {
            let mut b = [0u8; 4];
            self.fill(&mut b);
            let v = u32::from_le_bytes(b);
            if v < zone {
                return v % bound;
            }
        }
    }
}

pub const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
pub const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Where new RSA-2048 signing keys come from (PKCS#8 DER). Making one takes about a hundred
/// milliseconds, so production keeps a reserve made in the background.
pub trait KeySource: Send + Sync {
    /// A key, made now if none is ready.
    fn rsa_2048_pkcs8(&self) -> Vec<u8>;

    /// Two keys if two are ready now, without making any.
    fn ready_pair(&self) -> Option<(Vec<u8>, Vec<u8>)> {
        None
    }
}

/// Lower-case hex. Every token carries several random ids; formatting each byte through
/// `format!` cost more than the rest of making the id.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 0xf) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_uuids_read_as_they_should() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        let uuid = SeededRandom::new(7).uuid_v4();
        let parts: Vec<&str> = uuid.split('-').collect();
        assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12], "{uuid}");
        assert!(uuid.chars().all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase()), "{uuid}");
        assert!(parts[2].starts_with('4'), "version 4: {uuid}");
        assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'), "RFC 4122 variant: {uuid}");
    }
}

/// The size a client metadata document (`idp::cimd`) may have. Cognito's cap is not published;
/// this is cognate's own (draft §4 asks an authorization server to bound what it fetches).
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024;

/// What fetching a metadata document answered.
#[derive(Debug, Clone, Default)]
pub struct Fetched {
    pub status: u16,
    pub cache_control: Option<String>,
    pub body: Vec<u8>,
}

/// How core reaches a metadata document. The server's answers a redirect as it is (the draft
/// forbids following one) and reads at most [`MAX_DOCUMENT_BYTES`] and one more.
pub trait MetadataFetcher: Send + Sync {
    fn fetch(&self, url: &str) -> Result<Fetched, String>;
}

/// No network: every fetch fails, so only staged documents resolve.
pub struct NoNetwork;

impl MetadataFetcher for NoNetwork {
    fn fetch(&self, _: &str) -> Result<Fetched, String> {
        Err("cognate has no way to fetch documents".into())
    }
}
