//! What every identity-pool operation is handed, and the lookups they share.

use crate::env::RandomExt;
use crate::idp::{IssuerStyle, UserPools};
use crate::store::{IdentityPoolRecord, IdentityRecord, Tx};
use crate::tokens::Keys;
use cognate_proto::{ApiError, RequestContext};
use serde_json::Value;
use std::sync::Arc;

/// Where an OpenID Connect provider's signing keys come from: its discovery document's
/// `jwks_uri`, fetched by the server (core does no IO).
pub trait ProviderKeys: Send + Sync {
    /// The JWKS of the provider whose issuer is `issuer`, or why it could not be had.
    fn jwks(&self, issuer: &str) -> Result<Value, String>;
}

/// No provider is reachable: every OIDC login fails its signature check.
pub struct NoProviderKeys;

impl ProviderKeys for NoProviderKeys {
    fn jwks(&self, issuer: &str) -> Result<Value, String> {
        Err(format!("{issuer} is not reachable"))
    }
}

/// Cognito identity pools, over the user pools whose ID tokens they take (the same store,
/// clock and randomness).
pub struct IdentityPools {
    pub(crate) up: Arc<UserPools>,
    pub(crate) providers: Arc<dyn ProviderKeys>,
}

/// The name the service's own signing key is kept under beside the user pools' keys.
const KEY_NAME: &str = "cognito-identity";

/// What Cognito Identity names itself: the issuer of its tokens under [`IssuerStyle::Aws`], the
/// `Logins` key of its own tokens, and the prefix of its claims.
pub(crate) const SERVICE_HOST: &str = "cognito-identity.amazonaws.com";

/// How long credentials last (GetCredentialsForIdentity's are one hour).
pub(crate) const CREDENTIALS_SECONDS: f64 = 3600.0;

impl IdentityPools {
    pub fn new(up: Arc<UserPools>, providers: Arc<dyn ProviderKeys>) -> Self {
        Self { up, providers }
    }

    pub(crate) fn now(&self) -> f64 {
        self.up.now()
    }

    pub(crate) fn tx<R>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<R, ApiError>) -> Result<R, ApiError> {
        self.up.tx(f)
    }

    pub(crate) fn region(&self, ctx: &RequestContext) -> String {
        self.up.region(ctx)
    }

    pub(crate) fn account(&self) -> &str {
        &self.up.settings.account_id
    }

    pub(crate) fn uuid(&self) -> String {
        self.up.rng.uuid_v4()
    }

    pub(crate) fn random_from(&self, alphabet: &[u8], len: usize) -> String {
        self.up.rng.string_from(alphabet, len)
    }

    /// The key the service signs its OpenID tokens with (RS512), made on first use.
    pub(crate) fn signing_key(&self, tx: &mut dyn Tx) -> Result<Arc<Keys>, ApiError> {
        self.up.pool_keys(tx, KEY_NAME)
    }

    /// The service's JWKS, as `https://cognito-identity.amazonaws.com/.well-known/jwks_uri`.
    pub fn jwks(&self) -> Result<Value, ApiError> {
        self.tx(|tx| Ok(self.signing_key(tx)?.jwks_rs512()))
    }

    /// The OpenID configuration of the service's tokens: its issuer and where its keys are.
    pub fn openid_configuration(&self, ctx: &RequestContext) -> Value {
        let base = ctx.base_url.as_deref().unwrap_or("http://localhost:9229").trim_end_matches('/');
        serde_json::json!({
            "issuer": self.issuer(ctx),
            "jwks_uri": format!("{base}/.well-known/jwks_uri"),
            "id_token_signing_alg_values_supported": ["RS512"],
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
        })
    }

    /// The `iss` of the service's tokens: AWS's under [`IssuerStyle::Aws`]; else cognate's own
    /// address, where `/.well-known/openid-configuration` leads a verifier to the keys.
    pub(crate) fn issuer(&self, ctx: &RequestContext) -> String {
        match self.up.settings.issuer {
            IssuerStyle::Aws => format!("https://{SERVICE_HOST}"),
            IssuerStyle::Local => ctx
                .base_url
                .as_deref()
                .map(|b| b.trim_end_matches('/').to_string())
                .unwrap_or_else(|| format!("https://{SERVICE_HOST}")),
        }
    }

    /// The ARN of an identity pool, which its tokens carry and its tags are set by.
    pub(crate) fn pool_arn(&self, pool_id: &str) -> String {
        let region = pool_id.split_once(':').map(|(r, _)| r).unwrap_or("us-east-1");
        format!("arn:aws:cognito-identity:{region}:{}:identitypool/{pool_id}", self.account())
    }
}

/// An identity pool, or Cognito's answer for one that does not exist.
pub(crate) fn load_pool(tx: &mut dyn Tx, id: &str) -> Result<IdentityPoolRecord, ApiError> {
    tx.identity_pool(id)?.ok_or_else(|| ApiError::resource_not_found(format!("IdentityPool '{id}' not found.")))
}

/// An identity, or Cognito's answer for one that does not exist.
pub(crate) fn load_identity(tx: &mut dyn Tx, id: &str) -> Result<IdentityRecord, ApiError> {
    tx.identity(id)?.ok_or_else(|| ApiError::resource_not_found(format!("Identity '{id}' not found.")))
}

/// An identity and the pool it belongs to.
pub(crate) fn identity_and_pool(tx: &mut dyn Tx, id: &str) -> Result<(IdentityRecord, IdentityPoolRecord), ApiError> {
    let identity = load_identity(tx, id)?;
    let pool = load_pool(tx, &identity.pool_id)?;
    Ok((identity, pool))
}
