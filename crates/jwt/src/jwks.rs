use crate::Error;
use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// One RSA signing key from a JWKS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jwk {
    /// The key id.
    pub kid: String,
    n: Vec<u8>,
    e: Vec<u8>,
}

impl Jwk {
    /// Reads one JWK, refusing any that is not an RSA key for RS256 signatures.
    pub fn from_json(value: &Value) -> Result<Self, Error> {
        let field = |name: &str| value.get(name).and_then(Value::as_str);
        let kid = field("kid").ok_or_else(|| Error::Jwk("no kid".into()))?.to_string();
        if field("kty") != Some("RSA") {
            return Err(Error::Jwk(format!("{kid}: kty must be RSA")));
        }
        if field("use").is_some_and(|u| u != "sig") {
            return Err(Error::Jwk(format!("{kid}: use must be sig")));
        }
        if field("alg").is_some_and(|a| a != "RS256") {
            return Err(Error::Jwk(format!("{kid}: alg must be RS256")));
        }
        let decode = |name: &str| {
            field(name)
                .and_then(|v| URL_SAFE_NO_PAD.decode(v).ok())
                .filter(|b| !b.is_empty())
                .ok_or_else(|| Error::Jwk(format!("{kid}: bad {name}")))
        };
        Ok(Self { n: decode("n")?, e: decode("e")?, kid })
    }

    /// Checks an RS256 signature over `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        RsaPublicKeyComponents { n: &self.n, e: &self.e }
            .verify(&RSA_PKCS1_2048_8192_SHA256, message, signature)
            .map_err(|_| Error::Signature)
    }
}

/// A JWKS document: the usable keys, by `kid`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Jwks {
    /// The keys, in document order.
    pub keys: Vec<Jwk>,
}

impl Jwks {
    /// Parses `{"keys": [...]}`. Keys that are not RSA signing keys are skipped, as a JWKS may
    /// publish others; a document without a `keys` array is an error.
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let doc: Value = serde_json::from_slice(bytes).map_err(|e| Error::Jwks(format!("not JSON: {e}")))?;
        let keys = doc.get("keys").and_then(Value::as_array).ok_or_else(|| Error::Jwks("no keys array".into()))?;
        Ok(Self { keys: keys.iter().filter_map(|k| Jwk::from_json(k).ok()).collect() })
    }
}

/// The future a [`JwksFetcher`] answers with.
pub type FetchFuture<'a> = Pin<Box<dyn Future<Output = Result<Vec<u8>, String>> + Send + 'a>>;

/// Gets a JWKS document's bytes from a URI.
pub trait JwksFetcher: Send + Sync {
    /// Fetches `uri`.
    fn fetch<'a>(&'a self, uri: &'a str) -> FetchFuture<'a>;
}

/// A fetcher that answers with a document you hold (and can change), counting fetches: for
/// tests, and for keys you have already.
pub struct StaticFetcher {
    doc: std::sync::Mutex<Vec<u8>>,
    fetches: AtomicUsize,
}

impl StaticFetcher {
    /// Serves `doc`.
    pub fn new(doc: impl Into<Vec<u8>>) -> Self {
        Self { doc: std::sync::Mutex::new(doc.into()), fetches: AtomicUsize::new(0) }
    }

    /// Serves `doc` from now on (a key rotation, say).
    pub fn set(&self, doc: impl Into<Vec<u8>>) {
        *self.doc.lock().unwrap_or_else(|e| e.into_inner()) = doc.into();
    }

    /// How many times the document was fetched.
    pub fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

impl JwksFetcher for StaticFetcher {
    fn fetch<'a>(&'a self, _uri: &'a str) -> FetchFuture<'a> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        let doc = self.doc.lock().unwrap_or_else(|e| e.into_inner()).clone();
        Box::pin(async move { Ok(doc) })
    }
}

/// Fetches over HTTP(S) with reqwest, with aws-jwt-verify's time limits (3 s for a response).
#[cfg(feature = "fetch")]
pub struct HttpFetcher {
    client: reqwest::Client,
}

#[cfg(feature = "fetch")]
impl HttpFetcher {
    /// A fetcher with its own connection pool.
    pub fn new() -> Self {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(3)).build().expect("an HTTP client builds");
        Self { client }
    }
}

#[cfg(feature = "fetch")]
impl Default for HttpFetcher {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(feature = "fetch")]
impl JwksFetcher for HttpFetcher {
    fn fetch<'a>(&'a self, uri: &'a str) -> FetchFuture<'a> {
        Box::pin(async move {
            let resp = self.client.get(uri).send().await.map_err(|e| e.to_string())?;
            if !resp.status().is_success() {
                return Err(format!("{uri} answered {}", resp.status()));
            }
            resp.bytes().await.map(|b| b.to_vec()).map_err(|e| e.to_string())
        })
    }
}

/// The JWKS of one URI, fetched on demand. Cached keys are read without waiting on anything;
/// only a miss takes the fetch lock, and a task that waited on it looks again before fetching,
/// so concurrent misses of the same `kid` share one fetch. An unknown key or a failed fetch
/// starts the penalty period.
pub(crate) struct JwksCache {
    uri: String,
    fetcher: Arc<dyn JwksFetcher>,
    penalty: Duration,
    keys: std::sync::RwLock<HashMap<String, Arc<Jwk>>>,
    penalty_until: std::sync::Mutex<Option<Instant>>,
    fetching: tokio::sync::Mutex<()>,
}

impl JwksCache {
    pub(crate) fn new(uri: String, fetcher: Arc<dyn JwksFetcher>, penalty: Duration) -> Self {
        Self {
            uri,
            fetcher,
            penalty,
            keys: Default::default(),
            penalty_until: Default::default(),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    fn cached(&self, kid: &str) -> Option<Arc<Jwk>> {
        self.keys.read().unwrap_or_else(|e| e.into_inner()).get(kid).cloned()
    }

    fn penalised(&self) -> bool {
        self.penalty_until.lock().unwrap_or_else(|e| e.into_inner()).is_some_and(|until| Instant::now() < until)
    }

    fn penalise(&self) {
        *self.penalty_until.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now() + self.penalty);
    }

    async fn load(&self) -> Result<(), Error> {
        let bytes = self.fetcher.fetch(&self.uri).await.map_err(Error::Jwks)?;
        let jwks = Jwks::parse(&bytes)?;
        *self.keys.write().unwrap_or_else(|e| e.into_inner()) =
            jwks.keys.into_iter().map(|k| (k.kid.clone(), Arc::new(k))).collect();
        Ok(())
    }

    pub(crate) async fn refresh(&self) -> Result<(), Error> {
        let _one_at_a_time = self.fetching.lock().await;
        self.load().await
    }

    pub(crate) async fn key(&self, kid: &str) -> Result<Arc<Jwk>, Error> {
        if let Some(k) = self.cached(kid) {
            return Ok(k);
        }
        if self.penalised() {
            return Err(Error::WaitPeriod(kid.to_string()));
        }
        let _one_at_a_time = self.fetching.lock().await;
        // Another task may have fetched (or been refused) while this one waited.
        if let Some(k) = self.cached(kid) {
            return Ok(k);
        }
        if self.penalised() {
            return Err(Error::WaitPeriod(kid.to_string()));
        }
        if let Err(e) = self.load().await {
            self.penalise();
            return Err(e);
        }
        self.cached(kid).ok_or_else(|| {
            self.penalise();
            Error::KidNotFound(kid.to_string())
        })
    }
}
