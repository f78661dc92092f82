//! The database's layout, and how an older one is brought up to date.

use rusqlite::Connection;

pub(crate) const SCHEMA_VERSION: i64 = 2;

/// What each schema version adds to the one before (version 1 is [`SCHEMA`] less these).
pub(crate) const MIGRATIONS: &[(i64, &str)] = &[(2, IDPS)];

const IDPS: &str = "CREATE TABLE idps (pool_id TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL, \
                    PRIMARY KEY (pool_id, name)) WITHOUT ROWID;";

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
