//! Pools, clients and signing keys kept decoded between transactions.

use cognate_proto::idp::{UserPoolClientType, UserPoolType};
use cognate_store::PoolKeys;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Pools, clients and signing keys as last read, decoded. Every sign-in reads its pool, client
/// and keys; reading kilobytes of JSON (overflow pages included) and decoding them again each
/// time was a fifth of a sign-in's work beside its signatures.
///
/// The cache can be trusted because this connection is the only writer (the database is held
/// with `locking_mode=EXCLUSIVE`, or lives in memory) and every write of these tables goes
/// through [`SqliteTx`](crate::tx::SqliteTx): a write forgets the entry and marks it written for the rest of its
/// transaction, so a value that might still be rolled back is never cached, and each
/// transaction starts with no marks.
#[derive(Default)]
pub(crate) struct Decoded {
    pub(crate) pools: Cache<Arc<UserPoolType>>,
    pub(crate) clients: Cache<UserPoolClientType>,
    pub(crate) keys: Cache<Arc<PoolKeys>>,
}

impl Decoded {
    pub(crate) fn begin(&mut self) {
        self.pools.begin();
        self.clients.begin();
        self.keys.begin();
    }
}

/// How many decoded values of one kind are kept before the cache starts afresh.
const DECODED_LIMIT: usize = 1024;

pub(crate) struct Cache<T> {
    values: HashMap<String, T>,
    /// Written by the open transaction: read from the database until it ends.
    written: HashSet<String>,
    all_written: bool,
}

impl<T> Default for Cache<T> {
    fn default() -> Self {
        Self { values: HashMap::new(), written: HashSet::new(), all_written: false }
    }
}

impl<T: Clone> Cache<T> {
    fn begin(&mut self) {
        self.written.clear();
        self.all_written = false;
    }

    pub(crate) fn get(&self, id: &str) -> Option<T> {
        self.values.get(id).cloned()
    }

    pub(crate) fn remember(&mut self, id: &str, value: &T) {
        if self.all_written || self.written.contains(id) {
            return;
        }
        if self.values.len() >= DECODED_LIMIT {
            self.values.clear();
        }
        self.values.insert(id.to_string(), value.clone());
    }

    pub(crate) fn forget(&mut self, id: &str) {
        self.values.remove(id);
        self.written.insert(id.to_string());
    }

    pub(crate) fn forget_all(&mut self) {
        self.values.clear();
        self.all_written = true;
    }
}
