//! Resource servers: the APIs a pool issues custom OAuth scopes for (`<Identifier>/<ScopeName>`
//! in an access token's `scope`).

use crate::idp::lookup::{decode_token, encode_token, limit, load_pool};
use crate::idp::service::UserPools;
use crate::store::Tx;
use cognate_proto::ApiError;
use cognate_proto::idp::*;

/// A pool's resource server, or Cognito's error for a missing one.
fn require(tx: &mut dyn Tx, pool_id: &str, identifier: &str) -> Result<ResourceServerType, ApiError> {
    tx.resource_server(pool_id, identifier)?
        .ok_or_else(|| ApiError::resource_not_found(format!("Resource server {identifier} does not exist.")))
}

/// The scopes as stored: each name once.
fn scopes(given: Option<Vec<ResourceServerScopeType>>) -> Result<Vec<ResourceServerScopeType>, ApiError> {
    let scopes = given.unwrap_or_default();
    for (i, scope) in scopes.iter().enumerate() {
        if scopes[..i].iter().any(|s| s.scope_name == scope.scope_name) {
            return Err(ApiError::invalid_parameter(format!(
                "Duplicate scope names are not allowed: {}",
                scope.scope_name
            )));
        }
    }
    Ok(scopes)
}

pub(crate) fn create_resource_server(
    up: &UserPools,
    input: CreateResourceServerRequest,
) -> Result<CreateResourceServerResponse, ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        if tx.resource_server(&input.user_pool_id, &input.identifier)?.is_some() {
            return Err(ApiError::invalid_parameter(format!(
                "{} already exists in user pool {}.",
                input.identifier, input.user_pool_id
            )));
        }
        let server = ResourceServerType {
            user_pool_id: Some(input.user_pool_id.clone()),
            identifier: Some(input.identifier),
            name: Some(input.name),
            scopes: Some(scopes(input.scopes)?),
            ..Default::default()
        };
        tx.put_resource_server(&server)?;
        Ok(CreateResourceServerResponse { resource_server: server })
    })
}

pub(crate) fn describe_resource_server(
    up: &UserPools,
    input: DescribeResourceServerRequest,
) -> Result<DescribeResourceServerResponse, ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        Ok(DescribeResourceServerResponse { resource_server: require(tx, &input.user_pool_id, &input.identifier)? })
    })
}

/// UpdateResourceServer replaces the name and the scopes ("If you don't provide a value for
/// an attribute, it is set to the default value", API reference).
pub(crate) fn update_resource_server(
    up: &UserPools,
    input: UpdateResourceServerRequest,
) -> Result<UpdateResourceServerResponse, ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let mut server = require(tx, &input.user_pool_id, &input.identifier)?;
        server.name = Some(input.name);
        server.scopes = Some(scopes(input.scopes)?);
        tx.put_resource_server(&server)?;
        Ok(UpdateResourceServerResponse { resource_server: server })
    })
}

pub(crate) fn delete_resource_server(up: &UserPools, input: DeleteResourceServerRequest) -> Result<(), ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        require(tx, &input.user_pool_id, &input.identifier)?;
        tx.delete_resource_server(&input.user_pool_id, &input.identifier)
    })
}

pub(crate) fn list_resource_servers(
    up: &UserPools,
    input: ListResourceServersRequest,
) -> Result<ListResourceServersResponse, ApiError> {
    let after = decode_token(input.next_token.as_ref())?;
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let page = tx.resource_servers(&input.user_pool_id, after.as_deref(), limit(input.max_results, 50))?;
        Ok(ListResourceServersResponse {
            next_token: page.next.as_deref().map(encode_token),
            resource_servers: page.items,
        })
    })
}

/// Whether `scope` (`<Identifier>/<ScopeName>`) is one of the pool's resource servers' scopes.
pub(crate) fn scope_exists(tx: &mut dyn Tx, pool_id: &str, scope: &str) -> Result<bool, ApiError> {
    let Some((identifier, name)) = scope.rsplit_once('/') else { return Ok(false) };
    Ok(tx
        .resource_server(pool_id, identifier)?
        .is_some_and(|s| s.scopes.iter().flatten().any(|x| x.scope_name == name)))
}
