//! The history point-in-time recovery reads: every transaction of the service runs through
//! [`Journaled`], which writes, beside each change to a user or a group membership of a pool on
//! the Essentials or Plus plan, the state it replaced, and refuses such changes while a recovery
//! pauses the pool's writes (all but what signing in itself writes). Kept apart from `recovery`
//! (the operations) because `service` wraps every transaction in it.

use crate::idp::pool_docs::{self, PoolDoc};
use crate::store::{
    AuthSession, CredentialsRecord, DeviceRecord, IdentityPoolRecord, IdentityRecord, Login, MfaConfig, OutboxMessage,
    OutboxQuery, Owner, Page, PoolKeys, StoreResult, TokenFamily, Tx, UiCustomization, UserFilter, UserRecord,
};
use cognate_proto::ApiError;
use cognate_proto::idp::*;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub(crate) const DAY: f64 = 86_400.0;

/// One change the journal keeps: what it replaced.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "t")]
pub(crate) enum Change {
    /// A user written or deleted: the record before (none if it was new), and the groups it was
    /// in when it was deleted.
    User {
        key: String,
        before: Option<Box<UserRecord>>,
        #[serde(default)]
        groups: Vec<String>,
    },
    /// A membership added or removed: whether the user was a member before.
    Member { key: String, group: String, was: bool },
}

impl PoolDoc for Change {
    const KIND: &'static str = "journal";
}

/// The recovery that pauses the pool's writes, while one does.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Active {
    pub restore_id: String,
    /// When the preview expires and writes resume, whether or not anyone reads it by then.
    #[serde(default)]
    pub until: f64,
}

impl PoolDoc for Active {
    const KIND: &'static str = "recovery-active";
}

pub(crate) const ACTIVE: &str = "active";

/// How far back a pool's plan lets it recover; `None` on the Lite plan, which has no recovery
/// and keeps no journal.
pub(crate) fn window(pool: &UserPoolType) -> Option<f64> {
    match pool.user_pool_tier.unwrap_or(UserPoolTierType::Essentials) {
        UserPoolTierType::Lite => None,
        UserPoolTierType::Essentials => Some(DAY),
        UserPoolTierType::Plus => Some(14.0 * DAY),
    }
}

fn journal_key(millis: i64, seq: u64) -> String {
    format!("{millis:013}-{seq:012}")
}

fn paused() -> ApiError {
    // UNCONFIRMED text: what a write gets during a recovery was not found.
    ApiError::operation_not_enabled(
        "The user pool is being recovered: its user data cannot change until the recovery ends.",
    )
}

/// What signing in writes on its own (the failed-attempt count, a lockout): allowed while a
/// recovery pauses writes, since "sign-in and read operations continue to work".
fn only_sign_in_bookkeeping(before: &UserRecord, after: &UserRecord) -> bool {
    let strip = |u: &UserRecord| UserRecord { failed_attempts: 0, last_failure: 0.0, locked_until: 0.0, ..u.clone() };
    strip(before) == strip(after)
}

/// A transaction that journals the user data it changes (see the module's documentation).
pub(crate) struct Journaled<'a> {
    pub(crate) inner: &'a mut dyn Tx,
    pub(crate) now_millis: i64,
    pub(crate) seq: &'a AtomicU64,
}

impl Journaled<'_> {
    /// Journals `change` if the pool keeps a journal; refuses it while a recovery pauses the
    /// pool's writes (unless `bookkeeping`).
    fn journal(&mut self, pool_id: &str, change: Change, bookkeeping: bool) -> StoreResult<()> {
        let Some(pool) = self.inner.pool(pool_id)? else { return Ok(()) };
        if window(&pool).is_none() {
            return Ok(());
        }
        let now = self.now_millis as f64 / 1000.0;
        let active = pool_docs::get::<Active>(self.inner, pool_id, Owner::Pool, ACTIVE)?;
        if !bookkeeping && active.is_some_and(|a| now < a.until) {
            return Err(paused());
        }
        let key = journal_key(self.now_millis, self.seq.fetch_add(1, Ordering::Relaxed));
        pool_docs::put(self.inner, pool_id, Owner::Pool, &key, &change)
    }
}

impl Tx for Journaled<'_> {
    fn put_user(&mut self, pool_id: &str, user: &UserRecord) -> StoreResult<()> {
        let before = self.inner.user(pool_id, &user.key)?;
        let bookkeeping = before.as_ref().is_some_and(|b| only_sign_in_bookkeeping(b, user));
        let change = Change::User { key: user.key.clone(), before: before.map(Box::new), groups: Vec::new() };
        self.journal(pool_id, change, bookkeeping)?;
        self.inner.put_user(pool_id, user)
    }
    fn delete_user(&mut self, pool_id: &str, key: &str) -> StoreResult<()> {
        if let Some(before) = self.inner.user(pool_id, key)? {
            let groups = self.inner.groups_of(pool_id, key, None, 1000)?.items;
            let groups = groups.into_iter().filter_map(|g| g.group_name).collect();
            let change = Change::User { key: key.to_string(), before: Some(Box::new(before)), groups };
            self.journal(pool_id, change, false)?;
        }
        self.inner.delete_user(pool_id, key)
    }
    fn add_member(&mut self, pool_id: &str, group: &str, user_key: &str) -> StoreResult<()> {
        let was = self.is_member(pool_id, group, user_key)?;
        let change = Change::Member { key: user_key.to_string(), group: group.to_string(), was };
        self.journal(pool_id, change, false)?;
        self.inner.add_member(pool_id, group, user_key)
    }
    fn remove_member(&mut self, pool_id: &str, group: &str, user_key: &str) -> StoreResult<()> {
        let was = self.is_member(pool_id, group, user_key)?;
        let change = Change::Member { key: user_key.to_string(), group: group.to_string(), was };
        self.journal(pool_id, change, false)?;
        self.inner.remove_member(pool_id, group, user_key)
    }
    fn pool(&mut self, id: &str) -> StoreResult<Option<Arc<UserPoolType>>> {
        self.inner.pool(id)
    }
    fn put_pool(&mut self, pool: &UserPoolType) -> StoreResult<()> {
        self.inner.put_pool(pool)
    }
    fn delete_pool(&mut self, id: &str) -> StoreResult<()> {
        self.inner.delete_pool(id)
    }
    fn pools(&mut self, after: Option<&str>, limit: usize) -> StoreResult<Page<UserPoolType>> {
        self.inner.pools(after, limit)
    }
    fn client(&mut self, client_id: &str) -> StoreResult<Option<UserPoolClientType>> {
        self.inner.client(client_id)
    }
    fn put_client(&mut self, client: &UserPoolClientType) -> StoreResult<()> {
        self.inner.put_client(client)
    }
    fn delete_client(&mut self, client_id: &str) -> StoreResult<()> {
        self.inner.delete_client(client_id)
    }
    fn clients(&mut self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<UserPoolClientType>> {
        self.inner.clients(pool_id, after, limit)
    }
    fn user(&mut self, pool_id: &str, key: &str) -> StoreResult<Option<UserRecord>> {
        self.inner.user(pool_id, key)
    }
    fn users_with(&mut self, pool_id: &str, attribute: &str, value: &str) -> StoreResult<Vec<UserRecord>> {
        self.inner.users_with(pool_id, attribute, value)
    }
    fn users(
        &mut self,
        pool_id: &str,
        filter: Option<&UserFilter>,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<UserRecord>> {
        self.inner.users(pool_id, filter, after, limit)
    }
    fn count_users(&mut self, pool_id: &str) -> StoreResult<u64> {
        self.inner.count_users(pool_id)
    }
    fn group(&mut self, pool_id: &str, name: &str) -> StoreResult<Option<GroupType>> {
        self.inner.group(pool_id, name)
    }
    fn put_group(&mut self, group: &GroupType) -> StoreResult<()> {
        self.inner.put_group(group)
    }
    fn delete_group(&mut self, pool_id: &str, name: &str) -> StoreResult<()> {
        self.inner.delete_group(pool_id, name)
    }
    fn groups(&mut self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<GroupType>> {
        self.inner.groups(pool_id, after, limit)
    }
    fn groups_of(
        &mut self,
        pool_id: &str,
        user_key: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<GroupType>> {
        self.inner.groups_of(pool_id, user_key, after, limit)
    }
    fn members(
        &mut self,
        pool_id: &str,
        group: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<UserRecord>> {
        self.inner.members(pool_id, group, after, limit)
    }
    fn keys(&mut self, pool_id: &str) -> StoreResult<Option<Arc<PoolKeys>>> {
        self.inner.keys(pool_id)
    }
    fn put_keys(&mut self, pool_id: &str, keys: &PoolKeys) -> StoreResult<()> {
        self.inner.put_keys(pool_id, keys)
    }
    fn mfa_config(&mut self, pool_id: &str) -> StoreResult<Option<MfaConfig>> {
        self.inner.mfa_config(pool_id)
    }
    fn put_mfa_config(&mut self, pool_id: &str, config: &MfaConfig) -> StoreResult<()> {
        self.inner.put_mfa_config(pool_id, config)
    }
    fn session(&mut self, id: &str) -> StoreResult<Option<AuthSession>> {
        self.inner.session(id)
    }
    fn put_session(&mut self, session: &AuthSession) -> StoreResult<()> {
        self.inner.put_session(session)
    }
    fn delete_session(&mut self, id: &str) -> StoreResult<()> {
        self.inner.delete_session(id)
    }
    fn family(&mut self, pool_id: &str, origin_jti: &str) -> StoreResult<Option<TokenFamily>> {
        self.inner.family(pool_id, origin_jti)
    }
    fn put_family(&mut self, family: &TokenFamily) -> StoreResult<()> {
        self.inner.put_family(family)
    }
    fn revoke_families(&mut self, pool_id: &str, user_key: &str) -> StoreResult<()> {
        self.inner.revoke_families(pool_id, user_key)
    }
    fn families_of(&mut self, pool_id: &str, user_key: &str) -> StoreResult<Vec<TokenFamily>> {
        self.inner.families_of(pool_id, user_key)
    }
    fn device(&mut self, pool_id: &str, device_key: &str) -> StoreResult<Option<DeviceRecord>> {
        self.inner.device(pool_id, device_key)
    }
    fn put_device(&mut self, device: &DeviceRecord) -> StoreResult<()> {
        self.inner.put_device(device)
    }
    fn delete_device(&mut self, pool_id: &str, device_key: &str) -> StoreResult<()> {
        self.inner.delete_device(pool_id, device_key)
    }
    fn devices_of(
        &mut self,
        pool_id: &str,
        user_key: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<DeviceRecord>> {
        self.inner.devices_of(pool_id, user_key, after, limit)
    }
    fn push_message(&mut self, message: &OutboxMessage) -> StoreResult<()> {
        self.inner.push_message(message)
    }
    fn messages(&mut self, query: &OutboxQuery) -> StoreResult<Vec<OutboxMessage>> {
        self.inner.messages(query)
    }
    fn purge_expired(&mut self, now: f64) -> StoreResult<()> {
        self.inner.purge_expired(now)
    }
    fn idp(&mut self, pool_id: &str, name: &str) -> StoreResult<Option<IdentityProviderType>> {
        self.inner.idp(pool_id, name)
    }
    fn put_idp(&mut self, idp: &IdentityProviderType) -> StoreResult<()> {
        self.inner.put_idp(idp)
    }
    fn delete_idp(&mut self, pool_id: &str, name: &str) -> StoreResult<()> {
        self.inner.delete_idp(pool_id, name)
    }
    fn idps(&mut self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<IdentityProviderType>> {
        self.inner.idps(pool_id, after, limit)
    }
    fn resource_server(&mut self, pool_id: &str, identifier: &str) -> StoreResult<Option<ResourceServerType>> {
        self.inner.resource_server(pool_id, identifier)
    }
    fn put_resource_server(&mut self, server: &ResourceServerType) -> StoreResult<()> {
        self.inner.put_resource_server(server)
    }
    fn delete_resource_server(&mut self, pool_id: &str, identifier: &str) -> StoreResult<()> {
        self.inner.delete_resource_server(pool_id, identifier)
    }
    fn resource_servers(
        &mut self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<ResourceServerType>> {
        self.inner.resource_servers(pool_id, after, limit)
    }
    fn domain(&mut self, domain: &str) -> StoreResult<Option<DomainDescriptionType>> {
        self.inner.domain(domain)
    }
    fn put_domain(&mut self, domain: &DomainDescriptionType) -> StoreResult<()> {
        self.inner.put_domain(domain)
    }
    fn delete_domain(&mut self, domain: &str) -> StoreResult<()> {
        self.inner.delete_domain(domain)
    }
    fn ui_customization(&mut self, pool_id: &str, client_id: &str) -> StoreResult<Option<UiCustomization>> {
        self.inner.ui_customization(pool_id, client_id)
    }
    fn put_ui_customization(&mut self, customization: &UiCustomization) -> StoreResult<()> {
        self.inner.put_ui_customization(customization)
    }
    fn delete_ui_customization(&mut self, pool_id: &str, client_id: &str) -> StoreResult<()> {
        self.inner.delete_ui_customization(pool_id, client_id)
    }
    fn branding(&mut self, pool_id: &str, id: &str) -> StoreResult<Option<(String, ManagedLoginBrandingType)>> {
        self.inner.branding(pool_id, id)
    }
    fn branding_of_client(&mut self, pool_id: &str, client_id: &str) -> StoreResult<Option<ManagedLoginBrandingType>> {
        self.inner.branding_of_client(pool_id, client_id)
    }
    fn put_branding(&mut self, client_id: &str, branding: &ManagedLoginBrandingType) -> StoreResult<()> {
        self.inner.put_branding(client_id, branding)
    }
    fn delete_branding(&mut self, pool_id: &str, id: &str) -> StoreResult<()> {
        self.inner.delete_branding(pool_id, id)
    }
    fn pool_doc(
        &mut self,
        pool_id: &str,
        kind: &str,
        owner: Owner<'_>,
        key: &str,
    ) -> StoreResult<Option<serde_json::Value>> {
        self.inner.pool_doc(pool_id, kind, owner, key)
    }
    fn put_pool_doc(
        &mut self,
        pool_id: &str,
        kind: &str,
        owner: Owner<'_>,
        key: &str,
        doc: &serde_json::Value,
    ) -> StoreResult<()> {
        self.inner.put_pool_doc(pool_id, kind, owner, key, doc)
    }
    fn delete_pool_doc(&mut self, pool_id: &str, kind: &str, owner: Owner<'_>, key: &str) -> StoreResult<()> {
        self.inner.delete_pool_doc(pool_id, kind, owner, key)
    }
    fn pool_docs(
        &mut self,
        pool_id: &str,
        kind: &str,
        owner: Owner<'_>,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<(String, serde_json::Value)>> {
        self.inner.pool_docs(pool_id, kind, owner, after, limit)
    }
    fn pool_docs_of_kind(
        &mut self,
        pool_id: &str,
        kind: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<(String, serde_json::Value)>> {
        self.inner.pool_docs_of_kind(pool_id, kind, after, limit)
    }
    fn identity_pool(&mut self, id: &str) -> StoreResult<Option<IdentityPoolRecord>> {
        self.inner.identity_pool(id)
    }
    fn put_identity_pool(&mut self, pool: &IdentityPoolRecord) -> StoreResult<()> {
        self.inner.put_identity_pool(pool)
    }
    fn delete_identity_pool(&mut self, id: &str) -> StoreResult<()> {
        self.inner.delete_identity_pool(id)
    }
    fn identity_pools(&mut self, after: Option<&str>, limit: usize) -> StoreResult<Page<IdentityPoolRecord>> {
        self.inner.identity_pools(after, limit)
    }
    fn identity(&mut self, id: &str) -> StoreResult<Option<IdentityRecord>> {
        self.inner.identity(id)
    }
    fn identity_by_login(&mut self, pool_id: &str, login: &Login) -> StoreResult<Option<IdentityRecord>> {
        self.inner.identity_by_login(pool_id, login)
    }
    fn put_identity(&mut self, identity: &IdentityRecord) -> StoreResult<()> {
        self.inner.put_identity(identity)
    }
    fn delete_identity(&mut self, id: &str) -> StoreResult<()> {
        self.inner.delete_identity(id)
    }
    fn identities(&mut self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<IdentityRecord>> {
        self.inner.identities(pool_id, after, limit)
    }
    fn credentials(&mut self, access_key_id: &str) -> StoreResult<Option<CredentialsRecord>> {
        self.inner.credentials(access_key_id)
    }
    fn put_credentials(&mut self, credentials: &CredentialsRecord) -> StoreResult<()> {
        self.inner.put_credentials(credentials)
    }
    fn clear(&mut self) -> StoreResult<()> {
        self.inner.clear()
    }
}

impl Journaled<'_> {
    fn is_member(&mut self, pool_id: &str, group: &str, user_key: &str) -> StoreResult<bool> {
        let groups = self.inner.groups_of(pool_id, user_key, None, 1000)?.items;
        Ok(groups.iter().any(|g| g.group_name.as_deref() == Some(group)))
    }
}
