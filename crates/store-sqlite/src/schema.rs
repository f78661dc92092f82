//! The database's layout, and how an older one is brought up to date.

use rusqlite::Connection;

pub(crate) const SCHEMA_VERSION: i64 = 9;

/// What each schema version adds to the one before (version 1 is [`SCHEMA`] less these).
pub(crate) const MIGRATIONS: &[(i64, &str)] = &[
    (2, IDPS),
    (3, VERSIONED_DOCUMENTS),
    (4, MFA_CONFIGS),
    (5, RESOURCE_SERVERS),
    (6, DOMAINS),
    (7, BRANDING),
    (8, IDENTITY_POOLS),
    (9, POOL_DOCS),
];

const IDPS: &str = "CREATE TABLE idps (pool_id TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL, \
                    PRIMARY KEY (pool_id, name)) WITHOUT ROWID;";

const MFA_CONFIGS: &str = "CREATE TABLE mfa_configs (pool_id TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID;";

const RESOURCE_SERVERS: &str = "CREATE TABLE resource_servers (pool_id TEXT NOT NULL, identifier TEXT NOT NULL, \
                                doc TEXT NOT NULL, PRIMARY KEY (pool_id, identifier)) WITHOUT ROWID;";

const DOMAINS: &str = "CREATE TABLE domains (domain TEXT PRIMARY KEY, pool_id TEXT NOT NULL, doc TEXT NOT NULL) \
                       WITHOUT ROWID;";

/// The managed login pages' looks: classic UI customizations (`kind` `ui`, keyed by client id
/// or `ALL`) and managed login branding styles (`kind` `style`, keyed by id, with their client).
const BRANDING: &str = "CREATE TABLE branding (pool_id TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, \
                        client_id TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (pool_id, kind, key)) WITHOUT ROWID; \
                        CREATE INDEX branding_by_client ON branding (pool_id, kind, client_id);";

/// The identity-pool service: its pools, their identities, the logins linked to each (a login
/// belongs to one identity of a pool) and the credentials handed out.
const IDENTITY_POOLS: &str = "CREATE TABLE identity_pools (id TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID; \
    CREATE TABLE identities (id TEXT PRIMARY KEY, pool_id TEXT NOT NULL, doc TEXT NOT NULL) WITHOUT ROWID; \
    CREATE INDEX identities_by_pool ON identities (pool_id, id); \
    CREATE TABLE identity_logins (pool_id TEXT NOT NULL, provider TEXT NOT NULL, subject TEXT NOT NULL, \
    identity_id TEXT NOT NULL, PRIMARY KEY (pool_id, provider, subject)) WITHOUT ROWID; \
    CREATE INDEX identity_logins_by_identity ON identity_logins (identity_id); \
    CREATE TABLE credentials (access_key_id TEXT PRIMARY KEY, expires REAL NOT NULL, doc TEXT NOT NULL) WITHOUT ROWID; \
    CREATE INDEX credentials_by_expiry ON credentials (expires);";

/// A pool's lesser resources and settings, by kind, owner (empty for the pool itself,
/// `client:<id>`, `user:<key>`) and key: see `Tx::pool_doc`.
const POOL_DOCS: &str = "CREATE TABLE pool_docs (pool_id TEXT NOT NULL, kind TEXT NOT NULL, owner TEXT NOT NULL, \
                         key TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (pool_id, kind, owner, key)) WITHOUT ROWID; \
                         CREATE INDEX pool_docs_by_owner ON pool_docs (pool_id, owner);";

/// Up to version 2 a pool or client row held the generated type's JSON itself; from 3 it holds
/// the versioned document of [`cognate_store::documents`], whose version 1 body is that same
/// JSON. So the old rows are wrapped as they are.
const VERSIONED_DOCUMENTS: &str = "\
    UPDATE pools SET doc = json_object('v', 1, 'pool', json(doc)) WHERE json_type(doc, '$.v') IS NULL; \
    UPDATE clients SET doc = json_object('v', 1, 'client', json(doc)) WHERE json_type(doc, '$.v') IS NULL;";

pub(crate) const SCHEMA: &str = r#"
CREATE TABLE pools (id TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE pool_stats (pool_id TEXT PRIMARY KEY, users INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE clients (id TEXT PRIMARY KEY, pool_id TEXT NOT NULL, doc TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX clients_by_pool ON clients (pool_id, id);
CREATE TABLE users (pool_id TEXT NOT NULL, key TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (pool_id, key)) WITHOUT ROWID;
CREATE TABLE user_index (
    pool_id TEXT NOT NULL, attr TEXT NOT NULL, value TEXT NOT NULL, key TEXT NOT NULL,
    PRIMARY KEY (pool_id, attr, value, key)
) WITHOUT ROWID;
CREATE INDEX user_index_by_key ON user_index (pool_id, key);
CREATE TABLE groups (pool_id TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (pool_id, name)) WITHOUT ROWID;
CREATE TABLE members (pool_id TEXT NOT NULL, group_name TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (pool_id, group_name, key)) WITHOUT ROWID;
CREATE INDEX members_by_user ON members (pool_id, key, group_name);
CREATE TABLE keys (pool_id TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE sessions (id TEXT PRIMARY KEY, pool_id TEXT NOT NULL, expires REAL NOT NULL, doc TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX sessions_by_expiry ON sessions (expires);
CREATE TABLE families (
    pool_id TEXT NOT NULL, origin_jti TEXT NOT NULL, user_key TEXT NOT NULL, expires REAL NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (pool_id, origin_jti)
) WITHOUT ROWID;
CREATE INDEX families_by_user ON families (pool_id, user_key);
CREATE INDEX families_by_expiry ON families (expires);
CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, pool_id TEXT NOT NULL, username TEXT NOT NULL, destination TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX outbox_by_pool ON outbox (pool_id, seq);
CREATE TABLE devices (pool_id TEXT NOT NULL, device_key TEXT NOT NULL, user_key TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (pool_id, device_key)) WITHOUT ROWID;
CREATE INDEX devices_by_user ON devices (pool_id, user_key, device_key);
"#;

/// Brings the database `conn` opened to [`SCHEMA_VERSION`]: the whole schema for a new one,
/// the [`MIGRATIONS`] it lacks for an older one, all in one transaction. A database newer
/// than this cognate is refused rather than guessed at.
pub(crate) fn migrate(conn: &Connection) -> Result<(), String> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| e.to_string())?;
    match version {
        0 => {
            let all: String = MIGRATIONS.iter().map(|(_, sql)| *sql).collect();
            conn.execute_batch(&format!("BEGIN; {SCHEMA} {all} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"))
                .map_err(|e| e.to_string())
        }
        SCHEMA_VERSION => Ok(()),
        older if older < SCHEMA_VERSION => {
            let newer: String = MIGRATIONS.iter().filter(|(v, _)| *v > older).map(|(_, sql)| *sql).collect();
            conn.execute_batch(&format!("BEGIN; {newer} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"))
                .map_err(|e| e.to_string())
        }
        other => Err(format!("the database has schema version {other}; this cognate knows {SCHEMA_VERSION}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SqliteStore;
    use cognate_store::{Store, documents};

    const GOLDEN_POOL: &str = include_str!("../../store/tests/golden/pool.v1.json");
    const GOLDEN_CLIENT: &str = include_str!("../../store/tests/golden/client.v1.json");

    /// The body of a golden document: what a row held before documents had versions.
    fn body(golden: &str, field: &str) -> String {
        let doc: serde_json::Value = serde_json::from_str(golden).unwrap();
        serde_json::to_string(&doc[field]).unwrap()
    }

    #[test]
    fn a_version_2_database_has_its_pools_and_clients_wrapped_in_versioned_documents() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cognate.sqlite3");
        {
            let conn = Connection::open(&path).unwrap();
            let up_to_2: String = MIGRATIONS.iter().filter(|(v, _)| *v <= 2).map(|(_, sql)| *sql).collect();
            conn.execute_batch(&format!("BEGIN; {SCHEMA} {up_to_2} PRAGMA user_version = 2; COMMIT;")).unwrap();
            conn.execute(
                "INSERT INTO pools (id, doc) VALUES ('us-east-1_G0ldenP00l', ?1)",
                [body(GOLDEN_POOL, "pool")],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO clients (id, pool_id, doc) VALUES ('1example23456789abcdefghij', 'us-east-1_G0ldenP00l', ?1)",
                [body(GOLDEN_CLIENT, "client")],
            )
            .unwrap();
        }
        let expected_pool = documents::decode_pool(GOLDEN_POOL).unwrap();
        let expected_client = documents::decode_client(GOLDEN_CLIENT).unwrap();
        {
            let store = SqliteStore::open(dir.path()).unwrap();
            let store: &dyn Store = &store;
            store
                .tx(|tx| {
                    assert_eq!(tx.pool("us-east-1_G0ldenP00l")?.as_deref(), Some(&expected_pool));
                    assert_eq!(tx.client("1example23456789abcdefghij")?.as_ref(), Some(&expected_client));
                    assert_eq!(tx.pools(None, 10)?.items, vec![expected_pool.clone()]);
                    assert_eq!(tx.clients("us-east-1_G0ldenP00l", None, 10)?.items, vec![expected_client.clone()]);
                    Ok(())
                })
                .unwrap();
        }
        let conn = Connection::open(&path).unwrap();
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let row = |sql: &str| -> serde_json::Value {
            serde_json::from_str(&conn.query_row(sql, [], |r| r.get::<_, String>(0)).unwrap()).unwrap()
        };
        let golden = |g: &str| -> serde_json::Value { serde_json::from_str(g).unwrap() };
        assert_eq!(row("SELECT doc FROM pools"), golden(GOLDEN_POOL), "the row is now the version 1 document");
        assert_eq!(row("SELECT doc FROM clients"), golden(GOLDEN_CLIENT));
    }
}
