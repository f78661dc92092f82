//! The seam between Cognito's behaviour and where its state lives.
//!
//! This crate is an interface, not an implementation: it defines [`Store`] and [`Tx`], the
//! records that pass through them, and a `conformance` suite that says, as tests, what an
//! implementation must do. `cognate-core` is written against these traits alone, and each
//! backend is a crate of its own that implements them (`cognate-store-sqlite` is the one
//! cognate ships). Neither side depends on the other, so:
//!
//! * core compiles, and is tested, without any database;
//! * a backend compiles without any of Cognito's logic (and without its cryptography: the
//!   records here are plain data, and making or checking a [`PasswordVerifier`] or
//!   [`PoolKeys`] is core's business);
//! * a second backend (PostgreSQL, say) is a new crate that implements [`Store`] and passes
//!   `conformance::check` (the `conformance` feature), with no change to core.
//!
//! # The contract
//!
//! A [`Store`] runs a closure inside a transaction: everything the closure writes lands
//! together when it returns `Ok`, and nothing lands when it returns `Err` or panics. Core runs
//! an operation in one such transaction where it can, and never leaves a half-written record
//! when it takes several (a trigger or slow work between them). Transactions are
//! serialisable: one never sees another's uncommitted writes, and two that read and write the
//! same record behave as if one ran after the other (SQLite gets this by running one at a
//! time; a server database would use `SERIALIZABLE` or row locks).
//!
//! The closure form, rather than `begin`/`commit` handles, is deliberate. A caller cannot
//! forget to commit or leave a transaction open across an `await`; a backend has one place
//! to roll back; and [`Store`] stays object safe, so the server holds an `Arc<dyn Store>` and
//! core has no type parameter for it.
//!
//! A backend may cache what it decodes (a sign-in reads its pool, client and keys every
//! time), but a cache must be invisible: a write is seen by the rest of its transaction and
//! by every later one, and a rolled-back write is never seen at all. The suite checks this.
//!
//! # Records
//!
//! Records are whole documents (the API's own shapes where one fits) with a few fields
//! beside them that a backend must index for the lookups that must stay fast as a pool
//! grows. What to index for a user, and how it is normalised, is decided here once
//! ([`UserRecord::index_entries`], [`search_is_case_insensitive`]), so every backend answers
//! ListUsers filters the same way.
//!
//! Pools and clients are the API's generated types, which change when botocore's model does;
//! a backend stores them as the versioned [`documents`] of this crate, so that a new model
//! cannot change, unnoticed, what is on disk.

#![forbid(unsafe_code)]

#[cfg(feature = "conformance")]
pub mod conformance;
pub mod documents;
mod identity;
mod records;

pub use identity::{
    CognitoProviderRecord, CredentialsRecord, IdentityPoolRecord, IdentityRecord, Login, PrincipalTagsRecord,
    RoleMappingRecord, RuleRecord,
};
pub use records::{
    AuthSession, DeviceRecord, EmailMfa, MfaConfig, OutboxMessage, OutboxQuery, Passkey, PasswordVerifier, PendingCode,
    PoolKeys, SEARCHABLE, SoftwareToken, TokenFamily, TrackedSession, UiCustomization, UserMfa, UserRecord,
    WebAuthnSettings, search_is_case_insensitive,
};

use cognate_proto::ApiError;
use cognate_proto::idp::{
    DomainDescriptionType, GroupType, IdentityProviderType, ManagedLoginBrandingType, ResourceServerType,
    UserPoolClientType, UserPoolType,
};
use std::sync::Arc;

pub type StoreResult<T> = Result<T, ApiError>;

pub trait Store: Send + Sync {
    /// Runs `f` in one transaction, committed when `f` returns `Ok`.
    fn run(&self, f: &mut dyn FnMut(&mut dyn Tx) -> StoreResult<()>) -> StoreResult<()>;
}

impl dyn Store {
    /// [`Store::run`] for a closure that returns a value.
    pub fn tx<R>(&self, f: impl FnOnce(&mut dyn Tx) -> StoreResult<R>) -> StoreResult<R> {
        let mut f = Some(f);
        let mut out = None;
        self.run(&mut |tx| {
            let f = f.take().expect("a transaction body runs once");
            out = Some(f(tx)?);
            Ok(())
        })?;
        Ok(out.expect("a committed transaction produced its value"))
    }
}

/// A page of results and where the next page starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The sort key of the last item, when more items follow.
    pub next: Option<String>,
}

/// Whom a [pool document](Tx::pool_doc) belongs to. It goes with its pool, and with its
/// client or user when that is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner<'a> {
    Pool,
    Client(&'a str),
    User(&'a str),
}

impl Owner<'_> {
    /// The owner as one string, as a backend keys it: empty for the pool, `client:<id>`,
    /// `user:<key>`.
    pub fn as_key(&self) -> String {
        match self {
            Owner::Pool => String::new(),
            Owner::Client(id) => format!("client:{id}"),
            Owner::User(key) => format!("user:{key}"),
        }
    }
}

/// A ListUsers filter, already parsed and normalised by the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct UserFilter {
    /// One of the names [`UserRecord::index_entries`] produces.
    pub attribute: String,
    pub value: String,
    pub prefix: bool,
}

/// The operations a transaction offers. Pool ids, client ids and group names are exact; users
/// are keyed by [`UserRecord::key`].
pub trait Tx {
    fn pool(&mut self, id: &str) -> StoreResult<Option<Arc<UserPoolType>>>;
    fn put_pool(&mut self, pool: &UserPoolType) -> StoreResult<()>;
    /// Deletes the pool with all its clients, users and groups.
    fn delete_pool(&mut self, id: &str) -> StoreResult<()>;
    /// Pools in id order, starting after `after`.
    fn pools(&mut self, after: Option<&str>, limit: usize) -> StoreResult<Page<UserPoolType>>;

    fn client(&mut self, client_id: &str) -> StoreResult<Option<UserPoolClientType>>;
    fn put_client(&mut self, client: &UserPoolClientType) -> StoreResult<()>;
    fn delete_client(&mut self, client_id: &str) -> StoreResult<()>;
    /// A pool's clients in id order, starting after `after`.
    fn clients(&mut self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<UserPoolClientType>>;

    fn user(&mut self, pool_id: &str, key: &str) -> StoreResult<Option<UserRecord>>;
    /// Users whose index entry `attribute` equals `value` exactly.
    fn users_with(&mut self, pool_id: &str, attribute: &str, value: &str) -> StoreResult<Vec<UserRecord>>;
    fn put_user(&mut self, pool_id: &str, user: &UserRecord) -> StoreResult<()>;
    /// Deletes the user with their group memberships and devices.
    fn delete_user(&mut self, pool_id: &str, key: &str) -> StoreResult<()>;
    /// Users in key order (or, filtered, in order of the filtered value), starting after the
    /// opaque position `after` that a previous page returned.
    fn users(
        &mut self,
        pool_id: &str,
        filter: Option<&UserFilter>,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<UserRecord>>;
    fn count_users(&mut self, pool_id: &str) -> StoreResult<u64>;

    fn group(&mut self, pool_id: &str, name: &str) -> StoreResult<Option<GroupType>>;
    fn put_group(&mut self, group: &GroupType) -> StoreResult<()>;
    /// Deletes the group and its memberships.
    fn delete_group(&mut self, pool_id: &str, name: &str) -> StoreResult<()>;
    /// A pool's groups in name order, starting after `after`.
    fn groups(&mut self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<GroupType>>;
    fn add_member(&mut self, pool_id: &str, group: &str, user_key: &str) -> StoreResult<()>;
    fn remove_member(&mut self, pool_id: &str, group: &str, user_key: &str) -> StoreResult<()>;
    /// The groups a user belongs to, in name order.
    fn groups_of(
        &mut self,
        pool_id: &str,
        user_key: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<GroupType>>;
    /// A group's members in key order.
    fn members(
        &mut self,
        pool_id: &str,
        group: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<UserRecord>>;

    fn keys(&mut self, pool_id: &str) -> StoreResult<Option<Arc<PoolKeys>>>;
    fn put_keys(&mut self, pool_id: &str, keys: &PoolKeys) -> StoreResult<()>;

    /// The pool's MFA settings beyond its UserPoolType; deleted with the pool.
    fn mfa_config(&mut self, pool_id: &str) -> StoreResult<Option<MfaConfig>>;
    fn put_mfa_config(&mut self, pool_id: &str, config: &MfaConfig) -> StoreResult<()>;

    fn session(&mut self, id: &str) -> StoreResult<Option<AuthSession>>;
    fn put_session(&mut self, session: &AuthSession) -> StoreResult<()>;
    fn delete_session(&mut self, id: &str) -> StoreResult<()>;

    fn family(&mut self, pool_id: &str, origin_jti: &str) -> StoreResult<Option<TokenFamily>>;
    fn put_family(&mut self, family: &TokenFamily) -> StoreResult<()>;
    /// Marks every stored token family of a user revoked (the others are revoked by
    /// [`UserRecord::signed_out`]).
    fn revoke_families(&mut self, pool_id: &str, user_key: &str) -> StoreResult<()>;
    /// A user's stored token families (revoked ones too), in `origin_jti` order.
    fn families_of(&mut self, pool_id: &str, user_key: &str) -> StoreResult<Vec<TokenFamily>>;

    fn device(&mut self, pool_id: &str, device_key: &str) -> StoreResult<Option<DeviceRecord>>;
    fn put_device(&mut self, device: &DeviceRecord) -> StoreResult<()>;
    fn delete_device(&mut self, pool_id: &str, device_key: &str) -> StoreResult<()>;
    /// A user's devices in key order, starting after `after`.
    fn devices_of(
        &mut self,
        pool_id: &str,
        user_key: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<DeviceRecord>>;

    fn push_message(&mut self, message: &OutboxMessage) -> StoreResult<()>;
    /// Messages matching `query`, newest first.
    fn messages(&mut self, query: &OutboxQuery) -> StoreResult<Vec<OutboxMessage>>;

    /// Drops sessions and token families that expired before `now` (epoch seconds); callers
    /// leave a margin so that nothing still answerable is forgotten.
    fn purge_expired(&mut self, now: f64) -> StoreResult<()>;

    fn idp(&mut self, pool_id: &str, name: &str) -> StoreResult<Option<IdentityProviderType>>;
    fn put_idp(&mut self, idp: &IdentityProviderType) -> StoreResult<()>;
    fn delete_idp(&mut self, pool_id: &str, name: &str) -> StoreResult<()>;
    /// A pool's identity providers in name order, after `after`.
    fn idps(&mut self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<IdentityProviderType>>;

    fn resource_server(&mut self, pool_id: &str, identifier: &str) -> StoreResult<Option<ResourceServerType>>;
    fn put_resource_server(&mut self, server: &ResourceServerType) -> StoreResult<()>;
    fn delete_resource_server(&mut self, pool_id: &str, identifier: &str) -> StoreResult<()>;
    /// A pool's resource servers in identifier order, after `after`.
    fn resource_servers(
        &mut self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<ResourceServerType>>;

    /// A user pool domain (a prefix or a custom domain) by name, whatever its pool: domains
    /// are unique across pools. Deleted with its pool.
    fn domain(&mut self, domain: &str) -> StoreResult<Option<DomainDescriptionType>>;
    fn put_domain(&mut self, domain: &DomainDescriptionType) -> StoreResult<()>;
    fn delete_domain(&mut self, domain: &str) -> StoreResult<()>;

    /// A pool's classic UI customization for `client_id` (or `ALL`). Deleted with its pool.
    fn ui_customization(&mut self, pool_id: &str, client_id: &str) -> StoreResult<Option<UiCustomization>>;
    fn put_ui_customization(&mut self, customization: &UiCustomization) -> StoreResult<()>;
    fn delete_ui_customization(&mut self, pool_id: &str, client_id: &str) -> StoreResult<()>;

    /// A managed login branding style by id, and the client it is for. Deleted with its pool.
    fn branding(&mut self, pool_id: &str, id: &str) -> StoreResult<Option<(String, ManagedLoginBrandingType)>>;
    /// The style of a client, if it has one.
    fn branding_of_client(&mut self, pool_id: &str, client_id: &str) -> StoreResult<Option<ManagedLoginBrandingType>>;
    fn put_branding(&mut self, client_id: &str, branding: &ManagedLoginBrandingType) -> StoreResult<()>;
    fn delete_branding(&mut self, pool_id: &str, id: &str) -> StoreResult<()>;

    /// A pool's lesser resources and settings (client secrets, terms, risk configurations, auth
    /// events, import jobs, ...) as JSON documents, by `kind`, owner and key. Core gives each
    /// kind its record type; a backend only keeps them, in key order within a kind and owner.
    fn pool_doc(
        &mut self,
        pool_id: &str,
        kind: &str,
        owner: Owner<'_>,
        key: &str,
    ) -> StoreResult<Option<serde_json::Value>>;
    fn put_pool_doc(
        &mut self,
        pool_id: &str,
        kind: &str,
        owner: Owner<'_>,
        key: &str,
        doc: &serde_json::Value,
    ) -> StoreResult<()>;
    fn delete_pool_doc(&mut self, pool_id: &str, kind: &str, owner: Owner<'_>, key: &str) -> StoreResult<()>;
    /// One owner's documents of a kind in key order, after `after`; the page's `next` is a key.
    fn pool_docs(
        &mut self,
        pool_id: &str,
        kind: &str,
        owner: Owner<'_>,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<(String, serde_json::Value)>>;
    /// Every owner's documents of a kind, in owner and key order: `after` and `next` are
    /// positions this method made.
    fn pool_docs_of_kind(
        &mut self,
        pool_id: &str,
        kind: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<(String, serde_json::Value)>>;

    /// An identity pool (cognito-identity) by id.
    fn identity_pool(&mut self, id: &str) -> StoreResult<Option<IdentityPoolRecord>>;
    fn put_identity_pool(&mut self, pool: &IdentityPoolRecord) -> StoreResult<()>;
    /// Deletes the pool with its identities and their logins.
    fn delete_identity_pool(&mut self, id: &str) -> StoreResult<()>;
    /// Identity pools in id order, after `after`.
    fn identity_pools(&mut self, after: Option<&str>, limit: usize) -> StoreResult<Page<IdentityPoolRecord>>;

    fn identity(&mut self, id: &str) -> StoreResult<Option<IdentityRecord>>;
    /// The identity of `pool_id` a login is linked to.
    fn identity_by_login(&mut self, pool_id: &str, login: &Login) -> StoreResult<Option<IdentityRecord>>;
    /// Writes an identity and links exactly its logins to it. The caller has made sure no
    /// other identity of the pool holds one of them.
    fn put_identity(&mut self, identity: &IdentityRecord) -> StoreResult<()>;
    fn delete_identity(&mut self, id: &str) -> StoreResult<()>;
    /// A pool's identities in id order, after `after`.
    fn identities(&mut self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<IdentityRecord>>;

    /// Credentials handed out, by access key id; purged once expired.
    fn credentials(&mut self, access_key_id: &str) -> StoreResult<Option<CredentialsRecord>>;
    fn put_credentials(&mut self, credentials: &CredentialsRecord) -> StoreResult<()>;

    /// Forgets everything.
    fn clear(&mut self) -> StoreResult<()>;
}
