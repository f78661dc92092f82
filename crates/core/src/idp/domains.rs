//! User pool domains: the prefix (`<prefix>.auth.<region>.amazoncognito.com`) or custom domain
//! a pool's managed login pages and OAuth endpoints are served on. A domain belongs to one
//! pool; a pool has at most one of each kind. Cognito's messages are from real responses
//! (docs/fidelity.md, "Domains").

use crate::env::{LOWER_ALNUM, RandomExt};
use crate::idp::lookup::load_pool;
use crate::idp::service::UserPools;
use cognate_proto::ApiError;
use cognate_proto::idp::*;
use std::sync::Arc;

const RESERVED: [&str; 3] = ["aws", "amazon", "cognito"];
const NO_SUCH: &str = "No such domain or user pool exists.";

/// A prefix domain's own check (the model's pattern, which Cognito applies with its own message).
fn check_prefix(domain: &str) -> Result<(), ApiError> {
    let bytes = domain.as_bytes();
    let allowed = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-';
    let edges = |b: Option<&u8>| b.is_some_and(|b| *b != b'-');
    if !(bytes.iter().all(allowed) && edges(bytes.first()) && edges(bytes.last())) {
        return Err(ApiError::invalid_parameter(
            "The domain name contains an invalid character. Domain names can only contain lower-case letters, numbers, and hyphens. Please enter a different name that follows this format: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$",
        ));
    }
    match RESERVED.iter().find(|w| domain.contains(*w)) {
        Some(word) => Err(ApiError::invalid_parameter(format!("Domain cannot contain reserved word: {word}"))),
        None => Ok(()),
    }
}

/// The S3 bucket DescribeUserPoolDomain names for a region's hosted UI assets (AWS's example:
/// `aws-cognito-prod-pdx-assets` in us-west-2), where the region's code is known.
fn assets_bucket(region: &str) -> Option<String> {
    let code = match region {
        "us-east-1" => "iad",
        "us-east-2" => "cmh",
        "us-west-1" => "sfo",
        "us-west-2" => "pdx",
        "eu-west-1" => "dub",
        "eu-west-2" => "lhr",
        "eu-central-1" => "fra",
        "ap-southeast-1" => "sin",
        "ap-southeast-2" => "syd",
        "ap-northeast-1" => "nrt",
        _ => return None,
    };
    Some(format!("aws-cognito-prod-{code}-assets"))
}

pub(crate) fn create_user_pool_domain(
    up: &UserPools,
    input: CreateUserPoolDomainRequest,
) -> Result<CreateUserPoolDomainResponse, ApiError> {
    let custom = input.custom_domain_config.is_some();
    if !custom {
        check_prefix(&input.domain)?;
    }
    let cloud_front = custom.then(|| format!("d{}.cloudfront.net", up.rng.string_from(LOWER_ALNUM, 13)));
    let now = up.now();
    up.tx(|tx| {
        let mut pool = Arc::unwrap_or_clone(load_pool(tx, &input.user_pool_id)?);
        let has = if custom { &pool.custom_domain } else { &pool.domain };
        if has.is_some() {
            return Err(ApiError::invalid_parameter("User pool already has a domain configured."));
        }
        if tx.domain(&input.domain)?.is_some() {
            return Err(ApiError::invalid_parameter("Domain already associated with another user pool."));
        }
        let region = input.user_pool_id.split_once('_').map(|(r, _)| r).unwrap_or("us-east-1");
        let version = input.managed_login_version.unwrap_or(1);
        let description = DomainDescriptionType {
            user_pool_id: Some(input.user_pool_id.clone()),
            aws_account_id: Some(up.settings.account_id.clone()),
            domain: Some(input.domain.clone()),
            s3_bucket: assets_bucket(region),
            cloud_front_distribution: cloud_front.clone(),
            version: Some(version_stamp(now)),
            status: Some(DomainStatusType::Active),
            // AWS shows a prefix domain's as `{}`; the generated type cannot say that (its
            // CertificateArn is required), so it is left out (docs/fidelity.md).
            custom_domain_config: input.custom_domain_config.clone(),
            managed_login_version: Some(version),
            routing: input.routing.clone(),
        };
        tx.put_domain(&description)?;
        match custom {
            true => pool.custom_domain = Some(input.domain.clone()),
            false => pool.domain = Some(input.domain.clone()),
        }
        tx.put_pool(&pool)?;
        Ok(CreateUserPoolDomainResponse {
            managed_login_version: Some(version),
            cloud_front_domain: cloud_front.clone(),
            routing: input.routing.clone(),
        })
    })
}

/// `20190128175402`: the creation time, as DescribeUserPoolDomain's Version reads.
pub(crate) fn version_stamp(now: f64) -> String {
    let secs = now as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since the epoch (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}{month:02}{day:02}{:02}{:02}{:02}", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// An unknown domain is not an error: the description is empty (amplify-cli's end-to-end
/// tests against AWS expect `{"DomainDescription": {}}`).
pub(crate) fn describe_user_pool_domain(
    up: &UserPools,
    input: DescribeUserPoolDomainRequest,
) -> Result<DescribeUserPoolDomainResponse, ApiError> {
    up.tx(|tx| {
        Ok(DescribeUserPoolDomainResponse { domain_description: Some(tx.domain(&input.domain)?.unwrap_or_default()) })
    })
}

pub(crate) fn update_user_pool_domain(
    up: &UserPools,
    input: UpdateUserPoolDomainRequest,
) -> Result<UpdateUserPoolDomainResponse, ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let mut description = tx
            .domain(&input.domain)?
            .filter(|d| d.user_pool_id.as_deref() == Some(input.user_pool_id.as_str()))
            .ok_or_else(|| ApiError::invalid_parameter(NO_SUCH))?;
        let custom = description.cloud_front_distribution.is_some();
        if input.custom_domain_config.is_some() && !custom {
            return Err(ApiError::invalid_parameter(
                "User pool should have a custom domain associated, failed to update the certificate.",
            ));
        }
        if let Some(config) = input.custom_domain_config {
            description.custom_domain_config = Some(config);
        }
        if let Some(version) = input.managed_login_version {
            description.managed_login_version = Some(version);
        }
        if input.routing.is_some() {
            description.routing = input.routing;
        }
        tx.put_domain(&description)?;
        Ok(UpdateUserPoolDomainResponse {
            managed_login_version: description.managed_login_version,
            cloud_front_domain: description.cloud_front_distribution.clone(),
            routing: description.routing.clone(),
        })
    })
}

pub(crate) fn delete_user_pool_domain(
    up: &UserPools,
    input: DeleteUserPoolDomainRequest,
) -> Result<DeleteUserPoolDomainResponse, ApiError> {
    up.tx(|tx| {
        let pool = tx.pool(&input.user_pool_id)?.ok_or_else(|| ApiError::invalid_parameter(NO_SUCH))?;
        tx.domain(&input.domain)?
            .filter(|d| d.user_pool_id.as_deref() == Some(input.user_pool_id.as_str()))
            .ok_or_else(|| ApiError::invalid_parameter(NO_SUCH))?;
        tx.delete_domain(&input.domain)?;
        let mut pool = Arc::unwrap_or_clone(pool);
        if pool.domain.as_deref() == Some(input.domain.as_str()) {
            pool.domain = None;
        }
        if pool.custom_domain.as_deref() == Some(input.domain.as_str()) {
            pool.custom_domain = None;
        }
        tx.put_pool(&pool)?;
        Ok(DeleteUserPoolDomainResponse::default())
    })
}

impl UserPools {
    /// Whether `domain` is a pool's, prefix or custom: how the server tells a `Host` that names
    /// one from cognate's own address.
    pub fn has_domain(&self, domain: &str) -> Result<bool, ApiError> {
        self.tx(|tx| Ok(tx.domain(domain)?.is_some()))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn version_stamps_read_as_utc_date_and_time() {
        assert_eq!(super::version_stamp(1_548_697_842.0), "20190128175042");
        assert_eq!(super::version_stamp(0.0), "19700101000000");
    }
}
