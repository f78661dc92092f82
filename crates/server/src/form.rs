//! `application/x-www-form-urlencoded` and HTTP Basic credentials: how the hosted UI's
//! redirects, its calls to a provider and its token endpoint are written and read.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// Pairs written as a query string or form body.
pub fn encode<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    fn enc(s: &str) -> String {
        let mut out = String::new();
        for b in s.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => out.push(b as char),
                b' ' => out.push('+'),
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
        out
    }
    pairs.iter().map(|(k, v)| format!("{}={}", enc(k.as_ref()), enc(v.as_ref()))).collect::<Vec<_>>().join("&")
}

/// `text` as one percent-encoded path segment.
pub fn component(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `url` with `pairs` added to its query, or (`fragment`) as its fragment.
pub fn with_params<K: AsRef<str>, V: AsRef<str>>(url: &str, pairs: &[(K, V)], fragment: bool) -> String {
    let query = encode(pairs);
    if pairs.is_empty() {
        url.to_string()
    } else if fragment {
        format!("{url}#{query}")
    } else if url.contains('?') {
        format!("{url}&{query}")
    } else {
        format!("{url}?{query}")
    }
}

/// `Basic base64(id:secret)`, split.
pub fn basic_credentials(header: &str) -> Option<(String, String)> {
    let encoded = header.strip_prefix("Basic ").or_else(|| header.strip_prefix("basic "))?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_as_forms_do() {
        assert_eq!(encode(&[("a b", "x&y=z"), ("k", "ü")]), "a+b=x%26y%3Dz&k=%C3%BC");
        assert_eq!(with_params("https://app/cb?x=1", &[("code", "c")], false), "https://app/cb?x=1&code=c");
        assert_eq!(with_params("https://app/cb", &[("code", "c")], true), "https://app/cb#code=c");
    }

    #[test]
    fn reads_basic_credentials() {
        assert_eq!(basic_credentials("Basic aWQ6c2VjcmV0"), Some(("id".into(), "secret".into())));
        assert_eq!(basic_credentials("Bearer x"), None);
    }
}
