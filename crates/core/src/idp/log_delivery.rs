//! Log delivery: where a pool's message-delivery errors (`userNotification`) and, on the Plus
//! plan, its users' auth events (`userAuthEvents`) go (Get/SetLogDeliveryConfiguration).
//!
//! The rules and refusal texts are those live Cognito answers (measured by floci's
//! integration tests; see docs/research/newest-operations.md §7): a Set replaces the whole
//! list, `[]` clears it, and a refused request leaves the stored list as it was.

use crate::idp::lookup::load_pool;
use crate::idp::pool_docs::{self, PoolDoc};
use crate::idp::service::UserPools;
use crate::store::Owner;
use cognate_proto::ApiError;
use cognate_proto::idp::*;

impl PoolDoc for LogDeliveryConfigurationType {
    const KIND: &'static str = "log-delivery";
}

const KEY: &str = "config";

fn source_name(source: EventSourceName) -> &'static str {
    match source {
        EventSourceName::UserNotification => "userNotification",
        EventSourceName::UserAuthEvents => "userAuthEvents",
    }
}

fn has_destination(c: &LogConfigurationType) -> bool {
    c.cloud_watch_logs_configuration.as_ref().is_some_and(|d| d.log_group_arn.is_some())
        || c.s3_configuration.as_ref().is_some_and(|d| d.bucket_arn.is_some())
        || c.firehose_configuration.as_ref().is_some_and(|d| d.stream_arn.is_some())
}

/// The request's own faults, in the one message Cognito joins them into.
fn check_shape(configs: &[LogConfigurationType]) -> Result<(), ApiError> {
    let mut faults = Vec::new();
    let bare: Vec<&str> = configs.iter().filter(|c| !has_destination(c)).map(|c| source_name(c.event_source)).collect();
    if !bare.is_empty() {
        faults.push(format!("Following event sources in request have no destination: [{}].", bare.join(", ")));
    }
    let mut twice: Vec<&str> = Vec::new();
    for (i, c) in configs.iter().enumerate() {
        let name = source_name(c.event_source);
        if configs[..i].iter().any(|o| o.event_source == c.event_source) && !twice.contains(&name) {
            twice.push(name);
        }
    }
    if !twice.is_empty() {
        // "more then" is Cognito's own spelling.
        faults.push(format!("Following event sources appear more then once in a request: [{}].", twice.join(", ")));
    }
    if faults.is_empty() {
        return Ok(());
    }
    Err(ApiError::invalid_parameter(format!("Request validation Failed. {}", faults.join(" "))))
}

/// What each source may take: message errors at ERROR into CloudWatch Logs; auth events at
/// INFO, anywhere, on the Plus plan; S3 and Firehose only on Plus.
fn check_rules(pool: &UserPoolType, c: &LogConfigurationType) -> Result<(), ApiError> {
    let plus = pool.user_pool_tier == Some(UserPoolTierType::Plus);
    let elsewhere = c.s3_configuration.is_some() || c.firehose_configuration.is_some();
    match c.event_source {
        EventSourceName::UserNotification => {
            if c.log_level != LogLevel::Error || elsewhere {
                return Err(ApiError::invalid_parameter(
                    "userNotification logs can only be delivered at log level ERROR to a CloudWatch Logs log group.",
                ));
            }
        }
        EventSourceName::UserAuthEvents => {
            if !plus {
                return Err(ApiError::feature_unavailable_in_tier(
                    "userAuthEvents log delivery requires the user pool to be in the PLUS tier.",
                ));
            }
            if c.log_level != LogLevel::Info {
                return Err(ApiError::invalid_parameter(
                    "userAuthEvents logs can only be delivered at log level INFO.",
                ));
            }
        }
    }
    if elsewhere && !plus {
        return Err(ApiError::feature_unavailable_in_tier(
            "Log delivery to Amazon S3 or Amazon Data Firehose requires the user pool to be in the PLUS tier.",
        ));
    }
    Ok(())
}

pub(crate) fn set_log_delivery_configuration(
    up: &UserPools,
    input: SetLogDeliveryConfigurationRequest,
) -> Result<SetLogDeliveryConfigurationResponse, ApiError> {
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        check_shape(&input.log_configurations)?;
        for c in &input.log_configurations {
            check_rules(&pool, c)?;
        }
        let config = LogDeliveryConfigurationType {
            user_pool_id: input.user_pool_id.clone(),
            log_configurations: input.log_configurations.clone(),
        };
        pool_docs::put(tx, &input.user_pool_id, Owner::Pool, KEY, &config)?;
        Ok(SetLogDeliveryConfigurationResponse { log_delivery_configuration: Some(config) })
    })
}

pub(crate) fn get_log_delivery_configuration(
    up: &UserPools,
    input: GetLogDeliveryConfigurationRequest,
) -> Result<GetLogDeliveryConfigurationResponse, ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let config =
            pool_docs::get(tx, &input.user_pool_id, Owner::Pool, KEY)?.unwrap_or(LogDeliveryConfigurationType {
                user_pool_id: input.user_pool_id.clone(),
                log_configurations: Vec::new(),
            });
        Ok(GetLogDeliveryConfigurationResponse { log_delivery_configuration: Some(config) })
    })
}
