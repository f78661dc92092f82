//! [`SqliteStore`], the [`Store`] cognate runs on: a file under `--data-dir`, or memory with
//! `--ephemeral`.
//!
//! One connection behind a mutex serialises transactions, which is what SQLite does anyway;
//! each API operation is one `BEGIN IMMEDIATE … COMMIT`. The journal is a WAL with
//! `synchronous=NORMAL`: a committed transaction survives the process being killed at any
//! point (the WAL is on disk before the commit returns); a power cut may lose the last few.
//!
//! Records are JSON documents; pools and clients are `cognate_store::documents`' versioned
//! ones, so what is on disk does not follow botocore's model. Users also get rows in
//! `user_index`, one per searchable attribute
//! ([`cognate_store::UserRecord::index_entries`]), so alias lookups and ListUsers filters are
//! index range scans whatever the size of the pool, and `pool_stats` keeps the user count so
//! DescribeUserPool does not count a million rows.
//!
//! The crate is laid out as `schema` (the tables and the migrations between versions),
//! `cache` (pools, clients and keys kept decoded) and `tx` (each [`Tx`] operation as SQL).
//! It knows nothing of Cognito beyond the records of `cognate-store`, and passes that crate's
//! conformance suite in memory and on disk (`tests/conformance.rs`).

#![forbid(unsafe_code)]

mod cache;
mod schema;
mod tx;

use cache::Decoded;
use cognate_proto::ApiError;
use cognate_store::{Store, StoreResult, Tx};
use rusqlite::Connection;
use std::path::Path;
use std::sync::Mutex;
use tx::SqliteTx;

pub struct SqliteStore {
    conn: Mutex<(Connection, Decoded)>,
}

pub(crate) fn db_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal_error(format!("storage error: {e}"))
}

impl SqliteStore {
    /// Opens (creating if need be) the database in `dir`.
    pub fn open(dir: &Path) -> Result<Self, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        let path = dir.join("cognate.sqlite3");
        let conn = Connection::open(&path).map_err(|e| format!("opening {}: {e}", path.display()))?;
        // One process owns the database: an exclusive lock taken once spares every transaction
        // its file-lock system calls, keeps the WAL index in memory, and stops a second cognate
        // from sharing the directory by mistake.
        conn.execute_batch(
            "PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; \
             PRAGMA foreign_keys=OFF;",
        )
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy) => {
                format!("{} is in use by another process (another cognate?)", path.display())
            }
            _ => e.to_string(),
        })?;
        Self::init(conn)
    }

    /// A store that lives and dies with the process.
    pub fn in_memory() -> Self {
        Self::init(Connection::open_in_memory().expect("an in-memory database opens")).expect("the schema applies")
    }

    fn init(conn: Connection) -> Result<Self, String> {
        schema::migrate(&conn)?;
        // Every statement the store uses stays prepared; the default cache of 16 is fewer than
        // a sign-in alone uses.
        conn.set_prepared_statement_cache_capacity(256);
        Ok(Self { conn: Mutex::new((conn, Decoded::default())) })
    }
}

impl Store for SqliteStore {
    fn run(&self, f: &mut dyn FnMut(&mut dyn Tx) -> StoreResult<()>) -> StoreResult<()> {
        // A panic in an earlier transaction rolled it back (the Transaction's drop did), so the
        // connection is still sound.
        let mut guard = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let (conn, decoded) = &mut *guard;
        decoded.begin();
        // BEGIN and COMMIT as cached statements: rusqlite's Transaction parses them afresh each time.
        conn.prepare_cached("BEGIN IMMEDIATE").and_then(|mut s| s.execute([])).map_err(db_error)?;
        let open = Open(conn);
        let mut tx = SqliteTx { txn: conn, decoded };
        f(&mut tx)?;
        std::mem::forget(open);
        conn.prepare_cached("COMMIT").and_then(|mut s| s.execute([])).map(drop).map_err(|e| {
            let _ = conn.execute_batch("ROLLBACK");
            db_error(e)
        })
    }
}

/// An open transaction, rolled back when dropped: on an error, or on a panic in the
/// operation, so the connection is sound for the next one.
struct Open<'a>(&'a Connection);

impl Drop for Open<'_> {
    fn drop(&mut self) {
        let _ = self.0.prepare_cached("ROLLBACK").and_then(|mut s| s.execute([]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::SCHEMA;
    use cognate_proto::idp::{IdentityProviderType, UserPoolType};

    fn pool(name: &str) -> UserPoolType {
        UserPoolType { id: Some("us-east-1_p".into()), name: Some(name.into()), ..Default::default() }
    }

    #[test]
    fn a_cached_pool_never_outlives_a_rollback_or_misses_a_commit() {
        let store = SqliteStore::in_memory();
        let store: &dyn Store = &store;
        fn name(store: &(dyn Store + 'static)) -> Option<String> {
            store.tx(|tx| Ok(tx.pool("us-east-1_p")?.and_then(|p| p.name.clone()))).unwrap()
        }
        store.tx(|tx| tx.put_pool(&pool("first"))).unwrap();
        assert_eq!(name(store).as_deref(), Some("first"), "read once: now cached");
        assert_eq!(name(store).as_deref(), Some("first"));

        // Written, read back inside the same transaction, then rolled back.
        let failed: StoreResult<()> = store.tx(|tx| {
            tx.put_pool(&pool("rolled back"))?;
            assert_eq!(tx.pool("us-east-1_p")?.and_then(|p| p.name.clone()).as_deref(), Some("rolled back"));
            Err(ApiError::internal_error("abandon"))
        });
        assert!(failed.is_err());
        assert_eq!(name(store).as_deref(), Some("first"), "the rolled-back write is not remembered");

        store.tx(|tx| tx.put_pool(&pool("second"))).unwrap();
        assert_eq!(name(store).as_deref(), Some("second"), "a committed write is seen at once");
        store.tx(|tx| tx.delete_pool("us-east-1_p")).unwrap();
        assert_eq!(name(store), None);
        store.tx(|tx| tx.put_pool(&pool("third"))).unwrap();
        assert_eq!(name(store).as_deref(), Some("third"));
        store.tx(|tx| tx.clear()).unwrap();
        assert_eq!(name(store), None, "a reset forgets everything");
    }

    #[test]
    fn a_version_1_database_gains_what_later_versions_add() {
        let dir = std::env::temp_dir().join(format!("cognate-store-migrate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("cognate.sqlite3");
        let _ = std::fs::remove_file(&path);
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(&format!("BEGIN; {SCHEMA} PRAGMA user_version = 1; COMMIT;")).unwrap();
            conn.execute("INSERT INTO pools (id, doc) VALUES ('us-east-1_old', '{\"Id\":\"us-east-1_old\"}')", [])
                .unwrap();
        }
        let store = SqliteStore::open(&dir).unwrap();
        let store: &dyn Store = &store;
        store
            .tx(|tx| {
                assert!(tx.pool("us-east-1_old")?.is_some(), "the old data is kept");
                let idp = IdentityProviderType {
                    user_pool_id: Some("us-east-1_old".into()),
                    provider_name: Some("Corp".into()),
                    ..Default::default()
                };
                tx.put_idp(&idp)?;
                assert_eq!(tx.idp("us-east-1_old", "Corp")?, Some(idp));
                Ok(())
            })
            .unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }
}
