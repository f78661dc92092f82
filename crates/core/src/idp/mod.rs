//! The user-pool API (`cognito-idp`).
//!
//! [`UserPools`] implements the generated [`CognitoIdentityProvider`] trait. Every method
//! runs as one store transaction; the submodules hold the behaviour by resource.

mod attributes;
mod auth;
mod clients;
mod custom_auth;
mod devices;
mod federation;
pub use federation::{AuthorizeRequest, HostedAnswer, OAuthError, basic_credentials, form_encode};
mod filter;
mod groups;
mod issue;
mod messages;
mod pools;
mod selfservice;
mod tags;
mod users;

pub use auth::secret_hash;
pub use issue::IssuerStyle;
pub use messages::mask_email;
pub use pools::standard_schema;

use crate::env::{Clock, KeySource, Random};
use crate::store::{Store, Tx, UserRecord};
use crate::tokens::KeyCache;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognate_proto::idp::*;
use cognate_proto::{ApiError, RequestContext};
use std::sync::Arc;

/// Settings that are cognate's, not a pool's.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The region of requests that name none (unsigned, and no pool id to read it from).
    pub default_region: String,
    /// The account id in ARNs.
    pub account_id: String,
    /// Which issuer tokens carry.
    pub issuer: IssuerStyle,
}

impl Default for Settings {
    fn default() -> Self {
        Self { default_region: "us-east-1".into(), account_id: "000000000000".into(), issuer: IssuerStyle::Local }
    }
}

/// Cognito user pools over a store, a clock and a random source.
pub struct UserPools {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn Random>,
    keys: Arc<dyn KeySource>,
    key_cache: KeyCache,
    settings: Settings,
    /// Credentials verified in this process (see `auth::password_ok`), and their HMAC key.
    verified: std::sync::Mutex<std::collections::HashSet<[u8; 32]>>,
    verified_key: [u8; 32],
    lambda: Arc<dyn crate::triggers::Lambda>,
}

impl UserPools {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        rng: Arc<dyn Random>,
        keys: Arc<dyn KeySource>,
        settings: Settings,
    ) -> Self {
        let mut verified_key = [0u8; 32];
        rng.fill(&mut verified_key);
        Self {
            store,
            clock,
            rng,
            keys,
            key_cache: KeyCache::default(),
            settings,
            verified: Default::default(),
            verified_key,
            lambda: Arc::new(crate::triggers::NoLambda),
        }
    }

    /// Runs the pool's Lambda triggers with `lambda` (by default there is none to run).
    pub fn with_lambda(mut self, lambda: Arc<dyn crate::triggers::Lambda>) -> Self {
        self.lambda = lambda;
        self
    }

    /// Invokes a pool's trigger, if it has one, outside any transaction; the handler's answer,
    /// or Cognito's error for its failure.
    fn run_trigger(
        &self,
        arn: Option<&String>,
        trigger: &str,
        event: serde_json::Value,
    ) -> Result<Option<serde_json::Value>, ApiError> {
        let Some(arn) = arn else { return Ok(None) };
        let answer = self.lambda.invoke(arn, &event).map_err(|f| crate::triggers::failure_error(trigger, f))?;
        crate::triggers::response_of(&answer).map_err(|f| crate::triggers::failure_error(trigger, f))?;
        Ok(Some(answer))
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    fn now(&self) -> f64 {
        self.clock.now_seconds()
    }

    /// One transaction, then (once it has committed) the messages it sent through a
    /// CustomMessage trigger.
    fn tx<R>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<R, ApiError>) -> Result<R, ApiError> {
        match self.store.tx(f) {
            Ok(r) => {
                self.send_waiting()?;
                Ok(r)
            }
            Err(e) => {
                self.drop_waiting();
                Err(e)
            }
        }
    }

    fn region(&self, ctx: &RequestContext) -> String {
        ctx.region.clone().unwrap_or_else(|| self.settings.default_region.clone())
    }
}

/// The pool, or Cognito's error for a missing one.
fn load_pool(tx: &mut dyn Tx, pool_id: &str) -> Result<Arc<UserPoolType>, ApiError> {
    tx.pool(pool_id)?.ok_or_else(|| ApiError::resource_not_found(format!("User pool {pool_id} does not exist.")))
}

/// The part of a pool id after `_`, which SRP calls the pool name.
pub fn pool_name_of(pool_id: &str) -> &str {
    pool_id.split_once('_').map(|(_, n)| n).unwrap_or(pool_id)
}

/// Finds a user the way the admin operations do: by username, else by an alias the pool signs
/// in with, else by `sub`.
fn find_user(tx: &mut dyn Tx, pool: &UserPoolType, username: &str) -> Result<Option<UserRecord>, ApiError> {
    let pool_id = pool.id.as_deref().unwrap_or_default();
    if let Some(user) = tx.user(pool_id, &user_key(pool, username))? {
        return Ok(Some(user));
    }
    for alias in alias_attributes(pool) {
        let matches = tx.users_with(pool_id, alias, &username.to_lowercase())?;
        let verified = |u: &UserRecord| match alias {
            "email" => u.attribute("email_verified") == Some("true"),
            "phone_number" => u.attribute("phone_number_verified") == Some("true"),
            _ => true,
        };
        // With email or phone as username, the attribute identifies the user whether or not it
        // is verified; as an alias, only a verified value does.
        let as_username = pool.username_attributes.as_ref().is_some_and(|u| u.iter().any(|a| a.as_str() == alias));
        if let Some(user) = matches.into_iter().find(|u| as_username || verified(u)) {
            return Ok(Some(user));
        }
    }
    Ok(tx.users_with(pool_id, "sub", &username.to_lowercase())?.into_iter().next())
}

fn require_user(tx: &mut dyn Tx, pool: &UserPoolType, username: &str) -> Result<UserRecord, ApiError> {
    find_user(tx, pool, username)?.ok_or_else(|| ApiError::user_not_found("User does not exist."))
}

/// The attributes a user can sign in with besides the username.
fn alias_attributes(pool: &UserPoolType) -> Vec<&'static str> {
    let mut out = Vec::new();
    for a in pool.username_attributes.iter().flatten() {
        out.push(a.as_str());
    }
    for a in pool.alias_attributes.iter().flatten() {
        out.push(a.as_str());
    }
    out
}

/// Usernames are case-sensitive unless the pool says otherwise (UsernameConfiguration's
/// documented default is `true`).
fn case_sensitive(pool: &UserPoolType) -> bool {
    pool.username_configuration.as_ref().map(|c| c.case_sensitive).unwrap_or(true)
}

fn user_key(pool: &UserPoolType, username: &str) -> String {
    if case_sensitive(pool) { username.to_string() } else { username.to_lowercase() }
}

fn encode_token(position: &str) -> String {
    URL_SAFE_NO_PAD.encode(position)
}

fn decode_token(token: Option<&String>) -> Result<Option<String>, ApiError> {
    match token {
        None => Ok(None),
        Some(t) => URL_SAFE_NO_PAD
            .decode(t)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .map(Some)
            .ok_or_else(|| ApiError::invalid_parameter("Invalid pagination token.")),
    }
}

fn limit(requested: Option<i32>, default: usize) -> usize {
    match requested {
        Some(n) if n > 0 => n as usize,
        _ => default,
    }
}

impl CognitoIdentityProvider for UserPools {
    fn create_identity_provider(
        &self,
        _: &RequestContext,
        input: CreateIdentityProviderRequest,
    ) -> Result<CreateIdentityProviderResponse, ApiError> {
        self.create_idp(input)
    }
    fn describe_identity_provider(
        &self,
        _: &RequestContext,
        input: DescribeIdentityProviderRequest,
    ) -> Result<DescribeIdentityProviderResponse, ApiError> {
        self.describe_idp(input)
    }
    fn update_identity_provider(
        &self,
        _: &RequestContext,
        input: UpdateIdentityProviderRequest,
    ) -> Result<UpdateIdentityProviderResponse, ApiError> {
        self.update_idp(input)
    }
    fn delete_identity_provider(
        &self,
        _: &RequestContext,
        input: DeleteIdentityProviderRequest,
    ) -> Result<(), ApiError> {
        self.delete_idp(input)
    }
    fn list_identity_providers(
        &self,
        _: &RequestContext,
        input: ListIdentityProvidersRequest,
    ) -> Result<ListIdentityProvidersResponse, ApiError> {
        self.list_idps(input)
    }
    fn get_identity_provider_by_identifier(
        &self,
        _: &RequestContext,
        input: GetIdentityProviderByIdentifierRequest,
    ) -> Result<GetIdentityProviderByIdentifierResponse, ApiError> {
        self.idp_by_identifier(input)
    }

    fn create_user_pool(
        &self,
        ctx: &RequestContext,
        input: CreateUserPoolRequest,
    ) -> Result<CreateUserPoolResponse, ApiError> {
        self.create_pool(ctx, input)
    }
    fn describe_user_pool(
        &self,
        _: &RequestContext,
        input: DescribeUserPoolRequest,
    ) -> Result<DescribeUserPoolResponse, ApiError> {
        self.describe_pool(input)
    }
    fn update_user_pool(
        &self,
        _: &RequestContext,
        input: UpdateUserPoolRequest,
    ) -> Result<UpdateUserPoolResponse, ApiError> {
        self.update_pool(input)
    }
    fn delete_user_pool(&self, _: &RequestContext, input: DeleteUserPoolRequest) -> Result<(), ApiError> {
        self.delete_pool(input)
    }
    fn list_user_pools(
        &self,
        _: &RequestContext,
        input: ListUserPoolsRequest,
    ) -> Result<ListUserPoolsResponse, ApiError> {
        self.list_pools(input)
    }
    fn add_custom_attributes(
        &self,
        _: &RequestContext,
        input: AddCustomAttributesRequest,
    ) -> Result<AddCustomAttributesResponse, ApiError> {
        self.add_custom(input)
    }

    fn create_user_pool_client(
        &self,
        _: &RequestContext,
        input: CreateUserPoolClientRequest,
    ) -> Result<CreateUserPoolClientResponse, ApiError> {
        self.create_client(input)
    }
    fn describe_user_pool_client(
        &self,
        _: &RequestContext,
        input: DescribeUserPoolClientRequest,
    ) -> Result<DescribeUserPoolClientResponse, ApiError> {
        self.describe_client(input)
    }
    fn update_user_pool_client(
        &self,
        _: &RequestContext,
        input: UpdateUserPoolClientRequest,
    ) -> Result<UpdateUserPoolClientResponse, ApiError> {
        self.update_client(input)
    }
    fn delete_user_pool_client(&self, _: &RequestContext, input: DeleteUserPoolClientRequest) -> Result<(), ApiError> {
        self.delete_client(input)
    }
    fn list_user_pool_clients(
        &self,
        _: &RequestContext,
        input: ListUserPoolClientsRequest,
    ) -> Result<ListUserPoolClientsResponse, ApiError> {
        self.list_clients(input)
    }

    fn admin_create_user(
        &self,
        _: &RequestContext,
        input: AdminCreateUserRequest,
    ) -> Result<AdminCreateUserResponse, ApiError> {
        self.admin_create(input)
    }
    fn admin_get_user(&self, _: &RequestContext, input: AdminGetUserRequest) -> Result<AdminGetUserResponse, ApiError> {
        self.admin_get(input)
    }
    fn admin_delete_user(&self, _: &RequestContext, input: AdminDeleteUserRequest) -> Result<(), ApiError> {
        self.admin_delete(input)
    }
    fn admin_update_user_attributes(
        &self,
        _: &RequestContext,
        input: AdminUpdateUserAttributesRequest,
    ) -> Result<AdminUpdateUserAttributesResponse, ApiError> {
        self.admin_update_attributes(input)
    }
    fn admin_delete_user_attributes(
        &self,
        _: &RequestContext,
        input: AdminDeleteUserAttributesRequest,
    ) -> Result<AdminDeleteUserAttributesResponse, ApiError> {
        self.admin_delete_attributes(input)
    }
    fn admin_enable_user(
        &self,
        _: &RequestContext,
        input: AdminEnableUserRequest,
    ) -> Result<AdminEnableUserResponse, ApiError> {
        self.set_enabled(&input.user_pool_id, &input.username, true).map(|_| AdminEnableUserResponse::default())
    }
    fn admin_disable_user(
        &self,
        _: &RequestContext,
        input: AdminDisableUserRequest,
    ) -> Result<AdminDisableUserResponse, ApiError> {
        self.set_enabled(&input.user_pool_id, &input.username, false).map(|_| AdminDisableUserResponse::default())
    }
    fn admin_set_user_password(
        &self,
        _: &RequestContext,
        input: AdminSetUserPasswordRequest,
    ) -> Result<AdminSetUserPasswordResponse, ApiError> {
        self.admin_set_password(input)
    }
    fn admin_reset_user_password(
        &self,
        _: &RequestContext,
        input: AdminResetUserPasswordRequest,
    ) -> Result<AdminResetUserPasswordResponse, ApiError> {
        self.admin_reset_password(input)
    }
    fn admin_confirm_sign_up(
        &self,
        _: &RequestContext,
        input: AdminConfirmSignUpRequest,
    ) -> Result<AdminConfirmSignUpResponse, ApiError> {
        self.admin_confirm(input)
    }
    fn list_users(&self, _: &RequestContext, input: ListUsersRequest) -> Result<ListUsersResponse, ApiError> {
        self.list_users_(input)
    }

    fn create_group(&self, _: &RequestContext, input: CreateGroupRequest) -> Result<CreateGroupResponse, ApiError> {
        self.create_group_(input)
    }
    fn get_group(&self, _: &RequestContext, input: GetGroupRequest) -> Result<GetGroupResponse, ApiError> {
        self.get_group_(input)
    }
    fn update_group(&self, _: &RequestContext, input: UpdateGroupRequest) -> Result<UpdateGroupResponse, ApiError> {
        self.update_group_(input)
    }
    fn delete_group(&self, _: &RequestContext, input: DeleteGroupRequest) -> Result<(), ApiError> {
        self.delete_group_(input)
    }
    fn list_groups(&self, _: &RequestContext, input: ListGroupsRequest) -> Result<ListGroupsResponse, ApiError> {
        self.list_groups_(input)
    }
    fn admin_add_user_to_group(&self, _: &RequestContext, input: AdminAddUserToGroupRequest) -> Result<(), ApiError> {
        self.add_to_group(input)
    }
    fn admin_remove_user_from_group(
        &self,
        _: &RequestContext,
        input: AdminRemoveUserFromGroupRequest,
    ) -> Result<(), ApiError> {
        self.remove_from_group(input)
    }
    fn admin_list_groups_for_user(
        &self,
        _: &RequestContext,
        input: AdminListGroupsForUserRequest,
    ) -> Result<AdminListGroupsForUserResponse, ApiError> {
        self.groups_for_user(input)
    }
    fn list_users_in_group(
        &self,
        _: &RequestContext,
        input: ListUsersInGroupRequest,
    ) -> Result<ListUsersInGroupResponse, ApiError> {
        self.users_in_group(input)
    }

    fn tag_resource(&self, _: &RequestContext, input: TagResourceRequest) -> Result<TagResourceResponse, ApiError> {
        self.tag(input)
    }
    fn untag_resource(
        &self,
        _: &RequestContext,
        input: UntagResourceRequest,
    ) -> Result<UntagResourceResponse, ApiError> {
        self.untag(input)
    }
    fn initiate_auth(
        &self,
        ctx: &RequestContext,
        input: InitiateAuthRequest,
    ) -> Result<InitiateAuthResponse, ApiError> {
        let o =
            self.initiate(ctx, None, &input.client_id, input.auth_flow, input.auth_parameters.unwrap_or_default())?;
        Ok(InitiateAuthResponse {
            authentication_result: o.result.map(|m| self.finish(m)).transpose()?,
            challenge_name: o.challenge,
            challenge_parameters: o.parameters.or_else(|| Some(Default::default())),
            session: o.session,
            available_challenges: None,
        })
    }
    fn admin_initiate_auth(
        &self,
        ctx: &RequestContext,
        input: AdminInitiateAuthRequest,
    ) -> Result<AdminInitiateAuthResponse, ApiError> {
        let params = input.auth_parameters.unwrap_or_default();
        let o = self.initiate(ctx, Some(&input.user_pool_id), &input.client_id, input.auth_flow, params)?;
        Ok(AdminInitiateAuthResponse {
            authentication_result: o.result.map(|m| self.finish(m)).transpose()?,
            challenge_name: o.challenge,
            challenge_parameters: o.parameters.or_else(|| Some(Default::default())),
            session: o.session,
            available_challenges: None,
        })
    }
    fn respond_to_auth_challenge(
        &self,
        ctx: &RequestContext,
        input: RespondToAuthChallengeRequest,
    ) -> Result<RespondToAuthChallengeResponse, ApiError> {
        let responses = input.challenge_responses.unwrap_or_default();
        let o = self.respond(ctx, None, &input.client_id, input.challenge_name, input.session.as_deref(), responses)?;
        Ok(RespondToAuthChallengeResponse {
            authentication_result: o.result.map(|m| self.finish(m)).transpose()?,
            challenge_name: o.challenge,
            challenge_parameters: o.parameters.or_else(|| Some(Default::default())),
            session: o.session,
            available_challenges: None,
        })
    }
    fn admin_respond_to_auth_challenge(
        &self,
        ctx: &RequestContext,
        input: AdminRespondToAuthChallengeRequest,
    ) -> Result<AdminRespondToAuthChallengeResponse, ApiError> {
        let responses = input.challenge_responses.unwrap_or_default();
        let o = self.respond(
            ctx,
            Some(&input.user_pool_id),
            &input.client_id,
            input.challenge_name,
            input.session.as_deref(),
            responses,
        )?;
        Ok(AdminRespondToAuthChallengeResponse {
            authentication_result: o.result.map(|m| self.finish(m)).transpose()?,
            challenge_name: o.challenge,
            challenge_parameters: o.parameters.or_else(|| Some(Default::default())),
            session: o.session,
            available_challenges: None,
        })
    }
    fn get_tokens_from_refresh_token(
        &self,
        ctx: &RequestContext,
        input: GetTokensFromRefreshTokenRequest,
    ) -> Result<GetTokensFromRefreshTokenResponse, ApiError> {
        self.tokens_from_refresh(ctx, input)
    }
    fn revoke_token(&self, _: &RequestContext, input: RevokeTokenRequest) -> Result<RevokeTokenResponse, ApiError> {
        self.revoke(input)
    }
    fn global_sign_out(
        &self,
        _: &RequestContext,
        input: GlobalSignOutRequest,
    ) -> Result<GlobalSignOutResponse, ApiError> {
        self.global_sign_out_(input)
    }
    fn admin_user_global_sign_out(
        &self,
        _: &RequestContext,
        input: AdminUserGlobalSignOutRequest,
    ) -> Result<AdminUserGlobalSignOutResponse, ApiError> {
        self.admin_global_sign_out(input)
    }

    fn sign_up(&self, _: &RequestContext, input: SignUpRequest) -> Result<SignUpResponse, ApiError> {
        self.sign_up_(input)
    }
    fn confirm_sign_up(
        &self,
        _: &RequestContext,
        input: ConfirmSignUpRequest,
    ) -> Result<ConfirmSignUpResponse, ApiError> {
        self.confirm_sign_up_(input)
    }
    fn resend_confirmation_code(
        &self,
        _: &RequestContext,
        input: ResendConfirmationCodeRequest,
    ) -> Result<ResendConfirmationCodeResponse, ApiError> {
        self.resend_code(input)
    }
    fn forgot_password(
        &self,
        _: &RequestContext,
        input: ForgotPasswordRequest,
    ) -> Result<ForgotPasswordResponse, ApiError> {
        self.forgot_password_(input)
    }
    fn confirm_forgot_password(
        &self,
        _: &RequestContext,
        input: ConfirmForgotPasswordRequest,
    ) -> Result<ConfirmForgotPasswordResponse, ApiError> {
        self.confirm_forgot_password_(input)
    }
    fn change_password(
        &self,
        _: &RequestContext,
        input: ChangePasswordRequest,
    ) -> Result<ChangePasswordResponse, ApiError> {
        self.change_password_(input)
    }
    fn get_user(&self, _: &RequestContext, input: GetUserRequest) -> Result<GetUserResponse, ApiError> {
        self.get_user_(input)
    }
    fn update_user_attributes(
        &self,
        _: &RequestContext,
        input: UpdateUserAttributesRequest,
    ) -> Result<UpdateUserAttributesResponse, ApiError> {
        self.update_attributes_(input)
    }
    fn delete_user_attributes(
        &self,
        _: &RequestContext,
        input: DeleteUserAttributesRequest,
    ) -> Result<DeleteUserAttributesResponse, ApiError> {
        self.delete_attributes_(input)
    }
    fn get_user_attribute_verification_code(
        &self,
        _: &RequestContext,
        input: GetUserAttributeVerificationCodeRequest,
    ) -> Result<GetUserAttributeVerificationCodeResponse, ApiError> {
        self.attribute_code(input)
    }
    fn verify_user_attribute(
        &self,
        _: &RequestContext,
        input: VerifyUserAttributeRequest,
    ) -> Result<VerifyUserAttributeResponse, ApiError> {
        self.verify_attribute(input)
    }
    fn delete_user(&self, _: &RequestContext, input: DeleteUserRequest) -> Result<(), ApiError> {
        self.delete_self(input)
    }

    fn confirm_device(
        &self,
        _: &RequestContext,
        input: ConfirmDeviceRequest,
    ) -> Result<ConfirmDeviceResponse, ApiError> {
        self.confirm_device_(input)
    }
    fn update_device_status(
        &self,
        _: &RequestContext,
        input: UpdateDeviceStatusRequest,
    ) -> Result<UpdateDeviceStatusResponse, ApiError> {
        self.update_device_status_(input)
    }
    fn admin_update_device_status(
        &self,
        _: &RequestContext,
        input: AdminUpdateDeviceStatusRequest,
    ) -> Result<AdminUpdateDeviceStatusResponse, ApiError> {
        self.admin_update_device_status_(input)
    }
    fn list_devices(&self, _: &RequestContext, input: ListDevicesRequest) -> Result<ListDevicesResponse, ApiError> {
        self.list_devices_(input)
    }
    fn admin_list_devices(
        &self,
        _: &RequestContext,
        input: AdminListDevicesRequest,
    ) -> Result<AdminListDevicesResponse, ApiError> {
        self.admin_list_devices_(input)
    }
    fn get_device(&self, _: &RequestContext, input: GetDeviceRequest) -> Result<GetDeviceResponse, ApiError> {
        self.get_device_(input)
    }
    fn admin_get_device(
        &self,
        _: &RequestContext,
        input: AdminGetDeviceRequest,
    ) -> Result<AdminGetDeviceResponse, ApiError> {
        self.admin_get_device_(input)
    }
    fn forget_device(&self, _: &RequestContext, input: ForgetDeviceRequest) -> Result<(), ApiError> {
        self.forget_device_(input)
    }
    fn admin_forget_device(&self, _: &RequestContext, input: AdminForgetDeviceRequest) -> Result<(), ApiError> {
        self.admin_forget_device_(input)
    }

    fn list_tags_for_resource(
        &self,
        _: &RequestContext,
        input: ListTagsForResourceRequest,
    ) -> Result<ListTagsForResourceResponse, ApiError> {
        self.list_tags(input)
    }
}
