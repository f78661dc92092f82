//! What every [`Store`] must do, as tests a backend runs on itself.
//!
//! A backend's test suite calls [`check`] with a function that makes a fresh, empty store
//! (and, if its data outlives the process, [`check_reopen`] with one that opens the same data
//! again):
//!
//! ```ignore
//! #[test]
//! fn conforms() {
//!     cognate_store::conformance::check(&|| Arc::new(MyStore::in_memory()));
//! }
//! ```
//!
//! Each check in [`CHECKS`] runs on a store of its own, so one failing does not hide the
//! others; [`check`] runs them all and then panics naming every one that failed. They cover
//! what cognate-core relies on and nothing it does not:
//!
//! * transactions: a committed write is seen by the rest of its transaction and every later
//!   one; an `Err` or a panic in the closure undoes every write of the transaction (and the
//!   `Err` comes back as it was); transactions are serialisable (no uncommitted write is seen,
//!   no update is lost);
//! * records: every kind round-trips whole, a put replaces, a delete removes;
//! * listings: the order each one documents, pages of `limit`, and `next` set exactly when
//!   more follow and accepted back as `after`;
//! * users: `users_with` and filters work on [`UserRecord::index_entries`] (normalised values,
//!   prefixes, a value changed or a user deleted leaves no stale entry), and `count_users`
//!   follows puts and deletes;
//! * cascades: `delete_pool`, `delete_user`, `delete_group`; `revoke_families`;
//!   `purge_expired`; `clear`;
//! * caches: a pool, client or keys written and then read, in the same transaction and in a
//!   later one, are the new value; one written or deleted in a rolled-back transaction is
//!   never seen afterwards.
//!
//! The suite is quick (well under a second for an in-memory store) so that a backend can run
//! it on every configuration it supports.

use crate::{
    AuthSession, CognitoProviderRecord, CredentialsRecord, DeviceRecord, EmailMfa, IdentityPoolRecord, IdentityRecord,
    Login, MfaConfig, OutboxMessage, OutboxQuery, Owner, Passkey, PasswordVerifier, PendingCode, PoolKeys,
    PrincipalTagsRecord, RoleMappingRecord, RuleRecord, SoftwareToken, Store, StoreResult, TokenFamily, TrackedSession,
    Tx, UiCustomization, UserFilter, UserMfa, UserRecord, WebAuthnSettings,
};
use cognate_proto::ApiError;
use cognate_proto::idp::{
    AttributeType, DomainDescriptionType, DomainStatusType, GroupType, IdentityProviderType, IdentityProviderTypeType,
    ManagedLoginBrandingType, ResourceServerScopeType, ResourceServerType, UserPoolClientType, UserPoolType,
    UserStatusType,
};
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

/// A store as the checks see it.
pub type DynStore = dyn Store + 'static;

/// One check: it panics when the store fails it.
pub type Check = fn(&DynStore);

/// Every check, by name. [`check`] runs them all; a backend may also run one alone.
pub const CHECKS: &[(&str, Check)] = &[
    ("a committed transaction is seen by itself and after", committed_writes_are_seen),
    ("an Err rolls back every write and comes back as it was", an_err_rolls_back_everything),
    ("a panic rolls back every write and the store goes on", a_panic_rolls_back_everything),
    ("no transaction sees another's uncommitted writes", uncommitted_writes_are_unseen),
    ("no update is lost between concurrent transactions", no_update_is_lost),
    ("every record round-trips whole; a put replaces", records_round_trip),
    ("deletes remove what they name and no more", deletes_remove),
    ("listings come in order, in pages, with next", listings_page_in_order),
    ("users are found by their index entries", users_by_index_entries),
    ("filtered listings page by value then key", filtered_listings_page),
    ("count_users follows puts and deletes", user_counts),
    ("delete_pool takes everything of the pool and nothing else", delete_pool_cascades),
    ("revoke_families revokes a user's families only", revoke_families_is_per_user),
    ("purge_expired drops expired sessions and families only", purge_expired_keeps_the_live),
    ("messages come newest first, filtered and limited", messages_query),
    ("cached pools, clients and keys never outlive a write or a rollback", caches_forget_on_write),
    ("clear forgets everything, cached or not", clear_forgets_everything),
    ("identities are found by their logins, which follow every put", identities_by_login),
    ("delete_identity_pool takes its identities and nothing else", delete_identity_pool_cascades),
    ("credentials round-trip and are purged once expired", credentials_expire),
    ("pool documents are kept by kind, owner and key, and go with their owner", pool_docs_by_owner),
];

/// Runs every check in [`CHECKS`], each on a fresh store from `make`, and panics naming those
/// that failed.
pub fn check(make: &dyn Fn() -> Arc<DynStore>) {
    let mut failed = Vec::new();
    for (name, check) in CHECKS {
        let store = make();
        if catch_unwind(AssertUnwindSafe(|| check(&*store))).is_err() {
            failed.push(*name);
        }
    }
    assert!(failed.is_empty(), "the store fails {} conformance check(s): {failed:#?}", failed.len());
}

/// For a store whose data outlives it: each call of `open` opens the same data again (the
/// store from the previous call has been dropped by then). What was committed is there after
/// reopening, what was rolled back is not, and opening data already at the current version
/// (re-running migrations) changes nothing.
pub fn check_reopen(open: &dyn Fn() -> Arc<DynStore>) {
    {
        let store = open();
        store.tx(|tx| tx.clear()).unwrap();
        fill(&*store, P1);
        let failed: StoreResult<()> = store.tx(|tx| {
            tx.put_pool(&pool("us-east-1_rolledback", "never"))?;
            tx.put_pool(&pool(P1, "renamed and rolled back"))?;
            Err(abandon())
        });
        assert!(failed.is_err());
    }
    for _ in 0..2 {
        let store = open();
        assert_filled(&*store, P1);
        assert_eq!(pool_name(&*store, P1).as_deref(), Some(P1), "a rolled-back write is not there after reopening");
        assert_eq!(store.tx(|tx| tx.pool("us-east-1_rolledback")).unwrap(), None);
    }
    let store = open();
    store.tx(|tx| tx.delete_pool(P1)).unwrap();
    drop(store);
    let store = open();
    assert_empty(&*store, P1);
}

const P1: &str = "us-east-1_conform1";
const P2: &str = "us-east-1_conform2";

fn abandon() -> ApiError {
    ApiError::internal_error("conformance: abandoned on purpose")
}

fn pool(id: &str, name: &str) -> UserPoolType {
    UserPoolType {
        id: Some(id.into()),
        name: Some(name.into()),
        arn: Some(format!("arn:aws:cognito-idp:us-east-1:000000000000:userpool/{id}")),
        creation_date: Some(1_700_000_000.5),
        ..Default::default()
    }
}

fn client(pool_id: &str, id: &str, name: &str) -> UserPoolClientType {
    UserPoolClientType {
        user_pool_id: Some(pool_id.into()),
        client_id: Some(id.into()),
        client_name: Some(name.into()),
        allowed_oauth_scopes: Some(vec!["openid".into(), "email".into()]),
        refresh_token_validity: Some(30),
        ..Default::default()
    }
}

fn keys(tag: &str) -> PoolKeys {
    PoolKeys {
        id_kid: format!("id-kid-{tag}"),
        id_key: format!("id-key-{tag}"),
        access_kid: format!("access-kid-{tag}"),
        access_key: format!("access-key-{tag}"),
        refresh_key: format!("refresh-key-{tag}"),
    }
}

fn user(key: &str) -> UserRecord {
    UserRecord {
        key: key.to_lowercase(),
        username: key.into(),
        sub: format!("sub-{}", key.to_lowercase()),
        attributes: vec![
            AttributeType { name: "sub".into(), value: Some(format!("sub-{}", key.to_lowercase())) },
            AttributeType { name: "email".into(), value: Some(format!("{key}@Example.com")) },
        ],
        enabled: true,
        status: UserStatusType::Confirmed,
        created: 1_700_000_000.25,
        modified: 1_700_000_001.75,
        ..Default::default()
    }
}

/// A user with every field set, so a round trip that drops one shows.
fn full_user(key: &str) -> UserRecord {
    let mut codes = BTreeMap::new();
    codes.insert(
        "verify:email".to_string(),
        PendingCode {
            code: "123456".into(),
            expires: 1_700_086_400.0,
            attribute: Some("email".into()),
            pending_value: Some("new@example.com".into()),
            sent_to: "new@example.com".into(),
            failures: 2,
        },
    );
    UserRecord {
        password: Some(PasswordVerifier { salt: "00ab".into(), verifier: "cd".repeat(8) }),
        temporary_password_issued: Some(1_700_000_000.0),
        failed_attempts: 3,
        last_failure: 1_700_000_002.0,
        locked_until: 1_700_000_060.0,
        codes,
        code_requests: vec![1_700_000_003.0, 1_700_000_004.0],
        signed_out: 1_700_000_005,
        mfa: UserMfa {
            enabled: vec!["SMS_MFA".into(), "SOFTWARE_TOKEN_MFA".into()],
            preferred: Some("SOFTWARE_TOKEN_MFA".into()),
            software_token: Some(SoftwareToken {
                secret: "sealed-secret".into(),
                friendly_name: Some("phone".into()),
                last_step: 56_666_666,
            }),
            pending_secret: Some("sealed-pending".into()),
            legacy_sms: true,
            preferences_set: true,
        },
        passkeys: vec![Passkey {
            credential_id: "Y3JlZGVudGlhbA".into(),
            public_key: "pQECAyYgASFYIA".into(),
            algorithm: -7,
            sign_count: 7,
            relying_party_id: "auth.example.com".into(),
            attachment: Some("platform".into()),
            transports: vec!["internal".into()],
            friendly_name: "Platform passkey".into(),
            created: 1_700_000_006.5,
            client_id: "client".into(),
        }],
        status: UserStatusType::ForceChangePassword,
        attributes: vec![
            AttributeType { name: "sub".into(), value: Some(format!("sub-{key}")) },
            AttributeType { name: "name".into(), value: Some("Zoë Ünïcode".into()) },
            AttributeType { name: "custom:empty".into(), value: None },
            AttributeType { name: "email".into(), value: Some(format!("{key}@example.com")) },
        ],
        ..user(key)
    }
}

fn group(pool_id: &str, name: &str) -> GroupType {
    GroupType {
        user_pool_id: Some(pool_id.into()),
        group_name: Some(name.into()),
        description: Some(format!("the {name} group")),
        precedence: Some(3),
        creation_date: Some(1_700_000_000.0),
        ..Default::default()
    }
}

fn domain(pool_id: &str) -> DomainDescriptionType {
    DomainDescriptionType {
        user_pool_id: Some(pool_id.into()),
        domain: Some(format!("login-{}", pool_id.to_lowercase().replace('_', "-"))),
        status: Some(DomainStatusType::Active),
        managed_login_version: Some(2),
        ..Default::default()
    }
}

fn ui_customization(pool_id: &str, client_id: &str) -> UiCustomization {
    UiCustomization {
        pool_id: pool_id.into(),
        client_id: client_id.into(),
        css: Some(".banner-customizable { background-color: #fff; }".into()),
        image: Some("iVBORw0KGgo=".into()),
        version: "20261202120000".into(),
        created: 1_700_000_000.0,
        modified: 1_700_000_001.0,
    }
}

fn branding(pool_id: &str, id: &str) -> ManagedLoginBrandingType {
    ManagedLoginBrandingType {
        managed_login_branding_id: Some(id.into()),
        user_pool_id: Some(pool_id.into()),
        use_cognito_provided_values: Some(false),
        creation_date: Some(1_700_000_000.0),
        ..Default::default()
    }
}

fn resource_server(pool_id: &str, identifier: &str) -> ResourceServerType {
    ResourceServerType {
        user_pool_id: Some(pool_id.into()),
        identifier: Some(identifier.into()),
        name: Some(format!("the {identifier} API")),
        scopes: Some(vec![ResourceServerScopeType { scope_name: "read".into(), scope_description: "Reads".into() }]),
        ..Default::default()
    }
}

fn idp(pool_id: &str, name: &str) -> IdentityProviderType {
    let mut details = BTreeMap::new();
    details.insert("client_id".to_string(), "abc".to_string());
    IdentityProviderType {
        user_pool_id: Some(pool_id.into()),
        provider_name: Some(name.into()),
        provider_type: Some(IdentityProviderTypeType::Oidc),
        provider_details: Some(details),
        idp_identifiers: Some(vec!["corp.example".into()]),
        ..Default::default()
    }
}

fn session(pool_id: &str, id: &str, expires: f64) -> AuthSession {
    AuthSession {
        id: id.into(),
        pool_id: pool_id.into(),
        client_id: "client".into(),
        user_key: "alice".into(),
        sub: "sub-alice".into(),
        challenge: "CUSTOM_CHALLENGE".into(),
        expires,
        state: serde_json::json!({"history": [{"name": "CUSTOM_CHALLENGE", "result": false}], "n": 1.5}),
    }
}

fn family(pool_id: &str, jti: &str, user_key: &str, expires: f64) -> TokenFamily {
    TokenFamily {
        origin_jti: jti.into(),
        pool_id: pool_id.into(),
        client_id: "client".into(),
        user_key: user_key.into(),
        sub: format!("sub-{user_key}"),
        auth_time: 1_700_000_000,
        device_key: Some("us-east-1_device".into()),
        expires,
        revoked: false,
        refresh_id: format!("refresh-{jti}"),
        previous_refresh_id: Some("older".into()),
        previous_valid_until: 1_700_000_010.0,
        scopes: Some(vec!["openid".into()]),
        session: Some(TrackedSession {
            id: format!("tkn{jti}"),
            created: 1_700_000_000.5,
            last_active: 1_700_000_100.25,
            device: Some("Firefox 130, Linux".into()),
            ip: Some("192.0.2.1".into()),
        }),
    }
}

fn device(pool_id: &str, key: &str, user_key: &str) -> DeviceRecord {
    DeviceRecord {
        pool_id: pool_id.into(),
        device_key: key.into(),
        group_key: "group".into(),
        user_key: user_key.into(),
        sub: format!("sub-{user_key}"),
        name: Some("laptop".into()),
        salt: Some("00ff".into()),
        verifier: Some("ee".into()),
        confirmed: true,
        remembered: false,
        created: 1_700_000_000.0,
        modified: 1_700_000_001.0,
        last_authenticated: 1_700_000_002.0,
    }
}

fn message(pool_id: &str, id: &str, username: &str, destination: &str, sent_at: i64) -> OutboxMessage {
    OutboxMessage {
        id: id.into(),
        pool_id: pool_id.into(),
        username: username.into(),
        medium: "EMAIL".into(),
        destination: destination.into(),
        kind: "SignUp".into(),
        subject: Some("Your code".into()),
        message: format!("Your code is {id}"),
        code: Some(id.into()),
        sent_at,
    }
}

fn all_messages(pool_id: &str) -> OutboxQuery {
    OutboxQuery { pool_id: Some(pool_id.into()), limit: 100, ..Default::default() }
}

fn pool_name(store: &DynStore, id: &str) -> Option<String> {
    store.tx(|tx| Ok(tx.pool(id)?.and_then(|p| p.name.clone()))).unwrap()
}

fn client_name(store: &DynStore, id: &str) -> Option<String> {
    store.tx(|tx| Ok(tx.client(id)?.and_then(|c| c.client_name))).unwrap()
}

fn keys_kid(store: &DynStore, pool_id: &str) -> Option<String> {
    store.tx(|tx| Ok(tx.keys(pool_id)?.map(|k| k.id_kid.clone()))).unwrap()
}

fn client_id(pool_id: &str) -> String {
    format!("client-of-{pool_id}")
}

/// One of everything, for `pool_id`: the pool, a client, keys, two users (one in a group, with
/// a device), a session, a family, a message and an identity provider.
fn fill(store: &DynStore, pool_id: &str) {
    store
        .tx(|tx| {
            fill_tx(tx, pool_id)?;
            Ok(())
        })
        .unwrap();
}

fn fill_tx(tx: &mut dyn Tx, pool_id: &str) -> StoreResult<()> {
    tx.put_pool(&pool(pool_id, pool_id))?;
    tx.put_client(&client(pool_id, &client_id(pool_id), "app"))?;
    tx.put_keys(pool_id, &keys(pool_id))?;
    tx.put_user(pool_id, &full_user("alice"))?;
    tx.put_user(pool_id, &user("bob"))?;
    tx.put_group(&group(pool_id, "admins"))?;
    tx.add_member(pool_id, "admins", "alice")?;
    tx.put_device(&device(pool_id, "dev-1", "alice"))?;
    tx.put_session(&session(pool_id, &format!("session-{pool_id}"), 1e12))?;
    tx.put_family(&family(pool_id, &format!("jti-{pool_id}"), "alice", 1e12))?;
    tx.push_message(&message(pool_id, "m1", "alice", "alice@example.com", 1))?;
    tx.put_idp(&idp(pool_id, "Corp"))?;
    tx.put_mfa_config(pool_id, &mfa_config(pool_id))?;
    tx.put_resource_server(&resource_server(pool_id, "https://api.example.com"))?;
    tx.put_domain(&domain(pool_id))?;
    tx.put_ui_customization(&ui_customization(pool_id, "ALL"))?;
    tx.put_ui_customization(&ui_customization(pool_id, &client_id(pool_id)))?;
    tx.put_branding(&client_id(pool_id), &branding(pool_id, "4f0c8a1e-2d3b-4c5d-8e6f-7a8b9c0d1e2f"))?;
    tx.put_pool_doc(pool_id, "terms", Owner::Pool, "t1", &pool_doc_value(pool_id))?;
    Ok(())
}

fn pool_doc_value(tag: &str) -> serde_json::Value {
    serde_json::json!({ "tag": tag, "n": 1.5, "list": [true, null, "x"] })
}

fn mfa_config(pool_id: &str) -> MfaConfig {
    MfaConfig {
        sms: true,
        software_token: true,
        email: Some(EmailMfa { message: Some("Code {####}".into()), subject: Some(format!("Sign-in to {pool_id}")) }),
        web_authn: Some(WebAuthnSettings {
            relying_party_id: Some("example.com".into()),
            user_verification: "required".into(),
            factor_configuration: Some("MULTI_FACTOR_WITH_USER_VERIFICATION".into()),
        }),
    }
}

fn assert_filled(store: &DynStore, pool_id: &str) {
    store
        .tx(|tx| {
            assert_eq!(tx.pool(pool_id)?.as_deref(), Some(&pool(pool_id, pool_id)), "pool of {pool_id}");
            assert_eq!(tx.client(&client_id(pool_id))?, Some(client(pool_id, &client_id(pool_id), "app")));
            assert_eq!(tx.keys(pool_id)?.as_deref(), Some(&keys(pool_id)));
            assert_eq!(tx.user(pool_id, "alice")?, Some(full_user("alice")));
            assert_eq!(tx.user(pool_id, "bob")?, Some(user("bob")));
            assert_eq!(tx.count_users(pool_id)?, 2);
            assert_eq!(tx.group(pool_id, "admins")?, Some(group(pool_id, "admins")));
            assert_eq!(tx.members(pool_id, "admins", None, 10)?.items, vec![full_user("alice")]);
            assert_eq!(tx.device(pool_id, "dev-1")?, Some(device(pool_id, "dev-1", "alice")));
            let sid = format!("session-{pool_id}");
            assert_eq!(tx.session(&sid)?, Some(session(pool_id, &sid, 1e12)));
            let jti = format!("jti-{pool_id}");
            assert_eq!(tx.family(pool_id, &jti)?, Some(family(pool_id, &jti, "alice", 1e12)));
            assert_eq!(
                tx.messages(&all_messages(pool_id))?,
                vec![message(pool_id, "m1", "alice", "alice@example.com", 1)]
            );
            assert_eq!(tx.idp(pool_id, "Corp")?, Some(idp(pool_id, "Corp")));
            assert_eq!(tx.mfa_config(pool_id)?, Some(mfa_config(pool_id)));
            let id = "https://api.example.com";
            assert_eq!(tx.resource_server(pool_id, id)?, Some(resource_server(pool_id, id)));
            let d = domain(pool_id);
            assert_eq!(tx.domain(d.domain.as_deref().unwrap())?, Some(d));
            assert_eq!(tx.ui_customization(pool_id, "ALL")?, Some(ui_customization(pool_id, "ALL")));
            let client = client_id(pool_id);
            assert_eq!(tx.ui_customization(pool_id, &client)?, Some(ui_customization(pool_id, &client)));
            let style = "4f0c8a1e-2d3b-4c5d-8e6f-7a8b9c0d1e2f";
            assert_eq!(tx.branding(pool_id, style)?, Some((client.clone(), branding(pool_id, style))));
            assert_eq!(tx.branding_of_client(pool_id, &client)?, Some(branding(pool_id, style)));
            assert_eq!(tx.branding_of_client(pool_id, "another-client")?, None);
            assert_eq!(tx.pool_doc(pool_id, "terms", Owner::Pool, "t1")?, Some(pool_doc_value(pool_id)));
            Ok(())
        })
        .unwrap();
}

fn assert_empty(store: &DynStore, pool_id: &str) {
    store
        .tx(|tx| {
            assert_eq!(tx.pool(pool_id)?, None, "pool of {pool_id}");
            assert_eq!(tx.client(&client_id(pool_id))?, None);
            assert_eq!(tx.clients(pool_id, None, 10)?.items, vec![]);
            assert_eq!(tx.keys(pool_id)?, None);
            assert_eq!(tx.user(pool_id, "alice")?, None);
            assert_eq!(tx.users(pool_id, None, None, 10)?.items, vec![]);
            assert_eq!(tx.users_with(pool_id, "email", "alice@example.com")?, vec![]);
            assert_eq!(tx.count_users(pool_id)?, 0);
            assert_eq!(tx.group(pool_id, "admins")?, None);
            assert_eq!(tx.members(pool_id, "admins", None, 10)?.items, vec![]);
            assert_eq!(tx.groups_of(pool_id, "alice", None, 10)?.items, vec![]);
            assert_eq!(tx.device(pool_id, "dev-1")?, None);
            assert_eq!(tx.devices_of(pool_id, "alice", None, 10)?.items, vec![]);
            assert_eq!(tx.session(&format!("session-{pool_id}"))?, None);
            assert_eq!(tx.family(pool_id, &format!("jti-{pool_id}"))?, None);
            assert_eq!(tx.messages(&all_messages(pool_id))?, vec![]);
            assert_eq!(tx.idp(pool_id, "Corp")?, None);
            assert_eq!(tx.idps(pool_id, None, 10)?.items, vec![]);
            assert_eq!(tx.mfa_config(pool_id)?, None);
            assert_eq!(tx.resource_server(pool_id, "https://api.example.com")?, None);
            assert_eq!(tx.resource_servers(pool_id, None, 10)?.items, vec![]);
            assert_eq!(tx.domain(domain(pool_id).domain.as_deref().unwrap())?, None);
            assert_eq!(tx.ui_customization(pool_id, "ALL")?, None);
            assert_eq!(tx.branding(pool_id, "4f0c8a1e-2d3b-4c5d-8e6f-7a8b9c0d1e2f")?, None);
            assert_eq!(tx.branding_of_client(pool_id, &client_id(pool_id))?, None);
            assert_eq!(tx.pool_doc(pool_id, "terms", Owner::Pool, "t1")?, None);
            assert_eq!(tx.pool_docs_of_kind(pool_id, "terms", None, 10)?.items, vec![]);
            Ok(())
        })
        .unwrap();
}

fn committed_writes_are_seen(store: &DynStore) {
    store
        .tx(|tx| {
            fill_tx(tx, P1)?;
            // Seen by the rest of the transaction that wrote it.
            assert_eq!(tx.pool(P1)?.as_deref(), Some(&pool(P1, P1)));
            assert_eq!(tx.user(P1, "alice")?, Some(full_user("alice")));
            assert_eq!(tx.users_with(P1, "email", "alice@example.com")?, vec![full_user("alice")]);
            assert_eq!(tx.count_users(P1)?, 2);
            Ok(())
        })
        .unwrap();
    assert_filled(store, P1);
    // A value a transaction returns comes back from `tx`.
    assert_eq!(store.tx(|tx| Ok(tx.count_users(P1)? + 40)).unwrap(), 42);
}

/// Writes that change everything `fill` made for `pool_id`, for a transaction to undo.
fn overwrite_everything(tx: &mut dyn Tx, pool_id: &str) -> StoreResult<()> {
    tx.put_pool(&pool(pool_id, "changed"))?;
    tx.put_client(&client(pool_id, &client_id(pool_id), "changed"))?;
    tx.put_keys(pool_id, &keys("changed"))?;
    tx.put_user(pool_id, &user("alice"))?;
    tx.delete_user(pool_id, "bob")?;
    tx.put_user(pool_id, &user("carol"))?;
    tx.delete_group(pool_id, "admins")?;
    tx.put_group(&group(pool_id, "new"))?;
    tx.add_member(pool_id, "new", "carol")?;
    tx.delete_device(pool_id, "dev-1")?;
    tx.put_device(&device(pool_id, "dev-2", "carol"))?;
    tx.delete_session(&format!("session-{pool_id}"))?;
    tx.put_session(&session(pool_id, "another", 1e12))?;
    tx.revoke_families(pool_id, "alice")?;
    tx.put_family(&family(pool_id, "jti-new", "carol", 1e12))?;
    tx.push_message(&message(pool_id, "m2", "carol", "carol@example.com", 2))?;
    tx.delete_idp(pool_id, "Corp")?;
    tx.put_idp(&idp(pool_id, "Other"))?;
    tx.put_pool(&pool(P2, "new pool"))?;
    Ok(())
}

fn assert_overwrite_undone(store: &DynStore) {
    assert_filled(store, P1);
    store
        .tx(|tx| {
            assert_eq!(tx.user(P1, "carol")?, None);
            assert_eq!(tx.users_with(P1, "email", "carol@example.com")?, vec![]);
            assert_eq!(tx.group(P1, "new")?, None);
            assert_eq!(tx.groups_of(P1, "carol", None, 10)?.items, vec![]);
            assert_eq!(tx.device(P1, "dev-2")?, None);
            assert_eq!(tx.session("another")?, None);
            assert_eq!(tx.family(P1, "jti-new")?, None);
            assert_eq!(tx.idp(P1, "Other")?, None);
            assert_eq!(tx.pool(P2)?, None);
            assert_eq!(tx.pools(None, 10)?.items, vec![pool(P1, P1)]);
            Ok(())
        })
        .unwrap();
}

fn an_err_rolls_back_everything(store: &DynStore) {
    fill(store, P1);
    let result: StoreResult<()> = store.tx(|tx| {
        overwrite_everything(tx, P1)?;
        Err(ApiError::invalid_parameter("conformance: refused on purpose"))
    });
    let err = result.expect_err("the closure's Err is the transaction's");
    assert_eq!(err.type_name, "InvalidParameterException");
    assert_eq!(err.message.as_deref(), Some("conformance: refused on purpose"));
    assert_overwrite_undone(store);

    // A transaction that fails before writing anything, and one that empties the store and
    // then fails, change nothing either.
    assert!(store.tx(|_| Err::<(), _>(abandon())).is_err());
    assert!(
        store
            .tx(|tx| {
                tx.delete_pool(P1)?;
                tx.clear()?;
                Err::<(), _>(abandon())
            })
            .is_err()
    );
    assert_filled(store, P1);
}

fn a_panic_rolls_back_everything(store: &DynStore) {
    fill(store, P1);
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let _ = store.tx(|tx| {
            overwrite_everything(tx, P1)?;
            panic_on_purpose()
        });
    }));
    assert!(outcome.is_err(), "the panic reaches the caller");
    assert_overwrite_undone(store);
    // The store still works: a transaction after the panic commits.
    store.tx(|tx| tx.put_pool(&pool(P2, "after the panic"))).unwrap();
    assert_eq!(pool_name(store, P2).as_deref(), Some("after the panic"));
}

fn panic_on_purpose() -> StoreResult<()> {
    panic!("conformance: a panic inside a transaction, on purpose")
}

fn uncommitted_writes_are_unseen(store: &DynStore) {
    fill(store, P1);
    let (wrote, read) = (mpsc::channel::<()>(), mpsc::channel::<()>());
    let (wrote_tx, wrote_rx) = wrote;
    let (read_tx, read_rx) = read;
    std::thread::scope(|s| {
        s.spawn(move || {
            let _ = store.tx(|tx| {
                tx.put_pool(&pool(P1, "uncommitted"))?;
                tx.put_user(P1, &user("dave"))?;
                wrote_tx.send(()).unwrap();
                // A store that serialises transactions blocks the reader until this one ends;
                // one that does not lets it read now. Either way it must not see the writes.
                let _ = read_rx.recv_timeout(Duration::from_millis(50));
                Err::<(), _>(abandon())
            });
        });
        wrote_rx.recv().unwrap();
        let (name, dave) =
            store.tx(|tx| Ok((tx.pool(P1)?.and_then(|p| p.name.clone()), tx.user(P1, "dave")?))).unwrap();
        let _ = read_tx.send(());
        assert_eq!(name.as_deref(), Some(P1), "another transaction's uncommitted pool was seen");
        assert_eq!(dave, None, "another transaction's uncommitted user was seen");
    });
    assert_eq!(pool_name(store, P1).as_deref(), Some(P1));
}

fn no_update_is_lost(store: &DynStore) {
    store.tx(|tx| tx.put_user(P1, &user("alice"))).unwrap();
    const THREADS: u32 = 4;
    const EACH: u32 = 20;
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                for _ in 0..EACH {
                    store
                        .tx(|tx| {
                            let mut u = tx.user(P1, "alice")?.expect("alice is there");
                            u.failed_attempts += 1;
                            tx.put_user(P1, &u)
                        })
                        .unwrap();
                }
            });
        }
    });
    let u = store.tx(|tx| tx.user(P1, "alice")).unwrap().unwrap();
    assert_eq!(u.failed_attempts, THREADS * EACH, "read-modify-write transactions lost updates");
    assert_eq!(store.tx(|tx| tx.count_users(P1)).unwrap(), 1);
}

fn records_round_trip(store: &DynStore) {
    fill(store, P1);
    assert_filled(store, P1);
    store
        .tx(|tx| {
            // A put replaces the whole record.
            let mut alice = full_user("alice");
            alice.attributes.retain(|a| a.name != "name");
            alice.codes.clear();
            alice.password = None;
            alice.status = UserStatusType::Confirmed;
            tx.put_user(P1, &alice)?;
            assert_eq!(tx.user(P1, "alice")?, Some(alice.clone()));

            let mut g = group(P1, "admins");
            g.description = None;
            tx.put_group(&g)?;
            assert_eq!(tx.group(P1, "admins")?, Some(g));

            let mut d = device(P1, "dev-1", "alice");
            d.name = None;
            d.remembered = true;
            tx.put_device(&d)?;
            assert_eq!(tx.device(P1, "dev-1")?, Some(d));

            let mut s = session(P1, &format!("session-{P1}"), 5.0);
            s.state = serde_json::Value::Null;
            tx.put_session(&s)?;
            assert_eq!(tx.session(&s.id)?, Some(s));

            let mut f = family(P1, &format!("jti-{P1}"), "alice", 1e12);
            f.revoked = true;
            f.device_key = None;
            f.scopes = None;
            f.session = None;
            tx.put_family(&f)?;
            assert_eq!(tx.family(P1, &f.origin_jti)?, Some(f));

            let off = MfaConfig::default();
            tx.put_mfa_config(P1, &off)?;
            assert_eq!(tx.mfa_config(P1)?, Some(off));

            let mut i = idp(P1, "Corp");
            i.provider_details = None;
            tx.put_idp(&i)?;
            assert_eq!(tx.idp(P1, "Corp")?, Some(i));

            let mut m = message(P1, "m9", "alice", "+15550100", 9);
            m.medium = "SMS".into();
            m.subject = None;
            m.code = None;
            tx.push_message(&m)?;
            assert_eq!(tx.messages(&OutboxQuery { limit: 1, ..all_messages(P1) })?, vec![m]);

            // A member added twice is a member once.
            tx.add_member(P1, "admins", "alice")?;
            assert_eq!(tx.members(P1, "admins", None, 10)?.items, vec![alice]);
            Ok(())
        })
        .unwrap();
    // And all of it is what a later transaction reads.
    store
        .tx(|tx| {
            assert_eq!(tx.user(P1, "alice")?.unwrap().password, None);
            assert!(tx.family(P1, &format!("jti-{P1}"))?.unwrap().revoked);
            assert_eq!(tx.session(&format!("session-{P1}"))?.unwrap().state, serde_json::Value::Null);
            Ok(())
        })
        .unwrap();
}

fn deletes_remove(store: &DynStore) {
    fill(store, P1);
    fill(store, P2);
    store
        .tx(|tx| {
            tx.put_group(&group(P1, "readers"))?;
            tx.add_member(P1, "readers", "alice")?;
            tx.add_member(P1, "readers", "bob")?;
            tx.put_device(&device(P1, "dev-b", "bob"))?;

            tx.remove_member(P1, "readers", "bob")?;
            assert_eq!(tx.members(P1, "readers", None, 10)?.items, vec![full_user("alice")]);

            // A user goes with their memberships and devices.
            tx.delete_user(P1, "alice")?;
            assert_eq!(tx.user(P1, "alice")?, None);
            assert_eq!(tx.users_with(P1, "email", "alice@example.com")?, vec![]);
            assert_eq!(tx.groups_of(P1, "alice", None, 10)?.items, vec![]);
            assert_eq!(tx.members(P1, "admins", None, 10)?.items, vec![]);
            assert_eq!(tx.members(P1, "readers", None, 10)?.items, vec![]);
            assert_eq!(tx.device(P1, "dev-1")?, None);
            assert_eq!(tx.devices_of(P1, "alice", None, 10)?.items, vec![]);
            assert_eq!(tx.device(P1, "dev-b")?, Some(device(P1, "dev-b", "bob")));
            // The same user made again is in no group.
            tx.put_user(P1, &user("alice"))?;
            assert_eq!(tx.groups_of(P1, "alice", None, 10)?.items, vec![]);

            // A group goes with its memberships, not its members.
            tx.add_member(P1, "readers", "bob")?;
            tx.delete_group(P1, "readers")?;
            assert_eq!(tx.group(P1, "readers")?, None);
            assert_eq!(tx.groups_of(P1, "bob", None, 10)?.items, vec![]);
            assert_eq!(tx.members(P1, "readers", None, 10)?.items, vec![]);
            assert!(tx.user(P1, "bob")?.is_some());
            // A group made again under the name starts empty.
            tx.put_group(&group(P1, "readers"))?;
            assert_eq!(tx.members(P1, "readers", None, 10)?.items, vec![]);

            tx.delete_client(&client_id(P1))?;
            assert_eq!(tx.client(&client_id(P1))?, None);
            tx.delete_session(&format!("session-{P1}"))?;
            assert_eq!(tx.session(&format!("session-{P1}"))?, None);
            tx.delete_device(P1, "dev-b")?;
            assert_eq!(tx.device(P1, "dev-b")?, None);
            tx.delete_idp(P1, "Corp")?;
            assert_eq!(tx.idp(P1, "Corp")?, None);
            tx.delete_resource_server(P1, "https://api.example.com")?;
            assert_eq!(tx.resource_server(P1, "https://api.example.com")?, None);
            tx.delete_ui_customization(P1, "ALL")?;
            assert_eq!(tx.ui_customization(P1, "ALL")?, None);
            assert!(tx.ui_customization(P1, &client_id(P1))?.is_some(), "a client's customization is its own");
            tx.delete_branding(P1, "4f0c8a1e-2d3b-4c5d-8e6f-7a8b9c0d1e2f")?;
            assert_eq!(tx.branding_of_client(P1, &client_id(P1))?, None);
            // Deleting what is not there is no error.
            tx.delete_user(P1, "nobody")?;
            tx.delete_group(P1, "nothing")?;
            tx.remove_member(P1, "admins", "nobody")?;
            tx.delete_client("no-client")?;
            tx.delete_session("no-session")?;
            tx.delete_device(P1, "no-device")?;
            tx.delete_idp(P1, "NoIdp")?;
            tx.delete_resource_server(P1, "no-server")?;
            tx.delete_domain("no-domain")?;
            tx.delete_ui_customization(P1, "no-client")?;
            tx.delete_branding(P1, "no-style")?;
            let d = domain(P1);
            tx.delete_domain(d.domain.as_deref().unwrap())?;
            assert_eq!(tx.domain(d.domain.as_deref().unwrap())?, None);
            tx.delete_pool("us-east-1_nopool")?;
            Ok(())
        })
        .unwrap();
    // The other pool, with the same names in it, is untouched.
    assert_filled(store, P2);
}

/// Walks a listing page by page with `limit`, checking each page's `next`.
fn walk<T>(limit: usize, mut page: impl FnMut(Option<&str>, usize) -> StoreResult<crate::Page<T>>) -> Vec<Vec<T>> {
    let mut pages = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let p = page(after.as_deref(), limit).unwrap();
        assert!(p.items.len() <= limit, "a page holds at most `limit` items");
        let more = p.next.is_some();
        if more {
            assert_eq!(p.items.len(), limit, "a page with `next` is full");
        }
        pages.push(p.items);
        match p.next {
            Some(next) => after = Some(next),
            None => return pages,
        }
        assert!(pages.len() < 100, "a listing that never ends");
    }
}

fn listings_page_in_order(store: &DynStore) {
    // Written out of order, listed in order.
    let names = ["delta", "alpha", "echo", "charlie", "bravo"];
    let sorted = ["alpha", "bravo", "charlie", "delta", "echo"];
    store
        .tx(|tx| {
            for n in names {
                let pool_id = format!("us-east-1_{n}");
                tx.put_pool(&pool(&pool_id, n))?;
                tx.put_client(&client(P1, &format!("client-{n}"), n))?;
                tx.put_user(P1, &user(n))?;
                tx.put_group(&group(P1, n))?;
                tx.add_member(P1, n, "alice")?;
                tx.add_member(P1, "everyone", n)?;
                tx.put_device(&device(P1, &format!("dev-{n}"), "alice"))?;
                tx.put_idp(&idp(P1, n))?;
                tx.put_resource_server(&resource_server(P1, n))?;
            }
            tx.put_group(&group(P1, "everyone"))?;
            tx.put_user(P1, &user("alice"))?;
            // Another pool's records are never listed.
            tx.put_client(&client(P2, "client-zzz", "other"))?;
            tx.put_user(P2, &user("zed"))?;
            tx.put_group(&group(P2, "zgroup"))?;
            tx.put_idp(&idp(P2, "zidp"))?;
            tx.put_resource_server(&resource_server(P2, "zserver"))?;
            Ok(())
        })
        .unwrap();

    for limit in [1, 2, 5, 60] {
        let listed = |pages: Vec<Vec<String>>, what: &str, expected: &[String]| {
            let n = expected.len();
            assert_eq!(pages.len(), n.div_ceil(limit).max(1), "{what}: pages of {limit}");
            assert_eq!(pages.concat(), expected, "{what} with pages of {limit}");
        };
        let expect = |f: &dyn Fn(&str) -> String| sorted.iter().map(|n| f(n)).collect::<Vec<_>>();
        store
            .tx(|tx| {
                let pages = walk(limit, |a, l| tx.pools(a, l)).into_iter();
                let ids = pages.map(|p| p.into_iter().map(|p| p.id.unwrap()).collect()).collect();
                listed(ids, "pools", &expect(&|n| format!("us-east-1_{n}")));

                let pages = walk(limit, |a, l| tx.clients(P1, a, l)).into_iter();
                let ids = pages.map(|p| p.into_iter().map(|c| c.client_id.unwrap()).collect()).collect();
                listed(ids, "clients", &expect(&|n| format!("client-{n}")));

                let pages = walk(limit, |a, l| tx.users(P1, None, a, l)).into_iter();
                let keys = pages.map(|p| p.into_iter().map(|u| u.key).collect()).collect();
                let mut users = vec!["alice".to_string()];
                users.extend(expect(&|n| n.to_string()));
                listed(keys, "users", &users);

                let pages = walk(limit, |a, l| tx.groups(P1, a, l)).into_iter();
                let names = pages.map(|p| p.into_iter().map(|g| g.group_name.unwrap()).collect()).collect();
                let mut groups = expect(&|n| n.to_string());
                groups.push("everyone".into());
                groups.sort();
                listed(names, "groups", &groups);

                let pages = walk(limit, |a, l| tx.groups_of(P1, "alice", a, l)).into_iter();
                let names = pages.map(|p| p.into_iter().map(|g| g.group_name.unwrap()).collect()).collect();
                listed(names, "groups_of", &expect(&|n| n.to_string()));

                let pages = walk(limit, |a, l| tx.members(P1, "everyone", a, l)).into_iter();
                let keys = pages.map(|p| p.into_iter().map(|u| u.key).collect()).collect();
                listed(keys, "members", &expect(&|n| n.to_string()));

                let pages = walk(limit, |a, l| tx.devices_of(P1, "alice", a, l)).into_iter();
                let keys = pages.map(|p| p.into_iter().map(|d| d.device_key).collect()).collect();
                listed(keys, "devices_of", &expect(&|n| format!("dev-{n}")));

                let pages = walk(limit, |a, l| tx.idps(P1, a, l)).into_iter();
                let names = pages.map(|p| p.into_iter().map(|i| i.provider_name.unwrap()).collect()).collect();
                listed(names, "idps", &expect(&|n| n.to_string()));

                let pages = walk(limit, |a, l| tx.resource_servers(P1, a, l)).into_iter();
                let ids = pages.map(|p| p.into_iter().map(|r| r.identifier.unwrap()).collect()).collect();
                listed(ids, "resource_servers", &expect(&|n| n.to_string()));
                Ok(())
            })
            .unwrap();
    }
    // Unfiltered listings' `next` is the last item's key.
    store
        .tx(|tx| {
            assert_eq!(tx.pools(None, 2)?.next.as_deref(), Some("us-east-1_bravo"));
            assert_eq!(tx.users(P1, None, None, 2)?.next.as_deref(), Some("alpha"));
            assert_eq!(tx.groups(P1, Some("charlie"), 1)?.items, vec![group(P1, "delta")]);
            // Empty listings.
            assert_eq!(tx.users("us-east-1_none", None, None, 10)?, crate::Page { items: vec![], next: None });
            assert_eq!(tx.groups_of(P1, "nobody", None, 10)?.items, vec![]);
            assert_eq!(tx.members(P1, "no-group", None, 10)?.items, vec![]);
            Ok(())
        })
        .unwrap();
}

fn users_by_index_entries(store: &DynStore) {
    store
        .tx(|tx| {
            let mut alice = user("Alice");
            alice.set_attribute("phone_number", "+15550100");
            alice.set_attribute("given_name", "Alice");
            alice.set_attribute("custom:team", "red");
            tx.put_user(P1, &alice)?;
            let mut also = user("Alicia");
            also.set_attribute("email", "ALI@example.com");
            also.enabled = false;
            tx.put_user(P1, &also)?;
            tx.put_user(P2, &user("Alice"))?;

            // Values are looked up as index_entries normalised them.
            assert_eq!(tx.users_with(P1, "email", "alice@example.com")?, vec![alice.clone()]);
            assert_eq!(tx.users_with(P1, "email", "ali@example.com")?, vec![also.clone()]);
            assert_eq!(tx.users_with(P1, "username", "Alice")?, vec![alice.clone()]);
            assert_eq!(tx.users_with(P1, "username", "alice")?, vec![], "usernames are case-sensitive");
            assert_eq!(tx.users_with(P1, "sub", "sub-alice")?, vec![alice.clone()]);
            assert_eq!(tx.users_with(P1, "phone_number", "+15550100")?, vec![alice.clone()]);
            assert_eq!(tx.users_with(P1, "given_name", "alice")?, vec![alice.clone()]);
            assert_eq!(tx.users_with(P1, "status", "Disabled")?, vec![also.clone()]);
            assert_eq!(tx.users_with(P1, "cognito:user_status", "confirmed")?, vec![alice.clone(), also.clone()]);
            assert_eq!(tx.users_with(P1, "custom:team", "red")?, vec![], "only searchable attributes are indexed");
            assert_eq!(tx.users_with(P1, "email", "alice@")?, vec![], "users_with is exact");

            let filter = |attribute: &str, value: &str, prefix: bool| UserFilter {
                attribute: attribute.into(),
                value: value.into(),
                prefix,
            };
            let found = |tx: &mut dyn Tx, f: UserFilter| -> StoreResult<Vec<String>> {
                Ok(tx.users(P1, Some(&f), None, 10)?.items.into_iter().map(|u| u.username).collect())
            };
            assert_eq!(found(tx, filter("username", "Ali", true))?, ["Alice", "Alicia"]);
            assert_eq!(found(tx, filter("username", "Alice", true))?, ["Alice"]);
            assert_eq!(found(tx, filter("username", "Alice", false))?, ["Alice"]);
            assert_eq!(found(tx, filter("username", "Al", false))?, Vec::<String>::new());
            assert_eq!(found(tx, filter("email", "alice@example.com", false))?, ["Alice"]);
            assert_eq!(found(tx, filter("email", "ali", true))?, ["Alicia", "Alice"], "ordered by value, then key");
            assert_eq!(found(tx, filter("status", "Enabled", false))?, ["Alice"]);
            assert_eq!(found(tx, filter("phone_number", "+1555", true))?, ["Alice"]);
            assert_eq!(found(tx, filter("name", "", true))?, Vec::<String>::new(), "no user has a name");

            // A changed value leaves no stale entry behind.
            alice.set_attribute("email", "a.new@example.com");
            alice.remove_attribute("phone_number");
            tx.put_user(P1, &alice)?;
            assert_eq!(tx.users_with(P1, "email", "alice@example.com")?, vec![]);
            assert_eq!(tx.users_with(P1, "email", "a.new@example.com")?, vec![alice.clone()]);
            assert_eq!(tx.users_with(P1, "phone_number", "+15550100")?, vec![]);
            assert_eq!(found(tx, filter("phone_number", "+", true))?, Vec::<String>::new());
            tx.delete_user(P1, "alicia")?;
            assert_eq!(tx.users_with(P1, "email", "ali@example.com")?, vec![]);
            assert_eq!(tx.users_with(P1, "status", "Disabled")?, vec![]);
            assert_eq!(found(tx, filter("username", "Ali", true))?, ["Alice"]);
            Ok(())
        })
        .unwrap();
    // The same, committed, from a later transaction.
    store
        .tx(|tx| {
            assert_eq!(tx.users_with(P1, "email", "a.new@example.com")?.len(), 1);
            assert_eq!(tx.users_with(P1, "email", "alice@example.com")?, vec![]);
            assert_eq!(tx.users_with(P2, "email", "alice@example.com")?, vec![user("Alice")]);
            Ok(())
        })
        .unwrap();
}

fn filtered_listings_page(store: &DynStore) {
    // Five users share a value; three more share its prefix.
    let same = ["u5", "u1", "u4", "u2", "u3"];
    store
        .tx(|tx| {
            for key in same {
                let mut u = user(key);
                u.set_attribute("email", "shared@example.com");
                tx.put_user(P1, &u)?;
            }
            for (key, email) in [("v1", "shared@example.org"), ("v2", "shared@example.net"), ("v3", "sharp@x.com")] {
                let mut u = user(key);
                u.set_attribute("email", email);
                tx.put_user(P1, &u)?;
            }
            tx.put_user(P1, &user("w1"))?;
            Ok(())
        })
        .unwrap();
    let f = UserFilter { attribute: "email".into(), value: "shared@example.com".into(), prefix: false };
    let prefix = UserFilter { attribute: "email".into(), value: "shar".into(), prefix: true };
    for limit in [1, 2, 3, 5, 10] {
        store
            .tx(|tx| {
                let keys: Vec<String> =
                    walk(limit, |a, l| tx.users(P1, Some(&f), a, l)).concat().into_iter().map(|u| u.key).collect();
                assert_eq!(keys, ["u1", "u2", "u3", "u4", "u5"], "exact filter, pages of {limit}");
                let keys: Vec<String> =
                    walk(limit, |a, l| tx.users(P1, Some(&prefix), a, l)).concat().into_iter().map(|u| u.key).collect();
                assert_eq!(keys, ["u1", "u2", "u3", "u4", "u5", "v2", "v1", "v3"], "prefix filter, pages of {limit}");
                Ok(())
            })
            .unwrap();
    }
}

fn user_counts(store: &DynStore) {
    let count = |p: &str| store.tx(|tx| tx.count_users(p)).unwrap();
    assert_eq!(count(P1), 0);
    store.tx(|tx| (0..7).try_for_each(|i| tx.put_user(P1, &user(&format!("user{i}"))))).unwrap();
    store.tx(|tx| tx.put_user(P2, &user("other"))).unwrap();
    assert_eq!(count(P1), 7);
    // Putting a user again is no new user.
    store.tx(|tx| tx.put_user(P1, &full_user("user3"))).unwrap();
    assert_eq!(count(P1), 7);
    store.tx(|tx| tx.delete_user(P1, "user0")).unwrap();
    store.tx(|tx| tx.delete_user(P1, "user0")).unwrap();
    assert_eq!(count(P1), 6, "deleting a user twice counts once");
    assert!(store.tx(|tx| tx.put_user(P1, &user("rolled")).and(Err::<(), _>(abandon()))).is_err());
    assert_eq!(count(P1), 6, "a rolled-back put is not counted");
    assert_eq!(count(P2), 1);
}

fn delete_pool_cascades(store: &DynStore) {
    fill(store, P1);
    fill(store, P2);
    // Warm whatever a backend caches, then delete.
    assert_eq!(pool_name(store, P1).as_deref(), Some(P1));
    assert_eq!(client_name(store, &client_id(P1)).as_deref(), Some("app"));
    assert!(keys_kid(store, P1).is_some());
    store.tx(|tx| tx.delete_pool(P1)).unwrap();
    assert_empty(store, P1);
    assert_filled(store, P2);
    assert_eq!(store.tx(|tx| tx.pools(None, 10)).unwrap().items, vec![pool(P2, P2)]);
    // A pool made again under the same id starts empty.
    store.tx(|tx| tx.put_pool(&pool(P1, "again"))).unwrap();
    assert_eq!(store.tx(|tx| tx.count_users(P1)).unwrap(), 0);
    assert_eq!(store.tx(|tx| tx.keys(P1)).unwrap(), None);
}

fn revoke_families_is_per_user(store: &DynStore) {
    store
        .tx(|tx| {
            tx.put_family(&family(P1, "a1", "alice", 1e12))?;
            tx.put_family(&family(P1, "a2", "alice", 1e12))?;
            tx.put_family(&family(P1, "b1", "bob", 1e12))?;
            tx.put_family(&family(P2, "a3", "alice", 1e12))?;
            tx.revoke_families(P1, "alice")?;
            // Seen at once, in the same transaction.
            assert!(tx.family(P1, "a1")?.unwrap().revoked);
            Ok(())
        })
        .unwrap();
    store
        .tx(|tx| {
            for jti in ["a1", "a2"] {
                let revoked = TokenFamily { revoked: true, ..family(P1, jti, "alice", 1e12) };
                assert_eq!(tx.family(P1, jti)?, Some(revoked), "only `revoked` changes");
            }
            assert_eq!(tx.family(P1, "b1")?, Some(family(P1, "b1", "bob", 1e12)));
            assert_eq!(tx.family(P2, "a3")?, Some(family(P2, "a3", "alice", 1e12)));
            let jtis: Vec<String> = tx.families_of(P1, "alice")?.into_iter().map(|f| f.origin_jti).collect();
            assert_eq!(jtis, ["a1", "a2"], "a user's families, revoked too, in origin_jti order");
            tx.revoke_families(P1, "nobody")?;
            Ok(())
        })
        .unwrap();
}

fn purge_expired_keeps_the_live(store: &DynStore) {
    let now = 1_700_000_000.0;
    store
        .tx(|tx| {
            tx.put_session(&session(P1, "old", now - 1.0))?;
            tx.put_session(&session(P1, "now", now))?;
            tx.put_session(&session(P2, "new", now + 1.0))?;
            tx.put_family(&family(P1, "old", "alice", now - 0.5))?;
            tx.put_family(&family(P1, "now", "alice", now))?;
            tx.put_family(&family(P2, "new", "alice", now + 1.0))?;
            tx.put_user(P1, &user("alice"))?;
            tx.push_message(&message(P1, "m1", "alice", "alice@example.com", 1))?;
            Ok(())
        })
        .unwrap();
    store.tx(|tx| tx.purge_expired(now)).unwrap();
    store
        .tx(|tx| {
            assert_eq!(tx.session("old")?, None);
            assert!(tx.session("now")?.is_some(), "what expires at `now` has not expired before it");
            assert!(tx.session("new")?.is_some());
            assert_eq!(tx.family(P1, "old")?, None);
            assert!(tx.family(P1, "now")?.is_some());
            assert!(tx.family(P2, "new")?.is_some());
            assert!(tx.user(P1, "alice")?.is_some(), "users are not purged");
            assert_eq!(tx.messages(&all_messages(P1))?.len(), 1, "messages are not purged");
            Ok(())
        })
        .unwrap();
}

fn messages_query(store: &DynStore) {
    store
        .tx(|tx| {
            tx.push_message(&message(P1, "1", "alice", "alice@example.com", 10))?;
            tx.push_message(&message(P1, "2", "bob", "bob@example.com", 10))?;
            tx.push_message(&message(P2, "3", "alice", "alice@example.com", 5))?;
            Ok(())
        })
        .unwrap();
    store.tx(|tx| tx.push_message(&message(P1, "4", "alice", "+15550100", 1))).unwrap();
    let ids =
        |q: OutboxQuery| -> Vec<String> { store.tx(|tx| tx.messages(&q)).unwrap().into_iter().map(|m| m.id).collect() };
    // Newest first means last pushed first, whatever `sent_at` says.
    assert_eq!(ids(OutboxQuery { limit: 10, ..Default::default() }), ["4", "3", "2", "1"]);
    assert_eq!(ids(OutboxQuery { limit: 2, ..Default::default() }), ["4", "3"]);
    assert_eq!(ids(all_messages(P1)), ["4", "2", "1"]);
    assert_eq!(ids(OutboxQuery { username: Some("alice".into()), limit: 10, ..Default::default() }), ["4", "3", "1"]);
    assert_eq!(ids(OutboxQuery { username: Some("alice".into()), ..all_messages(P1) }), ["4", "1"], "filters combine");
    assert_eq!(
        ids(OutboxQuery { destination: Some("alice@example.com".into()), limit: 10, ..Default::default() }),
        ["3", "1"]
    );
    assert_eq!(
        ids(OutboxQuery { username: Some("carol".into()), limit: 10, ..Default::default() }),
        Vec::<String>::new()
    );
}

fn caches_forget_on_write(store: &DynStore) {
    fill(store, P1);
    let cid = client_id(P1);
    // Read twice, so a caching store has them cached.
    for _ in 0..2 {
        assert_eq!(pool_name(store, P1).as_deref(), Some(P1));
        assert_eq!(client_name(store, &cid).as_deref(), Some("app"));
        assert_eq!(keys_kid(store, P1).as_deref(), Some(format!("id-kid-{P1}").as_str()));
    }

    // Written and read back in the same transaction, then in later ones.
    store
        .tx(|tx| {
            assert_eq!(tx.pool(P1)?.unwrap().name.as_deref(), Some(P1));
            tx.put_pool(&pool(P1, "second"))?;
            tx.put_client(&client(P1, &cid, "second"))?;
            tx.put_keys(P1, &keys("second"))?;
            assert_eq!(tx.pool(P1)?.unwrap().name.as_deref(), Some("second"));
            assert_eq!(tx.client(&cid)?.unwrap().client_name.as_deref(), Some("second"));
            assert_eq!(tx.keys(P1)?.unwrap().id_kid, "id-kid-second");
            Ok(())
        })
        .unwrap();
    for _ in 0..2 {
        assert_eq!(pool_name(store, P1).as_deref(), Some("second"));
        assert_eq!(client_name(store, &cid).as_deref(), Some("second"));
        assert_eq!(keys_kid(store, P1).as_deref(), Some("id-kid-second"));
    }

    // Written, read back (so a cache could take the value), then rolled back.
    let failed: StoreResult<()> = store.tx(|tx| {
        tx.put_pool(&pool(P1, "rolled back"))?;
        tx.put_client(&client(P1, &cid, "rolled back"))?;
        tx.put_keys(P1, &keys("rolled back"))?;
        for _ in 0..2 {
            assert_eq!(tx.pool(P1)?.unwrap().name.as_deref(), Some("rolled back"));
            assert_eq!(tx.client(&cid)?.unwrap().client_name.as_deref(), Some("rolled back"));
            assert_eq!(tx.keys(P1)?.unwrap().id_kid, "id-kid-rolled back");
        }
        Err(abandon())
    });
    assert!(failed.is_err());
    for _ in 0..2 {
        assert_eq!(pool_name(store, P1).as_deref(), Some("second"), "a rolled-back pool is not remembered");
        assert_eq!(client_name(store, &cid).as_deref(), Some("second"), "a rolled-back client is not remembered");
        assert_eq!(keys_kid(store, P1).as_deref(), Some("id-kid-second"), "rolled-back keys are not remembered");
    }

    // Made for the first time and read in a rolled-back transaction: never there after.
    let failed: StoreResult<()> = store.tx(|tx| {
        tx.put_pool(&pool(P2, "new"))?;
        tx.put_client(&client(P2, "new-client", "new"))?;
        tx.put_keys(P2, &keys("new"))?;
        assert!(tx.pool(P2)?.is_some() && tx.client("new-client")?.is_some() && tx.keys(P2)?.is_some());
        Err(abandon())
    });
    assert!(failed.is_err());
    assert_eq!(pool_name(store, P2), None);
    assert_eq!(client_name(store, "new-client"), None);
    assert_eq!(keys_kid(store, P2), None);

    // Deleted in a rolled-back transaction: still there after; deleted and committed: gone.
    let failed: StoreResult<()> = store.tx(|tx| {
        tx.delete_client(&cid)?;
        tx.delete_pool(P1)?;
        assert_eq!(tx.pool(P1)?, None);
        assert_eq!(tx.client(&cid)?, None);
        assert_eq!(tx.keys(P1)?, None);
        Err(abandon())
    });
    assert!(failed.is_err());
    assert_eq!(pool_name(store, P1).as_deref(), Some("second"));
    assert_eq!(client_name(store, &cid).as_deref(), Some("second"));
    assert_eq!(keys_kid(store, P1).as_deref(), Some("id-kid-second"));
    store.tx(|tx| tx.delete_client(&cid)).unwrap();
    assert_eq!(client_name(store, &cid), None);
    store.tx(|tx| tx.delete_pool(P1)).unwrap();
    assert_eq!(pool_name(store, P1), None);
    assert_eq!(keys_kid(store, P1), None);

    // Made again after a delete: the new value, not the old.
    store.tx(|tx| fill_tx(tx, P1)).unwrap();
    assert_eq!(pool_name(store, P1).as_deref(), Some(P1));
    assert_eq!(client_name(store, &cid).as_deref(), Some("app"));
    assert_eq!(keys_kid(store, P1).as_deref(), Some(format!("id-kid-{P1}").as_str()));
    // A pool's clients go with it, cached or not.
    store.tx(|tx| tx.delete_pool(P1)).unwrap();
    assert_eq!(client_name(store, &cid), None);
}

fn clear_forgets_everything(store: &DynStore) {
    fill(store, P1);
    fill(store, P2);
    assert_eq!(pool_name(store, P1).as_deref(), Some(P1));
    assert_eq!(client_name(store, &client_id(P1)).as_deref(), Some("app"));
    assert!(keys_kid(store, P1).is_some());
    // A clear rolled back forgets nothing.
    assert!(store.tx(|tx| tx.clear().and(Err::<(), _>(abandon()))).is_err());
    assert_filled(store, P1);
    store
        .tx(|tx| {
            tx.clear()?;
            assert_eq!(tx.pool(P1)?, None);
            assert_eq!(tx.client(&client_id(P1))?, None);
            assert_eq!(tx.keys(P1)?, None);
            Ok(())
        })
        .unwrap();
    assert_empty(store, P1);
    assert_empty(store, P2);
    assert_eq!(store.tx(|tx| tx.pools(None, 10)).unwrap().items, vec![]);
    assert_eq!(store.tx(|tx| tx.messages(&OutboxQuery { limit: 10, ..Default::default() })).unwrap(), vec![]);
    // And the store is as good as new.
    fill(store, P1);
    assert_filled(store, P1);
}

fn identity_pool(id: &str) -> IdentityPoolRecord {
    IdentityPoolRecord {
        id: id.into(),
        name: format!("name of {id}"),
        allow_unauthenticated: true,
        allow_classic_flow: Some(false),
        supported_login_providers: Some(BTreeMap::from([("accounts.google.com".into(), "123.apps".into())])),
        developer_provider_name: Some("login.example".into()),
        open_id_connect_provider_arns: Some(vec!["arn:aws:iam::000000000000:oidc-provider/op.example".into()]),
        cognito_identity_providers: Some(vec![CognitoProviderRecord {
            provider_name: Some("cognito-idp.us-east-1.amazonaws.com/us-east-1_a".into()),
            client_id: Some("client".into()),
            server_side_token_check: Some(true),
        }]),
        saml_provider_arns: None,
        tags: Some(BTreeMap::from([("team".into(), "a".into())])),
        roles: BTreeMap::from([("authenticated".into(), "arn:aws:iam::000000000000:role/a".into())]),
        role_mappings: BTreeMap::from([(
            "accounts.google.com".into(),
            RoleMappingRecord {
                kind: "Rules".into(),
                ambiguous_role_resolution: Some("Deny".into()),
                rules: Some(vec![RuleRecord {
                    claim: "hd".into(),
                    match_type: "Equals".into(),
                    value: "example.com".into(),
                    role_arn: "arn:aws:iam::000000000000:role/b".into(),
                }]),
            },
        )]),
        principal_tags: BTreeMap::from([(
            "accounts.google.com".into(),
            PrincipalTagsRecord { use_defaults: false, tags: BTreeMap::from([("who".into(), "sub".into())]) },
        )]),
    }
}

fn identity(pool_id: &str, id: &str, logins: &[(&str, &str)]) -> IdentityRecord {
    IdentityRecord {
        id: id.into(),
        pool_id: pool_id.into(),
        logins: logins.iter().map(|(p, s)| login(p, s)).collect(),
        created: 1_700_000_000.5,
        modified: 1_700_000_001.25,
        disabled: false,
    }
}

fn login(provider: &str, subject: &str) -> Login {
    Login { provider: provider.into(), subject: subject.into() }
}

const IP1: &str = "us-east-1:00000000-0000-0000-0000-000000000001";
const IP2: &str = "us-east-1:00000000-0000-0000-0000-000000000002";

fn identities_by_login(store: &DynStore) {
    let pool = identity_pool(IP1);
    let alice = identity(IP1, "us-east-1:a", &[("op.example", "alice"), ("login.example", "alice-dev")]);
    store
        .tx(|tx| {
            tx.put_identity_pool(&pool)?;
            tx.put_identity(&alice)?;
            tx.put_identity(&identity(IP1, "us-east-1:guest", &[]))?;
            tx.put_identity(&identity(IP2, "us-east-1:b", &[("op.example", "alice")]))?;
            Ok(())
        })
        .unwrap();
    store
        .tx(|tx| {
            assert_eq!(tx.identity_pool(IP1)?, Some(pool.clone()), "a pool round-trips whole");
            assert_eq!(tx.identity("us-east-1:a")?, Some(alice.clone()), "an identity round-trips whole");
            assert_eq!(tx.identity_by_login(IP1, &login("op.example", "alice"))?, Some(alice.clone()));
            assert_eq!(tx.identity_by_login(IP1, &login("login.example", "alice-dev"))?, Some(alice.clone()));
            let other = tx.identity_by_login(IP2, &login("op.example", "alice"))?;
            assert_eq!(other.map(|i| i.id), Some("us-east-1:b".into()), "logins are per pool");
            assert_eq!(tx.identity_by_login(IP1, &login("op.example", "bob"))?, None);
            Ok(())
        })
        .unwrap();
    // A put links exactly the identity's logins: one dropped is found no more, one added is.
    let mut moved = alice.clone();
    moved.logins = vec![login("op.example", "alice"), login("accounts.google.com", "g-1")];
    store.tx(|tx| tx.put_identity(&moved)).unwrap();
    store
        .tx(|tx| {
            assert_eq!(tx.identity_by_login(IP1, &login("login.example", "alice-dev"))?, None);
            assert_eq!(tx.identity_by_login(IP1, &login("accounts.google.com", "g-1"))?, Some(moved.clone()));
            tx.delete_identity("us-east-1:a")?;
            assert_eq!(tx.identity("us-east-1:a")?, None);
            assert_eq!(
                tx.identity_by_login(IP1, &login("op.example", "alice"))?,
                None,
                "a deleted identity's logins go"
            );
            assert!(tx.identity_by_login(IP2, &login("op.example", "alice"))?.is_some());
            Ok(())
        })
        .unwrap();
    // Listings page in id order.
    store
        .tx(|tx| {
            for n in 0..5 {
                tx.put_identity(&identity(IP1, &format!("us-east-1:p{n}"), &[]))?;
                tx.put_identity_pool(&identity_pool(&format!("us-east-1:p{n}")))?;
            }
            let first = tx.identities(IP1, None, 4)?;
            let ids: Vec<_> = first.items.iter().map(|i| i.id.as_str()).collect();
            assert_eq!(ids, ["us-east-1:guest", "us-east-1:p0", "us-east-1:p1", "us-east-1:p2"]);
            assert_eq!(first.next.as_deref(), Some("us-east-1:p2"));
            let rest = tx.identities(IP1, first.next.as_deref(), 4)?;
            assert_eq!(rest.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), ["us-east-1:p3", "us-east-1:p4"]);
            assert_eq!(rest.next, None);
            let pools = tx.identity_pools(None, 3)?;
            assert_eq!(pools.items.len(), 3);
            assert_eq!(pools.next.as_deref(), Some(pools.items[2].id.as_str()));
            let all = tx.identity_pools(None, 100)?;
            assert_eq!(all.items.len(), 6, "IP1 and five more");
            assert!(all.items.windows(2).all(|w| w[0].id < w[1].id));
            Ok(())
        })
        .unwrap();
}

fn delete_identity_pool_cascades(store: &DynStore) {
    store
        .tx(|tx| {
            tx.put_identity_pool(&identity_pool(IP1))?;
            tx.put_identity_pool(&identity_pool(IP2))?;
            tx.put_identity(&identity(IP1, "us-east-1:a", &[("op.example", "alice")]))?;
            tx.put_identity(&identity(IP2, "us-east-1:b", &[("op.example", "alice")]))?;
            Ok(())
        })
        .unwrap();
    store.tx(|tx| tx.delete_identity_pool(IP1)).unwrap();
    store
        .tx(|tx| {
            assert_eq!(tx.identity_pool(IP1)?, None);
            assert_eq!(tx.identity("us-east-1:a")?, None);
            assert_eq!(tx.identity_by_login(IP1, &login("op.example", "alice"))?, None);
            assert_eq!(tx.identities(IP1, None, 10)?.items, vec![]);
            assert!(tx.identity_pool(IP2)?.is_some());
            assert!(tx.identity_by_login(IP2, &login("op.example", "alice"))?.is_some());
            Ok(())
        })
        .unwrap();
    // An identity pool rolled back leaves nothing behind.
    let rolled = store.tx(|tx| {
        tx.put_identity_pool(&identity_pool("us-east-1:rolled"))?;
        tx.put_identity(&identity("us-east-1:rolled", "us-east-1:r", &[("op.example", "r")]))?;
        Err::<(), _>(abandon())
    });
    assert!(rolled.is_err());
    store
        .tx(|tx| {
            assert_eq!(tx.identity_pool("us-east-1:rolled")?, None);
            assert_eq!(tx.identity_by_login("us-east-1:rolled", &login("op.example", "r"))?, None);
            Ok(())
        })
        .unwrap();
    store.tx(|tx| tx.clear()).unwrap();
    store
        .tx(|tx| {
            assert_eq!(tx.identity_pools(None, 10)?.items, vec![]);
            assert_eq!(tx.identity("us-east-1:b")?, None);
            assert_eq!(tx.identity_by_login(IP2, &login("op.example", "alice"))?, None);
            Ok(())
        })
        .unwrap();
}

fn credentials_expire(store: &DynStore) {
    let now = 1_700_000_000.0;
    let creds = |key: &str, expires: f64| CredentialsRecord {
        access_key_id: key.into(),
        secret_digest: "s".into(),
        session_token_digest: "t".into(),
        role_arn: "arn:aws:iam::000000000000:role/a".into(),
        assumed_role_arn: "arn:aws:sts::000000000000:assumed-role/a/CognitoIdentityCredentials".into(),
        identity_id: Some("us-east-1:a".into()),
        identity_pool_id: Some(IP1.into()),
        principal_tags: BTreeMap::from([("k".into(), "v".into())]),
        source: "GetCredentialsForIdentity".into(),
        expires,
    };
    store
        .tx(|tx| {
            tx.put_credentials(&creds("ASIAOLD", now - 1.0))?;
            tx.put_credentials(&creds("ASIANEW", now + 1.0))?;
            Ok(())
        })
        .unwrap();
    store
        .tx(|tx| {
            assert_eq!(tx.credentials("ASIANEW")?, Some(creds("ASIANEW", now + 1.0)));
            tx.purge_expired(now)
        })
        .unwrap();
    store
        .tx(|tx| {
            assert_eq!(tx.credentials("ASIAOLD")?, None);
            assert!(tx.credentials("ASIANEW")?.is_some());
            tx.clear()?;
            assert_eq!(tx.credentials("ASIANEW")?, None);
            Ok(())
        })
        .unwrap();
}

fn pool_docs_by_owner(store: &DynStore) {
    let doc = |n: i64| serde_json::json!({ "n": n });
    store
        .tx(|tx| {
            fill_tx(tx, P1)?;
            for key in ["k3", "k1", "k2"] {
                tx.put_pool_doc(P1, "secret", Owner::Client(&client_id(P1)), key, &doc(1))?;
                tx.put_pool_doc(P1, "event", Owner::User("alice"), key, &doc(2))?;
                tx.put_pool_doc(P1, "event", Owner::User("bob"), key, &doc(3))?;
            }
            tx.put_pool_doc(P1, "event", Owner::User("alice"), "k2", &doc(4))?;
            assert_eq!(tx.pool_doc(P1, "event", Owner::User("alice"), "k2")?, Some(doc(4)), "a put replaces");
            assert_eq!(tx.pool_doc(P1, "event", Owner::User("carol"), "k2")?, None);
            assert_eq!(tx.pool_doc(P1, "secret", Owner::User("alice"), "k2")?, None, "kinds are apart");
            Ok(())
        })
        .unwrap();
    store
        .tx(|tx| {
            let pages = walk(2, |after, limit| tx.pool_docs(P1, "event", Owner::User("alice"), after, limit));
            let keys: Vec<Vec<String>> = pages.iter().map(|p| p.iter().map(|(k, _)| k.clone()).collect()).collect();
            assert_eq!(keys, [vec!["k1", "k2"], vec!["k3"]]);
            assert_eq!(pages[0][1].1, doc(4));
            let every = walk(4, |after, limit| tx.pool_docs_of_kind(P1, "event", after, limit));
            let values: Vec<serde_json::Value> = every.concat().into_iter().map(|(_, d)| d).collect();
            assert_eq!(values, [doc(2), doc(4), doc(2), doc(3), doc(3), doc(3)], "owner by owner, key by key");
            tx.delete_pool_doc(P1, "event", Owner::User("alice"), "k1")?;
            assert_eq!(tx.pool_doc(P1, "event", Owner::User("alice"), "k1")?, None);
            assert_eq!(tx.pool_doc(P1, "event", Owner::User("bob"), "k1")?, Some(doc(3)));
            // A user's and a client's documents go with them.
            tx.delete_user(P1, "bob")?;
            assert_eq!(tx.pool_docs(P1, "event", Owner::User("bob"), None, 10)?.items, vec![]);
            assert_eq!(tx.pool_docs(P1, "event", Owner::User("alice"), None, 10)?.items.len(), 2);
            tx.delete_client(&client_id(P1))?;
            assert_eq!(tx.pool_docs(P1, "secret", Owner::Client(&client_id(P1)), None, 10)?.items, vec![]);
            Ok(())
        })
        .unwrap();
}
