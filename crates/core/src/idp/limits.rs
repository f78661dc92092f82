//! Provisioned limits: the request rate Cognito enforces per API category in an account and
//! Region, raised (and billed) above the free default with UpdateProvisionedLimit.
//!
//! cognate enforces no rates, so a limit here is a setting kept and answered. The defaults and
//! which categories can be raised are the Cognito quotas page's ("Managing provisioned
//! limits"). How far an account may raise one is its Service Quotas maximum, which a local
//! emulator has none of: cognate takes ten times the default (its own choice, written down in
//! docs/fidelity.md).

use crate::idp::pool_docs::{self, PoolDoc};
use crate::idp::service::UserPools;
use crate::store::Owner;
use cognate_proto::idp::*;
use cognate_proto::{ApiError, RequestContext};
use serde::{Deserialize, Serialize};

/// Category, default requests per second, whether it can be provisioned.
const CATEGORIES: &[(&str, i32, bool)] = &[
    ("UserAuthentication", 120, true),
    ("UserCreation", 50, true),
    ("UserFederation", 25, true),
    ("UserAccountRecovery", 30, false),
    ("UserRead", 120, true),
    ("UserUpdate", 25, false),
    ("UserToken", 120, true),
    ("UserResourceRead", 50, true),
    ("UserResourceUpdate", 25, false),
    ("UserList", 30, false),
    ("UserPoolRead", 15, false),
    ("UserPoolUpdate", 15, false),
    ("UserPoolResourceRead", 20, false),
    ("UserPoolResourceUpdate", 15, false),
    ("UserPoolClientRead", 15, false),
    ("UserPoolClientUpdate", 15, false),
    ("ClientAuthentication", 150, false),
    ("LimitManagement", 1, false),
];

const HEADROOM: i32 = 10;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Provisioned {
    value: i32,
}

impl PoolDoc for Provisioned {
    const KIND: &'static str = "provisioned-limit";
}

/// Limits are the account's in a Region, not a pool's: kept under a scope of their own.
fn scope(ctx: &RequestContext, up: &UserPools) -> String {
    format!("account:{}", up.region(ctx))
}

fn category(def: &LimitDefinitionType) -> Result<(&'static str, i32, bool), ApiError> {
    let name = match (def.attributes.len(), def.attributes.get("Category")) {
        (1, Some(name)) => name,
        _ => return Err(ApiError::invalid_parameter("LimitDefinition Attributes must name exactly one Category.")),
    };
    CATEGORIES
        .iter()
        .find(|(c, _, _)| c == name)
        .copied()
        .ok_or_else(|| ApiError::invalid_parameter(format!("{name} is not a valid API category.")))
}

fn answer(def: &LimitDefinitionType, provisioned: i32, free: i32) -> LimitType {
    LimitType { limit_definition: def.clone(), provisioned_limit_value: provisioned, free_limit_value: free }
}

pub(crate) fn get_provisioned_limit(
    up: &UserPools,
    ctx: &RequestContext,
    input: GetProvisionedLimitRequest,
) -> Result<GetProvisionedLimitResponse, ApiError> {
    let (name, free, _) = category(&input.limit_definition)?;
    let scope = scope(ctx, up);
    up.tx(|tx| {
        let kept: Option<Provisioned> = pool_docs::get(tx, &scope, Owner::Pool, name)?;
        Ok(GetProvisionedLimitResponse { limit: answer(&input.limit_definition, kept.map_or(free, |k| k.value), free) })
    })
}

pub(crate) fn update_provisioned_limit(
    up: &UserPools,
    ctx: &RequestContext,
    input: UpdateProvisionedLimitRequest,
) -> Result<UpdateProvisionedLimitResponse, ApiError> {
    let (name, free, adjustable) = category(&input.limit_definition)?;
    if !adjustable {
        return Err(ApiError::invalid_parameter(format!("The {name} category does not support provisioned limits.")));
    }
    let value = input.requested_limit_value;
    if value < free {
        return Err(ApiError::invalid_parameter(format!(
            "RequestedLimitValue must be at least the default limit of {free} for {name}."
        )));
    }
    if value > free * HEADROOM {
        return Err(ApiError::service_quota_exceeded(format!(
            "The requested limit of {value} exceeds your account's service quota of {} for {name}.",
            free * HEADROOM
        )));
    }
    let scope = scope(ctx, up);
    up.tx(|tx| {
        pool_docs::put(tx, &scope, Owner::Pool, name, &Provisioned { value })?;
        Ok(UpdateProvisionedLimitResponse { limit: answer(&input.limit_definition, value, free) })
    })
}
