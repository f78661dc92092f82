//! Point-in-time recovery: a pool's user data taken back to how it was at a moment in the
//! last day (Essentials) or fourteen (Plus), from cognate's own history of it
//! (Initiate/Start/Cancel/Describe/ListPointInTimeRecoveries). Facts and sources:
//! docs/research/newest-operations.md §4.
//!
//! The history is `journal`'s: the state each change to a user or a membership replaced, which a
//! recovery reads backwards. From Initiate until the recovery ends the pool's
//! user data is read-only (OperationNotEnabledException), except what signing in itself writes
//! (the failed-attempt count); Start undoes the journal's changes after the recovery point,
//! keeping passwords changed since ("Users who changed their password after the recovery point
//! keep their current password"). Configuration (clients, schema) is not recovered, as AWS's is
//! not.

use crate::env::RandomExt;
use crate::idp::journal::{ACTIVE, Active, Change, DAY, window};
use crate::idp::lookup::load_pool;
use crate::idp::pool_docs::{self, PoolDoc};
use crate::idp::service::UserPools;
use crate::store::{Owner, Tx, UserRecord};
use cognate_proto::ApiError;
use cognate_proto::idp::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// "at least 15 minutes in the past".
const NEWEST_POINT: f64 = 15.0 * 60.0;
/// A preview not started or cancelled within 24 hours of Initiate expires.
const PREVIEW_SECONDS: f64 = DAY;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Recovery {
    restoration: RestorationType,
    initiated: f64,
}

impl PoolDoc for Recovery {
    const KIND: &'static str = "recovery";
}

/// The journal after `point` (epoch seconds), oldest first.
fn changes_since(tx: &mut dyn Tx, pool_id: &str, point: f64) -> Result<Vec<Change>, ApiError> {
    Ok(pool_docs::list::<Change>(tx, pool_id, Owner::Pool, Some(&after_point(point)), usize::MAX - 1)?.items)
}

/// The journal key every change after `point` sorts after.
fn after_point(point: f64) -> String {
    format!("{:013}-999999999999", (point * 1000.0) as i64)
}

/// Forgets the journal older than the plan's window: nothing can recover to it any more.
fn prune(tx: &mut dyn Tx, pool_id: &str, oldest: f64) -> Result<(), ApiError> {
    let page = tx.pool_docs(pool_id, Change::KIND, Owner::Pool, None, usize::MAX - 1)?;
    let cut = format!("{:013}", (oldest * 1000.0) as i64);
    for (key, _) in page.items.into_iter().take_while(|(k, _)| *k < cut) {
        tx.delete_pool_doc(pool_id, Change::KIND, Owner::Pool, &key)?;
    }
    Ok(())
}

/// What undoing `changes` would do to the users: created (deleted since), updated, deleted
/// (created since).
fn preview(tx: &mut dyn Tx, pool_id: &str, changes: &[Change]) -> Result<Vec<RestorePreviewType>, ApiError> {
    let mut at_point: BTreeMap<&str, Option<&UserRecord>> = BTreeMap::new();
    for change in changes {
        if let Change::User { key, before, .. } = change {
            at_point.entry(key.as_str()).or_insert(before.as_deref());
        }
    }
    let (mut create, mut update, mut delete) = (0i64, 0i64, 0i64);
    for (key, then) in at_point {
        let now = tx.user(pool_id, key)?;
        match (then, now) {
            (Some(_), None) => create += 1,
            (None, Some(_)) => delete += 1,
            (Some(a), Some(b)) if *a != b => update += 1,
            _ => {}
        }
    }
    Ok(vec![RestorePreviewType {
        entity: Some("Users".into()),
        create_count: Some(create),
        update_count: Some(update),
        delete_count: Some(delete),
    }])
}

fn load_recovery(up: &UserPools, tx: &mut dyn Tx, pool_id: &str, id: &str) -> Result<Recovery, ApiError> {
    let mut r: Recovery = pool_docs::get(tx, pool_id, Owner::Pool, id)?
        .ok_or_else(|| ApiError::resource_not_found(format!("Recovery {id} does not exist.")))?;
    let waiting = matches!(
        r.restoration.restore_status,
        Some(RestoreStatusType::PreviewGenerating | RestoreStatusType::PreviewGenerated)
    );
    if waiting && up.now() - r.initiated > PREVIEW_SECONDS {
        r.restoration.restore_status = Some(RestoreStatusType::PreviewExpired);
        pool_docs::put(tx, pool_id, Owner::Pool, id, &r)?;
        end_pause(tx, pool_id, id)?;
    }
    Ok(r)
}

fn end_pause(tx: &mut dyn Tx, pool_id: &str, id: &str) -> Result<(), ApiError> {
    if pool_docs::get::<Active>(tx, pool_id, Owner::Pool, ACTIVE)?.is_some_and(|a| a.restore_id == id) {
        pool_docs::delete::<Active>(tx, pool_id, Owner::Pool, ACTIVE)?;
    }
    Ok(())
}

fn wrong_state(r: &Recovery, what: &str) -> ApiError {
    // UNCONFIRMED type and text.
    let status = r.restoration.restore_status.map(|s| s.as_str()).unwrap_or_default();
    ApiError::invalid_parameter(format!("A recovery that is {status} cannot be {what}."))
}

pub(crate) fn initiate_point_in_time_recovery(
    up: &UserPools,
    input: InitiatePointInTimeRecoveryRequest,
) -> Result<InitiatePointInTimeRecoveryResponse, ApiError> {
    let now = up.now();
    let id = up.rng.uuid_v4();
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let Some(window) = window(&pool) else {
            return Err(ApiError::feature_unavailable_in_tier(
                "Point-in-time recovery is not available in the LITE tier.",
            ));
        };
        let point = input.restore_timestamp;
        let created = pool.creation_date.unwrap_or_default();
        if point > now - NEWEST_POINT || point < created || point < now - window {
            return Err(ApiError::invalid_parameter(
                "The recovery point must be at least 15 minutes in the past, after the user pool was created and within the plan's recovery window.",
            ));
        }
        if let Some(active) = pool_docs::get::<Active>(tx, &input.user_pool_id, Owner::Pool, ACTIVE)? {
            // One that waited too long has expired, and no longer holds the pool.
            load_recovery(up, tx, &input.user_pool_id, &active.restore_id)?;
            if pool_docs::get::<Active>(tx, &input.user_pool_id, Owner::Pool, ACTIVE)?.is_some_and(|a| now < a.until) {
                return Err(ApiError::limit_exceeded("The user pool already has a recovery in progress."));
            }
        }
        prune(tx, &input.user_pool_id, now - window)?;
        let changes = changes_since(tx, &input.user_pool_id, point)?;
        let restoration = RestorationType {
            restore_id: Some(id.clone()),
            restore_status: Some(RestoreStatusType::PreviewGenerated),
            restore_timestamp: Some(point),
            trigger_timestamp: Some(now),
            restore_preview: Some(preview(tx, &input.user_pool_id, &changes)?),
        };
        let recovery = Recovery { restoration: restoration.clone(), initiated: now };
        pool_docs::put(tx, &input.user_pool_id, Owner::Pool, &id, &recovery)?;
        pool_docs::put(tx, &input.user_pool_id, Owner::Pool, ACTIVE, &Active { restore_id: id.clone(), until: now + PREVIEW_SECONDS })?;
        Ok(InitiatePointInTimeRecoveryResponse { restoration: Some(restoration) })
    })
}

pub(crate) fn start_point_in_time_recovery(
    up: &UserPools,
    input: StartPointInTimeRecoveryRequest,
) -> Result<StartPointInTimeRecoveryResponse, ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let mut r = load_recovery(up, tx, &input.user_pool_id, &input.restore_id)?;
        if r.restoration.restore_status != Some(RestoreStatusType::PreviewGenerated) {
            return Err(wrong_state(&r, "started"));
        }
        let point = r.restoration.restore_timestamp.unwrap_or_default();
        let pool_id = input.user_pool_id.as_str();
        let changes = changes_since(tx, pool_id, point)?;
        // The pause ends with this transaction; its own writes are journaled like any, and
        // forgotten below with the history they undo.
        end_pause(tx, pool_id, &input.restore_id)?;
        // Undone newest first.
        for change in changes.iter().rev() {
            match change {
                Change::User { key, before: Some(then), groups } => {
                    let mut restored = (**then).clone();
                    if let Some(current) = tx.user(pool_id, key)? {
                        restored.password = current.password;
                    }
                    tx.put_user(pool_id, &restored)?;
                    for g in groups {
                        if tx.group(pool_id, g)?.is_some() {
                            tx.add_member(pool_id, g, key)?;
                        }
                    }
                }
                Change::User { key, before: None, .. } => tx.delete_user(pool_id, key)?,
                Change::Member { key, group, was: true } => {
                    if tx.group(pool_id, group)?.is_some() && tx.user(pool_id, key)?.is_some() {
                        tx.add_member(pool_id, group, key)?;
                    }
                }
                Change::Member { key, group, was: false } => tx.remove_member(pool_id, group, key)?,
            }
        }
        // The history after the point is undone: a later recovery must not replay it.
        let journal = tx.pool_docs(pool_id, Change::KIND, Owner::Pool, Some(&after_point(point)), usize::MAX - 1)?;
        for (key, _) in journal.items {
            tx.delete_pool_doc(pool_id, Change::KIND, Owner::Pool, &key)?;
        }
        r.restoration.restore_status = Some(RestoreStatusType::RestoreCompleted);
        pool_docs::put(tx, pool_id, Owner::Pool, &input.restore_id, &r)?;
        Ok(StartPointInTimeRecoveryResponse { restoration: Some(r.restoration) })
    })
}

pub(crate) fn cancel_point_in_time_recovery(
    up: &UserPools,
    input: CancelPointInTimeRecoveryRequest,
) -> Result<CancelPointInTimeRecoveryResponse, ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let mut r = load_recovery(up, tx, &input.user_pool_id, &input.restore_id)?;
        let waiting = matches!(
            r.restoration.restore_status,
            Some(RestoreStatusType::PreviewGenerating | RestoreStatusType::PreviewGenerated)
        );
        if !waiting {
            return Err(wrong_state(&r, "cancelled"));
        }
        r.restoration.restore_status = Some(RestoreStatusType::PreviewCancelled);
        pool_docs::put(tx, &input.user_pool_id, Owner::Pool, &input.restore_id, &r)?;
        end_pause(tx, &input.user_pool_id, &input.restore_id)?;
        Ok(CancelPointInTimeRecoveryResponse { restoration: Some(r.restoration) })
    })
}

pub(crate) fn describe_point_in_time_recovery(
    up: &UserPools,
    input: DescribePointInTimeRecoveryRequest,
) -> Result<DescribePointInTimeRecoveryResponse, ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let r = load_recovery(up, tx, &input.user_pool_id, &input.restore_id)?;
        Ok(DescribePointInTimeRecoveryResponse { restoration: Some(r.restoration) })
    })
}

/// Most recent first, without their previews.
pub(crate) fn list_point_in_time_recoveries(
    up: &UserPools,
    input: ListPointInTimeRecoveriesRequest,
) -> Result<ListPointInTimeRecoveriesResponse, ApiError> {
    let skip: usize = match crate::idp::lookup::decode_token(input.next_token.as_ref())? {
        Some(t) => t.parse().map_err(|_| ApiError::invalid_parameter("Invalid pagination token."))?,
        None => 0,
    };
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let ids: Vec<String> = pool_docs::all::<Recovery>(tx, &input.user_pool_id, Owner::Pool)?
            .into_iter()
            .filter_map(|r| r.restoration.restore_id)
            .collect();
        let mut all = Vec::new();
        for id in ids {
            all.push(load_recovery(up, tx, &input.user_pool_id, &id)?);
        }
        all.sort_by(|a, b| b.initiated.total_cmp(&a.initiated));
        let limit = crate::idp::lookup::limit(input.max_results, 60);
        let more = all.len() > skip + limit;
        let page = all
            .into_iter()
            .skip(skip)
            .take(limit)
            .map(|r| RestorationDescriptionType {
                restore_id: r.restoration.restore_id,
                restore_status: r.restoration.restore_status,
                restore_timestamp: r.restoration.restore_timestamp,
            })
            .collect();
        Ok(ListPointInTimeRecoveriesResponse {
            restorations: Some(page),
            next_token: more.then(|| crate::idp::lookup::encode_token(&(skip + limit).to_string())),
        })
    })
}
