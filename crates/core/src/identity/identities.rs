//! Identities: made by GetId, linked to logins, merged when a login is already another's,
//! described, listed, unlinked and deleted.

use super::logins::{Checked, Source};
use super::pools::invalid_token;
use super::service::{IdentityPools, identity_and_pool, load_identity, load_pool};
use crate::idp::{decode_token, encode_token};
use crate::store::{IdentityPoolRecord, IdentityRecord, Login, Tx};
use cognate_proto::identity::*;
use cognate_proto::{ApiError, RequestContext};

pub(crate) fn unauthenticated_not_allowed() -> ApiError {
    ApiError::not_authorized("Unauthenticated access is not supported for this identity pool.")
}

pub(crate) fn logins_do_not_match() -> ApiError {
    ApiError::not_authorized(
        "Logins don't match. Please include at least one valid login for this identity or identity pool.",
    )
}

/// A disabled identity, and an authenticated one asked for without its logins.
pub(crate) fn forbidden(id: &str) -> ApiError {
    ApiError::not_authorized(format!("Access to Identity '{id}' is forbidden."))
}

impl IdentityPools {
    pub(crate) fn new_identity(&self, pool: &IdentityPoolRecord) -> IdentityRecord {
        let region = pool.id.split_once(':').map(|(r, _)| r).unwrap_or("us-east-1");
        let now = self.now();
        IdentityRecord {
            id: format!("{region}:{}", self.uuid()),
            pool_id: pool.id.clone(),
            logins: Vec::new(),
            created: now,
            modified: now,
            disabled: false,
        }
    }

    /// Links the logins `checked` to `identity` (or, with none, to the identity one of them is
    /// already linked to, or to a new one), as Cognito does: a login another identity holds
    /// merges that identity in (the holder is the one kept, and the answer names it); a second
    /// login of a provider the identity already has is refused. Writes and answers the identity
    /// the logins now belong to.
    pub(crate) fn link(
        &self,
        tx: &mut dyn Tx,
        pool: &IdentityPoolRecord,
        identity: Option<IdentityRecord>,
        checked: &[Checked],
    ) -> Result<IdentityRecord, ApiError> {
        let mut current = identity;
        for c in checked {
            if let Source::Own(id) = &c.source {
                let own = load_identity(tx, id)?;
                match &current {
                    Some(cur) if cur.id != own.id => return Err(logins_do_not_match()),
                    _ => current = Some(own),
                }
            }
        }
        for login in checked.iter().filter_map(|c| c.login.as_ref()) {
            let holder = tx.identity_by_login(&pool.id, login)?;
            current = Some(match (current, holder) {
                (None, Some(holder)) => holder,
                (None, None) => with_login(pool, self.new_identity(pool), login)?,
                (Some(cur), Some(holder)) if holder.id == cur.id => cur,
                (Some(cur), Some(holder)) => self.merge(tx, pool, cur, holder)?,
                (Some(cur), None) => with_login(pool, cur, login)?,
            });
        }
        let mut identity = current.ok_or_else(logins_do_not_match)?;
        identity.modified = self.now();
        tx.put_identity(&identity)?;
        Ok(identity)
    }

    /// `from`'s logins join `into`; `from` stays, disabled (a guest whose sign-in found an
    /// identity of its own is "disqualified as an unauth identity", amplify-js#8466).
    pub(crate) fn merge(
        &self,
        tx: &mut dyn Tx,
        pool: &IdentityPoolRecord,
        mut from: IdentityRecord,
        mut into: IdentityRecord,
    ) -> Result<IdentityRecord, ApiError> {
        for login in &from.logins {
            into = with_login(pool, into, login)?;
        }
        from.logins.clear();
        from.disabled = true;
        from.modified = self.now();
        tx.put_identity(&from)?;
        into.modified = self.now();
        Ok(into)
    }
}

/// `identity` with `login` linked. A public provider vouches for one user per identity, so a
/// second user of it is refused; the developer provider may link many (up to 20, merged).
fn with_login(
    pool: &IdentityPoolRecord,
    mut identity: IdentityRecord,
    login: &Login,
) -> Result<IdentityRecord, ApiError> {
    let developer = pool.developer_provider_name.as_deref() == Some(login.provider.as_str());
    if !developer && identity.logins.iter().any(|l| l.provider == login.provider && l.subject != login.subject) {
        return Err(ApiError::resource_conflict(format!(
            "Identity '{}' is already linked to a different login for provider '{}'.",
            identity.id, login.provider
        )));
    }
    if !identity.logins.contains(login) {
        identity.logins.push(login.clone());
        identity.logins.sort();
    }
    Ok(identity)
}

pub(crate) fn get_id(ip: &IdentityPools, ctx: &RequestContext, input: GetIdInput) -> Result<GetIdResponse, ApiError> {
    let pool = ip.tx(|tx| load_pool(tx, &input.identity_pool_id))?;
    let logins = input.logins.unwrap_or_default();
    if logins.is_empty() {
        if !pool.allow_unauthenticated {
            return Err(unauthenticated_not_allowed());
        }
        let identity = ip.new_identity(&pool);
        ip.tx(|tx| {
            load_pool(tx, &pool.id)?;
            tx.put_identity(&identity)
        })?;
        return Ok(GetIdResponse { identity_id: Some(identity.id) });
    }
    let checked = ip.check_logins(ctx, &pool, &logins)?;
    let identity = ip.tx(|tx| {
        let pool = load_pool(tx, &pool.id)?;
        ip.link(tx, &pool, None, &checked)
    })?;
    if identity.disabled {
        return Err(forbidden(&identity.id));
    }
    Ok(GetIdResponse { identity_id: Some(identity.id) })
}

fn description(identity: &IdentityRecord) -> IdentityDescription {
    let mut providers: Vec<String> = identity.logins.iter().map(|l| l.provider.clone()).collect();
    providers.dedup();
    IdentityDescription {
        identity_id: Some(identity.id.clone()),
        logins: (!providers.is_empty()).then_some(providers),
        creation_date: Some(identity.created.floor()),
        last_modified_date: Some(identity.modified.floor()),
    }
}

pub(crate) fn describe_identity(
    ip: &IdentityPools,
    _: &RequestContext,
    input: DescribeIdentityInput,
) -> Result<IdentityDescription, ApiError> {
    ip.tx(|tx| load_identity(tx, &input.identity_id)).map(|i| description(&i))
}

pub(crate) fn list_identities(
    ip: &IdentityPools,
    _: &RequestContext,
    input: ListIdentitiesInput,
) -> Result<ListIdentitiesResponse, ApiError> {
    let after = decode_token(input.next_token.as_ref()).map_err(|_| invalid_token())?;
    let limit = input.max_results.max(1) as usize;
    let hide = input.hide_disabled == Some(true);
    let (items, next) = ip.tx(|tx| {
        load_pool(tx, &input.identity_pool_id)?;
        let mut after = after;
        let mut items = Vec::new();
        loop {
            let page = tx.identities(&input.identity_pool_id, after.as_deref(), limit)?;
            items.extend(page.items.into_iter().filter(|i| !(hide && i.disabled)).map(|i| description(&i)));
            if items.len() >= limit || page.next.is_none() {
                return Ok((items, page.next));
            }
            after = page.next;
        }
    })?;
    Ok(ListIdentitiesResponse {
        identity_pool_id: Some(input.identity_pool_id),
        identities: Some(items),
        next_token: next.as_deref().map(encode_token),
    })
}

/// Deletes what exists of the identities named; one that does not is no error (AWS answers
/// only AccessDenied and InternalServerError as unprocessed).
pub(crate) fn delete_identities(
    ip: &IdentityPools,
    _: &RequestContext,
    input: DeleteIdentitiesInput,
) -> Result<DeleteIdentitiesResponse, ApiError> {
    ip.tx(|tx| {
        for id in &input.identity_ids_to_delete {
            tx.delete_identity(id)?;
        }
        Ok(())
    })?;
    Ok(DeleteIdentitiesResponse { unprocessed_identity_ids: Some(Vec::new()) })
}

/// Removes logins from an identity whose own logins prove it is the caller's. An identity left
/// with none can no longer be reached: it is disabled.
pub(crate) fn unlink_identity(
    ip: &IdentityPools,
    ctx: &RequestContext,
    input: UnlinkIdentityInput,
) -> Result<(), ApiError> {
    let (identity, pool) = ip.tx(|tx| identity_and_pool(tx, &input.identity_id))?;
    if identity.disabled {
        return Err(forbidden(&identity.id));
    }
    let checked = ip.check_logins(ctx, &pool, &input.logins)?;
    let proves = checked.iter().any(|c| {
        c.login.as_ref().is_some_and(|l| identity.logins.contains(l)) || c.source == Source::Own(identity.id.clone())
    });
    if !proves {
        return Err(logins_do_not_match());
    }
    ip.tx(|tx| {
        let mut identity = load_identity(tx, &input.identity_id)?;
        identity.logins.retain(|l| !input.logins_to_remove.contains(&l.provider));
        identity.disabled = identity.logins.is_empty();
        identity.modified = ip.now();
        tx.put_identity(&identity)
    })
}

/// The logins of `identity` a sign-in proved, or Cognito's refusal when none is among them.
pub(crate) fn require_proof(identity: &IdentityRecord, checked: &[Checked]) -> Result<(), ApiError> {
    let proved = checked.iter().any(|c| match &c.source {
        Source::Own(id) => *id == identity.id,
        _ => c.login.as_ref().is_some_and(|l| identity.logins.contains(l)),
    });
    if proved { Ok(()) } else { Err(logins_do_not_match()) }
}
