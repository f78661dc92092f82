//! A pool's signing keys, its JWKS and its discovery document.

use crate::idp::service::UserPools;
use crate::store::Tx;
use crate::tokens::{Keys, PoolKeys, PoolKeysExt};
use cognate_proto::{ApiError, RequestContext};
use serde_json::Value;
use std::sync::Arc;

/// A pool's OpenID Connect discovery document, as `/.well-known/openid-configuration` serves it:
/// Cognito's members, in its (alphabetical) order, the endpoints those of the pool's domain.
#[derive(Debug, serde::Serialize)]
pub struct Discovery {
    pub authorization_endpoint: String,
    pub end_session_endpoint: String,
    pub id_token_signing_alg_values_supported: &'static [&'static str],
    pub issuer: String,
    pub jwks_uri: String,
    pub response_types_supported: &'static [&'static str],
    pub revocation_endpoint: String,
    pub scopes_supported: &'static [&'static str],
    pub subject_types_supported: &'static [&'static str],
    pub token_endpoint: String,
    pub token_endpoint_auth_methods_supported: &'static [&'static str],
    pub userinfo_endpoint: String,
}

impl UserPools {
    /// Keys for a pool that has none, made before the transaction that stores them (unless
    /// another request stored some first): two RSA keys take a quarter of a second, which the
    /// store's lock should not be held for.
    pub(crate) fn give_keys(&self, pool_id: &str) -> Result<(), ApiError> {
        let made = crate::tokens::PoolKeys::generate(self.keys.as_ref(), self.rng.as_ref());
        self.tx(|tx| {
            if tx.pool(pool_id)?.is_some() && tx.keys(pool_id)?.is_none() {
                tx.put_keys(pool_id, &made)?;
            }
            Ok(())
        })
    }

    /// The pool's parsed keys, made on first use for pools that have none yet.
    pub(crate) fn pool_keys(&self, tx: &mut dyn Tx, pool_id: &str) -> Result<Arc<Keys>, ApiError> {
        let stored = match tx.keys(pool_id)? {
            Some(k) => k,
            None => {
                let k = PoolKeys::generate(self.keys.as_ref(), self.rng.as_ref());
                tx.put_keys(pool_id, &k)?;
                Arc::new(k)
            }
        };
        self.key_cache.get(&stored).ok_or_else(|| ApiError::internal_error("The pool's signing keys are unreadable."))
    }

    /// The JWKS of a pool, or `None` if there is no such pool.
    pub fn jwks(&self, pool_id: &str) -> Result<Option<Value>, ApiError> {
        self.tx(|tx| {
            if tx.pool(pool_id)?.is_none() {
                return Ok(None);
            }
            Ok(Some(self.pool_keys(tx, pool_id)?.jwks()))
        })
    }

    /// The OpenID discovery document of a pool, or `None` if there is no such pool. The
    /// endpoints are those of the pool's domain in cognate's path form
    /// (`<base>/domain/<domain>/oauth2/...`), which every client can reach; a pool with no
    /// domain is named by cognate's own address, which serves every pool's clients.
    pub fn openid_configuration(&self, ctx: &RequestContext, pool_id: &str) -> Result<Option<Discovery>, ApiError> {
        let Some(pool) = self.tx(|tx| tx.pool(pool_id))? else {
            return Ok(None);
        };
        let issuer = self.issuer(ctx, pool_id);
        let base = ctx.base_url.as_deref().unwrap_or("http://localhost:9229").trim_end_matches('/');
        let hosted = match pool.custom_domain.as_deref().or(pool.domain.as_deref()) {
            Some(domain) => format!("{base}/domain/{domain}"),
            None => base.to_string(),
        };
        Ok(Some(Discovery {
            authorization_endpoint: format!("{hosted}/oauth2/authorize"),
            end_session_endpoint: format!("{hosted}/logout"),
            id_token_signing_alg_values_supported: &["RS256"],
            issuer,
            jwks_uri: format!("{base}/{pool_id}/.well-known/jwks.json"),
            response_types_supported: &["code", "token"],
            revocation_endpoint: format!("{hosted}/oauth2/revoke"),
            scopes_supported: &["openid", "email", "phone", "profile"],
            subject_types_supported: &["public"],
            token_endpoint: format!("{hosted}/oauth2/token"),
            token_endpoint_auth_methods_supported: &["client_secret_basic", "client_secret_post"],
            userinfo_endpoint: format!("{hosted}/oauth2/userInfo"),
        }))
    }
}
