//! Verify Amazon Cognito user-pool JWTs in Rust, the way
//! [aws-jwt-verify](https://github.com/awslabs/aws-jwt-verify) does in JavaScript.
//!
//! ```no_run
//! use cognate_jwt::{TokenUse, Verifier};
//!
//! # async fn run(token: &str) -> Result<(), cognate_jwt::Error> {
//! let verifier = Verifier::builder("us-east-1_TestPoolId")
//!     .token_use(TokenUse::Id)
//!     .client_id("my-app-client-id")
//!     .build()?;
//! let claims = verifier.verify(token).await?;
//! println!("{} is in {:?}", claims.sub, claims.groups);
//! # Ok(()) }
//! ```
//!
//! What is checked, in order: the token's shape; the header (`alg` must be RS256 and a `kid`
//! present; `none` and the HMAC algorithms are refused, so a public key can never be used as
//! an HMAC secret); the signature, with the JWK the `kid` names (RSA, `use` `sig`); then the
//! claims: `iss`, `token_use`, the client (`aud` in ID tokens, `client_id` in access tokens),
//! `exp` and `nbf` with a configurable grace, required groups and scopes, and a custom
//! check of your own.
//!
//! The JWKS is fetched from `<issuer>/.well-known/jwks.json` (or a URI you give) and cached.
//! A token with a `kid` the cache lacks causes one refetch, shared by every verification
//! waiting on it; if the key is still missing, the JWKS URI is not fetched again for a
//! penalty period (10 seconds by default), so a flood of tokens with made-up key ids cannot
//! hammer the endpoint. Fetching is pluggable ([`JwksFetcher`]); with the default `fetch`
//! feature, [`HttpFetcher`] uses reqwest.
//!
//! Issuers: the AWS form `https://cognito-idp.<region>.amazonaws.com/<poolId>` is the default;
//! [`VerifierBuilder::issuer`] sets another, such as a cognate server's
//! `http://127.0.0.1:9229/<poolId>`.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod claims;
mod error;
#[cfg(feature = "axum")]
pub mod extract;
mod jwks;

pub use claims::VerifiedClaims;
pub use error::Error;
#[cfg(feature = "fetch")]
pub use jwks::HttpFetcher;
pub use jwks::{Jwk, Jwks, JwksFetcher, StaticFetcher};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwks::JwksCache;
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Which kind of token a verifier accepts (`token_use`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenUse {
    /// ID tokens only: `token_use` is `id`, the client is in `aud`.
    Id,
    /// Access tokens only: `token_use` is `access`, the client is in `client_id`.
    Access,
    /// Either kind, said explicitly.
    Either,
}

impl TokenUse {
    fn allows(self, claim: &str) -> bool {
        matches!(
            (self, claim),
            (TokenUse::Id, "id") | (TokenUse::Access, "access") | (TokenUse::Either, "id" | "access")
        )
    }

    fn expected(self) -> &'static str {
        match self {
            TokenUse::Id => "id",
            TokenUse::Access => "access",
            TokenUse::Either => "id or access",
        }
    }
}

/// A check of your own, run on the claims after all the others.
pub type CustomCheck = Arc<dyn Fn(&VerifiedClaims) -> Result<(), String> + Send + Sync>;

/// The time, in seconds since the epoch, that expiry is judged against.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// Builds a [`Verifier`]. Created by [`Verifier::builder`].
pub struct VerifierBuilder {
    user_pool_id: String,
    token_use: Option<TokenUse>,
    client_ids: Option<Vec<String>>,
    issuer: Option<String>,
    jwks_uri: Option<String>,
    grace: Duration,
    groups: Vec<String>,
    scopes: Vec<String>,
    custom: Option<CustomCheck>,
    fetcher: Option<Arc<dyn JwksFetcher>>,
    penalty: Duration,
    clock: Option<Clock>,
    any_client: bool,
    groups_set: bool,
    scopes_set: bool,
}

impl VerifierBuilder {
    /// The kind of token to accept. Required, as in aws-jwt-verify: accepting the wrong kind
    /// silently is the mistake this guards against.
    pub fn token_use(mut self, token_use: TokenUse) -> Self {
        self.token_use = Some(token_use);
        self
    }

    /// The one app client whose tokens are accepted.
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_ids = Some(vec![client_id.into()]);
        self
    }

    /// Several app clients whose tokens are accepted. An empty list is a configuration error
    /// (it would refuse every token); say [`any_client`](Self::any_client) to accept all.
    pub fn client_ids<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ids: I) -> Self {
        self.client_ids = Some(ids.into_iter().map(Into::into).collect());
        self.any_client = false;
        self
    }

    /// Accept tokens of any app client of the pool (said explicitly, like `clientId: null`).
    pub fn any_client(mut self) -> Self {
        self.client_ids = Some(Vec::new());
        self.any_client = true;
        self
    }

    /// The issuer tokens must name, when it is not the AWS one (a cognate server, say).
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into().trim_end_matches('/').to_string());
        self
    }

    /// Where the JWKS is, when it is not `<issuer>/.well-known/jwks.json`.
    pub fn jwks_uri(mut self, uri: impl Into<String>) -> Self {
        self.jwks_uri = Some(uri.into());
        self
    }

    /// How far `exp` and `nbf` may be off (clock skew). Default: none. (`iat` is not judged, as
    /// in aws-jwt-verify: a verifier whose clock runs behind still accepts fresh tokens.)
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// Require membership of at least one of these groups (`cognito:groups`).
    pub fn groups<I: IntoIterator<Item = S>, S: Into<String>>(mut self, groups: I) -> Self {
        self.groups = groups.into_iter().map(Into::into).collect();
        self.groups_set = true;
        self
    }

    /// Require at least one of these scopes (the space-separated `scope` claim).
    pub fn scopes<I: IntoIterator<Item = S>, S: Into<String>>(mut self, scopes: I) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self.scopes_set = true;
        self
    }

    /// A check of your own, run last.
    pub fn custom_check(
        mut self,
        check: impl Fn(&VerifiedClaims) -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        self.custom = Some(Arc::new(check));
        self
    }

    /// How the JWKS is fetched. Default: [`HttpFetcher`] (feature `fetch`).
    pub fn fetcher(mut self, fetcher: Arc<dyn JwksFetcher>) -> Self {
        self.fetcher = Some(fetcher);
        self
    }

    /// How long an unknown `kid` keeps the JWKS URI from being fetched again. Default: 10 s.
    pub fn penalty(mut self, penalty: Duration) -> Self {
        self.penalty = penalty;
        self
    }

    /// The clock expiry is judged by (default: the system clock); for tests.
    pub fn clock(mut self, clock: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Checks the configuration and makes the verifier.
    pub fn build(self) -> Result<Verifier, Error> {
        let token_use =
            self.token_use.ok_or_else(|| Error::Config("token_use must be set (id, access or either)".into()))?;
        let client_ids =
            self.client_ids.ok_or_else(|| Error::Config("client_id must be set (or any_client() said)".into()))?;
        // An empty list would refuse everything; only any_client() means "all".
        if client_ids.is_empty() && !self.any_client {
            return Err(Error::Config("the list of client ids is empty; say any_client() to accept all".into()));
        }
        if (self.groups_set && self.groups.is_empty()) || (self.scopes_set && self.scopes.is_empty()) {
            return Err(Error::Config("an empty list of required groups or scopes would refuse every token".into()));
        }
        // AWS issues under two names: the original and, for pools that opt in, the newer
        // `issuer-cognito-idp` form; both are accepted unless an issuer is named.
        let issuers = match self.issuer {
            Some(i) => vec![i],
            None => {
                let region = aws_region(&self.user_pool_id)
                    .ok_or_else(|| Error::Config(format!("not a user pool id: {}", self.user_pool_id)))?;
                vec![
                    format!("https://cognito-idp.{region}.amazonaws.com/{}", self.user_pool_id),
                    format!("https://issuer-cognito-idp.{region}.amazonaws.com/{}", self.user_pool_id),
                ]
            }
        };
        let jwks_uri = self.jwks_uri.unwrap_or_else(|| format!("{}/.well-known/jwks.json", issuers[0]));
        let fetcher = match self.fetcher {
            Some(f) => f,
            #[cfg(feature = "fetch")]
            None => Arc::new(HttpFetcher::new()),
            #[cfg(not(feature = "fetch"))]
            None => return Err(Error::Config("no JWKS fetcher: enable the `fetch` feature or pass one".into())),
        };
        let clock = self.clock.unwrap_or_else(|| {
            Arc::new(|| SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0))
        });
        Ok(Verifier {
            issuers,
            token_use,
            client_ids,
            grace: self.grace.as_secs(),
            groups: self.groups,
            scopes: self.scopes,
            custom: self.custom,
            cache: JwksCache::new(jwks_uri, fetcher, self.penalty),
            clock,
        })
    }
}

/// The region a user pool id names, if it is one (`<region>_<id>`).
fn aws_region(user_pool_id: &str) -> Option<&str> {
    let (region, id) = user_pool_id.split_once('_')?;
    let region_ok = region.split('-').count() >= 3
        && region.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    (region_ok && !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric())).then_some(region)
}

/// Verifies the tokens of one user pool. Cheap to share (`Arc`) across tasks; the JWKS cache
/// lives inside it.
pub struct Verifier {
    issuers: Vec<String>,
    token_use: TokenUse,
    client_ids: Vec<String>,
    grace: u64,
    groups: Vec<String>,
    scopes: Vec<String>,
    custom: Option<CustomCheck>,
    cache: JwksCache,
    clock: Clock,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("issuers", &self.issuers)
            .field("token_use", &self.token_use)
            .finish_non_exhaustive()
    }
}

fn decode_part(part: &str) -> Result<Map<String, Value>, Error> {
    let bytes = URL_SAFE_NO_PAD.decode(part).map_err(|_| Error::Malformed("a part is not base64url".into()))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Error::Malformed("a part is not a JSON object".into())),
    }
}

impl Verifier {
    /// Starts a verifier for the pool `user_pool_id`.
    pub fn builder(user_pool_id: impl Into<String>) -> VerifierBuilder {
        VerifierBuilder {
            user_pool_id: user_pool_id.into(),
            token_use: None,
            client_ids: None,
            issuer: None,
            jwks_uri: None,
            grace: Duration::ZERO,
            groups: Vec::new(),
            scopes: Vec::new(),
            custom: None,
            fetcher: None,
            penalty: Duration::from_secs(10),
            clock: None,
            any_client: false,
            groups_set: false,
            scopes_set: false,
        }
    }

    /// The issuer tokens must name (the first, when AWS's two forms are both accepted).
    pub fn issuer(&self) -> &str {
        &self.issuers[0]
    }

    /// Loads the JWKS now rather than on the first verification.
    pub async fn hydrate(&self) -> Result<(), Error> {
        self.cache.refresh().await
    }

    /// Verifies `token` and answers its claims.
    pub async fn verify(&self, token: &str) -> Result<VerifiedClaims, Error> {
        let Parts { header, payload, signing_input, signature } = split(token)?;
        let alg = header.get("alg").and_then(Value::as_str).unwrap_or_default();
        if alg != "RS256" {
            return Err(Error::Algorithm(alg.to_string()));
        }
        let kid = header.get("kid").and_then(Value::as_str).ok_or(Error::MissingKid)?;
        let jwk = self.cache.key(kid).await?;
        jwk.verify(signing_input.as_bytes(), &signature)?;
        self.check_claims(payload)
    }

    fn check_claims(&self, raw: Map<String, Value>) -> Result<VerifiedClaims, Error> {
        let claims = VerifiedClaims::from_raw(raw)?;
        if !self.issuers.contains(&claims.iss) {
            return Err(Error::Issuer { expected: self.issuers.join(" or "), actual: claims.iss.clone() });
        }
        if !self.token_use.allows(&claims.token_use) {
            return Err(Error::TokenUse {
                expected: self.token_use.expected().into(),
                actual: claims.token_use.clone(),
            });
        }
        if !self.client_ids.is_empty() {
            let client = match claims.token_use.as_str() {
                "id" => claims.raw.get("aud").and_then(Value::as_str),
                _ => claims.raw.get("client_id").and_then(Value::as_str),
            };
            if !client.is_some_and(|c| self.client_ids.iter().any(|id| id == c)) {
                return Err(Error::Audience { expected: self.client_ids.clone(), actual: client.map(str::to_string) });
            }
        }
        let now = (self.clock)();
        if now > claims.exp.saturating_add(self.grace) {
            return Err(Error::Expired { exp: claims.exp });
        }
        if let Some(nbf) = claims.raw.get("nbf").and_then(Value::as_u64)
            && now.saturating_add(self.grace) < nbf
        {
            return Err(Error::NotYetValid { nbf });
        }
        if !self.groups.is_empty() && !claims.groups.iter().any(|g| self.groups.contains(g)) {
            return Err(Error::Groups { required: self.groups.clone() });
        }
        if !self.scopes.is_empty() && !claims.scopes.iter().any(|s| self.scopes.contains(s)) {
            return Err(Error::Scope { required: self.scopes.clone() });
        }
        if let Some(check) = &self.custom {
            check(&claims).map_err(Error::Custom)?;
        }
        Ok(claims)
    }
}

/// A compact JWS taken apart.
struct Parts<'a> {
    header: Map<String, Value>,
    payload: Map<String, Value>,
    /// `header.payload`, as signed.
    signing_input: &'a str,
    signature: Vec<u8>,
}

/// Splits a compact JWS into its decoded header and payload, the signing input and the
/// signature.
fn split(token: &str) -> Result<Parts<'_>, Error> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(Error::Malformed("a JWT has three parts".into()));
    };
    let header = decode_part(h)?;
    let payload = decode_part(p)?;
    let signature = URL_SAFE_NO_PAD.decode(s).map_err(|_| Error::Malformed("the signature is not base64url".into()))?;
    Ok(Parts { header, payload, signing_input: &token[..h.len() + 1 + p.len()], signature })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_ids_give_regions() {
        assert_eq!(aws_region("us-east-1_TestPoolId"), Some("us-east-1"));
        assert_eq!(aws_region("us-gov-west-1_abc"), Some("us-gov-west-1"));
        assert_eq!(aws_region("local_abc"), None);
        assert_eq!(aws_region("us-east-1_"), None);
    }
}
