//! The store's pool documents, typed: each kind of lesser resource (a client's extra secrets,
//! terms, risk configurations, auth events, import jobs, ...) is a record type here with the
//! kind it is stored under, so no caller spells a kind or handles JSON.

use crate::store::{Owner, Page, Tx};
use cognate_proto::ApiError;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A record kept as a pool document of kind [`PoolDoc::KIND`].
pub(crate) trait PoolDoc: Serialize + DeserializeOwned {
    const KIND: &'static str;
}

fn decode<T: PoolDoc>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_json::from_value(value)
        .map_err(|e| ApiError::internal_error(format!("a stored {} document does not decode: {e}", T::KIND)))
}

pub(crate) fn get<T: PoolDoc>(
    tx: &mut dyn Tx,
    pool_id: &str,
    owner: Owner<'_>,
    key: &str,
) -> Result<Option<T>, ApiError> {
    tx.pool_doc(pool_id, T::KIND, owner, key)?.map(decode).transpose()
}

pub(crate) fn put<T: PoolDoc>(
    tx: &mut dyn Tx,
    pool_id: &str,
    owner: Owner<'_>,
    key: &str,
    record: &T,
) -> Result<(), ApiError> {
    let value = serde_json::to_value(record).expect("pool documents serialise");
    tx.put_pool_doc(pool_id, T::KIND, owner, key, &value)
}

pub(crate) fn delete<T: PoolDoc>(tx: &mut dyn Tx, pool_id: &str, owner: Owner<'_>, key: &str) -> Result<(), ApiError> {
    tx.delete_pool_doc(pool_id, T::KIND, owner, key)
}

/// One owner's records in key order, after `after`.
pub(crate) fn list<T: PoolDoc>(
    tx: &mut dyn Tx,
    pool_id: &str,
    owner: Owner<'_>,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<T>, ApiError> {
    let page = tx.pool_docs(pool_id, T::KIND, owner, after, limit)?;
    Ok(Page { items: page.items.into_iter().map(|(_, v)| decode(v)).collect::<Result<_, _>>()?, next: page.next })
}

/// Every one of an owner's records (kinds that hold a handful per owner).
pub(crate) fn all<T: PoolDoc>(tx: &mut dyn Tx, pool_id: &str, owner: Owner<'_>) -> Result<Vec<T>, ApiError> {
    Ok(list(tx, pool_id, owner, None, usize::MAX - 1)?.items)
}

/// Every owner's records of the kind, in owner then key order, after a position this made.
pub(crate) fn list_of_kind<T: PoolDoc>(
    tx: &mut dyn Tx,
    pool_id: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<T>, ApiError> {
    let page = tx.pool_docs_of_kind(pool_id, T::KIND, after, limit)?;
    Ok(Page { items: page.items.into_iter().map(|(_, v)| decode(v)).collect::<Result<_, _>>()?, next: page.next })
}
