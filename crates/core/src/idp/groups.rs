//! Groups and membership.

use crate::idp::lookup::{decode_token, encode_token, limit, load_pool};
use crate::idp::service::UserPools;
use crate::idp::users::user_type;
use crate::store::Tx;
use cognate_proto::ApiError;
use cognate_proto::idp::*;

fn group_not_found() -> ApiError {
    ApiError::resource_not_found("Group not found.")
}

fn load_group(tx: &mut dyn Tx, pool_id: &str, name: &str) -> Result<GroupType, ApiError> {
    tx.group(pool_id, name)?.ok_or_else(group_not_found)
}

pub(crate) fn create_group(up: &UserPools, input: CreateGroupRequest) -> Result<CreateGroupResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        if tx.group(&input.user_pool_id, &input.group_name)?.is_some() {
            return Err(ApiError::group_exists(format!("A group with the name {} already exists.", input.group_name)));
        }
        let group = GroupType {
            group_name: Some(input.group_name),
            user_pool_id: Some(input.user_pool_id),
            description: input.description,
            role_arn: input.role_arn,
            precedence: input.precedence,
            creation_date: Some(now),
            last_modified_date: Some(now),
        };
        tx.put_group(&group)?;
        Ok(CreateGroupResponse { group: Some(group) })
    })
}

pub(crate) fn get_group(up: &UserPools, input: GetGroupRequest) -> Result<GetGroupResponse, ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        Ok(GetGroupResponse { group: Some(load_group(tx, &input.user_pool_id, &input.group_name)?) })
    })
}

/// Changes what the request names and leaves the rest.
pub(crate) fn update_group(up: &UserPools, input: UpdateGroupRequest) -> Result<UpdateGroupResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let mut group = load_group(tx, &input.user_pool_id, &input.group_name)?;
        if input.description.is_some() {
            group.description = input.description;
        }
        if input.role_arn.is_some() {
            group.role_arn = input.role_arn;
        }
        if input.precedence.is_some() {
            group.precedence = input.precedence;
        }
        group.last_modified_date = Some(now);
        tx.put_group(&group)?;
        Ok(UpdateGroupResponse { group: Some(group) })
    })
}

pub(crate) fn delete_group(up: &UserPools, input: DeleteGroupRequest) -> Result<(), ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        load_group(tx, &input.user_pool_id, &input.group_name)?;
        tx.delete_group(&input.user_pool_id, &input.group_name)
    })
}

pub(crate) fn list_groups(up: &UserPools, input: ListGroupsRequest) -> Result<ListGroupsResponse, ApiError> {
    let after = decode_token(input.next_token.as_ref())?;
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let page = tx.groups(&input.user_pool_id, after.as_deref(), limit(input.limit, 60))?;
        Ok(ListGroupsResponse { groups: Some(page.items), next_token: page.next.as_deref().map(encode_token) })
    })
}

pub(crate) fn admin_add_user_to_group(up: &UserPools, input: AdminAddUserToGroupRequest) -> Result<(), ApiError> {
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let user = up.group_member(tx, &pool, &input.username)?;
        load_group(tx, &input.user_pool_id, &input.group_name)?;
        tx.add_member(&input.user_pool_id, &input.group_name, &user.key)
    })
}

pub(crate) fn admin_remove_user_from_group(
    up: &UserPools,
    input: AdminRemoveUserFromGroupRequest,
) -> Result<(), ApiError> {
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let user = up.group_member(tx, &pool, &input.username)?;
        load_group(tx, &input.user_pool_id, &input.group_name)?;
        tx.remove_member(&input.user_pool_id, &input.group_name, &user.key)
    })
}

pub(crate) fn admin_list_groups_for_user(
    up: &UserPools,
    input: AdminListGroupsForUserRequest,
) -> Result<AdminListGroupsForUserResponse, ApiError> {
    let after = decode_token(input.next_token.as_ref())?;
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let user = up.group_member(tx, &pool, &input.username)?;
        let page = tx.groups_of(&input.user_pool_id, &user.key, after.as_deref(), limit(input.limit, 60))?;
        Ok(AdminListGroupsForUserResponse {
            groups: Some(page.items),
            next_token: page.next.as_deref().map(encode_token),
        })
    })
}

pub(crate) fn list_users_in_group(
    up: &UserPools,
    input: ListUsersInGroupRequest,
) -> Result<ListUsersInGroupResponse, ApiError> {
    let after = decode_token(input.next_token.as_ref())?;
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        load_group(tx, &input.user_pool_id, &input.group_name)?;
        let page = tx.members(&input.user_pool_id, &input.group_name, after.as_deref(), limit(input.limit, 60))?;
        Ok(ListUsersInGroupResponse {
            users: Some(page.items.iter().map(|u| user_type(u, None)).collect()),
            next_token: page.next.as_deref().map(encode_token),
        })
    })
}
