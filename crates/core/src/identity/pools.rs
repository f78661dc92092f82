//! Identity pools themselves: their description, roles and role mappings, principal tag
//! maps and tags.

use super::service::{IdentityPools, load_pool};
use crate::idp::{decode_token, encode_token};
use crate::store::{CognitoProviderRecord, IdentityPoolRecord, PrincipalTagsRecord, RoleMappingRecord, RuleRecord};
use cognate_proto::identity::*;
use cognate_proto::{ApiError, RequestContext};
use std::collections::BTreeMap;

pub(crate) fn create_identity_pool(
    ip: &IdentityPools,
    ctx: &RequestContext,
    input: CreateIdentityPoolInput,
) -> Result<IdentityPool, ApiError> {
    let id = format!("{}:{}", ip.region(ctx), ip.uuid());
    let record = new_pool(id, input);
    check_description(&record)?;
    ip.tx(|tx| tx.put_identity_pool(&record))?;
    Ok(describe(&record))
}

impl IdentityPools {
    /// A seed file's identity pool, under the id it gives: made unless it exists. Answers
    /// whether it was made.
    pub fn seed_identity_pool(&self, id: &str, input: CreateIdentityPoolInput) -> Result<bool, ApiError> {
        let record = new_pool(id.to_string(), input);
        check_description(&record)?;
        self.tx(|tx| {
            if tx.identity_pool(id)?.is_some() {
                return Ok(false);
            }
            tx.put_identity_pool(&record)?;
            Ok(true)
        })
    }
}

fn new_pool(id: String, input: CreateIdentityPoolInput) -> IdentityPoolRecord {
    IdentityPoolRecord {
        id,
        name: input.identity_pool_name,
        allow_unauthenticated: input.allow_unauthenticated_identities,
        allow_classic_flow: input.allow_classic_flow,
        supported_login_providers: input.supported_login_providers,
        developer_provider_name: input.developer_provider_name,
        open_id_connect_provider_arns: input.open_id_connect_provider_arns,
        cognito_identity_providers: input.cognito_identity_providers.map(providers_in),
        saml_provider_arns: input.saml_provider_arns,
        tags: input.identity_pool_tags,
        ..Default::default()
    }
}

pub(crate) fn describe_identity_pool(
    ip: &IdentityPools,
    _: &RequestContext,
    input: DescribeIdentityPoolInput,
) -> Result<IdentityPool, ApiError> {
    ip.tx(|tx| load_pool(tx, &input.identity_pool_id)).map(|p| describe(&p))
}

/// UpdateIdentityPool replaces the whole description (what is left out is unset), except the
/// developer provider's name, which once set stays, and the tags, kept unless sent.
pub(crate) fn update_identity_pool(
    ip: &IdentityPools,
    _: &RequestContext,
    input: IdentityPool,
) -> Result<IdentityPool, ApiError> {
    ip.tx(|tx| {
        let old = load_pool(tx, &input.identity_pool_id)?;
        if let (Some(was), Some(now)) = (&old.developer_provider_name, &input.developer_provider_name)
            && was != now
        {
            return Err(ApiError::invalid_parameter("Cannot change developer provider name once it is set."));
        }
        let record = IdentityPoolRecord {
            name: input.identity_pool_name,
            allow_unauthenticated: input.allow_unauthenticated_identities,
            allow_classic_flow: input.allow_classic_flow,
            supported_login_providers: input.supported_login_providers,
            developer_provider_name: input.developer_provider_name.or(old.developer_provider_name.clone()),
            open_id_connect_provider_arns: input.open_id_connect_provider_arns,
            cognito_identity_providers: input.cognito_identity_providers.map(providers_in),
            saml_provider_arns: input.saml_provider_arns,
            tags: input.identity_pool_tags.or(old.tags.clone()),
            ..old
        };
        check_description(&record)?;
        tx.put_identity_pool(&record)?;
        Ok(describe(&record))
    })
}

pub(crate) fn delete_identity_pool(
    ip: &IdentityPools,
    _: &RequestContext,
    input: DeleteIdentityPoolInput,
) -> Result<(), ApiError> {
    ip.tx(|tx| {
        load_pool(tx, &input.identity_pool_id)?;
        tx.delete_identity_pool(&input.identity_pool_id)
    })
}

pub(crate) fn list_identity_pools(
    ip: &IdentityPools,
    _: &RequestContext,
    input: ListIdentityPoolsInput,
) -> Result<ListIdentityPoolsResponse, ApiError> {
    let after = decode_token(input.next_token.as_ref()).map_err(|_| invalid_token())?;
    let page = ip.tx(|tx| tx.identity_pools(after.as_deref(), input.max_results.max(1) as usize))?;
    Ok(ListIdentityPoolsResponse {
        identity_pools: Some(
            page.items
                .into_iter()
                .map(|p| IdentityPoolShortDescription {
                    identity_pool_id: Some(p.id),
                    identity_pool_name: Some(p.name),
                })
                .collect(),
        ),
        next_token: page.next.as_deref().map(encode_token),
    })
}

pub(crate) fn invalid_token() -> ApiError {
    ApiError::invalid_parameter("The provided pagination token is not valid.")
}

/// What DescribeIdentityPool shows: what was set, nothing more.
fn describe(p: &IdentityPoolRecord) -> IdentityPool {
    IdentityPool {
        identity_pool_id: p.id.clone(),
        identity_pool_name: p.name.clone(),
        allow_unauthenticated_identities: p.allow_unauthenticated,
        allow_classic_flow: p.allow_classic_flow,
        supported_login_providers: p.supported_login_providers.clone(),
        developer_provider_name: p.developer_provider_name.clone(),
        open_id_connect_provider_arns: p.open_id_connect_provider_arns.clone(),
        cognito_identity_providers: p.cognito_identity_providers.as_ref().map(|ps| {
            ps.iter()
                .map(|c| CognitoIdentityProvider {
                    provider_name: c.provider_name.clone(),
                    client_id: c.client_id.clone(),
                    server_side_token_check: c.server_side_token_check,
                })
                .collect()
        }),
        saml_provider_arns: p.saml_provider_arns.clone(),
        identity_pool_tags: p.tags.clone(),
    }
}

fn providers_in(ps: Vec<CognitoIdentityProvider>) -> Vec<CognitoProviderRecord> {
    ps.into_iter()
        .map(|c| CognitoProviderRecord {
            provider_name: c.provider_name,
            client_id: c.client_id,
            server_side_token_check: c.server_side_token_check,
        })
        .collect()
}

/// What the service checks of a description beyond the model's constraints.
fn check_description(p: &IdentityPoolRecord) -> Result<(), ApiError> {
    for arn in p.open_id_connect_provider_arns.iter().flatten() {
        if !arn.starts_with("arn:aws:iam::") || !arn.contains(":oidc-provider/") {
            return Err(ApiError::invalid_parameter(format!("Invalid OpenIdConnectProviderARN: {arn}")));
        }
    }
    for arn in p.saml_provider_arns.iter().flatten() {
        if !arn.starts_with("arn:aws:iam::") || !arn.contains(":saml-provider/") {
            return Err(ApiError::invalid_parameter(format!("Invalid SamlProviderARN: {arn}")));
        }
    }
    for c in p.cognito_identity_providers.iter().flatten() {
        let name = c.provider_name.as_deref().unwrap_or_default();
        if !name.contains('/') || name.ends_with('/') {
            return Err(ApiError::invalid_parameter("Invalid Cognito Identity Provider"));
        }
    }
    if let Some(name) = &p.developer_provider_name
        && p.supported_login_providers.as_ref().is_some_and(|s| s.contains_key(name))
    {
        return Err(ApiError::invalid_parameter(
            "DeveloperProviderName cannot be the same as a supported login provider.",
        ));
    }
    Ok(())
}

pub(crate) fn set_identity_pool_roles(
    ip: &IdentityPools,
    _: &RequestContext,
    input: SetIdentityPoolRolesInput,
) -> Result<(), ApiError> {
    for (kind, arn) in &input.roles {
        if kind != "authenticated" && kind != "unauthenticated" {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid role type: {kind}. Valid values are authenticated and unauthenticated."
            )));
        }
        check_role_arn(arn)?;
    }
    let mut mappings = BTreeMap::new();
    for (provider, m) in input.role_mappings.unwrap_or_default() {
        mappings.insert(provider, mapping_in(m)?);
    }
    ip.tx(|tx| {
        let mut pool = load_pool(tx, &input.identity_pool_id)?;
        if let Some(key) = mappings.keys().find(|k| !is_mapping_key(&pool, k)) {
            return Err(ApiError::invalid_parameter(format!(
                "({key}) is not a valid RoleMapping ProviderName or is not a configured provider."
            )));
        }
        pool.roles = input.roles;
        pool.role_mappings = mappings;
        tx.put_identity_pool(&pool)
    })
}

pub(crate) fn get_identity_pool_roles(
    ip: &IdentityPools,
    _: &RequestContext,
    input: GetIdentityPoolRolesInput,
) -> Result<GetIdentityPoolRolesResponse, ApiError> {
    let pool = ip.tx(|tx| load_pool(tx, &input.identity_pool_id))?;
    Ok(GetIdentityPoolRolesResponse {
        identity_pool_id: Some(pool.id),
        roles: Some(pool.roles),
        role_mappings: (!pool.role_mappings.is_empty())
            .then(|| pool.role_mappings.iter().map(|(k, m)| (k.clone(), mapping_out(m))).collect()),
    })
}

/// A role cognate could pass: an IAM role's ARN. AWS answers anything else (a role's bare
/// name, one the caller may not pass) with this (aws/aws-sdk-js#908).
fn check_role_arn(arn: &str) -> Result<(), ApiError> {
    let ok = arn.starts_with("arn:aws:iam::") && arn.split(':').nth(5).is_some_and(|r| r.starts_with("role/"));
    if ok { Ok(()) } else { Err(ApiError::not_authorized(format!("Access to Role '{arn}' is forbidden."))) }
}

/// A RoleMappings key: a user pool provider with its client (`<provider>:<client id>`), or
/// another provider of the pool by name (aws-cdk#22951).
fn is_mapping_key(pool: &IdentityPoolRecord, key: &str) -> bool {
    let cognito = pool
        .cognito_identity_providers
        .iter()
        .flatten()
        .any(|c| matches!((&c.provider_name, &c.client_id), (Some(p), Some(id)) if key == format!("{p}:{id}")));
    let social = pool.supported_login_providers.as_ref().is_some_and(|s| s.contains_key(key));
    let oidc = pool
        .open_id_connect_provider_arns
        .iter()
        .flatten()
        .any(|arn| arn.split_once(":oidc-provider/").is_some_and(|(_, host)| host == key));
    let saml = pool.saml_provider_arns.iter().flatten().any(|arn| arn == key);
    cognito || social || oidc || saml
}

fn mapping_in(m: RoleMapping) -> Result<RoleMappingRecord, ApiError> {
    let rules = match (&m.r#type, m.rules_configuration) {
        (RoleMappingType::Rules, None) => {
            return Err(ApiError::invalid_parameter("RulesConfiguration is required for Rules type role mapping."));
        }
        (RoleMappingType::Rules, Some(c)) => {
            if c.rules.is_empty() || c.rules.len() > 25 {
                return Err(ApiError::invalid_parameter("A RulesConfiguration must have between 1 and 25 rules."));
            }
            let mut rules = Vec::with_capacity(c.rules.len());
            for r in c.rules {
                check_role_arn(&r.role_arn)?;
                rules.push(RuleRecord {
                    claim: r.claim,
                    match_type: r.match_type.as_str().into(),
                    value: r.value,
                    role_arn: r.role_arn,
                });
            }
            Some(rules)
        }
        (RoleMappingType::Token, _) => None,
    };
    let Some(ambiguous) = m.ambiguous_role_resolution else {
        return Err(ApiError::invalid_parameter("AmbiguousRoleResolution must be specified for role mappings."));
    };
    Ok(RoleMappingRecord {
        kind: m.r#type.as_str().into(),
        ambiguous_role_resolution: Some(ambiguous.as_str().into()),
        rules,
    })
}

fn mapping_out(m: &RoleMappingRecord) -> RoleMapping {
    let as_json = |s: &str| serde_json::Value::String(s.into());
    RoleMapping {
        r#type: serde_json::from_value(as_json(&m.kind)).unwrap_or_default(),
        ambiguous_role_resolution: m
            .ambiguous_role_resolution
            .as_deref()
            .and_then(|a| serde_json::from_value(as_json(a)).ok()),
        rules_configuration: m.rules.as_ref().map(|rules| RulesConfigurationType {
            rules: rules
                .iter()
                .map(|r| MappingRule {
                    claim: r.claim.clone(),
                    match_type: serde_json::from_value(as_json(&r.match_type)).unwrap_or_default(),
                    value: r.value.clone(),
                    role_arn: r.role_arn.clone(),
                })
                .collect(),
        }),
    }
}

/// The tags a provider's logins become when UseDefaults is set: who the user is, and which
/// app they signed in to (the DG's "Using attributes for access control" defaults).
pub(crate) fn default_principal_tags() -> BTreeMap<String, String> {
    BTreeMap::from([("username".into(), "sub".into()), ("client".into(), "aud".into())])
}

pub(crate) fn set_principal_tag_attribute_map(
    ip: &IdentityPools,
    _: &RequestContext,
    input: SetPrincipalTagAttributeMapInput,
) -> Result<SetPrincipalTagAttributeMapResponse, ApiError> {
    let record = PrincipalTagsRecord {
        use_defaults: input.use_defaults.unwrap_or(false),
        tags: input.principal_tags.unwrap_or_default(),
    };
    ip.tx(|tx| {
        let mut pool = load_pool(tx, &input.identity_pool_id)?;
        pool.principal_tags.insert(input.identity_provider_name.clone(), record.clone());
        tx.put_identity_pool(&pool)
    })?;
    Ok(SetPrincipalTagAttributeMapResponse {
        identity_pool_id: Some(input.identity_pool_id),
        identity_provider_name: Some(input.identity_provider_name),
        use_defaults: Some(record.use_defaults),
        principal_tags: Some(record.tags),
    })
}

pub(crate) fn get_principal_tag_attribute_map(
    ip: &IdentityPools,
    _: &RequestContext,
    input: GetPrincipalTagAttributeMapInput,
) -> Result<GetPrincipalTagAttributeMapResponse, ApiError> {
    let pool = ip.tx(|tx| load_pool(tx, &input.identity_pool_id))?;
    let found = pool.principal_tags.get(&input.identity_provider_name).cloned().unwrap_or_default();
    Ok(GetPrincipalTagAttributeMapResponse {
        identity_pool_id: Some(pool.id),
        identity_provider_name: Some(input.identity_provider_name),
        use_defaults: Some(found.use_defaults),
        principal_tags: Some(found.tags),
    })
}

/// The identity pool an ARN names (`arn:aws:cognito-identity:<region>:<account>:identitypool/<id>`).
fn pool_of_arn(ip: &IdentityPools, arn: &str) -> Result<String, ApiError> {
    let id = arn.strip_prefix("arn:aws:cognito-identity:").and_then(|rest| rest.split_once(":identitypool/"));
    match id {
        Some((_, id)) if ip.pool_arn(id) == arn => Ok(id.to_string()),
        _ => Err(ApiError::invalid_parameter(format!("Invalid ARN: {arn}"))),
    }
}

pub(crate) fn tag_resource(
    ip: &IdentityPools,
    _: &RequestContext,
    input: TagResourceInput,
) -> Result<TagResourceResponse, ApiError> {
    let id = pool_of_arn(ip, &input.resource_arn)?;
    ip.tx(|tx| {
        let mut pool = load_pool(tx, &id)?;
        let tags = pool.tags.get_or_insert_with(BTreeMap::new);
        tags.extend(input.tags);
        if tags.len() > 50 {
            return Err(ApiError::limit_exceeded("The number of tags exceeds the limit of 50."));
        }
        tx.put_identity_pool(&pool)
    })?;
    Ok(TagResourceResponse {})
}

pub(crate) fn untag_resource(
    ip: &IdentityPools,
    _: &RequestContext,
    input: UntagResourceInput,
) -> Result<UntagResourceResponse, ApiError> {
    let id = pool_of_arn(ip, &input.resource_arn)?;
    ip.tx(|tx| {
        let mut pool = load_pool(tx, &id)?;
        if let Some(tags) = pool.tags.as_mut() {
            for key in &input.tag_keys {
                tags.remove(key);
            }
        }
        tx.put_identity_pool(&pool)
    })?;
    Ok(UntagResourceResponse {})
}

pub(crate) fn list_tags_for_resource(
    ip: &IdentityPools,
    _: &RequestContext,
    input: ListTagsForResourceInput,
) -> Result<ListTagsForResourceResponse, ApiError> {
    let id = pool_of_arn(ip, &input.resource_arn)?;
    let pool = ip.tx(|tx| load_pool(tx, &id))?;
    Ok(ListTagsForResourceResponse { tags: Some(pool.tags.unwrap_or_default()) })
}
