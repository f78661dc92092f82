//! The identity-pool API (`cognito-identity`): a second service beside the user pools.
//!
//! [`IdentityPools`] implements the generated [`CognitoIdentity`] trait; each method forwards in
//! one line to the module that owns the operation:
//! - `pools`: the pools, their roles and role mappings, principal tag maps and tags;
//! - `logins`: the `Logins` a client sends, each token checked against its provider (a user
//!   pool of cognate's, an OpenID Connect provider's JWKS, the service's own tokens);
//! - `identities`: GetId, linking and merging, Describe/List/Delete/UnlinkIdentity;
//! - `openid`: the service's RS512 OpenID tokens (GetOpenIdToken, the developer operations);
//! - `credentials`: GetCredentialsForIdentity with Cognito's choice of role, and STS
//!   AssumeRoleWithWebIdentity; every credential recorded with what it stands for.
//!
//! `service` holds [`IdentityPools`] and the lookups every module shares.

mod credentials;
mod identities;
mod logins;
mod openid;
mod pools;
mod service;

pub use credentials::{AssumeRoleRequest, AssumedRole, Issued, StsError};
pub use service::{IdentityPools, NoProviderKeys, ProviderKeys};

use cognate_proto::identity::*;
use cognate_proto::{ApiError, RequestContext};

impl CognitoIdentity for IdentityPools {
    fn create_identity_pool(
        &self,
        ctx: &RequestContext,
        input: CreateIdentityPoolInput,
    ) -> Result<IdentityPool, ApiError> {
        pools::create_identity_pool(self, ctx, input)
    }
    fn delete_identities(
        &self,
        ctx: &RequestContext,
        input: DeleteIdentitiesInput,
    ) -> Result<DeleteIdentitiesResponse, ApiError> {
        identities::delete_identities(self, ctx, input)
    }
    fn delete_identity_pool(&self, ctx: &RequestContext, input: DeleteIdentityPoolInput) -> Result<(), ApiError> {
        pools::delete_identity_pool(self, ctx, input)
    }
    fn describe_identity(
        &self,
        ctx: &RequestContext,
        input: DescribeIdentityInput,
    ) -> Result<IdentityDescription, ApiError> {
        identities::describe_identity(self, ctx, input)
    }
    fn describe_identity_pool(
        &self,
        ctx: &RequestContext,
        input: DescribeIdentityPoolInput,
    ) -> Result<IdentityPool, ApiError> {
        pools::describe_identity_pool(self, ctx, input)
    }
    fn get_credentials_for_identity(
        &self,
        ctx: &RequestContext,
        input: GetCredentialsForIdentityInput,
    ) -> Result<GetCredentialsForIdentityResponse, ApiError> {
        credentials::get_credentials_for_identity(self, ctx, input)
    }
    fn get_id(&self, ctx: &RequestContext, input: GetIdInput) -> Result<GetIdResponse, ApiError> {
        identities::get_id(self, ctx, input)
    }
    fn get_identity_pool_roles(
        &self,
        ctx: &RequestContext,
        input: GetIdentityPoolRolesInput,
    ) -> Result<GetIdentityPoolRolesResponse, ApiError> {
        pools::get_identity_pool_roles(self, ctx, input)
    }
    fn get_open_id_token(
        &self,
        ctx: &RequestContext,
        input: GetOpenIdTokenInput,
    ) -> Result<GetOpenIdTokenResponse, ApiError> {
        openid::get_open_id_token(self, ctx, input)
    }
    fn get_open_id_token_for_developer_identity(
        &self,
        ctx: &RequestContext,
        input: GetOpenIdTokenForDeveloperIdentityInput,
    ) -> Result<GetOpenIdTokenForDeveloperIdentityResponse, ApiError> {
        openid::get_open_id_token_for_developer_identity(self, ctx, input)
    }
    fn get_principal_tag_attribute_map(
        &self,
        ctx: &RequestContext,
        input: GetPrincipalTagAttributeMapInput,
    ) -> Result<GetPrincipalTagAttributeMapResponse, ApiError> {
        pools::get_principal_tag_attribute_map(self, ctx, input)
    }
    fn list_identities(
        &self,
        ctx: &RequestContext,
        input: ListIdentitiesInput,
    ) -> Result<ListIdentitiesResponse, ApiError> {
        identities::list_identities(self, ctx, input)
    }
    fn list_identity_pools(
        &self,
        ctx: &RequestContext,
        input: ListIdentityPoolsInput,
    ) -> Result<ListIdentityPoolsResponse, ApiError> {
        pools::list_identity_pools(self, ctx, input)
    }
    fn list_tags_for_resource(
        &self,
        ctx: &RequestContext,
        input: ListTagsForResourceInput,
    ) -> Result<ListTagsForResourceResponse, ApiError> {
        pools::list_tags_for_resource(self, ctx, input)
    }
    fn lookup_developer_identity(
        &self,
        ctx: &RequestContext,
        input: LookupDeveloperIdentityInput,
    ) -> Result<LookupDeveloperIdentityResponse, ApiError> {
        openid::lookup_developer_identity(self, ctx, input)
    }
    fn merge_developer_identities(
        &self,
        ctx: &RequestContext,
        input: MergeDeveloperIdentitiesInput,
    ) -> Result<MergeDeveloperIdentitiesResponse, ApiError> {
        openid::merge_developer_identities(self, ctx, input)
    }
    fn set_identity_pool_roles(&self, ctx: &RequestContext, input: SetIdentityPoolRolesInput) -> Result<(), ApiError> {
        pools::set_identity_pool_roles(self, ctx, input)
    }
    fn set_principal_tag_attribute_map(
        &self,
        ctx: &RequestContext,
        input: SetPrincipalTagAttributeMapInput,
    ) -> Result<SetPrincipalTagAttributeMapResponse, ApiError> {
        pools::set_principal_tag_attribute_map(self, ctx, input)
    }
    fn tag_resource(&self, ctx: &RequestContext, input: TagResourceInput) -> Result<TagResourceResponse, ApiError> {
        pools::tag_resource(self, ctx, input)
    }
    fn unlink_developer_identity(
        &self,
        ctx: &RequestContext,
        input: UnlinkDeveloperIdentityInput,
    ) -> Result<(), ApiError> {
        openid::unlink_developer_identity(self, ctx, input)
    }
    fn unlink_identity(&self, ctx: &RequestContext, input: UnlinkIdentityInput) -> Result<(), ApiError> {
        identities::unlink_identity(self, ctx, input)
    }
    fn untag_resource(
        &self,
        ctx: &RequestContext,
        input: UntagResourceInput,
    ) -> Result<UntagResourceResponse, ApiError> {
        pools::untag_resource(self, ctx, input)
    }
    fn update_identity_pool(&self, ctx: &RequestContext, input: IdentityPool) -> Result<IdentityPool, ApiError> {
        pools::update_identity_pool(self, ctx, input)
    }
}
