use std::fmt;

/// Why a token was refused (or a verifier could not be made). Each message names what
/// failed: `expired`, `issuer`, `audience`, `token_use`, `signature`, `kid`, ...
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The verifier's configuration is incomplete or wrong.
    Config(String),
    /// Not a compact JWT: three base64url parts, header and payload JSON objects.
    Malformed(String),
    /// The header's `alg` is not RS256 (`none` and HMAC algorithms included).
    Algorithm(String),
    /// The header has no `kid`.
    MissingKid,
    /// The JWKS has no key with this `kid`, even after refetching it.
    KidNotFound(String),
    /// An unknown `kid` was seen recently; the JWKS is not fetched again until the penalty
    /// period ends.
    WaitPeriod(String),
    /// The JWK for the `kid` is not an RSA signing key for RS256.
    Jwk(String),
    /// The JWKS could not be fetched or read.
    Jwks(String),
    /// The signature does not verify.
    Signature,
    /// A required claim is missing or of the wrong type.
    Claim(String),
    /// `iss` is not the expected issuer.
    Issuer {
        /// The issuer the verifier expects.
        expected: String,
        /// The issuer the token names.
        actual: String,
    },
    /// `token_use` is not the kind the verifier accepts.
    TokenUse {
        /// `id`, `access`, or `id or access`.
        expected: String,
        /// The token's `token_use`.
        actual: String,
    },
    /// The client (`aud` of ID tokens, `client_id` of access tokens) is not an allowed one.
    Audience {
        /// The allowed client ids.
        expected: Vec<String>,
        /// The token's client, if it names one.
        actual: Option<String>,
    },
    /// `exp` has passed.
    Expired {
        /// The token's `exp`.
        exp: u64,
    },
    /// `nbf` is still to come.
    NotYetValid {
        /// The token's `nbf`.
        nbf: u64,
    },
    /// The user is in none of the required groups.
    Groups {
        /// The groups of which one is required.
        required: Vec<String>,
    },
    /// The token has none of the required scopes.
    Scope {
        /// The scopes of which one is required.
        required: Vec<String>,
    },
    /// The custom check refused the token.
    Custom(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config(m) => write!(f, "invalid verifier configuration: {m}"),
            Error::Malformed(m) => write!(f, "malformed token: {m}"),
            Error::Algorithm(a) => write!(f, "signature algorithm not allowed: {a:?}; expected RS256"),
            Error::MissingKid => write!(f, "the token header has no kid"),
            Error::KidNotFound(k) => write!(f, "kid not found in the JWKS: {k}"),
            Error::WaitPeriod(k) => {
                write!(f, "kid not found in the JWKS: {k}; not refetching the JWKS until the wait period ends")
            }
            Error::Jwk(m) => write!(f, "unusable JWK: {m}"),
            Error::Jwks(m) => write!(f, "JWKS unavailable: {m}"),
            Error::Signature => write!(f, "invalid signature"),
            Error::Claim(m) => write!(f, "invalid claims: {m}"),
            Error::Issuer { expected, actual } => write!(f, "issuer not allowed: {actual}; expected {expected}"),
            Error::TokenUse { expected, actual } => write!(f, "token_use not allowed: {actual}; expected {expected}"),
            Error::Audience { expected, actual } => write!(
                f,
                "audience (client id) not allowed: {}; expected one of {expected:?}",
                actual.as_deref().unwrap_or("(none)")
            ),
            Error::Expired { exp } => write!(f, "token expired at {exp}"),
            Error::NotYetValid { nbf } => write!(f, "token not valid before {nbf}"),
            Error::Groups { required } => write!(f, "groups: the user is in none of {required:?}"),
            Error::Scope { required } => write!(f, "scope: the token has none of {required:?}"),
            Error::Custom(m) => write!(f, "custom check failed: {m}"),
        }
    }
}

impl std::error::Error for Error {}
