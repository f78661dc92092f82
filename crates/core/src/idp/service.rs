//! [`UserPools`]: what every operation of the user-pool API is handed (the store, the clock,
//! the random source, the key source, Lambda and cognate's settings), with the few things
//! every operation does with them. A leaf: it knows no operation.

use crate::env::{Clock, KeySource, Random};
use crate::password::VerifiedCache;
use crate::store::{Store, Tx};
use crate::tokens::KeyCache;
use cognate_proto::idp::{UserPoolClientType, UserPoolType};
use cognate_proto::{ApiError, RequestContext};
use std::sync::Arc;

/// Which issuer tokens name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IssuerStyle {
    /// `<public base URL>/<poolId>`: where cognate can be reached, so discovery works.
    #[default]
    Local,
    /// `https://cognito-idp.<region>.amazonaws.com/<poolId>`, for verifiers that insist on it.
    Aws,
}

/// Settings that are cognate's, not a pool's.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The region of requests that name none (unsigned, and no pool id to read it from).
    pub default_region: String,
    /// The account id in ARNs.
    pub account_id: String,
    /// Which issuer tokens carry.
    pub issuer: IssuerStyle,
}

impl Default for Settings {
    fn default() -> Self {
        Self { default_region: "us-east-1".into(), account_id: "000000000000".into(), issuer: IssuerStyle::Local }
    }
}

/// Cognito user pools over a store, a clock and a random source.
pub struct UserPools {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) rng: Arc<dyn Random>,
    pub(crate) keys: Arc<dyn KeySource>,
    pub(crate) key_cache: KeyCache,
    pub(crate) settings: Settings,
    /// Credentials verified in this process (see `signin::password`).
    pub(crate) verified: VerifiedCache,
    pub(crate) lambda: Arc<dyn crate::triggers::Lambda>,
    /// Fetches client metadata documents (see `cimd`).
    pub(crate) metadata: Arc<dyn crate::env::MetadataFetcher>,
    /// Orders the journal entries of one millisecond (see `journal`).
    pub(crate) journal_seq: std::sync::atomic::AtomicU64,
}

impl UserPools {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        rng: Arc<dyn Random>,
        keys: Arc<dyn KeySource>,
        settings: Settings,
    ) -> Self {
        let mut verified_key = [0u8; 32];
        rng.fill(&mut verified_key);
        Self {
            store,
            clock,
            rng,
            keys,
            key_cache: KeyCache::default(),
            settings,
            verified: VerifiedCache::new(verified_key),
            lambda: Arc::new(crate::triggers::NoLambda),
            metadata: Arc::new(crate::env::NoNetwork),
            journal_seq: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Runs the pool's Lambda triggers with `lambda` (by default there is none to run).
    pub fn with_lambda(mut self, lambda: Arc<dyn crate::triggers::Lambda>) -> Self {
        self.lambda = lambda;
        self
    }

    /// Invokes a pool's trigger outside any transaction; the handler's answer, or Cognito's
    /// error for its failure.
    pub(crate) fn run_trigger(
        &self,
        arn: &str,
        trigger: &str,
        event: serde_json::Value,
    ) -> Result<serde_json::Value, ApiError> {
        let answer = self.lambda.invoke(arn, &event).map_err(|f| crate::triggers::failure_error(trigger, f))?;
        crate::triggers::response_of(&answer).map_err(|f| crate::triggers::failure_error(trigger, f))?;
        Ok(answer)
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub(crate) fn now(&self) -> f64 {
        self.clock.now_seconds()
    }

    /// One transaction that commits what it wrote whether it answers or refuses (a wrong
    /// code's count must stand).
    pub(crate) fn tx_settled<R>(
        &self,
        f: impl FnOnce(&mut dyn Tx) -> Result<Settled<R>, ApiError>,
    ) -> Result<R, ApiError> {
        match self.tx(f)? {
            Settled::Done(answer) => Ok(answer),
            Settled::Refused(error) => Err(error),
        }
    }

    /// One transaction: all it writes lands together, or (on an error) nothing does. One that
    /// sends messages is [`UserPools::tx_sending`].
    /// Each runs through `recovery::Journaled`, which keeps the history point-in-time recovery
    /// reads.
    pub(crate) fn tx<R>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<R, ApiError>) -> Result<R, ApiError> {
        let now_millis = self.clock.now_millis();
        self.store.tx(|tx| {
            let mut journaled = crate::idp::journal::Journaled { inner: tx, now_millis, seq: &self.journal_seq };
            f(&mut journaled)
        })
    }

    pub(crate) fn region(&self, ctx: &RequestContext) -> String {
        ctx.region.clone().unwrap_or_else(|| self.settings.default_region.clone())
    }
}

/// What a transaction sends through a trigger (CustomMessage or a custom sender): held until
/// the transaction commits, then run and written to the outbox; dropped with a rollback.
#[derive(Default)]
pub(crate) struct Mail(pub(crate) Vec<Outgoing>);

/// A message waiting for its transaction to commit before CustomMessage shapes it.
pub(crate) struct Outgoing {
    pub message: crate::store::OutboxMessage,
    pub arn: String,
    pub attributes: serde_json::Value,
    /// A custom sender (with the pool's KMS key id) instead of CustomMessage.
    pub sender: Option<String>,
}

/// What every step of one sign-in shares (and the tokens it ends with): the request, and the
/// app client and pool it reached.
pub(crate) struct SignIn<'a> {
    pub up: &'a UserPools,
    pub ctx: &'a RequestContext,
    pub pool: &'a UserPoolType,
    pub client: &'a UserPoolClientType,
    /// What the step sends (an MFA code), once its transaction commits.
    pub mail: &'a std::cell::RefCell<Mail>,
    /// A sign-in on the managed login pages: it ends in a browser session and an authorization
    /// code, not tokens, and its challenge sessions answer only there.
    pub hosted: bool,
}

impl SignIn<'_> {
    pub(crate) fn pool_id(&self) -> &str {
        self.pool.id.as_deref().unwrap_or_default()
    }
}

/// How a transaction run by [`UserPools::tx_settled`] ended: with the operation's answer, or
/// with a refusal that still commits what was written.
pub(crate) enum Settled<T> {
    Done(T),
    Refused(ApiError),
}
