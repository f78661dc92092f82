//! App clients: their ids and secrets, token validity, auth flows and attribute permissions.

use crate::env::{LOWER_ALNUM, RandomExt};
use crate::idp::lookup::{client_not_found, decode_token, encode_token, limit, load_pool};
use crate::idp::pools::schema_entry;
use crate::idp::service::UserPools;
use crate::store::Tx;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cognate_proto::ApiError;
use cognate_proto::idp::*;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::sync::Arc;

/// The client, or Cognito's error for a missing one.
pub(crate) fn load_client(tx: &mut dyn Tx, client_id: &str) -> Result<UserPoolClientType, ApiError> {
    tx.client(client_id)?
        .ok_or_else(|| ApiError::resource_not_found(format!("User pool client {client_id} does not exist.")))
}

/// The client and its pool, for operations that name only the client; with `admin_pool`, the
/// pool the request names must be the client's (else the client "does not exist").
pub(crate) fn client_and_pool(
    tx: &mut dyn Tx,
    admin_pool: Option<&str>,
    client_id: &str,
) -> Result<(UserPoolClientType, Arc<UserPoolType>), ApiError> {
    let client = load_client(tx, client_id)?;
    let pool_id = client.user_pool_id.clone().unwrap_or_default();
    if admin_pool.is_some_and(|p| p != pool_id) {
        return Err(ApiError::resource_not_found(format!("User pool client {client_id} does not exist.")));
    }
    let pool = load_pool(tx, &pool_id)?;
    Ok((client, pool))
}

/// Base64(HMAC-SHA256(client secret, username ‖ client id)).
pub fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Whether the client hides which users exist (PreventUserExistenceErrors ENABLED).
pub(crate) fn prevents_existence_errors(client: &UserPoolClientType) -> bool {
    client.prevent_user_existence_errors == Some(PreventUserExistenceErrorTypes::Enabled)
}

/// Whether the client allows a flow, by its ALLOW_ name or its legacy one.
pub(crate) fn allows(
    client: &UserPoolClientType,
    modern: ExplicitAuthFlowsType,
    legacy: Option<ExplicitAuthFlowsType>,
) -> bool {
    client.explicit_auth_flows.iter().flatten().any(|f| *f == modern || Some(*f) == legacy)
}

/// Whether the client names only legacy flows (no `ALLOW_` one), which Cognito reads as
/// allowing SRP too.
pub(crate) fn legacy_flows_only(client: &UserPoolClientType) -> bool {
    client.explicit_auth_flows.iter().flatten().all(|f| is_legacy_flow(*f))
}

/// The flows a client allows when it names none (API reference, `ExplicitAuthFlows`).
fn default_auth_flows() -> Vec<ExplicitAuthFlowsType> {
    vec![
        ExplicitAuthFlowsType::AllowRefreshTokenAuth,
        ExplicitAuthFlowsType::AllowUserSrpAuth,
        ExplicitAuthFlowsType::AllowCustomAuth,
    ]
}

fn is_legacy_flow(flow: ExplicitAuthFlowsType) -> bool {
    !flow.as_str().starts_with("ALLOW_")
}

/// Minutes in one unit of `unit`.
fn minutes(unit: Option<TimeUnitsType>, default: TimeUnitsType) -> i64 {
    match unit.unwrap_or(default) {
        TimeUnitsType::Seconds => 0,
        TimeUnitsType::Minutes => 1,
        TimeUnitsType::Hours => 60,
        TimeUnitsType::Days => 60 * 24,
    }
}

/// Seconds in one unit of `unit`.
fn seconds(unit: Option<TimeUnitsType>, default: TimeUnitsType) -> i64 {
    match unit.unwrap_or(default) {
        TimeUnitsType::Seconds => 1,
        u => minutes(Some(u), default) * 60,
    }
}

/// The OAuth scopes a client may be allowed: the standard ones, and those of the pool's
/// resource servers (`ScopeDoesNotExistException: Invalid scope requested: Cognito`, quoted in
/// awsdocs/aws-cloudformation-user-guide#564).
fn check_scopes(tx: &mut dyn Tx, client: &UserPoolClientType) -> Result<(), ApiError> {
    const STANDARD: [&str; 5] = ["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"];
    let pool_id = client.user_pool_id.as_deref().unwrap_or_default();
    for scope in client.allowed_oauth_scopes.iter().flatten() {
        if !STANDARD.contains(&scope.as_str()) && !crate::idp::resource_servers::scope_exists(tx, pool_id, scope)? {
            return Err(ApiError::scope_does_not_exist(format!("Invalid scope requested: {scope}")));
        }
    }
    Ok(())
}

/// The settings a create or an update supplies; both replace every one of them.
struct ClientSettings {
    client_name: String,
    refresh_token_validity: Option<i32>,
    access_token_validity: Option<i32>,
    id_token_validity: Option<i32>,
    token_validity_units: Option<TokenValidityUnitsType>,
    read_attributes: Option<Vec<String>>,
    write_attributes: Option<Vec<String>>,
    explicit_auth_flows: Option<Vec<ExplicitAuthFlowsType>>,
    supported_identity_providers: Option<Vec<String>>,
    callback_urls: Option<Vec<String>>,
    logout_urls: Option<Vec<String>>,
    default_redirect_uri: Option<String>,
    allowed_oauth_flows: Option<Vec<OAuthFlowType>>,
    allowed_oauth_scopes: Option<Vec<String>>,
    allowed_oauth_flows_user_pool_client: Option<bool>,
    analytics_configuration: Option<AnalyticsConfigurationType>,
    prevent_user_existence_errors: Option<PreventUserExistenceErrorTypes>,
    enable_token_revocation: Option<bool>,
    enable_propagate_additional_user_context_data: Option<bool>,
    auth_session_validity: Option<i32>,
    refresh_token_rotation: Option<RefreshTokenRotationType>,
}

/// The settings of a CreateUserPoolClient or UpdateUserPoolClient request (the two name
/// them alike), with the client name given.
macro_rules! client_settings {
    ($input:ident, $name:expr) => {
        ClientSettings {
            client_name: $name,
            refresh_token_validity: $input.refresh_token_validity,
            access_token_validity: $input.access_token_validity,
            id_token_validity: $input.id_token_validity,
            token_validity_units: $input.token_validity_units,
            read_attributes: $input.read_attributes,
            write_attributes: $input.write_attributes,
            explicit_auth_flows: $input.explicit_auth_flows,
            supported_identity_providers: $input.supported_identity_providers,
            callback_urls: $input.callback_urls,
            logout_urls: $input.logout_urls,
            default_redirect_uri: $input.default_redirect_uri,
            allowed_oauth_flows: $input.allowed_oauth_flows,
            allowed_oauth_scopes: $input.allowed_oauth_scopes,
            allowed_oauth_flows_user_pool_client: $input.allowed_oauth_flows_user_pool_client,
            analytics_configuration: $input.analytics_configuration,
            prevent_user_existence_errors: $input.prevent_user_existence_errors,
            enable_token_revocation: $input.enable_token_revocation,
            enable_propagate_additional_user_context_data: $input.enable_propagate_additional_user_context_data,
            auth_session_validity: $input.auth_session_validity,
            refresh_token_rotation: $input.refresh_token_rotation,
        }
    };
}

impl ClientSettings {
    /// Checks the settings against the pool and Cognito's rules, and fills in the defaults
    /// DescribeUserPoolClient shows.
    fn apply(self, pool: &UserPoolType, client: &mut UserPoolClientType, verb: &str) -> Result<(), ApiError> {
        let units = self.token_validity_units.clone();
        let unit = |f: fn(&TokenValidityUnitsType) -> Option<TimeUnitsType>| units.as_ref().and_then(f);
        let out_of_range = || ApiError::invalid_parameter("Invalid range for token validity.");
        // Access and ID tokens: 5 minutes to 1 day; refresh tokens: 60 minutes to 10 years
        // (API reference, UserPoolClientType).
        for (value, u) in
            [(self.access_token_validity, unit(|u| u.access_token)), (self.id_token_validity, unit(|u| u.id_token))]
        {
            if let Some(v) = value {
                let secs = v as i64 * seconds(u, TimeUnitsType::Hours);
                if !(300..=86_400).contains(&secs) {
                    return Err(out_of_range());
                }
            }
        }
        if let Some(v) = self.refresh_token_validity {
            let secs = v as i64 * seconds(unit(|u| u.refresh_token), TimeUnitsType::Days);
            if v != 0 && !(3_600..=315_360_000).contains(&secs) {
                return Err(out_of_range());
            }
        }
        let flows = self.explicit_auth_flows.unwrap_or_else(default_auth_flows);
        if flows.iter().any(|f| is_legacy_flow(*f)) && flows.iter().any(|f| !is_legacy_flow(*f)) {
            return Err(ApiError::invalid_parameter(
                "The ExplicitAuthFlow values with the ALLOW_ prefix cannot be used along with values without the ALLOW_ prefix.",
            ));
        }
        // "The ALLOW_CLIENT_TOKEN_AUTH flow is mutually exclusive with user authentication
        // flows. It must be the only authentication flow" (GetClientToken, model). UNCONFIRMED
        // text.
        let machine_only = flows == [ExplicitAuthFlowsType::AllowClientTokenAuth];
        if !machine_only && flows.contains(&ExplicitAuthFlowsType::AllowClientTokenAuth) {
            return Err(ApiError::invalid_parameter(
                "ALLOW_CLIENT_TOKEN_AUTH must be the only ExplicitAuthFlow of the app client.",
            ));
        }
        // Clients that name ALLOW_ flows must keep refreshing (aws-cdk#7625 quotes the error).
        if !machine_only
            && flows.iter().any(|f| !is_legacy_flow(*f))
            && !flows.contains(&ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        {
            return Err(ApiError::invalid_parameter("REFRESH_TOKEN_AUTH should always be allowed."));
        }
        for (list, kind) in [(&self.read_attributes, "read"), (&self.write_attributes, "write")] {
            for name in list.iter().flatten() {
                let known = schema_entry(pool, name).is_some();
                let writable = kind == "read" || schema_entry(pool, name).is_some_and(|s| s.mutable != Some(false));
                if !known || !writable {
                    return Err(ApiError::invalid_parameter(format!(
                        "Invalid {kind} attributes specified while {verb} a client"
                    )));
                }
            }
        }
        client.client_name = Some(self.client_name);
        client.refresh_token_validity = Some(match self.refresh_token_validity {
            None | Some(0) => 30,
            Some(v) => v,
        });
        client.access_token_validity = self.access_token_validity;
        client.id_token_validity = self.id_token_validity;
        client.token_validity_units = self.token_validity_units;
        client.read_attributes = self.read_attributes;
        client.write_attributes = self.write_attributes;
        client.explicit_auth_flows = Some(flows);
        client.supported_identity_providers = self.supported_identity_providers;
        client.callback_urls = self.callback_urls;
        client.logout_urls = self.logout_urls;
        client.default_redirect_uri = self.default_redirect_uri;
        client.allowed_oauth_flows = self.allowed_oauth_flows;
        client.allowed_oauth_scopes = self.allowed_oauth_scopes;
        client.allowed_oauth_flows_user_pool_client = Some(self.allowed_oauth_flows_user_pool_client.unwrap_or(false));
        client.analytics_configuration = self.analytics_configuration;
        client.prevent_user_existence_errors =
            Some(self.prevent_user_existence_errors.unwrap_or(PreventUserExistenceErrorTypes::Legacy));
        client.enable_token_revocation = Some(self.enable_token_revocation.unwrap_or(true));
        client.enable_propagate_additional_user_context_data =
            Some(self.enable_propagate_additional_user_context_data.unwrap_or(false));
        client.auth_session_validity = Some(self.auth_session_validity.unwrap_or(3));
        client.refresh_token_rotation = self.refresh_token_rotation;
        Ok(())
    }
}

impl UserPools {
    /// Creates a client with a chosen id (seeding), unless one with that id exists. A secret
    /// given in `input.client_secret` is kept as is. Answers whether it created one.
    pub fn seed_client(&self, client_id: &str, input: CreateUserPoolClientRequest) -> Result<bool, ApiError> {
        if self.tx(|tx| tx.client(client_id))?.is_some() {
            return Ok(false);
        }
        self.create_client_with_id(client_id.to_string(), input).map(|_| true)
    }

    fn create_client_with_id(
        &self,
        client_id: String,
        input: CreateUserPoolClientRequest,
    ) -> Result<CreateUserPoolClientResponse, ApiError> {
        let now = self.now();
        let secret = match (input.generate_secret, input.client_secret) {
            (_, Some(given)) => Some(given),
            (Some(true), None) => Some(self.rng.string_from(LOWER_ALNUM, 51)),
            _ => None,
        };
        self.tx(|tx| {
            let pool = load_pool(tx, &input.user_pool_id)?;
            let mut client = UserPoolClientType {
                user_pool_id: Some(input.user_pool_id.clone()),
                client_id: Some(client_id),
                client_secret: secret,
                creation_date: Some(now),
                last_modified_date: Some(now),
                ..Default::default()
            };
            client_settings!(input, input.client_name).apply(&pool, &mut client, "creating")?;
            check_scopes(tx, &client)?;
            tx.put_client(&client)?;
            Ok(CreateUserPoolClientResponse { user_pool_client: Some(client) })
        })
    }
}

pub(crate) fn create_user_pool_client(
    up: &UserPools,
    input: CreateUserPoolClientRequest,
) -> Result<CreateUserPoolClientResponse, ApiError> {
    let client_id = up.rng.string_from(LOWER_ALNUM, 26);
    up.create_client_with_id(client_id, input)
}

pub(crate) fn describe_user_pool_client(
    up: &UserPools,
    input: DescribeUserPoolClientRequest,
) -> Result<DescribeUserPoolClientResponse, ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let client = tx
            .client(&input.client_id)?
            .filter(|c| c.user_pool_id.as_deref() == Some(input.user_pool_id.as_str()))
            .ok_or_else(|| client_not_found(&input.client_id))?;
        Ok(DescribeUserPoolClientResponse { user_pool_client: Some(client) })
    })
}

/// Like UpdateUserPool, an update resets what it does not name to the default.
pub(crate) fn update_user_pool_client(
    up: &UserPools,
    input: UpdateUserPoolClientRequest,
) -> Result<UpdateUserPoolClientResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let old = tx
            .client(&input.client_id)?
            .filter(|c| c.user_pool_id.as_deref() == Some(input.user_pool_id.as_str()))
            .ok_or_else(|| client_not_found(&input.client_id))?;
        let mut client = UserPoolClientType {
            user_pool_id: old.user_pool_id,
            client_id: old.client_id,
            client_secret: old.client_secret,
            creation_date: old.creation_date,
            last_modified_date: Some(now),
            ..Default::default()
        };
        client_settings!(input, input.client_name.or(old.client_name).unwrap_or_default()).apply(
            &pool,
            &mut client,
            "updating",
        )?;
        check_scopes(tx, &client)?;
        tx.put_client(&client)?;
        Ok(UpdateUserPoolClientResponse { user_pool_client: Some(client) })
    })
}

pub(crate) fn delete_user_pool_client(up: &UserPools, input: DeleteUserPoolClientRequest) -> Result<(), ApiError> {
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        tx.client(&input.client_id)?
            .filter(|c| c.user_pool_id.as_deref() == Some(input.user_pool_id.as_str()))
            .ok_or_else(|| client_not_found(&input.client_id))?;
        // What the client's pages looked like goes with it.
        tx.delete_ui_customization(&input.user_pool_id, &input.client_id)?;
        if let Some(style) = tx.branding_of_client(&input.user_pool_id, &input.client_id)? {
            tx.delete_branding(&input.user_pool_id, style.managed_login_branding_id.as_deref().unwrap_or_default())?;
        }
        tx.delete_client(&input.client_id)
    })
}

pub(crate) fn list_user_pool_clients(
    up: &UserPools,
    input: ListUserPoolClientsRequest,
) -> Result<ListUserPoolClientsResponse, ApiError> {
    let after = decode_token(input.next_token.as_ref())?;
    up.tx(|tx| {
        load_pool(tx, &input.user_pool_id)?;
        let page = tx.clients(&input.user_pool_id, after.as_deref(), limit(input.max_results, 60))?;
        Ok(ListUserPoolClientsResponse {
            user_pool_clients: Some(
                page.items
                    .into_iter()
                    .map(|c| UserPoolClientDescription {
                        client_id: c.client_id,
                        user_pool_id: c.user_pool_id,
                        client_name: c.client_name,
                    })
                    .collect(),
            ),
            next_token: page.next.as_deref().map(encode_token),
        })
    })
}
