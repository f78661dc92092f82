//! Identity providers: Create/Describe/Update/Delete/ListIdentityProviders and
//! GetIdentityProviderByIdentifier, with the checks Cognito makes of their details and
//! attribute mappings.

use crate::idp::lookup::load_pool;
use crate::idp::service::UserPools;
use crate::store::Tx;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognate_proto::ApiError;
use cognate_proto::idp::*;
use std::collections::BTreeMap;

fn not_found(name: &str) -> ApiError {
    ApiError::resource_not_found(format!("Identity provider {name} does not exist."))
}

/// What ProviderDetails must hold, by provider type (the messages are Cognito's).
fn check_details(
    kind: IdentityProviderTypeType,
    name: &str,
    details: &BTreeMap<String, String>,
) -> Result<(), ApiError> {
    use IdentityProviderTypeType as T;
    let has = |k: &str| details.get(k).is_some_and(|v| !v.is_empty());
    let (keys, message): (&[&str], &str) = match kind {
        T::Oidc => (
            &["client_id", "authorize_scopes", "oidc_issuer", "attributes_request_method"],
            "clientId, authorizeScopes, oidcIssuer and attributesRequestMethod are all required idp details.",
        ),
        T::Google | T::Facebook | T::LoginWithAmazon => (
            &["client_id", "client_secret", "authorize_scopes"],
            "clientId, clientSecret and authorizeScopes are all required idp details.",
        ),
        T::SignInWithApple => (
            &["client_id", "private_key", "team_id", "key_id"],
            "clientId, privateKey, teamId, and keyId are all required idp details.",
        ),
        T::Saml => (&[], ""),
    };
    if !keys.iter().all(|k| has(k)) {
        return Err(ApiError::invalid_parameter(message));
    }
    if kind == T::Saml && !has("MetadataURL") && !has("MetadataFile") {
        return Err(ApiError::invalid_parameter("Either MetadataURL or MetadataFile must be provided."));
    }
    if kind == T::Oidc && !matches!(details.get("attributes_request_method").map(String::as_str), Some("GET" | "POST"))
    {
        return Err(ApiError::invalid_parameter("attributes_request_method must be GET or POST."));
    }
    // Social providers are named after themselves.
    if !matches!(kind, T::Oidc | T::Saml) && name != kind.as_str() {
        return Err(ApiError::invalid_parameter(format!("Provider {name} cannot be of type {}.", kind.as_str())));
    }
    Ok(())
}

/// Every mapped attribute must be one of the pool's (or the username).
fn check_mapping(pool: &UserPoolType, mapping: &BTreeMap<String, String>) -> Result<(), ApiError> {
    let invalid: Vec<&str> = mapping
        .keys()
        .map(String::as_str)
        .filter(|name| *name != "username" && crate::idp::pools::schema_entry(pool, name).is_none())
        .collect();
    if invalid.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid_parameter(format!("AttributeMapping contains invalid mapping: [{}]", invalid.join(", "))))
    }
}

pub(crate) fn provider_by_identifier(
    tx: &mut dyn Tx,
    pool_id: &str,
    identifier: &str,
) -> Result<Option<IdentityProviderType>, ApiError> {
    let mut after: Option<String> = None;
    loop {
        let page = tx.idps(pool_id, after.as_deref(), 60)?;
        if let Some(idp) =
            page.items.iter().find(|p| p.idp_identifiers.iter().flatten().any(|i| i.eq_ignore_ascii_case(identifier)))
        {
            return Ok(Some(idp.clone()));
        }
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(None),
        }
    }
}

pub(crate) fn create_identity_provider(
    up: &UserPools,
    input: CreateIdentityProviderRequest,
) -> Result<CreateIdentityProviderResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        check_details(input.provider_type, &input.provider_name, &input.provider_details)?;
        check_mapping(&pool, input.attribute_mapping.as_ref().unwrap_or(&BTreeMap::new()))?;
        if tx.idp(&input.user_pool_id, &input.provider_name)?.is_some() {
            return Err(ApiError::duplicate_provider(format!(
                "A provider with the name {} already exists in this user pool.",
                input.provider_name
            )));
        }
        let mut mapping = input.attribute_mapping.clone().unwrap_or_default();
        // The subject names the user unless a mapping says otherwise.
        if input.provider_type != IdentityProviderTypeType::Saml {
            mapping.entry("username".into()).or_insert_with(|| "sub".into());
        }
        let mut details = input.provider_details.clone();
        if input.provider_type == IdentityProviderTypeType::Oidc {
            details.insert("attributes_url_add_attributes".into(), "false".into());
        }
        let idp = IdentityProviderType {
            acr_mapping: input.acr_mapping.clone(),
            attribute_mapping: Some(mapping),
            creation_date: Some(now),
            idp_identifiers: input.idp_identifiers.clone(),
            last_modified_date: Some(now),
            provider_details: Some(details),
            provider_name: Some(input.provider_name.clone()),
            provider_type: Some(input.provider_type),
            user_pool_id: Some(input.user_pool_id.clone()),
        };
        tx.put_idp(&idp)?;
        Ok(CreateIdentityProviderResponse { identity_provider: idp })
    })
}

pub(crate) fn describe_identity_provider(
    up: &UserPools,
    input: DescribeIdentityProviderRequest,
) -> Result<DescribeIdentityProviderResponse, ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let idp = tx.idp(&input.user_pool_id, &input.provider_name)?.ok_or_else(|| not_found(&input.provider_name))?;
        Ok(DescribeIdentityProviderResponse { identity_provider: idp })
    })
}

pub(crate) fn update_identity_provider(
    up: &UserPools,
    input: UpdateIdentityProviderRequest,
) -> Result<UpdateIdentityProviderResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let mut idp =
            tx.idp(&input.user_pool_id, &input.provider_name)?.ok_or_else(|| not_found(&input.provider_name))?;
        check_mapping(&pool, input.attribute_mapping.as_ref().unwrap_or(&BTreeMap::new()))?;
        if let Some(details) = &input.provider_details {
            let mut merged = idp.provider_details.clone().unwrap_or_default();
            merged.extend(details.clone());
            check_details(idp.provider_type.unwrap_or_default(), &input.provider_name, &merged)?;
            idp.provider_details = Some(merged);
        }
        if let Some(mapping) = &input.attribute_mapping {
            let mut mapping = mapping.clone();
            if idp.provider_type != Some(IdentityProviderTypeType::Saml) {
                mapping.entry("username".into()).or_insert_with(|| "sub".into());
            }
            idp.attribute_mapping = Some(mapping);
        }
        if input.idp_identifiers.is_some() {
            idp.idp_identifiers = input.idp_identifiers.clone();
        }
        if input.acr_mapping.is_some() {
            idp.acr_mapping = input.acr_mapping.clone();
        }
        idp.last_modified_date = Some(now);
        tx.put_idp(&idp)?;
        Ok(UpdateIdentityProviderResponse { identity_provider: idp })
    })
}

pub(crate) fn delete_identity_provider(up: &UserPools, input: DeleteIdentityProviderRequest) -> Result<(), ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        tx.idp(&input.user_pool_id, &input.provider_name)?.ok_or_else(|| not_found(&input.provider_name))?;
        tx.delete_idp(&input.user_pool_id, &input.provider_name)
    })
}

pub(crate) fn list_identity_providers(
    up: &UserPools,
    input: ListIdentityProvidersRequest,
) -> Result<ListIdentityProvidersResponse, ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let after = crate::idp::lookup::decode_token(input.next_token.as_ref())?;
        let page = tx.idps(&input.user_pool_id, after.as_deref(), crate::idp::lookup::limit(input.max_results, 60))?;
        Ok(ListIdentityProvidersResponse {
            next_token: page.next.map(|n| URL_SAFE_NO_PAD.encode(n)),
            providers: page
                .items
                .into_iter()
                .map(|p| ProviderDescription {
                    creation_date: p.creation_date,
                    last_modified_date: p.last_modified_date,
                    provider_name: p.provider_name,
                    provider_type: p.provider_type,
                })
                .collect(),
        })
    })
}

pub(crate) fn get_identity_provider_by_identifier(
    up: &UserPools,
    input: GetIdentityProviderByIdentifierRequest,
) -> Result<GetIdentityProviderByIdentifierResponse, ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let found = provider_by_identifier(tx, &input.user_pool_id, &input.idp_identifier)?;
        let idp = found.ok_or_else(|| {
            ApiError::resource_not_found(format!(
                "Identity provider with identifier {} does not exist.",
                input.idp_identifier
            ))
        })?;
        Ok(GetIdentityProviderByIdentifierResponse { identity_provider: idp })
    })
}
