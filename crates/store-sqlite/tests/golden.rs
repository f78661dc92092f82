//! Pools and clients are stored exactly as cognate-store's golden documents say: the rows
//! hold the versioned documents byte for byte, and rows holding them read back as they
//! decode. (The documents themselves are pinned in `crates/store/tests/golden.rs`.)

use cognate_store::{Store, documents};
use cognate_store_sqlite::SqliteStore;
use rusqlite::Connection;

const GOLDEN_POOL: &str = include_str!("../../store/tests/golden/pool.v1.json");
const GOLDEN_CLIENT: &str = include_str!("../../store/tests/golden/client.v1.json");
const POOL_ID: &str = "us-east-1_G0ldenP00l";
const CLIENT_ID: &str = "1example23456789abcdefghij";

/// A golden document as a row holds it: compact, in the order it was written.
fn stored(golden: &str) -> String {
    serde_json::to_string(&serde_json::from_str::<serde_json::Value>(golden).unwrap()).unwrap()
}

fn row(dir: &std::path::Path, sql: &str) -> String {
    let conn = Connection::open(dir.join("cognate.sqlite3")).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn a_pool_and_a_client_are_written_as_the_golden_documents() {
    let dir = tempfile::tempdir().unwrap();
    let pool = documents::decode_pool(GOLDEN_POOL).unwrap();
    let client = documents::decode_client(GOLDEN_CLIENT).unwrap();
    {
        let store = SqliteStore::open(dir.path()).unwrap();
        let store: &dyn Store = &store;
        store.tx(|tx| tx.put_pool(&pool).and_then(|()| tx.put_client(&client))).unwrap();
    }
    assert_eq!(row(dir.path(), "SELECT doc FROM pools"), stored(GOLDEN_POOL));
    assert_eq!(row(dir.path(), "SELECT doc FROM clients"), stored(GOLDEN_CLIENT));
}

#[test]
fn rows_holding_the_golden_documents_read_as_they_decode() {
    let dir = tempfile::tempdir().unwrap();
    // A store made the schema; its rows are then written as a past cognate would have.
    drop(SqliteStore::open(dir.path()).unwrap());
    {
        let conn = Connection::open(dir.path().join("cognate.sqlite3")).unwrap();
        conn.execute("INSERT INTO pools (id, doc) VALUES (?1, ?2)", [POOL_ID, &stored(GOLDEN_POOL)]).unwrap();
        conn.execute(
            "INSERT INTO clients (id, pool_id, doc) VALUES (?1, ?2, ?3)",
            [CLIENT_ID, POOL_ID, &stored(GOLDEN_CLIENT)],
        )
        .unwrap();
    }
    let store = SqliteStore::open(dir.path()).unwrap();
    let store: &dyn Store = &store;
    store
        .tx(|tx| {
            assert_eq!(tx.pool(POOL_ID)?.as_deref(), Some(&documents::decode_pool(GOLDEN_POOL).unwrap()));
            assert_eq!(tx.client(CLIENT_ID)?, Some(documents::decode_client(GOLDEN_CLIENT).unwrap()));
            Ok(())
        })
        .unwrap();
}
