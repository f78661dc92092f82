//! Groups and membership.

use super::users::user_type;
use super::{UserPools, decode_token, encode_token, limit, load_pool};
use crate::store::Tx;
use cognate_proto::ApiError;
use cognate_proto::idp::*;

fn group_not_found() -> ApiError {
    ApiError::resource_not_found("Group not found.")
}

fn load_group(tx: &mut dyn Tx, pool_id: &str, name: &str) -> Result<GroupType, ApiError> {
    tx.group(pool_id, name)?.ok_or_else(group_not_found)
}

impl UserPools {
    pub(super) fn create_group_(&self, input: CreateGroupRequest) -> Result<CreateGroupResponse, ApiError> {
        let now = self.now();
        self.tx(|tx| {
            load_pool(tx, &input.user_pool_id)?;
            if tx.group(&input.user_pool_id, &input.group_name)?.is_some() {
                return Err(ApiError::group_exists(format!(
                    "A group with the name {} already exists.",
                    input.group_name
                )));
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

    pub(super) fn get_group_(&self, input: GetGroupRequest) -> Result<GetGroupResponse, ApiError> {
        self.tx(|tx| {
            load_pool(tx, &input.user_pool_id)?;
            Ok(GetGroupResponse { group: Some(load_group(tx, &input.user_pool_id, &input.group_name)?) })
        })
    }

    /// Changes what the request names and leaves the rest.
    pub(super) fn update_group_(&self, input: UpdateGroupRequest) -> Result<UpdateGroupResponse, ApiError> {
        let now = self.now();
        self.tx(|tx| {
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

    pub(super) fn delete_group_(&self, input: DeleteGroupRequest) -> Result<(), ApiError> {
        self.tx(|tx| {
            load_pool(tx, &input.user_pool_id)?;
            load_group(tx, &input.user_pool_id, &input.group_name)?;
            tx.delete_group(&input.user_pool_id, &input.group_name)
        })
    }

    pub(super) fn list_groups_(&self, input: ListGroupsRequest) -> Result<ListGroupsResponse, ApiError> {
        let after = decode_token(input.next_token.as_ref())?;
        self.tx(|tx| {
            load_pool(tx, &input.user_pool_id)?;
            let page = tx.groups(&input.user_pool_id, after.as_deref(), limit(input.limit, 60))?;
            Ok(ListGroupsResponse { groups: Some(page.items), next_token: page.next.as_deref().map(encode_token) })
        })
    }

    pub(super) fn add_to_group(&self, input: AdminAddUserToGroupRequest) -> Result<(), ApiError> {
        self.tx(|tx| {
            let pool = load_pool(tx, &input.user_pool_id)?;
            let user = self.group_member(tx, &pool, &input.username)?;
            load_group(tx, &input.user_pool_id, &input.group_name)?;
            tx.add_member(&input.user_pool_id, &input.group_name, &user.key)
        })
    }

    pub(super) fn remove_from_group(&self, input: AdminRemoveUserFromGroupRequest) -> Result<(), ApiError> {
        self.tx(|tx| {
            let pool = load_pool(tx, &input.user_pool_id)?;
            let user = self.group_member(tx, &pool, &input.username)?;
            load_group(tx, &input.user_pool_id, &input.group_name)?;
            tx.remove_member(&input.user_pool_id, &input.group_name, &user.key)
        })
    }

    pub(super) fn groups_for_user(
        &self,
        input: AdminListGroupsForUserRequest,
    ) -> Result<AdminListGroupsForUserResponse, ApiError> {
        let after = decode_token(input.next_token.as_ref())?;
        self.tx(|tx| {
            let pool = load_pool(tx, &input.user_pool_id)?;
            let user = self.group_member(tx, &pool, &input.username)?;
            let page = tx.groups_of(&input.user_pool_id, &user.key, after.as_deref(), limit(input.limit, 60))?;
            Ok(AdminListGroupsForUserResponse {
                groups: Some(page.items),
                next_token: page.next.as_deref().map(encode_token),
            })
        })
    }

    pub(super) fn users_in_group(&self, input: ListUsersInGroupRequest) -> Result<ListUsersInGroupResponse, ApiError> {
        let after = decode_token(input.next_token.as_ref())?;
        self.tx(|tx| {
            load_pool(tx, &input.user_pool_id)?;
            load_group(tx, &input.user_pool_id, &input.group_name)?;
            let page = tx.members(&input.user_pool_id, &input.group_name, after.as_deref(), limit(input.limit, 60))?;
            Ok(ListUsersInGroupResponse {
                users: Some(page.items.iter().map(|u| user_type(u, None)).collect()),
                next_token: page.next.as_deref().map(encode_token),
            })
        })
    }
}
