//! The SQLite store passes the suite every backend must, in memory and on disk.

use cognate_store::Store;
use cognate_store::conformance::{check, check_reopen};
use cognate_store_sqlite::SqliteStore;
use std::sync::{Arc, Mutex};

#[test]
fn in_memory() {
    check(&|| Arc::new(SqliteStore::in_memory()));
}

#[test]
fn on_disk() {
    // Each check gets a directory of its own, removed when the test ends.
    let dirs = Mutex::new(Vec::new());
    check(&|| {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).unwrap());
        dirs.lock().unwrap().push(dir);
        store
    });
}

#[test]
fn on_disk_reopened() {
    let dir = tempfile::tempdir().unwrap();
    check_reopen(&|| Arc::new(SqliteStore::open(dir.path()).unwrap()));
}
