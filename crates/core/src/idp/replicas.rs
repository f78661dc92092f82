//! User pool replicas (multi-Region replication): a pool's secondary in another Region, with
//! the same pool id (Create/Update/Delete/ListUserPoolReplicas). Facts and sources:
//! docs/research/newest-operations.md §5.
//!
//! A replica is made CREATING and has settled to INACTIVE by the next time it is read ("New
//! secondary user pools start in the INACTIVE state"); an update makes it ACTIVE or INACTIVE; only
//! an INACTIVE one may be deleted, from the primary's Region. A pool has at most one. cognate
//! keeps one store for every Region, so a replica holds no copy of its own: requests to it are
//! served as the primary's (refusing writes there is not done yet). Refusal texts are cognate's
//! (UNCONFIRMED).

use crate::idp::lookup::load_pool;
use crate::idp::pool_docs::{self, PoolDoc};
use crate::idp::service::UserPools;
use crate::store::{Owner, Tx};
use cognate_proto::idp::*;
use cognate_proto::{ApiError, RequestContext};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Replica {
    region: String,
    status: ReplicaStatusType,
    created: f64,
    #[serde(default)]
    tags: BTreeMap<String, String>,
}

impl PoolDoc for Replica {
    const KIND: &'static str = "replica";
}

/// The Region a pool id names (`us-east-1_Abc` → `us-east-1`).
fn home(pool_id: &str) -> &str {
    pool_id.split_once('_').map_or(pool_id, |(r, _)| r)
}

fn arn(pool: &UserPoolType, region: &str) -> Option<String> {
    // The pool's ARN with the replica's Region: the same pool id in another Region.
    let primary = pool.arn.as_deref()?;
    let parts: Vec<&str> = primary.splitn(5, ':').collect();
    match parts.as_slice() {
        [a, p, s, _, rest] => Some(format!("{a}:{p}:{s}:{region}:{rest}")),
        _ => None,
    }
}

fn describe(pool: &UserPoolType, r: &Replica) -> UserPoolReplicaType {
    UserPoolReplicaType {
        region_name: Some(r.region.clone()),
        status: Some(r.status),
        role: Some(ReplicaRoleType::Secondary),
        user_pool_arn: arn(pool, &r.region),
    }
}

/// The pool's replicas, each settled first if it was still being made.
fn replicas(tx: &mut dyn Tx, pool_id: &str) -> Result<Vec<Replica>, ApiError> {
    let mut all: Vec<Replica> = pool_docs::all(tx, pool_id, Owner::Pool)?;
    for r in all.iter_mut().filter(|r| r.status == ReplicaStatusType::Creating) {
        r.status = ReplicaStatusType::Inactive;
        pool_docs::put(tx, pool_id, Owner::Pool, &r.region.clone(), r)?;
    }
    Ok(all)
}

fn replica_in(tx: &mut dyn Tx, pool_id: &str, region: &str) -> Result<Replica, ApiError> {
    replicas(tx, pool_id)?
        .into_iter()
        .find(|r| r.region == region)
        .ok_or_else(|| ApiError::resource_not_found(format!("User pool {pool_id} has no replica in {region}.")))
}

/// The Regions a pool is replicated to, for ListUserPools' ReplicaRegions.
pub(crate) fn regions(tx: &mut dyn Tx, pool_id: &str) -> Result<Vec<String>, ApiError> {
    Ok(pool_docs::all::<Replica>(tx, pool_id, Owner::Pool)?.into_iter().map(|r| r.region).collect())
}

pub(crate) fn create_user_pool_replica(
    up: &UserPools,
    input: CreateUserPoolReplicaRequest,
) -> Result<CreateUserPoolReplicaResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        if pool.user_pool_tier == Some(UserPoolTierType::Lite) {
            return Err(ApiError::feature_unavailable_in_tier(
                "Multi-Region replication is not available in the LITE tier.",
            ));
        }
        let managed =
            pool.key_configuration.as_ref().and_then(|k| k.key_type) == Some(EncryptionKeyType::CustomerManagedKey);
        if !managed {
            return Err(ApiError::invalid_parameter(
                "Multi-Region replication requires a user pool encrypted with a customer managed multi-Region KMS key.",
            ));
        }
        if input.region_name == home(&input.user_pool_id) {
            return Err(ApiError::invalid_parameter(format!(
                "The replica Region {} is the user pool's own Region.",
                input.region_name
            )));
        }
        if !replicas(tx, &input.user_pool_id)?.is_empty() {
            return Err(ApiError::limit_exceeded("A user pool can have only one replica."));
        }
        let replica = Replica {
            region: input.region_name.clone(),
            status: ReplicaStatusType::Creating,
            created: now,
            tags: input.user_pool_tags.clone().unwrap_or_default(),
        };
        pool_docs::put(tx, &input.user_pool_id, Owner::Pool, &replica.region, &replica)?;
        Ok(CreateUserPoolReplicaResponse { user_pool_replica: Some(describe(&pool, &replica)) })
    })
}

pub(crate) fn update_user_pool_replica(
    up: &UserPools,
    input: UpdateUserPoolReplicaRequest,
) -> Result<UpdateUserPoolReplicaResponse, ApiError> {
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let mut replica = replica_in(tx, &input.user_pool_id, &input.region_name)?;
        replica.status = match input.status {
            UpdateReplicaStatusType::Active => ReplicaStatusType::Active,
            UpdateReplicaStatusType::Inactive => ReplicaStatusType::Inactive,
        };
        pool_docs::put(tx, &input.user_pool_id, Owner::Pool, &replica.region, &replica)?;
        Ok(UpdateUserPoolReplicaResponse { user_pool_replica: Some(describe(&pool, &replica)) })
    })
}

pub(crate) fn delete_user_pool_replica(
    up: &UserPools,
    ctx: &RequestContext,
    input: DeleteUserPoolReplicaRequest,
) -> Result<DeleteUserPoolReplicaResponse, ApiError> {
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let mut replica = replica_in(tx, &input.user_pool_id, &input.region_name)?;
        if ctx.region.as_deref().is_some_and(|r| r != home(&input.user_pool_id)) {
            return Err(ApiError::invalid_parameter("A replica can be deleted only from the primary Region."));
        }
        if replica.status != ReplicaStatusType::Inactive {
            return Err(ApiError::invalid_parameter(format!(
                "The replica in {} is {} and must be INACTIVE to be deleted.",
                replica.region,
                replica.status.as_str()
            )));
        }
        pool_docs::delete::<Replica>(tx, &input.user_pool_id, Owner::Pool, &replica.region)?;
        replica.status = ReplicaStatusType::Deleting;
        Ok(DeleteUserPoolReplicaResponse { user_pool_replica: Some(describe(&pool, &replica)) })
    })
}

/// The primary first (Terraform's provider filters it out by its role), then the replica.
pub(crate) fn list_user_pool_replicas(
    up: &UserPools,
    input: ListUserPoolReplicasRequest,
) -> Result<ListUserPoolReplicasResponse, ApiError> {
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let mut out = vec![UserPoolReplicaType {
            region_name: Some(home(&input.user_pool_id).to_string()),
            status: Some(ReplicaStatusType::Active),
            role: Some(ReplicaRoleType::Primary),
            user_pool_arn: pool.arn.clone(),
        }];
        out.extend(replicas(tx, &input.user_pool_id)?.iter().map(|r| describe(&pool, r)));
        Ok(ListUserPoolReplicasResponse { user_pool_replicas: Some(out), next_token: None })
    })
}
