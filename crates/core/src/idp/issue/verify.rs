//! Access tokens handed to an operation: signature, expiry, family and user checked.

use crate::idp::issue::{ADMIN_SCOPE, signed_out_since};
use crate::idp::lookup::user_key;
use crate::idp::service::UserPools;
use crate::store::{Tx, UserRecord};
use crate::tokens::peek_claims;
use cognate_proto::ApiError;
use cognate_proto::idp::*;
use serde_json::Value;
use std::sync::Arc;

impl UserPools {
    /// The pool and user an access token speaks for, after checking everything Cognito checks:
    /// signature, pool, `token_use`, expiry, scope, and that it was not revoked.
    pub(crate) fn access_user(
        &self,
        tx: &mut dyn Tx,
        token: &str,
    ) -> Result<(Arc<UserPoolType>, UserRecord), ApiError> {
        self.token_user(tx, token, Some(ADMIN_SCOPE))
    }

    /// [`UserPools::access_user`] for a token that must carry `scope` (`None`: any, as
    /// `/oauth2/userInfo` takes the hosted UI's tokens, which lack the API's scope).
    pub(crate) fn token_user(
        &self,
        tx: &mut dyn Tx,
        token: &str,
        scope: Option<&str>,
    ) -> Result<(Arc<UserPoolType>, UserRecord), ApiError> {
        let invalid = || ApiError::not_authorized("Invalid Access Token");
        let claims = peek_claims(token).ok_or_else(invalid)?;
        let pool_id =
            claims.get("iss").and_then(Value::as_str).and_then(|i| i.rsplit('/').next()).ok_or_else(invalid)?;
        let pool = tx.pool(pool_id)?.ok_or_else(invalid)?;
        let keys = self.pool_keys(tx, pool_id)?;
        let claims = keys.verify_access(token).ok_or_else(invalid)?;
        if claims.get("token_use").and_then(Value::as_str) != Some("access") {
            return Err(invalid());
        }
        let exp = claims.get("exp").and_then(Value::as_f64).ok_or_else(invalid)?;
        if exp <= self.now() {
            return Err(ApiError::not_authorized("Access Token has expired"));
        }
        let scopes = claims.get("scope").and_then(Value::as_str).unwrap_or_default();
        if scope.is_some_and(|needed| !scopes.split(' ').any(|s| s == needed)) {
            return Err(ApiError::not_authorized("Access Token does not have required scopes"));
        }
        let origin = claims.get("origin_jti").and_then(Value::as_str).ok_or_else(invalid)?;
        let revoked = || ApiError::not_authorized("Access Token has been revoked");
        let row = tx.family(pool_id, origin)?;
        if row.as_ref().is_some_and(|f| f.revoked) {
            return Err(revoked());
        }
        let username = claims.get("username").and_then(Value::as_str).ok_or_else(invalid)?;
        let sub = claims.get("sub").and_then(Value::as_str).ok_or_else(invalid)?;
        let user = tx
            .user(pool_id, &user_key(&pool, username))?
            .filter(|u| u.sub == sub)
            .ok_or_else(|| ApiError::user_not_found("User does not exist."))?;
        if row.is_none() {
            // Without a row of its own the family stands unless the user signed out since.
            let auth_time = claims.get("auth_time").and_then(Value::as_i64).ok_or_else(invalid)?;
            if signed_out_since(&user, auth_time) {
                return Err(revoked());
            }
        }
        Ok((pool, user))
    }

    /// The app client an access token (already checked) was issued to.
    pub(crate) fn token_client(&self, tx: &mut dyn Tx, token: &str) -> Result<Option<UserPoolClientType>, ApiError> {
        let client_id = peek_claims(token).and_then(|c| c.get("client_id").and_then(Value::as_str).map(str::to_string));
        match client_id {
            Some(id) => tx.client(&id),
            None => Ok(None),
        }
    }
}
