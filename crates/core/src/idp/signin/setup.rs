//! AssociateSoftwareToken and VerifySoftwareToken: setting up an authenticator app, either
//! as a signed-in user (an access token) or during a sign-in that reached MFA_SETUP (its
//! session, which each call replaces with a new one, as Amplify expects).

use super::mfa::Carried;
use super::session;
use crate::idp::lookup::load_pool;
use crate::idp::mfa;
use crate::idp::service::UserPools;
use crate::store::{AuthSession, Tx, UserRecord};
use cognate_proto::ApiError;
use cognate_proto::idp::*;
use std::sync::Arc;

/// Who a setup call speaks for.
enum Caller<'a> {
    Token(&'a str),
    Session(&'a str),
}

impl<'a> Caller<'a> {
    /// The request's AccessToken or Session: one of them, not both (API reference).
    fn of(token: Option<&'a str>, session: Option<&'a str>) -> Result<Self, ApiError> {
        match (token, session) {
            (Some(t), None) => Ok(Caller::Token(t)),
            (None, Some(s)) => Ok(Caller::Session(s)),
            (Some(_), Some(_)) => {
                Err(ApiError::invalid_parameter("Only one of AccessToken or Session can be specified."))
            }
            (None, None) => Err(ApiError::invalid_parameter("Either AccessToken or Session must be specified.")),
        }
    }

    /// The pool and user, and the sign-in's session when it is one.
    fn resolve(
        &self,
        up: &UserPools,
        tx: &mut dyn Tx,
    ) -> Result<(Arc<UserPoolType>, UserRecord, Option<AuthSession>), ApiError> {
        match *self {
            Caller::Token(token) => up.access_user(tx, token).map(|(p, u)| (p, u, None)),
            Caller::Session(id) => {
                let invalid = || ApiError::not_authorized("Invalid session for the user.");
                let stored = tx.session(id)?.ok_or_else(invalid)?;
                if stored.expires < up.now() {
                    return Err(ApiError::not_authorized("Invalid session for the user, session is expired."));
                }
                session::check_unspent(&stored)?;
                if stored.challenge != ChallengeNameType::MfaSetup.as_str() {
                    return Err(invalid());
                }
                let pool = load_pool(tx, &stored.pool_id)?;
                let user = tx.user(&stored.pool_id, &stored.user_key)?.filter(|u| u.sub == stored.sub);
                let user = user.ok_or_else(invalid)?;
                Ok((pool, user, Some(stored)))
            }
        }
    }
}

/// The session that replaces `old`, valid as long as `old` was, carrying `carried`.
fn replace(up: &UserPools, tx: &mut dyn Tx, old: AuthSession, carried: &Carried) -> Result<String, ApiError> {
    session::spend(tx, &old)?;
    let row = AuthSession { id: session::new_id(up), state: carried.state(), ..old };
    up.store_session(tx, &row)?;
    Ok(row.id)
}

pub(crate) fn associate_software_token(
    up: &UserPools,
    input: AssociateSoftwareTokenRequest,
) -> Result<AssociateSoftwareTokenResponse, ApiError> {
    let caller = Caller::of(input.access_token.as_deref(), input.session.as_deref())?;
    up.tx(|tx| {
        let (pool, mut user, sign_in) = caller.resolve(up, tx)?;
        mfa::check_offered(tx, &pool)?;
        let secret = mfa::associate(up, tx, pool.id.as_deref().unwrap_or_default(), &mut user)?;
        let session = match sign_in {
            Some(old) => {
                let carried = Carried { verified: false, ..Carried::of(&old) };
                Some(replace(up, tx, old, &carried)?)
            }
            None => None,
        };
        Ok(AssociateSoftwareTokenResponse { secret_code: Some(secret), session })
    })
}

pub(crate) fn verify_software_token(
    up: &UserPools,
    input: VerifySoftwareTokenRequest,
) -> Result<VerifySoftwareTokenResponse, ApiError> {
    let caller = Caller::of(input.access_token.as_deref(), input.session.as_deref())?;
    up.tx(|tx| {
        let (pool, mut user, sign_in) = caller.resolve(up, tx)?;
        mfa::check_offered(tx, &pool)?;
        let pool_id = pool.id.as_deref().unwrap_or_default();
        mfa::confirm(up, tx, pool_id, &mut user, &input.user_code, input.friendly_device_name.clone())?;
        let session = match sign_in {
            Some(old) => {
                let carried = Carried { verified: true, ..Carried::of(&old) };
                Some(replace(up, tx, old, &carried)?)
            }
            None => None,
        };
        Ok(VerifySoftwareTokenResponse { session, status: Some(VerifySoftwareTokenResponseType::Success) })
    })
}
