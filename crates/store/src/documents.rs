//! How pools and clients are written down: versioned documents of cognate's own.
//!
//! [`UserPoolType`] and [`UserPoolClientType`] are generated from botocore's model, which
//! AWS revises. Were the disk format simply whatever serde makes of the generated types, a
//! new model that renamed or retyped a member would silently change how every pool is
//! written, or fail to read the pools already stored. So a backend stores neither type as
//! such but the document this module makes of it:
//!
//! ```text
//! {"v":1,"pool":{"AccountRecoverySetting":…,"Id":"us-east-1_…",…}}
//! {"v":1,"client":{"ClientId":"…",…}}
//! ```
//!
//! `v` is the document's version. Version 1's body is the API's wire shape as botocore's
//! model had it when version 1 was made, and it is frozen by golden documents
//! (`crates/store/tests/golden/`, every member set): each must decode to known values and
//! encode again byte for byte. A model update that changes how any member of a pool or a
//! client is written fails those tests; the answer is a version 2 and a reader of version 1
//! here (and, if a backend wants its rows rewritten, a migration), never an edited golden
//! document. A member the model adds is compatible (a version 1 document without it reads
//! as before) and is added to the golden documents by hand.
//!
//! Documents from before versions existed (the bare body) are not read here: a backend
//! migrates them once (SQLite's schema version 3 wraps them in place).

use cognate_proto::idp::{UserPoolClientType, UserPoolType};
use serde::{Deserialize, Serialize};

/// The version [`encode_pool`] writes.
pub const POOL_VERSION: u32 = 1;
/// The version [`encode_client`] writes.
pub const CLIENT_VERSION: u32 = 1;

#[derive(Serialize)]
struct PoolOut<'a> {
    v: u32,
    pool: &'a UserPoolType,
}

#[derive(Deserialize)]
struct PoolIn {
    v: u32,
    pool: UserPoolType,
}

#[derive(Serialize)]
struct ClientOut<'a> {
    v: u32,
    client: &'a UserPoolClientType,
}

#[derive(Deserialize)]
struct ClientIn {
    v: u32,
    client: UserPoolClientType,
}

/// The document a pool is stored as.
pub fn encode_pool(pool: &UserPoolType) -> Result<String, String> {
    serde_json::to_string(&PoolOut { v: POOL_VERSION, pool }).map_err(|e| format!("encoding a pool: {e}"))
}

/// A pool from the document [`encode_pool`] made, of this version or an earlier one.
pub fn decode_pool(doc: &str) -> Result<UserPoolType, String> {
    // Version 1 is the only one so far, so the body is read as it in one pass. A version 2
    // would read `v` first and convert a version 1 body.
    let PoolIn { v, pool } = serde_json::from_str(doc).map_err(|e| decode_error("pool", doc, e, POOL_VERSION))?;
    match v {
        1 => Ok(pool),
        other => Err(too_new("pool", other, POOL_VERSION)),
    }
}

/// The document a client is stored as.
pub fn encode_client(client: &UserPoolClientType) -> Result<String, String> {
    serde_json::to_string(&ClientOut { v: CLIENT_VERSION, client }).map_err(|e| format!("encoding a client: {e}"))
}

/// A client from the document [`encode_client`] made, of this version or an earlier one.
pub fn decode_client(doc: &str) -> Result<UserPoolClientType, String> {
    let ClientIn { v, client } =
        serde_json::from_str(doc).map_err(|e| decode_error("client", doc, e, CLIENT_VERSION))?;
    match v {
        1 => Ok(client),
        other => Err(too_new("client", other, CLIENT_VERSION)),
    }
}

/// Why a document did not decode: most usefully, that a newer cognate wrote it.
fn decode_error(what: &str, doc: &str, e: serde_json::Error, known: u32) -> String {
    #[derive(Deserialize)]
    struct Version {
        v: u32,
    }
    match serde_json::from_str::<Version>(doc) {
        Ok(Version { v }) if v > known => too_new(what, v, known),
        _ => format!("decoding a {what}: {e}"),
    }
}

fn too_new(what: &str, v: u32, known: u32) -> String {
    format!("a {what} document of version {v}; this cognate reads versions up to {known}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_carries_its_version_and_its_body() {
        let pool = UserPoolType { id: Some("us-east-1_a".into()), ..Default::default() };
        assert_eq!(encode_pool(&pool).unwrap(), r#"{"v":1,"pool":{"Id":"us-east-1_a"}}"#);
        assert_eq!(decode_pool(r#"{"pool":{"Id":"us-east-1_a"},"v":1}"#).unwrap(), pool, "in any key order");
        let client = UserPoolClientType { client_id: Some("c".into()), ..Default::default() };
        assert_eq!(encode_client(&client).unwrap(), r#"{"v":1,"client":{"ClientId":"c"}}"#);
        assert_eq!(decode_client(&encode_client(&client).unwrap()).unwrap(), client);
    }

    #[test]
    fn a_newer_or_unversioned_document_is_refused() {
        let err = decode_pool(r#"{"v":2,"pool":{}}"#).unwrap_err();
        assert!(err.contains("version 2"), "{err}");
        assert!(decode_client(r#"{"v":9,"client":{}}"#).unwrap_err().contains("version 9"));
        let err = decode_pool(r#"{"v":2,"pool":{"Id":["a body version 1 cannot read"]}}"#).unwrap_err();
        assert!(err.contains("version 2"), "{err}");
        // The bare body of the days before versions: a backend migrates it, never reads it.
        assert!(decode_pool(r#"{"Id":"us-east-1_a"}"#).is_err());
        assert!(decode_client(r#"{"ClientId":"c"}"#).is_err());
    }
}
