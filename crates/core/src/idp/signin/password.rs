//! USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH, and the check of a password against the
//! SRP verifier kept instead of it.
//!
//! A password's check is one 3072-bit exponentiation. It is done outside the store's lock: the
//! sign-in's transaction finds the verifier and, unless this process has verified that very
//! password against that very verifier before, steps out ([`Check`]), does the maths and comes
//! back; the transaction then uses the result only if it finds the same verifier.

use super::{Answer, Outside, SignIn, lockout, next_step};
use crate::idp::client_secrets::check_secret_hash;
use crate::idp::clients::prevents_existence_errors;
use crate::idp::lookup::{find_user, pool_name_of};
use crate::idp::service::UserPools;
use crate::password::{PasswordVerifier, VerifierExt};
use crate::store::Tx;
use cognate_proto::ApiError;

/// What USER_PASSWORD_AUTH sends.
pub(crate) struct Attempt<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub secret_hash: Option<&'a str>,
    pub device_key: Option<&'a str>,
}

/// USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH, given what a check outside the transaction
/// found (if there was one).
pub(super) fn sign_in(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    attempt: Attempt<'_>,
    checked: Option<Checked>,
) -> Result<Outside, ApiError> {
    check_secret_hash(s.up, tx, s.client, attempt.secret_hash, &[attempt.username])?;
    let Some(mut user) = find_user(tx, s.pool, attempt.username)? else {
        return Ok(Outside::Done(Answer::Refused(if prevents_existence_errors(s.client) {
            ApiError::not_authorized("Incorrect username or password.")
        } else {
            ApiError::user_not_found("User does not exist.")
        })));
    };
    if let Some(stop) = lockout::gate(s.up, &mut user) {
        return Ok(Outside::Done(Answer::Refused(stop)));
    }
    let ok = match user.password.as_ref() {
        None => false,
        Some(verifier) => {
            let subject = Subject::of(s.pool_id(), &user.username, verifier);
            match checked.filter(|c| c.subject == subject) {
                Some(c) => c.ok,
                None if s.up.verified.knows(&subject.parts(attempt.password)) => true,
                None => return Ok(Outside::CheckPassword(Check { subject, password: attempt.password.to_string() })),
            }
        }
    };
    if !ok {
        return lockout::fail(s, tx, user).map(|e| Outside::Done(Answer::Refused(e)));
    }
    next_step(s, tx, user, attempt.device_key).map(Outside::Done)
}

/// What a password is checked against: the verifier and the names it was made with.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Subject {
    pool_id: String,
    username: String,
    verifier: PasswordVerifier,
}

impl Subject {
    /// What identifies a verified credential: the names, the verifier and the password.
    fn parts<'a>(&'a self, password: &'a str) -> [&'a str; 5] {
        [&self.pool_id, &self.username, &self.verifier.salt, &self.verifier.verifier, password]
    }

    fn of(pool_id: &str, username: &str, verifier: &PasswordVerifier) -> Self {
        Subject { pool_id: pool_id.to_string(), username: username.to_string(), verifier: verifier.clone() }
    }
}

/// A password to check outside the transaction.
pub(crate) struct Check {
    subject: Subject,
    password: String,
}

/// The result of a [`Check`], for the transaction that comes back with it.
pub(crate) struct Checked {
    subject: Subject,
    ok: bool,
}

impl Check {
    pub(super) fn run(self, up: &UserPools) -> Checked {
        let Subject { pool_id, username, verifier } = &self.subject;
        let ok = verifier.matches(pool_name_of(pool_id), username, &self.password);
        if ok {
            up.verified.remember(&self.subject.parts(&self.password));
        }
        Checked { subject: self.subject, ok }
    }
}
