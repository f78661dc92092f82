//! Each [`Tx`] operation as SQL over one open transaction.

use crate::cache::{Cache, Decoded};
use crate::db_error;
use cognate_proto::idp::{
    DomainDescriptionType, GroupType, IdentityProviderType, ManagedLoginBrandingType, ResourceServerType,
    UserPoolClientType, UserPoolType,
};
use cognate_store::documents;
use cognate_store::{
    AuthSession, CredentialsRecord, DeviceRecord, IdentityPoolRecord, IdentityRecord, Login, MfaConfig, OutboxMessage,
    OutboxQuery, Owner, Page, PoolKeys, StoreResult, TokenFamily, Tx, UiCustomization, UserFilter, UserRecord,
};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;

pub(crate) struct SqliteTx<'a> {
    pub(crate) txn: &'a Connection,
    pub(crate) decoded: &'a mut Decoded,
}

impl SqliteTx<'_> {
    /// A pool, client or key document by its id: from `cache` when there, else read, decoded
    /// and kept.
    fn cached<T: Clone>(
        &mut self,
        cache: fn(&mut Decoded) -> &mut Cache<T>,
        sql: &str,
        id: &str,
        decode: fn(&str) -> StoreResult<T>,
    ) -> StoreResult<Option<T>> {
        if let Some(value) = cache(self.decoded).get(id) {
            return Ok(Some(value));
        }
        let value = self.text(sql, [id])?.map(|text| decode(&text)).transpose()?;
        if let Some(v) = &value {
            cache(self.decoded).remember(id, v);
        }
        Ok(value)
    }
}

fn to_doc<T: Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(db_error)
}

fn from_doc<T: DeserializeOwned>(doc: &str) -> StoreResult<T> {
    serde_json::from_str(doc).map_err(db_error)
}

/// Pools and clients are stored as cognate-store's versioned documents, not as the generated
/// types themselves: see [`cognate_store::documents`].
fn pool_doc(doc: &str) -> StoreResult<UserPoolType> {
    documents::decode_pool(doc).map_err(db_error)
}

fn client_doc(doc: &str) -> StoreResult<UserPoolClientType> {
    documents::decode_client(doc).map_err(db_error)
}

/// Splits `limit + 1` rows into a page: the extra row only says that more follow.
fn page<T>(mut rows: Vec<(String, T)>, limit: usize) -> Page<T> {
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = if more { rows.last().map(|(k, _)| k.clone()) } else { None };
    Page { items: rows.into_iter().map(|(_, v)| v).collect(), next }
}

/// A position in a filtered user listing: the indexed value and the key, NUL-separated.
fn split_position(pos: &str) -> (&str, &str) {
    pos.split_once('\0').unwrap_or((pos, ""))
}

impl SqliteTx<'_> {
    /// The first `max_rows` rows of a query. The SQL carries no `LIMIT ?`: SQLite plans with a
    /// bound LIMIT's value, so it prepares such a statement afresh at every use.
    fn docs<T: DeserializeOwned>(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
        max_rows: usize,
    ) -> StoreResult<Vec<(String, T)>> {
        self.docs_as(sql, args, max_rows, from_doc)
    }

    /// [`Self::docs`] for documents that `decode` reads.
    fn docs_as<T>(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
        max_rows: usize,
        decode: fn(&str) -> StoreResult<T>,
    ) -> StoreResult<Vec<(String, T)>> {
        let mut stmt = self.txn.prepare_cached(sql).map_err(db_error)?;
        let rows = stmt
            .query_map(args, |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(db_error)?
            .take(max_rows)
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_error)?;
        rows.into_iter().map(|(k, d)| Ok((k, decode(&d)?))).collect()
    }

    fn doc<T: DeserializeOwned>(&self, sql: &str, args: impl rusqlite::Params) -> StoreResult<Option<T>> {
        self.text(sql, args)?.map(|d| from_doc(&d)).transpose()
    }

    fn text(&self, sql: &str, args: impl rusqlite::Params) -> StoreResult<Option<String>> {
        self.txn.prepare_cached(sql).map_err(db_error)?.query_row(args, |r| r.get(0)).optional().map_err(db_error)
    }

    fn exec(&self, sql: &str, args: impl rusqlite::Params) -> StoreResult<usize> {
        self.txn.prepare_cached(sql).map_err(db_error)?.execute(args).map_err(db_error)
    }

    fn bump_users(&self, pool_id: &str, by: i64) -> StoreResult<()> {
        self.exec(
            "INSERT INTO pool_stats (pool_id, users) VALUES (?1, ?2) ON CONFLICT (pool_id) DO UPDATE SET users = users + ?2",
            params![pool_id, by],
        )
        .map(drop)
    }
}

impl Tx for SqliteTx<'_> {
    fn pool(&mut self, id: &str) -> StoreResult<Option<Arc<UserPoolType>>> {
        self.cached(|d| &mut d.pools, "SELECT doc FROM pools WHERE id = ?1", id, |t| pool_doc(t).map(Arc::new))
    }

    fn put_pool(&mut self, pool: &UserPoolType) -> StoreResult<()> {
        let id = pool.id.as_deref().unwrap_or_default();
        self.decoded.pools.forget(id);
        self.exec(
            "INSERT OR REPLACE INTO pools (id, doc) VALUES (?1, ?2)",
            params![id, documents::encode_pool(pool).map_err(db_error)?],
        )
        .map(drop)
    }

    fn delete_pool(&mut self, id: &str) -> StoreResult<()> {
        self.decoded.pools.forget(id);
        self.decoded.keys.forget(id);
        self.decoded.clients.forget_all();
        for sql in [
            "DELETE FROM pools WHERE id = ?1",
            "DELETE FROM pool_stats WHERE pool_id = ?1",
            "DELETE FROM clients WHERE pool_id = ?1",
            "DELETE FROM users WHERE pool_id = ?1",
            "DELETE FROM user_index WHERE pool_id = ?1",
            "DELETE FROM groups WHERE pool_id = ?1",
            "DELETE FROM members WHERE pool_id = ?1",
            "DELETE FROM keys WHERE pool_id = ?1",
            "DELETE FROM sessions WHERE pool_id = ?1",
            "DELETE FROM families WHERE pool_id = ?1",
            "DELETE FROM outbox WHERE pool_id = ?1",
            "DELETE FROM devices WHERE pool_id = ?1",
            "DELETE FROM idps WHERE pool_id = ?1",
            "DELETE FROM mfa_configs WHERE pool_id = ?1",
            "DELETE FROM resource_servers WHERE pool_id = ?1",
            "DELETE FROM domains WHERE pool_id = ?1",
            "DELETE FROM branding WHERE pool_id = ?1",
            "DELETE FROM pool_docs WHERE pool_id = ?1",
        ] {
            self.exec(sql, [id])?;
        }
        Ok(())
    }

    fn pools(&mut self, after: Option<&str>, limit: usize) -> StoreResult<Page<UserPoolType>> {
        let rows = self.docs_as(
            "SELECT id, doc FROM pools WHERE id > ?1 ORDER BY id",
            params![after.unwrap_or("")],
            limit.saturating_add(1),
            pool_doc,
        )?;
        Ok(page(rows, limit))
    }

    fn client(&mut self, client_id: &str) -> StoreResult<Option<UserPoolClientType>> {
        self.cached(|d| &mut d.clients, "SELECT doc FROM clients WHERE id = ?1", client_id, client_doc)
    }

    fn put_client(&mut self, client: &UserPoolClientType) -> StoreResult<()> {
        self.decoded.clients.forget(client.client_id.as_deref().unwrap_or_default());
        self.exec(
            "INSERT OR REPLACE INTO clients (id, pool_id, doc) VALUES (?1, ?2, ?3)",
            params![
                client.client_id.as_deref().unwrap_or_default(),
                client.user_pool_id.as_deref().unwrap_or_default(),
                documents::encode_client(client).map_err(db_error)?
            ],
        )
        .map(drop)
    }

    fn delete_client(&mut self, client_id: &str) -> StoreResult<()> {
        self.decoded.clients.forget(client_id);
        let Some(pool_id) = self.text("SELECT pool_id FROM clients WHERE id = ?1", [client_id])? else { return Ok(()) };
        self.exec(
            "DELETE FROM pool_docs WHERE pool_id = ?1 AND owner = ?2",
            params![pool_id, Owner::Client(client_id).as_key()],
        )?;
        self.exec("DELETE FROM clients WHERE id = ?1", [client_id]).map(drop)
    }

    fn clients(&mut self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<UserPoolClientType>> {
        let rows = self.docs_as(
            "SELECT id, doc FROM clients WHERE pool_id = ?1 AND id > ?2 ORDER BY id",
            params![pool_id, after.unwrap_or("")],
            limit.saturating_add(1),
            client_doc,
        )?;
        Ok(page(rows, limit))
    }

    fn user(&mut self, pool_id: &str, key: &str) -> StoreResult<Option<UserRecord>> {
        self.doc("SELECT doc FROM users WHERE pool_id = ?1 AND key = ?2", [pool_id, key])
    }

    fn users_with(&mut self, pool_id: &str, attribute: &str, value: &str) -> StoreResult<Vec<UserRecord>> {
        // Keys first, then each user: one statement with a join would be planned afresh at
        // every sign-in by alias (see `groups_of`).
        let mut keys: Vec<String> = self
            .txn
            .prepare_cached("SELECT key FROM user_index WHERE pool_id = ?1 AND attr = ?2 AND value = ?3")
            .map_err(db_error)?
            .query_map([pool_id, attribute, value], |r| r.get(0))
            .map_err(db_error)?
            .collect::<Result<_, _>>()
            .map_err(db_error)?;
        keys.sort();
        let mut users = Vec::with_capacity(keys.len());
        for key in keys {
            users.extend(self.user(pool_id, &key)?);
        }
        Ok(users)
    }

    fn put_user(&mut self, pool_id: &str, user: &UserRecord) -> StoreResult<()> {
        let existed = self.exec("DELETE FROM users WHERE pool_id = ?1 AND key = ?2", [pool_id, user.key.as_str()])? > 0;
        self.exec(
            "INSERT INTO users (pool_id, key, doc) VALUES (?1, ?2, ?3)",
            params![pool_id, user.key, to_doc(user)?],
        )?;
        self.exec("DELETE FROM user_index WHERE pool_id = ?1 AND key = ?2", [pool_id, user.key.as_str()])?;
        for (attr, value) in user.index_entries() {
            self.exec(
                "INSERT OR IGNORE INTO user_index (pool_id, attr, value, key) VALUES (?1, ?2, ?3, ?4)",
                params![pool_id, attr, value, user.key],
            )?;
        }
        if !existed {
            self.bump_users(pool_id, 1)?;
        }
        Ok(())
    }

    fn delete_user(&mut self, pool_id: &str, key: &str) -> StoreResult<()> {
        if self.exec("DELETE FROM users WHERE pool_id = ?1 AND key = ?2", [pool_id, key])? > 0 {
            self.bump_users(pool_id, -1)?;
        }
        self.exec("DELETE FROM user_index WHERE pool_id = ?1 AND key = ?2", [pool_id, key])?;
        self.exec("DELETE FROM members WHERE pool_id = ?1 AND key = ?2", [pool_id, key])?;
        self.exec("DELETE FROM devices WHERE pool_id = ?1 AND user_key = ?2", [pool_id, key])?;
        self.exec(
            "DELETE FROM pool_docs WHERE pool_id = ?1 AND owner = ?2",
            params![pool_id, Owner::User(key).as_key()],
        )?;
        // Token families stay until they expire: a deleted user's refresh token then answers
        // "User does not exist.", as Cognito's does.
        Ok(())
    }

    fn users(
        &mut self,
        pool_id: &str,
        filter: Option<&UserFilter>,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<UserRecord>> {
        let n = limit.saturating_add(1);
        let Some(f) = filter else {
            let rows = self.docs(
                "SELECT key, doc FROM users WHERE pool_id = ?1 AND key > ?2 ORDER BY key",
                params![pool_id, after.unwrap_or("")],
                n,
            )?;
            return Ok(page(rows, limit));
        };
        let (after_value, after_key) = after.map(split_position).unwrap_or(("", ""));
        let (low, high) = if f.prefix {
            (f.value.clone(), format!("{}\u{10FFFF}", f.value))
        } else {
            (f.value.clone(), f.value.clone())
        };
        let sql = "SELECT i.value || char(0) || i.key, u.doc FROM user_index i \
                   JOIN users u ON u.pool_id = i.pool_id AND u.key = i.key \
                   WHERE i.pool_id = ?1 AND i.attr = ?2 AND i.value >= ?3 AND i.value <= ?4 \
                   AND (i.value, i.key) > (?5, ?6) ORDER BY i.value, i.key";
        let rows = self.docs(sql, params![pool_id, f.attribute, low, high, after_value, after_key], n)?;
        Ok(page(rows, limit))
    }

    fn count_users(&mut self, pool_id: &str) -> StoreResult<u64> {
        let n: Option<i64> = self
            .txn
            .prepare_cached("SELECT users FROM pool_stats WHERE pool_id = ?1")
            .map_err(db_error)?
            .query_row([pool_id], |r| r.get(0))
            .optional()
            .map_err(db_error)?;
        Ok(n.unwrap_or(0).max(0) as u64)
    }

    fn group(&mut self, pool_id: &str, name: &str) -> StoreResult<Option<GroupType>> {
        self.doc("SELECT doc FROM groups WHERE pool_id = ?1 AND name = ?2", [pool_id, name])
    }

    fn put_group(&mut self, group: &GroupType) -> StoreResult<()> {
        self.exec(
            "INSERT OR REPLACE INTO groups (pool_id, name, doc) VALUES (?1, ?2, ?3)",
            params![
                group.user_pool_id.as_deref().unwrap_or_default(),
                group.group_name.as_deref().unwrap_or_default(),
                to_doc(group)?
            ],
        )
        .map(drop)
    }

    fn delete_group(&mut self, pool_id: &str, name: &str) -> StoreResult<()> {
        self.exec("DELETE FROM groups WHERE pool_id = ?1 AND name = ?2", [pool_id, name])?;
        self.exec("DELETE FROM members WHERE pool_id = ?1 AND group_name = ?2", [pool_id, name])?;
        Ok(())
    }

    fn groups(&mut self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<GroupType>> {
        let rows = self.docs(
            "SELECT name, doc FROM groups WHERE pool_id = ?1 AND name > ?2 ORDER BY name",
            params![pool_id, after.unwrap_or("")],
            limit.saturating_add(1),
        )?;
        Ok(page(rows, limit))
    }

    fn add_member(&mut self, pool_id: &str, group: &str, user_key: &str) -> StoreResult<()> {
        self.exec(
            "INSERT OR IGNORE INTO members (pool_id, group_name, key) VALUES (?1, ?2, ?3)",
            [pool_id, group, user_key],
        )
        .map(drop)
    }

    fn remove_member(&mut self, pool_id: &str, group: &str, user_key: &str) -> StoreResult<()> {
        self.exec("DELETE FROM members WHERE pool_id = ?1 AND group_name = ?2 AND key = ?3", [pool_id, group, user_key])
            .map(drop)
    }

    fn groups_of(
        &mut self,
        pool_id: &str,
        user_key: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<GroupType>> {
        // Every token minted asks this, so its statements must stay prepared. SQLite plans a
        // join, or a statement with an ORDER BY, afresh at each use when a WHERE value is
        // bound; so the user's (few) group names are read alone, sorted here, then looked up.
        let mut names: Vec<String> = self
            .txn
            .prepare_cached("SELECT group_name FROM members WHERE pool_id = ?1 AND key = ?2 AND group_name > ?3")
            .map_err(db_error)?
            .query_map(params![pool_id, user_key, after.unwrap_or("")], |r| r.get(0))
            .map_err(db_error)?
            .collect::<Result<_, _>>()
            .map_err(db_error)?;
        names.sort();
        names.truncate(limit.saturating_add(1));
        let mut rows = Vec::with_capacity(names.len());
        for name in names {
            if let Some(group) = self.group(pool_id, &name)? {
                rows.push((name, group));
            }
        }
        Ok(page(rows, limit))
    }

    fn members(
        &mut self,
        pool_id: &str,
        group: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<UserRecord>> {
        let rows = self.docs(
            "SELECT u.key, u.doc FROM members m JOIN users u ON u.pool_id = m.pool_id AND u.key = m.key \
             WHERE m.pool_id = ?1 AND m.group_name = ?2 AND m.key > ?3 ORDER BY m.key",
            params![pool_id, group, after.unwrap_or("")],
            limit.saturating_add(1),
        )?;
        Ok(page(rows, limit))
    }

    fn keys(&mut self, pool_id: &str) -> StoreResult<Option<Arc<PoolKeys>>> {
        self.cached(|d| &mut d.keys, "SELECT doc FROM keys WHERE pool_id = ?1", pool_id, |t| from_doc(t).map(Arc::new))
    }

    fn put_keys(&mut self, pool_id: &str, keys: &PoolKeys) -> StoreResult<()> {
        self.decoded.keys.forget(pool_id);
        self.exec("INSERT OR REPLACE INTO keys (pool_id, doc) VALUES (?1, ?2)", params![pool_id, to_doc(keys)?])
            .map(drop)
    }

    fn mfa_config(&mut self, pool_id: &str) -> StoreResult<Option<MfaConfig>> {
        self.doc("SELECT doc FROM mfa_configs WHERE pool_id = ?1", [pool_id])
    }

    fn put_mfa_config(&mut self, pool_id: &str, config: &MfaConfig) -> StoreResult<()> {
        self.exec(
            "INSERT OR REPLACE INTO mfa_configs (pool_id, doc) VALUES (?1, ?2)",
            params![pool_id, to_doc(config)?],
        )
        .map(drop)
    }

    fn session(&mut self, id: &str) -> StoreResult<Option<AuthSession>> {
        self.doc("SELECT doc FROM sessions WHERE id = ?1", [id])
    }

    fn put_session(&mut self, session: &AuthSession) -> StoreResult<()> {
        self.exec(
            "INSERT OR REPLACE INTO sessions (id, pool_id, expires, doc) VALUES (?1, ?2, ?3, ?4)",
            params![session.id, session.pool_id, session.expires, to_doc(session)?],
        )
        .map(drop)
    }

    fn delete_session(&mut self, id: &str) -> StoreResult<()> {
        self.exec("DELETE FROM sessions WHERE id = ?1", [id]).map(drop)
    }

    fn family(&mut self, pool_id: &str, origin_jti: &str) -> StoreResult<Option<TokenFamily>> {
        self.doc("SELECT doc FROM families WHERE pool_id = ?1 AND origin_jti = ?2", [pool_id, origin_jti])
    }

    fn put_family(&mut self, f: &TokenFamily) -> StoreResult<()> {
        self.exec(
            "INSERT OR REPLACE INTO families (pool_id, origin_jti, user_key, expires, doc) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![f.pool_id, f.origin_jti, f.user_key, f.expires, to_doc(f)?],
        )
        .map(drop)
    }

    fn revoke_families(&mut self, pool_id: &str, user_key: &str) -> StoreResult<()> {
        self.exec(
            "UPDATE families SET doc = json_set(doc, '$.revoked', json('true')) WHERE pool_id = ?1 AND user_key = ?2",
            [pool_id, user_key],
        )
        .map(drop)
    }

    fn families_of(&mut self, pool_id: &str, user_key: &str) -> StoreResult<Vec<TokenFamily>> {
        let rows = self.docs(
            "SELECT origin_jti, doc FROM families WHERE pool_id = ?1 AND user_key = ?2 ORDER BY origin_jti",
            [pool_id, user_key],
            usize::MAX,
        )?;
        Ok(rows.into_iter().map(|(_, f)| f).collect())
    }

    fn device(&mut self, pool_id: &str, device_key: &str) -> StoreResult<Option<DeviceRecord>> {
        self.doc("SELECT doc FROM devices WHERE pool_id = ?1 AND device_key = ?2", [pool_id, device_key])
    }

    fn put_device(&mut self, d: &DeviceRecord) -> StoreResult<()> {
        self.exec(
            "INSERT OR REPLACE INTO devices (pool_id, device_key, user_key, doc) VALUES (?1, ?2, ?3, ?4)",
            params![d.pool_id, d.device_key, d.user_key, to_doc(d)?],
        )
        .map(drop)
    }

    fn delete_device(&mut self, pool_id: &str, device_key: &str) -> StoreResult<()> {
        self.exec("DELETE FROM devices WHERE pool_id = ?1 AND device_key = ?2", [pool_id, device_key]).map(drop)
    }

    fn devices_of(
        &mut self,
        pool_id: &str,
        user_key: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<DeviceRecord>> {
        let rows = self.docs(
            "SELECT device_key, doc FROM devices WHERE pool_id = ?1 AND user_key = ?2 AND device_key > ?3 ORDER BY device_key",
            params![pool_id, user_key, after.unwrap_or("")],
            limit.saturating_add(1),
        )?;
        Ok(page(rows, limit))
    }

    fn push_message(&mut self, m: &OutboxMessage) -> StoreResult<()> {
        self.exec(
            "INSERT INTO outbox (pool_id, username, destination, doc) VALUES (?1, ?2, ?3, ?4)",
            params![m.pool_id, m.username, m.destination, to_doc(m)?],
        )
        .map(drop)
    }

    fn messages(&mut self, q: &OutboxQuery) -> StoreResult<Vec<OutboxMessage>> {
        let rows: Vec<(String, OutboxMessage)> = self.docs(
            "SELECT CAST(seq AS TEXT), doc FROM outbox WHERE (?1 IS NULL OR pool_id = ?1) AND (?2 IS NULL OR username = ?2) \
             AND (?3 IS NULL OR destination = ?3) ORDER BY seq DESC",
            params![q.pool_id, q.username, q.destination],
            q.limit,
        )?;
        Ok(rows.into_iter().map(|(_, m)| m).collect())
    }

    fn purge_expired(&mut self, now: f64) -> StoreResult<()> {
        self.exec("DELETE FROM sessions WHERE expires < ?1", [now])?;
        self.exec("DELETE FROM families WHERE expires < ?1", [now])?;
        self.exec("DELETE FROM credentials WHERE expires < ?1", [now])?;
        Ok(())
    }

    fn idp(&mut self, pool_id: &str, name: &str) -> StoreResult<Option<IdentityProviderType>> {
        self.doc("SELECT doc FROM idps WHERE pool_id = ?1 AND name = ?2", [pool_id, name])
    }

    fn put_idp(&mut self, idp: &IdentityProviderType) -> StoreResult<()> {
        self.exec(
            "INSERT OR REPLACE INTO idps (pool_id, name, doc) VALUES (?1, ?2, ?3)",
            params![
                idp.user_pool_id.as_deref().unwrap_or_default(),
                idp.provider_name.as_deref().unwrap_or_default(),
                to_doc(idp)?
            ],
        )
        .map(drop)
    }

    fn delete_idp(&mut self, pool_id: &str, name: &str) -> StoreResult<()> {
        self.exec("DELETE FROM idps WHERE pool_id = ?1 AND name = ?2", [pool_id, name]).map(drop)
    }

    fn idps(&mut self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<IdentityProviderType>> {
        let rows = self.docs(
            "SELECT name, doc FROM idps WHERE pool_id = ?1 AND name > ?2 ORDER BY name",
            params![pool_id, after.unwrap_or("")],
            limit.saturating_add(1),
        )?;
        Ok(page(rows, limit))
    }

    fn resource_server(&mut self, pool_id: &str, identifier: &str) -> StoreResult<Option<ResourceServerType>> {
        self.doc("SELECT doc FROM resource_servers WHERE pool_id = ?1 AND identifier = ?2", [pool_id, identifier])
    }

    fn put_resource_server(&mut self, server: &ResourceServerType) -> StoreResult<()> {
        self.exec(
            "INSERT OR REPLACE INTO resource_servers (pool_id, identifier, doc) VALUES (?1, ?2, ?3)",
            params![
                server.user_pool_id.as_deref().unwrap_or_default(),
                server.identifier.as_deref().unwrap_or_default(),
                to_doc(server)?
            ],
        )
        .map(drop)
    }

    fn delete_resource_server(&mut self, pool_id: &str, identifier: &str) -> StoreResult<()> {
        self.exec("DELETE FROM resource_servers WHERE pool_id = ?1 AND identifier = ?2", [pool_id, identifier])
            .map(drop)
    }

    fn resource_servers(
        &mut self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<ResourceServerType>> {
        let rows = self.docs(
            "SELECT identifier, doc FROM resource_servers WHERE pool_id = ?1 AND identifier > ?2 ORDER BY identifier",
            params![pool_id, after.unwrap_or("")],
            limit.saturating_add(1),
        )?;
        Ok(page(rows, limit))
    }

    fn domain(&mut self, domain: &str) -> StoreResult<Option<DomainDescriptionType>> {
        self.doc("SELECT doc FROM domains WHERE domain = ?1", [domain])
    }

    fn put_domain(&mut self, domain: &DomainDescriptionType) -> StoreResult<()> {
        self.exec(
            "INSERT OR REPLACE INTO domains (domain, pool_id, doc) VALUES (?1, ?2, ?3)",
            params![
                domain.domain.as_deref().unwrap_or_default(),
                domain.user_pool_id.as_deref().unwrap_or_default(),
                to_doc(domain)?
            ],
        )
        .map(drop)
    }

    fn delete_domain(&mut self, domain: &str) -> StoreResult<()> {
        self.exec("DELETE FROM domains WHERE domain = ?1", [domain]).map(drop)
    }

    fn ui_customization(&mut self, pool_id: &str, client_id: &str) -> StoreResult<Option<UiCustomization>> {
        self.doc("SELECT doc FROM branding WHERE pool_id = ?1 AND kind = 'ui' AND key = ?2", [pool_id, client_id])
    }

    fn put_ui_customization(&mut self, c: &UiCustomization) -> StoreResult<()> {
        self.exec(
            "INSERT OR REPLACE INTO branding (pool_id, kind, key, client_id, doc) VALUES (?1, 'ui', ?2, ?2, ?3)",
            params![c.pool_id, c.client_id, to_doc(c)?],
        )
        .map(drop)
    }

    fn delete_ui_customization(&mut self, pool_id: &str, client_id: &str) -> StoreResult<()> {
        self.exec("DELETE FROM branding WHERE pool_id = ?1 AND kind = 'ui' AND key = ?2", [pool_id, client_id])
            .map(drop)
    }

    fn branding(&mut self, pool_id: &str, id: &str) -> StoreResult<Option<(String, ManagedLoginBrandingType)>> {
        let key = [pool_id, id];
        let Some(client) =
            self.text("SELECT client_id FROM branding WHERE pool_id = ?1 AND kind = 'style' AND key = ?2", key)?
        else {
            return Ok(None);
        };
        let doc = self.doc("SELECT doc FROM branding WHERE pool_id = ?1 AND kind = 'style' AND key = ?2", key)?;
        Ok(doc.map(|d| (client, d)))
    }

    fn branding_of_client(&mut self, pool_id: &str, client_id: &str) -> StoreResult<Option<ManagedLoginBrandingType>> {
        self.doc(
            "SELECT doc FROM branding WHERE pool_id = ?1 AND kind = 'style' AND client_id = ?2",
            [pool_id, client_id],
        )
    }

    fn put_branding(&mut self, client_id: &str, b: &ManagedLoginBrandingType) -> StoreResult<()> {
        self.exec(
            "INSERT OR REPLACE INTO branding (pool_id, kind, key, client_id, doc) VALUES (?1, 'style', ?2, ?3, ?4)",
            params![
                b.user_pool_id.as_deref().unwrap_or_default(),
                b.managed_login_branding_id.as_deref().unwrap_or_default(),
                client_id,
                to_doc(b)?
            ],
        )
        .map(drop)
    }

    fn delete_branding(&mut self, pool_id: &str, id: &str) -> StoreResult<()> {
        self.exec("DELETE FROM branding WHERE pool_id = ?1 AND kind = 'style' AND key = ?2", [pool_id, id]).map(drop)
    }

    fn pool_doc(
        &mut self,
        pool_id: &str,
        kind: &str,
        owner: Owner<'_>,
        key: &str,
    ) -> StoreResult<Option<serde_json::Value>> {
        self.doc(
            "SELECT doc FROM pool_docs WHERE pool_id = ?1 AND kind = ?2 AND owner = ?3 AND key = ?4",
            params![pool_id, kind, owner.as_key(), key],
        )
    }

    fn put_pool_doc(
        &mut self,
        pool_id: &str,
        kind: &str,
        owner: Owner<'_>,
        key: &str,
        doc: &serde_json::Value,
    ) -> StoreResult<()> {
        self.exec(
            "INSERT OR REPLACE INTO pool_docs (pool_id, kind, owner, key, doc) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![pool_id, kind, owner.as_key(), key, to_doc(doc)?],
        )
        .map(drop)
    }

    fn delete_pool_doc(&mut self, pool_id: &str, kind: &str, owner: Owner<'_>, key: &str) -> StoreResult<()> {
        self.exec(
            "DELETE FROM pool_docs WHERE pool_id = ?1 AND kind = ?2 AND owner = ?3 AND key = ?4",
            params![pool_id, kind, owner.as_key(), key],
        )
        .map(drop)
    }

    fn pool_docs(
        &mut self,
        pool_id: &str,
        kind: &str,
        owner: Owner<'_>,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<(String, serde_json::Value)>> {
        let rows: Vec<(String, serde_json::Value)> = self.docs(
            "SELECT key, doc FROM pool_docs WHERE pool_id = ?1 AND kind = ?2 AND owner = ?3 AND key > ?4 ORDER BY key",
            params![pool_id, kind, owner.as_key(), after.unwrap_or("")],
            limit.saturating_add(1),
        )?;
        let rows = rows.into_iter().map(|(k, d)| (k.clone(), (k, d))).collect();
        Ok(page(rows, limit))
    }

    fn pool_docs_of_kind(
        &mut self,
        pool_id: &str,
        kind: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<(String, serde_json::Value)>> {
        let (after_owner, after_key) = split_position(after.unwrap_or(""));
        let mut stmt = self
            .txn
            .prepare_cached(
                "SELECT owner, key, doc FROM pool_docs WHERE pool_id = ?1 AND kind = ?2 \
                 AND (owner > ?3 OR (owner = ?3 AND key > ?4)) ORDER BY owner, key",
            )
            .map_err(db_error)?;
        let rows = stmt
            .query_map(params![pool_id, kind, after_owner, after_key], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
            })
            .map_err(db_error)?
            .take(limit.saturating_add(1))
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_error)?;
        let rows = rows
            .into_iter()
            .map(|(owner, key, doc)| Ok((format!("{owner}\0{key}"), (key, from_doc(&doc)?))))
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(page(rows, limit))
    }

    fn identity_pool(&mut self, id: &str) -> StoreResult<Option<IdentityPoolRecord>> {
        self.doc("SELECT doc FROM identity_pools WHERE id = ?1", [id])
    }

    fn put_identity_pool(&mut self, pool: &IdentityPoolRecord) -> StoreResult<()> {
        self.exec("INSERT OR REPLACE INTO identity_pools (id, doc) VALUES (?1, ?2)", params![pool.id, to_doc(pool)?])
            .map(drop)
    }

    fn delete_identity_pool(&mut self, id: &str) -> StoreResult<()> {
        for sql in [
            "DELETE FROM identity_pools WHERE id = ?1",
            "DELETE FROM identities WHERE pool_id = ?1",
            "DELETE FROM identity_logins WHERE pool_id = ?1",
        ] {
            self.exec(sql, [id])?;
        }
        Ok(())
    }

    fn identity_pools(&mut self, after: Option<&str>, limit: usize) -> StoreResult<Page<IdentityPoolRecord>> {
        let rows = self.docs(
            "SELECT id, doc FROM identity_pools WHERE id > ?1 ORDER BY id",
            params![after.unwrap_or("")],
            limit.saturating_add(1),
        )?;
        Ok(page(rows, limit))
    }

    fn identity(&mut self, id: &str) -> StoreResult<Option<IdentityRecord>> {
        self.doc("SELECT doc FROM identities WHERE id = ?1", [id])
    }

    fn identity_by_login(&mut self, pool_id: &str, login: &Login) -> StoreResult<Option<IdentityRecord>> {
        let id = self.text(
            "SELECT identity_id FROM identity_logins WHERE pool_id = ?1 AND provider = ?2 AND subject = ?3",
            [pool_id, login.provider.as_str(), login.subject.as_str()],
        )?;
        match id {
            Some(id) => self.identity(&id),
            None => Ok(None),
        }
    }

    fn put_identity(&mut self, identity: &IdentityRecord) -> StoreResult<()> {
        let id = identity.id.as_str();
        self.exec(
            "INSERT OR REPLACE INTO identities (id, pool_id, doc) VALUES (?1, ?2, ?3)",
            params![id, identity.pool_id, to_doc(identity)?],
        )?;
        self.exec("DELETE FROM identity_logins WHERE identity_id = ?1", [id])?;
        for login in &identity.logins {
            self.exec(
                "INSERT OR REPLACE INTO identity_logins (pool_id, provider, subject, identity_id) VALUES (?1, ?2, ?3, ?4)",
                [identity.pool_id.as_str(), login.provider.as_str(), login.subject.as_str(), id],
            )?;
        }
        Ok(())
    }

    fn delete_identity(&mut self, id: &str) -> StoreResult<()> {
        self.exec("DELETE FROM identities WHERE id = ?1", [id])?;
        self.exec("DELETE FROM identity_logins WHERE identity_id = ?1", [id])?;
        Ok(())
    }

    fn identities(&mut self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Page<IdentityRecord>> {
        let rows = self.docs(
            "SELECT id, doc FROM identities WHERE pool_id = ?1 AND id > ?2 ORDER BY id",
            params![pool_id, after.unwrap_or("")],
            limit.saturating_add(1),
        )?;
        Ok(page(rows, limit))
    }

    fn credentials(&mut self, access_key_id: &str) -> StoreResult<Option<CredentialsRecord>> {
        self.doc("SELECT doc FROM credentials WHERE access_key_id = ?1", [access_key_id])
    }

    fn put_credentials(&mut self, c: &CredentialsRecord) -> StoreResult<()> {
        self.exec(
            "INSERT OR REPLACE INTO credentials (access_key_id, expires, doc) VALUES (?1, ?2, ?3)",
            params![c.access_key_id, c.expires, to_doc(c)?],
        )
        .map(drop)
    }

    fn clear(&mut self) -> StoreResult<()> {
        self.decoded.pools.forget_all();
        self.decoded.clients.forget_all();
        self.decoded.keys.forget_all();
        for table in [
            "pools",
            "pool_stats",
            "clients",
            "users",
            "user_index",
            "groups",
            "members",
            "keys",
            "sessions",
            "families",
            "outbox",
            "devices",
            "idps",
            "mfa_configs",
            "resource_servers",
            "domains",
            "branding",
            "pool_docs",
            "identity_pools",
            "identities",
            "identity_logins",
            "credentials",
        ] {
            self.exec(&format!("DELETE FROM {table}"), [])?;
        }
        Ok(())
    }
}
