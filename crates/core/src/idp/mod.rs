//! The user-pool API (`cognito-idp`).
//!
//! [`UserPools`] implements the generated [`CognitoIdentityProvider`] trait: each method
//! forwards in one line to the function of the same name in the module that owns the
//! operation. The submodules hold the behaviour by resource; `lookup` is the leaf they share.

mod attributes;
mod auth_events;
mod branding;
mod cimd;
mod client_secrets;
mod client_token;
mod clients;
mod derived;
mod devices;
mod domains;
mod filter;
mod groups;
mod hooks;
mod import;
pub use import::{BATCH as IMPORT_BATCH, UploadRefusal};
mod issue;
mod journal;
mod limits;
mod links;
mod log_delivery;
mod lookup;
mod messages;
mod mfa;
mod oauth;
pub use oauth::{
    AuthorizeRequest, Form, HostedAnswer, HostedStep, LogoutRequest, OAuthError, Page, PageKind, TokenAnswer,
    UserInfoError, View,
};
mod passkeys;
mod pool_docs;
mod pools;
mod providers;
mod recovery;
mod replicas;
mod resource_servers;
mod risk;
mod selfservice;
mod service;
mod session_tracking;
mod sessions;
pub use service::{IssuerStyle, Settings, UserPools};
mod signin;
mod signing;
mod tags;
mod terms;
mod tracking;
mod users;

pub use clients::secret_hash;
pub use lookup::pool_name_of;
pub use messages::mask_email;
pub use pools::standard_schema;
// What the identity-pool service needs of a user pool: a pool's keys, its users, and whether an
// ID token's sign-in still stands.
pub(crate) use issue::signed_out_since;
pub(crate) use lookup::{decode_token, encode_token, user_key};

use cognate_proto::idp::*;
use cognate_proto::{ApiError, RequestContext};

impl CognitoIdentityProvider for UserPools {
    fn create_cimd_policy(
        &self,
        _: &RequestContext,
        input: CreateCIMDPolicyRequest,
    ) -> Result<CreateCIMDPolicyResponse, ApiError> {
        cimd::create_cimd_policy(self, input)
    }
    fn describe_cimd_policy(
        &self,
        _: &RequestContext,
        input: DescribeCIMDPolicyRequest,
    ) -> Result<DescribeCIMDPolicyResponse, ApiError> {
        cimd::describe_cimd_policy(self, input)
    }
    fn update_cimd_policy(
        &self,
        _: &RequestContext,
        input: UpdateCIMDPolicyRequest,
    ) -> Result<UpdateCIMDPolicyResponse, ApiError> {
        cimd::update_cimd_policy(self, input)
    }
    fn delete_cimd_policy(
        &self,
        _: &RequestContext,
        input: DeleteCIMDPolicyRequest,
    ) -> Result<DeleteCIMDPolicyResponse, ApiError> {
        cimd::delete_cimd_policy(self, input)
    }
    fn list_cimd_policies(
        &self,
        _: &RequestContext,
        input: ListCIMDPoliciesRequest,
    ) -> Result<ListCIMDPoliciesResponse, ApiError> {
        cimd::list_cimd_policies(self, input)
    }
    fn list_client_metadata_urls(
        &self,
        _: &RequestContext,
        input: ListClientMetadataURLsRequest,
    ) -> Result<ListClientMetadataURLsResponse, ApiError> {
        cimd::list_client_metadata_urls(self, input)
    }
    fn update_client_metadata_url_state(
        &self,
        _: &RequestContext,
        input: UpdateClientMetadataURLStateRequest,
    ) -> Result<UpdateClientMetadataURLStateResponse, ApiError> {
        cimd::update_client_metadata_url_state(self, input)
    }
    fn initiate_point_in_time_recovery(
        &self,
        _: &RequestContext,
        input: InitiatePointInTimeRecoveryRequest,
    ) -> Result<InitiatePointInTimeRecoveryResponse, ApiError> {
        recovery::initiate_point_in_time_recovery(self, input)
    }
    fn start_point_in_time_recovery(
        &self,
        _: &RequestContext,
        input: StartPointInTimeRecoveryRequest,
    ) -> Result<StartPointInTimeRecoveryResponse, ApiError> {
        recovery::start_point_in_time_recovery(self, input)
    }
    fn cancel_point_in_time_recovery(
        &self,
        _: &RequestContext,
        input: CancelPointInTimeRecoveryRequest,
    ) -> Result<CancelPointInTimeRecoveryResponse, ApiError> {
        recovery::cancel_point_in_time_recovery(self, input)
    }
    fn describe_point_in_time_recovery(
        &self,
        _: &RequestContext,
        input: DescribePointInTimeRecoveryRequest,
    ) -> Result<DescribePointInTimeRecoveryResponse, ApiError> {
        recovery::describe_point_in_time_recovery(self, input)
    }
    fn list_point_in_time_recoveries(
        &self,
        _: &RequestContext,
        input: ListPointInTimeRecoveriesRequest,
    ) -> Result<ListPointInTimeRecoveriesResponse, ApiError> {
        recovery::list_point_in_time_recoveries(self, input)
    }
    fn update_auth_event_feedback(
        &self,
        _: &RequestContext,
        input: UpdateAuthEventFeedbackRequest,
    ) -> Result<UpdateAuthEventFeedbackResponse, ApiError> {
        auth_events::update_auth_event_feedback(self, input)
    }
    fn get_derived_token(
        &self,
        ctx: &RequestContext,
        input: GetDerivedTokenRequest,
    ) -> Result<GetDerivedTokenResponse, ApiError> {
        derived::get_derived_token(self, ctx, input)
    }
    fn create_user_pool_replica(
        &self,
        _: &RequestContext,
        input: CreateUserPoolReplicaRequest,
    ) -> Result<CreateUserPoolReplicaResponse, ApiError> {
        replicas::create_user_pool_replica(self, input)
    }
    fn update_user_pool_replica(
        &self,
        _: &RequestContext,
        input: UpdateUserPoolReplicaRequest,
    ) -> Result<UpdateUserPoolReplicaResponse, ApiError> {
        replicas::update_user_pool_replica(self, input)
    }
    fn delete_user_pool_replica(
        &self,
        ctx: &RequestContext,
        input: DeleteUserPoolReplicaRequest,
    ) -> Result<DeleteUserPoolReplicaResponse, ApiError> {
        replicas::delete_user_pool_replica(self, ctx, input)
    }
    fn list_user_pool_replicas(
        &self,
        _: &RequestContext,
        input: ListUserPoolReplicasRequest,
    ) -> Result<ListUserPoolReplicasResponse, ApiError> {
        replicas::list_user_pool_replicas(self, input)
    }
    fn get_client_token(
        &self,
        ctx: &RequestContext,
        input: GetClientTokenRequest,
    ) -> Result<GetClientTokenResponse, ApiError> {
        client_token::get_client_token(self, ctx, input)
    }
    fn get_csv_header(&self, _: &RequestContext, input: GetCSVHeaderRequest) -> Result<GetCSVHeaderResponse, ApiError> {
        import::get_csv_header(self, input)
    }
    fn start_user_import_job(
        &self,
        _: &RequestContext,
        input: StartUserImportJobRequest,
    ) -> Result<StartUserImportJobResponse, ApiError> {
        import::start_user_import_job(self, input)
    }
    fn stop_user_import_job(
        &self,
        _: &RequestContext,
        input: StopUserImportJobRequest,
    ) -> Result<StopUserImportJobResponse, ApiError> {
        import::stop_user_import_job(self, input)
    }
    fn describe_user_import_job(
        &self,
        _: &RequestContext,
        input: DescribeUserImportJobRequest,
    ) -> Result<DescribeUserImportJobResponse, ApiError> {
        import::describe_user_import_job(self, input)
    }
    fn list_user_import_jobs(
        &self,
        _: &RequestContext,
        input: ListUserImportJobsRequest,
    ) -> Result<ListUserImportJobsResponse, ApiError> {
        import::list_user_import_jobs(self, input)
    }
    fn create_user_import_job(
        &self,
        ctx: &RequestContext,
        input: CreateUserImportJobRequest,
    ) -> Result<CreateUserImportJobResponse, ApiError> {
        import::create_user_import_job(self, ctx, input)
    }
    fn admin_link_provider_for_user(
        &self,
        _: &RequestContext,
        input: AdminLinkProviderForUserRequest,
    ) -> Result<AdminLinkProviderForUserResponse, ApiError> {
        links::admin_link_provider_for_user(self, input)
    }
    fn admin_disable_provider_for_user(
        &self,
        _: &RequestContext,
        input: AdminDisableProviderForUserRequest,
    ) -> Result<AdminDisableProviderForUserResponse, ApiError> {
        links::admin_disable_provider_for_user(self, input)
    }
    fn set_risk_configuration(
        &self,
        _: &RequestContext,
        input: SetRiskConfigurationRequest,
    ) -> Result<SetRiskConfigurationResponse, ApiError> {
        risk::set_risk_configuration(self, input)
    }
    fn describe_risk_configuration(
        &self,
        _: &RequestContext,
        input: DescribeRiskConfigurationRequest,
    ) -> Result<DescribeRiskConfigurationResponse, ApiError> {
        risk::describe_risk_configuration(self, input)
    }
    fn admin_list_user_auth_events(
        &self,
        _: &RequestContext,
        input: AdminListUserAuthEventsRequest,
    ) -> Result<AdminListUserAuthEventsResponse, ApiError> {
        auth_events::admin_list_user_auth_events(self, input)
    }
    fn admin_update_auth_event_feedback(
        &self,
        _: &RequestContext,
        input: AdminUpdateAuthEventFeedbackRequest,
    ) -> Result<AdminUpdateAuthEventFeedbackResponse, ApiError> {
        auth_events::admin_update_auth_event_feedback(self, input)
    }
    fn get_signing_certificate(
        &self,
        _: &RequestContext,
        input: GetSigningCertificateRequest,
    ) -> Result<GetSigningCertificateResponse, ApiError> {
        signing::get_signing_certificate(self, input)
    }
    fn create_terms(&self, _: &RequestContext, input: CreateTermsRequest) -> Result<CreateTermsResponse, ApiError> {
        terms::create_terms(self, input)
    }
    fn describe_terms(
        &self,
        _: &RequestContext,
        input: DescribeTermsRequest,
    ) -> Result<DescribeTermsResponse, ApiError> {
        terms::describe_terms(self, input)
    }
    fn describe_terms_by_client(
        &self,
        _: &RequestContext,
        input: DescribeTermsByClientRequest,
    ) -> Result<DescribeTermsByClientResponse, ApiError> {
        terms::describe_terms_by_client(self, input)
    }
    fn update_terms(&self, _: &RequestContext, input: UpdateTermsRequest) -> Result<UpdateTermsResponse, ApiError> {
        terms::update_terms(self, input)
    }
    fn list_terms(&self, _: &RequestContext, input: ListTermsRequest) -> Result<ListTermsResponse, ApiError> {
        terms::list_terms(self, input)
    }
    fn set_log_delivery_configuration(
        &self,
        _: &RequestContext,
        input: SetLogDeliveryConfigurationRequest,
    ) -> Result<SetLogDeliveryConfigurationResponse, ApiError> {
        log_delivery::set_log_delivery_configuration(self, input)
    }
    fn get_log_delivery_configuration(
        &self,
        _: &RequestContext,
        input: GetLogDeliveryConfigurationRequest,
    ) -> Result<GetLogDeliveryConfigurationResponse, ApiError> {
        log_delivery::get_log_delivery_configuration(self, input)
    }
    fn get_provisioned_limit(
        &self,
        ctx: &RequestContext,
        input: GetProvisionedLimitRequest,
    ) -> Result<GetProvisionedLimitResponse, ApiError> {
        limits::get_provisioned_limit(self, ctx, input)
    }
    fn update_provisioned_limit(
        &self,
        ctx: &RequestContext,
        input: UpdateProvisionedLimitRequest,
    ) -> Result<UpdateProvisionedLimitResponse, ApiError> {
        limits::update_provisioned_limit(self, ctx, input)
    }
    fn delete_terms(&self, _: &RequestContext, input: DeleteTermsRequest) -> Result<(), ApiError> {
        terms::delete_terms(self, input)
    }
    fn list_user_sessions(
        &self,
        _: &RequestContext,
        input: ListUserSessionsRequest,
    ) -> Result<ListUserSessionsResponse, ApiError> {
        sessions::list_user_sessions(self, input)
    }
    fn admin_list_user_sessions(
        &self,
        _: &RequestContext,
        input: AdminListUserSessionsRequest,
    ) -> Result<AdminListUserSessionsResponse, ApiError> {
        sessions::admin_list_user_sessions(self, input)
    }
    fn revoke_user_session(
        &self,
        _: &RequestContext,
        input: RevokeUserSessionRequest,
    ) -> Result<RevokeUserSessionResponse, ApiError> {
        sessions::revoke_user_session(self, input)
    }
    fn admin_revoke_user_session(
        &self,
        _: &RequestContext,
        input: AdminRevokeUserSessionRequest,
    ) -> Result<AdminRevokeUserSessionResponse, ApiError> {
        sessions::admin_revoke_user_session(self, input)
    }
    fn get_user_pool_session_configuration(
        &self,
        _: &RequestContext,
        input: GetUserPoolSessionConfigurationRequest,
    ) -> Result<GetUserPoolSessionConfigurationResponse, ApiError> {
        sessions::get_user_pool_session_configuration(self, input)
    }
    fn set_user_pool_session_configuration(
        &self,
        _: &RequestContext,
        input: SetUserPoolSessionConfigurationRequest,
    ) -> Result<SetUserPoolSessionConfigurationResponse, ApiError> {
        sessions::set_user_pool_session_configuration(self, input)
    }
    fn get_user_pool_client_session_configuration(
        &self,
        _: &RequestContext,
        input: GetUserPoolClientSessionConfigurationRequest,
    ) -> Result<GetUserPoolClientSessionConfigurationResponse, ApiError> {
        sessions::get_user_pool_client_session_configuration(self, input)
    }
    fn set_user_pool_client_session_configuration(
        &self,
        _: &RequestContext,
        input: SetUserPoolClientSessionConfigurationRequest,
    ) -> Result<SetUserPoolClientSessionConfigurationResponse, ApiError> {
        sessions::set_user_pool_client_session_configuration(self, input)
    }
    fn add_user_pool_client_secret(
        &self,
        _: &RequestContext,
        input: AddUserPoolClientSecretRequest,
    ) -> Result<AddUserPoolClientSecretResponse, ApiError> {
        client_secrets::add_user_pool_client_secret(self, input)
    }
    fn delete_user_pool_client_secret(
        &self,
        _: &RequestContext,
        input: DeleteUserPoolClientSecretRequest,
    ) -> Result<DeleteUserPoolClientSecretResponse, ApiError> {
        client_secrets::delete_user_pool_client_secret(self, input)
    }
    fn list_user_pool_client_secrets(
        &self,
        _: &RequestContext,
        input: ListUserPoolClientSecretsRequest,
    ) -> Result<ListUserPoolClientSecretsResponse, ApiError> {
        client_secrets::list_user_pool_client_secrets(self, input)
    }
    fn set_ui_customization(
        &self,
        ctx: &RequestContext,
        input: SetUICustomizationRequest,
    ) -> Result<SetUICustomizationResponse, ApiError> {
        branding::set_ui_customization(self, ctx, input)
    }
    fn get_ui_customization(
        &self,
        ctx: &RequestContext,
        input: GetUICustomizationRequest,
    ) -> Result<GetUICustomizationResponse, ApiError> {
        branding::get_ui_customization(self, ctx, input)
    }
    fn create_managed_login_branding(
        &self,
        _: &RequestContext,
        input: CreateManagedLoginBrandingRequest,
    ) -> Result<CreateManagedLoginBrandingResponse, ApiError> {
        branding::create_managed_login_branding(self, input)
    }
    fn describe_managed_login_branding(
        &self,
        _: &RequestContext,
        input: DescribeManagedLoginBrandingRequest,
    ) -> Result<DescribeManagedLoginBrandingResponse, ApiError> {
        branding::describe_managed_login_branding(self, input)
    }
    fn describe_managed_login_branding_by_client(
        &self,
        _: &RequestContext,
        input: DescribeManagedLoginBrandingByClientRequest,
    ) -> Result<DescribeManagedLoginBrandingByClientResponse, ApiError> {
        branding::describe_managed_login_branding_by_client(self, input)
    }
    fn update_managed_login_branding(
        &self,
        _: &RequestContext,
        input: UpdateManagedLoginBrandingRequest,
    ) -> Result<UpdateManagedLoginBrandingResponse, ApiError> {
        branding::update_managed_login_branding(self, input)
    }
    fn delete_managed_login_branding(
        &self,
        _: &RequestContext,
        input: DeleteManagedLoginBrandingRequest,
    ) -> Result<(), ApiError> {
        branding::delete_managed_login_branding(self, input)
    }
    fn create_identity_provider(
        &self,
        _: &RequestContext,
        input: CreateIdentityProviderRequest,
    ) -> Result<CreateIdentityProviderResponse, ApiError> {
        providers::create_identity_provider(self, input)
    }
    fn describe_identity_provider(
        &self,
        _: &RequestContext,
        input: DescribeIdentityProviderRequest,
    ) -> Result<DescribeIdentityProviderResponse, ApiError> {
        providers::describe_identity_provider(self, input)
    }
    fn update_identity_provider(
        &self,
        _: &RequestContext,
        input: UpdateIdentityProviderRequest,
    ) -> Result<UpdateIdentityProviderResponse, ApiError> {
        providers::update_identity_provider(self, input)
    }
    fn delete_identity_provider(
        &self,
        _: &RequestContext,
        input: DeleteIdentityProviderRequest,
    ) -> Result<(), ApiError> {
        providers::delete_identity_provider(self, input)
    }
    fn list_identity_providers(
        &self,
        _: &RequestContext,
        input: ListIdentityProvidersRequest,
    ) -> Result<ListIdentityProvidersResponse, ApiError> {
        providers::list_identity_providers(self, input)
    }
    fn get_identity_provider_by_identifier(
        &self,
        _: &RequestContext,
        input: GetIdentityProviderByIdentifierRequest,
    ) -> Result<GetIdentityProviderByIdentifierResponse, ApiError> {
        providers::get_identity_provider_by_identifier(self, input)
    }
    fn create_user_pool(
        &self,
        ctx: &RequestContext,
        input: CreateUserPoolRequest,
    ) -> Result<CreateUserPoolResponse, ApiError> {
        pools::create_user_pool(self, ctx, input)
    }
    fn describe_user_pool(
        &self,
        _: &RequestContext,
        input: DescribeUserPoolRequest,
    ) -> Result<DescribeUserPoolResponse, ApiError> {
        pools::describe_user_pool(self, input)
    }
    fn update_user_pool(
        &self,
        _: &RequestContext,
        input: UpdateUserPoolRequest,
    ) -> Result<UpdateUserPoolResponse, ApiError> {
        pools::update_user_pool(self, input)
    }
    fn delete_user_pool(&self, _: &RequestContext, input: DeleteUserPoolRequest) -> Result<(), ApiError> {
        pools::delete_user_pool(self, input)
    }
    fn list_user_pools(
        &self,
        _: &RequestContext,
        input: ListUserPoolsRequest,
    ) -> Result<ListUserPoolsResponse, ApiError> {
        pools::list_user_pools(self, input)
    }
    fn add_custom_attributes(
        &self,
        _: &RequestContext,
        input: AddCustomAttributesRequest,
    ) -> Result<AddCustomAttributesResponse, ApiError> {
        pools::add_custom_attributes(self, input)
    }
    fn create_user_pool_client(
        &self,
        _: &RequestContext,
        input: CreateUserPoolClientRequest,
    ) -> Result<CreateUserPoolClientResponse, ApiError> {
        clients::create_user_pool_client(self, input)
    }
    fn describe_user_pool_client(
        &self,
        _: &RequestContext,
        input: DescribeUserPoolClientRequest,
    ) -> Result<DescribeUserPoolClientResponse, ApiError> {
        clients::describe_user_pool_client(self, input)
    }
    fn update_user_pool_client(
        &self,
        _: &RequestContext,
        input: UpdateUserPoolClientRequest,
    ) -> Result<UpdateUserPoolClientResponse, ApiError> {
        clients::update_user_pool_client(self, input)
    }
    fn delete_user_pool_client(&self, _: &RequestContext, input: DeleteUserPoolClientRequest) -> Result<(), ApiError> {
        clients::delete_user_pool_client(self, input)
    }
    fn list_user_pool_clients(
        &self,
        _: &RequestContext,
        input: ListUserPoolClientsRequest,
    ) -> Result<ListUserPoolClientsResponse, ApiError> {
        clients::list_user_pool_clients(self, input)
    }
    fn admin_create_user(
        &self,
        _: &RequestContext,
        input: AdminCreateUserRequest,
    ) -> Result<AdminCreateUserResponse, ApiError> {
        users::admin_create_user(self, input)
    }
    fn admin_get_user(&self, _: &RequestContext, input: AdminGetUserRequest) -> Result<AdminGetUserResponse, ApiError> {
        users::admin_get_user(self, input)
    }
    fn admin_delete_user(&self, _: &RequestContext, input: AdminDeleteUserRequest) -> Result<(), ApiError> {
        users::admin_delete_user(self, input)
    }
    fn admin_update_user_attributes(
        &self,
        _: &RequestContext,
        input: AdminUpdateUserAttributesRequest,
    ) -> Result<AdminUpdateUserAttributesResponse, ApiError> {
        users::admin_update_user_attributes(self, input)
    }
    fn admin_delete_user_attributes(
        &self,
        _: &RequestContext,
        input: AdminDeleteUserAttributesRequest,
    ) -> Result<AdminDeleteUserAttributesResponse, ApiError> {
        users::admin_delete_user_attributes(self, input)
    }
    fn admin_enable_user(
        &self,
        _: &RequestContext,
        input: AdminEnableUserRequest,
    ) -> Result<AdminEnableUserResponse, ApiError> {
        users::admin_enable_user(self, input)
    }
    fn admin_disable_user(
        &self,
        _: &RequestContext,
        input: AdminDisableUserRequest,
    ) -> Result<AdminDisableUserResponse, ApiError> {
        users::admin_disable_user(self, input)
    }
    fn admin_set_user_password(
        &self,
        _: &RequestContext,
        input: AdminSetUserPasswordRequest,
    ) -> Result<AdminSetUserPasswordResponse, ApiError> {
        users::admin_set_user_password(self, input)
    }
    fn admin_reset_user_password(
        &self,
        _: &RequestContext,
        input: AdminResetUserPasswordRequest,
    ) -> Result<AdminResetUserPasswordResponse, ApiError> {
        users::admin_reset_user_password(self, input)
    }
    fn admin_confirm_sign_up(
        &self,
        _: &RequestContext,
        input: AdminConfirmSignUpRequest,
    ) -> Result<AdminConfirmSignUpResponse, ApiError> {
        users::admin_confirm_sign_up(self, input)
    }
    fn list_users(&self, _: &RequestContext, input: ListUsersRequest) -> Result<ListUsersResponse, ApiError> {
        users::list_users(self, input)
    }
    fn create_group(&self, _: &RequestContext, input: CreateGroupRequest) -> Result<CreateGroupResponse, ApiError> {
        groups::create_group(self, input)
    }
    fn get_group(&self, _: &RequestContext, input: GetGroupRequest) -> Result<GetGroupResponse, ApiError> {
        groups::get_group(self, input)
    }
    fn update_group(&self, _: &RequestContext, input: UpdateGroupRequest) -> Result<UpdateGroupResponse, ApiError> {
        groups::update_group(self, input)
    }
    fn delete_group(&self, _: &RequestContext, input: DeleteGroupRequest) -> Result<(), ApiError> {
        groups::delete_group(self, input)
    }
    fn list_groups(&self, _: &RequestContext, input: ListGroupsRequest) -> Result<ListGroupsResponse, ApiError> {
        groups::list_groups(self, input)
    }
    fn admin_add_user_to_group(&self, _: &RequestContext, input: AdminAddUserToGroupRequest) -> Result<(), ApiError> {
        groups::admin_add_user_to_group(self, input)
    }
    fn admin_remove_user_from_group(
        &self,
        _: &RequestContext,
        input: AdminRemoveUserFromGroupRequest,
    ) -> Result<(), ApiError> {
        groups::admin_remove_user_from_group(self, input)
    }
    fn admin_list_groups_for_user(
        &self,
        _: &RequestContext,
        input: AdminListGroupsForUserRequest,
    ) -> Result<AdminListGroupsForUserResponse, ApiError> {
        groups::admin_list_groups_for_user(self, input)
    }
    fn list_users_in_group(
        &self,
        _: &RequestContext,
        input: ListUsersInGroupRequest,
    ) -> Result<ListUsersInGroupResponse, ApiError> {
        groups::list_users_in_group(self, input)
    }
    fn tag_resource(&self, _: &RequestContext, input: TagResourceRequest) -> Result<TagResourceResponse, ApiError> {
        tags::tag_resource(self, input)
    }
    fn untag_resource(
        &self,
        _: &RequestContext,
        input: UntagResourceRequest,
    ) -> Result<UntagResourceResponse, ApiError> {
        tags::untag_resource(self, input)
    }
    fn initiate_auth(
        &self,
        ctx: &RequestContext,
        input: InitiateAuthRequest,
    ) -> Result<InitiateAuthResponse, ApiError> {
        signin::initiate_auth(self, ctx, input)
    }
    fn admin_initiate_auth(
        &self,
        ctx: &RequestContext,
        input: AdminInitiateAuthRequest,
    ) -> Result<AdminInitiateAuthResponse, ApiError> {
        signin::admin_initiate_auth(self, ctx, input)
    }
    fn respond_to_auth_challenge(
        &self,
        ctx: &RequestContext,
        input: RespondToAuthChallengeRequest,
    ) -> Result<RespondToAuthChallengeResponse, ApiError> {
        signin::respond_to_auth_challenge(self, ctx, input)
    }
    fn admin_respond_to_auth_challenge(
        &self,
        ctx: &RequestContext,
        input: AdminRespondToAuthChallengeRequest,
    ) -> Result<AdminRespondToAuthChallengeResponse, ApiError> {
        signin::admin_respond_to_auth_challenge(self, ctx, input)
    }
    fn get_tokens_from_refresh_token(
        &self,
        ctx: &RequestContext,
        input: GetTokensFromRefreshTokenRequest,
    ) -> Result<GetTokensFromRefreshTokenResponse, ApiError> {
        signin::get_tokens_from_refresh_token(self, ctx, input)
    }
    fn revoke_token(&self, _: &RequestContext, input: RevokeTokenRequest) -> Result<RevokeTokenResponse, ApiError> {
        signin::revoke_token(self, input)
    }
    fn global_sign_out(
        &self,
        _: &RequestContext,
        input: GlobalSignOutRequest,
    ) -> Result<GlobalSignOutResponse, ApiError> {
        issue::global_sign_out(self, input)
    }
    fn admin_user_global_sign_out(
        &self,
        _: &RequestContext,
        input: AdminUserGlobalSignOutRequest,
    ) -> Result<AdminUserGlobalSignOutResponse, ApiError> {
        issue::admin_user_global_sign_out(self, input)
    }
    fn sign_up(&self, ctx: &RequestContext, input: SignUpRequest) -> Result<SignUpResponse, ApiError> {
        selfservice::sign_up(self, ctx, input)
    }
    fn confirm_sign_up(
        &self,
        _: &RequestContext,
        input: ConfirmSignUpRequest,
    ) -> Result<ConfirmSignUpResponse, ApiError> {
        selfservice::confirm_sign_up(self, input)
    }
    fn resend_confirmation_code(
        &self,
        ctx: &RequestContext,
        input: ResendConfirmationCodeRequest,
    ) -> Result<ResendConfirmationCodeResponse, ApiError> {
        selfservice::resend_confirmation_code(self, ctx, input)
    }
    fn forgot_password(
        &self,
        ctx: &RequestContext,
        input: ForgotPasswordRequest,
    ) -> Result<ForgotPasswordResponse, ApiError> {
        selfservice::forgot_password(self, ctx, input)
    }
    fn confirm_forgot_password(
        &self,
        ctx: &RequestContext,
        input: ConfirmForgotPasswordRequest,
    ) -> Result<ConfirmForgotPasswordResponse, ApiError> {
        selfservice::confirm_forgot_password(self, ctx, input)
    }
    fn change_password(
        &self,
        ctx: &RequestContext,
        input: ChangePasswordRequest,
    ) -> Result<ChangePasswordResponse, ApiError> {
        selfservice::change_password(self, ctx, input)
    }
    fn start_web_authn_registration(
        &self,
        _: &RequestContext,
        input: StartWebAuthnRegistrationRequest,
    ) -> Result<StartWebAuthnRegistrationResponse, ApiError> {
        passkeys::start_web_authn_registration(self, input)
    }
    fn complete_web_authn_registration(
        &self,
        _: &RequestContext,
        input: CompleteWebAuthnRegistrationRequest,
    ) -> Result<CompleteWebAuthnRegistrationResponse, ApiError> {
        passkeys::complete_web_authn_registration(self, input)
    }
    fn list_web_authn_credentials(
        &self,
        _: &RequestContext,
        input: ListWebAuthnCredentialsRequest,
    ) -> Result<ListWebAuthnCredentialsResponse, ApiError> {
        passkeys::list_web_authn_credentials(self, input)
    }
    fn delete_web_authn_credential(
        &self,
        _: &RequestContext,
        input: DeleteWebAuthnCredentialRequest,
    ) -> Result<DeleteWebAuthnCredentialResponse, ApiError> {
        passkeys::delete_web_authn_credential(self, input)
    }
    fn get_user_auth_factors(
        &self,
        _: &RequestContext,
        input: GetUserAuthFactorsRequest,
    ) -> Result<GetUserAuthFactorsResponse, ApiError> {
        mfa::get_user_auth_factors(self, input)
    }
    fn admin_get_user_auth_factors(
        &self,
        _: &RequestContext,
        input: AdminGetUserAuthFactorsRequest,
    ) -> Result<AdminGetUserAuthFactorsResponse, ApiError> {
        mfa::admin_get_user_auth_factors(self, input)
    }
    fn get_user(&self, _: &RequestContext, input: GetUserRequest) -> Result<GetUserResponse, ApiError> {
        selfservice::get_user(self, input)
    }
    fn update_user_attributes(
        &self,
        _: &RequestContext,
        input: UpdateUserAttributesRequest,
    ) -> Result<UpdateUserAttributesResponse, ApiError> {
        selfservice::update_user_attributes(self, input)
    }
    fn delete_user_attributes(
        &self,
        _: &RequestContext,
        input: DeleteUserAttributesRequest,
    ) -> Result<DeleteUserAttributesResponse, ApiError> {
        selfservice::delete_user_attributes(self, input)
    }
    fn get_user_attribute_verification_code(
        &self,
        _: &RequestContext,
        input: GetUserAttributeVerificationCodeRequest,
    ) -> Result<GetUserAttributeVerificationCodeResponse, ApiError> {
        selfservice::get_user_attribute_verification_code(self, input)
    }
    fn verify_user_attribute(
        &self,
        _: &RequestContext,
        input: VerifyUserAttributeRequest,
    ) -> Result<VerifyUserAttributeResponse, ApiError> {
        selfservice::verify_user_attribute(self, input)
    }
    fn delete_user(&self, _: &RequestContext, input: DeleteUserRequest) -> Result<(), ApiError> {
        selfservice::delete_user(self, input)
    }
    fn confirm_device(
        &self,
        _: &RequestContext,
        input: ConfirmDeviceRequest,
    ) -> Result<ConfirmDeviceResponse, ApiError> {
        devices::confirm_device(self, input)
    }
    fn update_device_status(
        &self,
        _: &RequestContext,
        input: UpdateDeviceStatusRequest,
    ) -> Result<UpdateDeviceStatusResponse, ApiError> {
        devices::update_device_status(self, input)
    }
    fn admin_update_device_status(
        &self,
        _: &RequestContext,
        input: AdminUpdateDeviceStatusRequest,
    ) -> Result<AdminUpdateDeviceStatusResponse, ApiError> {
        devices::admin_update_device_status(self, input)
    }
    fn list_devices(&self, _: &RequestContext, input: ListDevicesRequest) -> Result<ListDevicesResponse, ApiError> {
        devices::list_devices(self, input)
    }
    fn admin_list_devices(
        &self,
        _: &RequestContext,
        input: AdminListDevicesRequest,
    ) -> Result<AdminListDevicesResponse, ApiError> {
        devices::admin_list_devices(self, input)
    }
    fn get_device(&self, _: &RequestContext, input: GetDeviceRequest) -> Result<GetDeviceResponse, ApiError> {
        devices::get_device(self, input)
    }
    fn admin_get_device(
        &self,
        _: &RequestContext,
        input: AdminGetDeviceRequest,
    ) -> Result<AdminGetDeviceResponse, ApiError> {
        devices::admin_get_device(self, input)
    }
    fn forget_device(&self, _: &RequestContext, input: ForgetDeviceRequest) -> Result<(), ApiError> {
        devices::forget_device(self, input)
    }
    fn admin_forget_device(&self, _: &RequestContext, input: AdminForgetDeviceRequest) -> Result<(), ApiError> {
        devices::admin_forget_device(self, input)
    }
    fn list_tags_for_resource(
        &self,
        _: &RequestContext,
        input: ListTagsForResourceRequest,
    ) -> Result<ListTagsForResourceResponse, ApiError> {
        tags::list_tags_for_resource(self, input)
    }
    fn set_user_pool_mfa_config(
        &self,
        _: &RequestContext,
        input: SetUserPoolMfaConfigRequest,
    ) -> Result<SetUserPoolMfaConfigResponse, ApiError> {
        mfa::set_user_pool_mfa_config(self, input)
    }
    fn get_user_pool_mfa_config(
        &self,
        _: &RequestContext,
        input: GetUserPoolMfaConfigRequest,
    ) -> Result<GetUserPoolMfaConfigResponse, ApiError> {
        mfa::get_user_pool_mfa_config(self, input)
    }
    fn set_user_mfa_preference(
        &self,
        _: &RequestContext,
        input: SetUserMFAPreferenceRequest,
    ) -> Result<SetUserMFAPreferenceResponse, ApiError> {
        mfa::set_user_mfa_preference(self, input)
    }
    fn admin_set_user_mfa_preference(
        &self,
        _: &RequestContext,
        input: AdminSetUserMFAPreferenceRequest,
    ) -> Result<AdminSetUserMFAPreferenceResponse, ApiError> {
        mfa::admin_set_user_mfa_preference(self, input)
    }
    fn set_user_settings(
        &self,
        _: &RequestContext,
        input: SetUserSettingsRequest,
    ) -> Result<SetUserSettingsResponse, ApiError> {
        mfa::set_user_settings(self, input)
    }
    fn admin_set_user_settings(
        &self,
        _: &RequestContext,
        input: AdminSetUserSettingsRequest,
    ) -> Result<AdminSetUserSettingsResponse, ApiError> {
        mfa::admin_set_user_settings(self, input)
    }
    fn admin_delete_software_token(
        &self,
        _: &RequestContext,
        input: AdminDeleteSoftwareTokenRequest,
    ) -> Result<AdminDeleteSoftwareTokenResponse, ApiError> {
        mfa::admin_delete_software_token(self, input)
    }
    fn associate_software_token(
        &self,
        _: &RequestContext,
        input: AssociateSoftwareTokenRequest,
    ) -> Result<AssociateSoftwareTokenResponse, ApiError> {
        signin::associate_software_token(self, input)
    }
    fn verify_software_token(
        &self,
        _: &RequestContext,
        input: VerifySoftwareTokenRequest,
    ) -> Result<VerifySoftwareTokenResponse, ApiError> {
        signin::verify_software_token(self, input)
    }
    fn create_resource_server(
        &self,
        _: &RequestContext,
        input: CreateResourceServerRequest,
    ) -> Result<CreateResourceServerResponse, ApiError> {
        resource_servers::create_resource_server(self, input)
    }
    fn describe_resource_server(
        &self,
        _: &RequestContext,
        input: DescribeResourceServerRequest,
    ) -> Result<DescribeResourceServerResponse, ApiError> {
        resource_servers::describe_resource_server(self, input)
    }
    fn update_resource_server(
        &self,
        _: &RequestContext,
        input: UpdateResourceServerRequest,
    ) -> Result<UpdateResourceServerResponse, ApiError> {
        resource_servers::update_resource_server(self, input)
    }
    fn delete_resource_server(&self, _: &RequestContext, input: DeleteResourceServerRequest) -> Result<(), ApiError> {
        resource_servers::delete_resource_server(self, input)
    }
    fn list_resource_servers(
        &self,
        _: &RequestContext,
        input: ListResourceServersRequest,
    ) -> Result<ListResourceServersResponse, ApiError> {
        resource_servers::list_resource_servers(self, input)
    }
    fn create_user_pool_domain(
        &self,
        _: &RequestContext,
        input: CreateUserPoolDomainRequest,
    ) -> Result<CreateUserPoolDomainResponse, ApiError> {
        domains::create_user_pool_domain(self, input)
    }
    fn describe_user_pool_domain(
        &self,
        _: &RequestContext,
        input: DescribeUserPoolDomainRequest,
    ) -> Result<DescribeUserPoolDomainResponse, ApiError> {
        domains::describe_user_pool_domain(self, input)
    }
    fn update_user_pool_domain(
        &self,
        _: &RequestContext,
        input: UpdateUserPoolDomainRequest,
    ) -> Result<UpdateUserPoolDomainResponse, ApiError> {
        domains::update_user_pool_domain(self, input)
    }
    fn delete_user_pool_domain(
        &self,
        _: &RequestContext,
        input: DeleteUserPoolDomainRequest,
    ) -> Result<DeleteUserPoolDomainResponse, ApiError> {
        domains::delete_user_pool_domain(self, input)
    }
}
