//! Threat protection's settings (Set/DescribeRiskConfiguration) and the decision they make at
//! a sign-in that a local emulator can make: the request's address against the always-block
//! and always-allow IP ranges.
//!
//! A configuration is the pool's (no ClientId) or one client's, which then overrides the
//! pool's for that client. A Set with nothing but the ids clears it ("send this request with
//! only the UserPoolId parameter" resets the pool: SetRiskConfiguration, model). Set and
//! Describe are not gated on the add-on (Terraform's acceptance tests set them on plain pools);
//! what the settings do applies only in ENFORCED mode. See docs/research/auth-events-risk.md.

use crate::idp::lookup::{client_not_found, load_pool};
use crate::idp::pool_docs::{self, PoolDoc};
use crate::idp::service::UserPools;
use crate::store::{Owner, Tx};
use cognate_proto::ApiError;
use cognate_proto::idp::*;
use core::net::IpAddr;

impl PoolDoc for RiskConfigurationType {
    const KIND: &'static str = "risk-config";
}

const KEY: &str = "config";

fn owner(client_id: Option<&str>) -> Owner<'_> {
    client_id.map_or(Owner::Pool, Owner::Client)
}

fn check_target(tx: &mut dyn Tx, pool_id: &str, client_id: Option<&str>) -> Result<(), ApiError> {
    load_pool(tx, pool_id)?;
    if let Some(id) = client_id {
        tx.client(id)?.filter(|c| c.user_pool_id.as_deref() == Some(pool_id)).ok_or_else(|| client_not_found(id))?;
    }
    Ok(())
}

/// A CIDR block (`192.0.2.0/24`, `2001:db8::/32`) or a single address.
pub(crate) fn parse_cidr(text: &str) -> Option<(IpAddr, u8)> {
    let (addr, bits) = match text.split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (text, None),
    };
    let addr: IpAddr = addr.parse().ok()?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let bits = match bits {
        Some(b) => b.parse::<u8>().ok().filter(|b| *b <= max)?,
        None => max,
    };
    Some((addr, bits))
}

fn contains((net, bits): (IpAddr, u8), ip: IpAddr) -> bool {
    let (net, ip, width) = match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => (u32::from(n) as u128, u32::from(i) as u128, 32),
        (IpAddr::V6(n), IpAddr::V6(i)) => (u128::from(n), u128::from(i), 128),
        _ => return false,
    };
    if bits == 0 {
        return true;
    }
    let shift = width - bits as u32;
    (net >> shift) == (ip >> shift)
}

fn check_ranges(name: &str, ranges: Option<&Vec<String>>) -> Result<(), ApiError> {
    for range in ranges.into_iter().flatten() {
        if parse_cidr(range).is_none() {
            return Err(ApiError::invalid_parameter(format!("{range} in {name} is not a valid CIDR block.")));
        }
    }
    Ok(())
}

pub(crate) fn set_risk_configuration(
    up: &UserPools,
    input: SetRiskConfigurationRequest,
) -> Result<SetRiskConfigurationResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        let client_id = input.client_id.as_deref();
        check_target(tx, &input.user_pool_id, client_id)?;
        if let Some(e) = &input.risk_exception_configuration {
            check_ranges("BlockedIPRangeList", e.blocked_ip_range_list.as_ref())?;
            check_ranges("SkippedIPRangeList", e.skipped_ip_range_list.as_ref())?;
        }
        let config = RiskConfigurationType {
            user_pool_id: Some(input.user_pool_id.clone()),
            client_id: input.client_id.clone(),
            compromised_credentials_risk_configuration: input.compromised_credentials_risk_configuration.clone(),
            account_takeover_risk_configuration: input.account_takeover_risk_configuration.clone(),
            risk_exception_configuration: input.risk_exception_configuration.clone(),
            last_modified_date: Some(now),
        };
        let empty = config.compromised_credentials_risk_configuration.is_none()
            && config.account_takeover_risk_configuration.is_none()
            && config.risk_exception_configuration.is_none();
        if empty {
            pool_docs::delete::<RiskConfigurationType>(tx, &input.user_pool_id, owner(client_id), KEY)?;
        } else {
            pool_docs::put(tx, &input.user_pool_id, owner(client_id), KEY, &config)?;
        }
        Ok(SetRiskConfigurationResponse { risk_configuration: config })
    })
}

pub(crate) fn describe_risk_configuration(
    up: &UserPools,
    input: DescribeRiskConfigurationRequest,
) -> Result<DescribeRiskConfigurationResponse, ApiError> {
    up.tx(|tx| {
        let client_id = input.client_id.as_deref();
        check_target(tx, &input.user_pool_id, client_id)?;
        let kept = pool_docs::get::<RiskConfigurationType>(tx, &input.user_pool_id, owner(client_id), KEY)?;
        Ok(DescribeRiskConfigurationResponse {
            risk_configuration: kept.unwrap_or(RiskConfigurationType {
                user_pool_id: Some(input.user_pool_id.clone()),
                client_id: input.client_id.clone(),
                ..Default::default()
            }),
        })
    })
}

/// The configuration a client's sign-ins answer to: its own, else the pool's.
pub(crate) fn effective(
    tx: &mut dyn Tx,
    pool_id: &str,
    client_id: &str,
) -> Result<Option<RiskConfigurationType>, ApiError> {
    if let Some(own) = pool_docs::get(tx, pool_id, Owner::Client(client_id), KEY)? {
        return Ok(Some(own));
    }
    pool_docs::get(tx, pool_id, Owner::Pool, KEY)
}

/// What the IP ranges decide for a request from `ip`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IpVerdict {
    /// In an always-allow range: no risk is assessed.
    Skipped,
    /// In an always-block range.
    Blocked,
    Assess,
}

pub(crate) fn ip_verdict(config: Option<&RiskConfigurationType>, ip: Option<&str>) -> IpVerdict {
    let (Some(exceptions), Some(ip)) =
        (config.and_then(|c| c.risk_exception_configuration.as_ref()), ip.and_then(|i| i.parse::<IpAddr>().ok()))
    else {
        return IpVerdict::Assess;
    };
    let within = |list: Option<&Vec<String>>| {
        list.into_iter().flatten().filter_map(|r| parse_cidr(r)).any(|net| contains(net, ip))
    };
    if within(exceptions.skipped_ip_range_list.as_ref()) {
        IpVerdict::Skipped
    } else if within(exceptions.blocked_ip_range_list.as_ref()) {
        IpVerdict::Blocked
    } else {
        IpVerdict::Assess
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_blocks_hold_the_addresses_they_name() {
        let net = |s| parse_cidr(s).unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(contains(net("192.0.2.0/24"), ip("192.0.2.200")));
        assert!(!contains(net("192.0.2.0/24"), ip("192.0.3.1")));
        assert!(contains(net("10.1.2.3"), ip("10.1.2.3")));
        assert!(contains(net("0.0.0.0/0"), ip("8.8.8.8")));
        assert!(contains(net("2001:db8::/32"), ip("2001:db8:1::5")));
        assert!(!contains(net("2001:db8::/32"), ip("192.0.2.1")));
        assert_eq!(parse_cidr("192.0.2.0/33"), None);
        assert_eq!(parse_cidr("not-an-ip/8"), None);
    }
}
