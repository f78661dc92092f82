//! The seed file: pools, clients, users and groups declared in TOML, with fixed ids, applied
//! at start and after every reset.
//!
//! Applying is idempotent: what already exists (a pool or client with the id, a group with
//! the name, a user with the username) is left as it is, so a restart with persisted state
//! changes nothing. Settings tables take the members of the API requests under their AWS
//! names (`[pool.settings]` is a CreateUserPool request, `[pool.client.settings]` a
//! CreateUserPoolClient request) and are checked against the model like any request.
//!
//! ```toml
//! [[pool]]
//! id = "us-east-1_TestPoolId"
//! name = "TestPool"
//! [pool.settings]
//! UsernameAttributes = ["email"]
//! AutoVerifiedAttributes = ["email"]
//!
//! [[pool.client]]
//! id = "testclientid"
//! name = "TestClient"
//! secret = "aFixedSecretOf24CharsOrMore"   # optional; at least 24 of [A-Za-z0-9_+]
//! [pool.client.settings]
//! ExplicitAuthFlows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
//!
//! [[pool.group]]
//! name = "admins"
//! precedence = 1
//!
//! [[pool.user]]
//! username = "testuser@example.com"
//! password = "TestPass123!"
//! groups = ["admins"]
//! attributes = { email = "testuser@example.com", email_verified = "true" }
//!
//! [[identity_pool]]
//! id = "us-east-1:11111111-2222-3333-4444-555555555555"
//! name = "TestIdentityPool"
//! [identity_pool.settings]            # a CreateIdentityPool request
//! AllowUnauthenticatedIdentities = true
//! CognitoIdentityProviders = [{ ProviderName = "cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPoolId", ClientId = "testclientid" }]
//! [identity_pool.roles]               # a SetIdentityPoolRoles request
//! Roles = { authenticated = "arn:aws:iam::000000000000:role/Auth", unauthenticated = "arn:aws:iam::000000000000:role/Unauth" }
//! ```

use cognate_core::identity::IdentityPools;
use cognate_core::idp::UserPools;
use cognate_proto::identity::{self as ci, CognitoIdentity};
use cognate_proto::idp::{self, CognitoIdentityProvider};
use cognate_proto::{ApiError, RequestContext};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    #[serde(default, rename = "pool")]
    pub pools: Vec<SeedPool>,
    #[serde(default, rename = "identity_pool")]
    pub identity_pools: Vec<SeedIdentityPool>,
    /// Lambda routes: function name (or `*`) to `command:<shell command>` or an `http://` URL.
    #[serde(default)]
    pub lambda: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedPool {
    pub id: String,
    pub name: Option<String>,
    #[serde(default)]
    pub settings: Option<toml::Table>,
    #[serde(default, rename = "client")]
    pub clients: Vec<SeedClient>,
    #[serde(default, rename = "group")]
    pub groups: Vec<SeedGroup>,
    #[serde(default, rename = "user")]
    pub users: Vec<SeedUser>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedIdentityPool {
    /// `<region>:<uuid>`, as the model's pattern has it.
    pub id: String,
    pub name: Option<String>,
    #[serde(default)]
    pub settings: Option<toml::Table>,
    #[serde(default)]
    pub roles: Option<toml::Table>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedClient {
    pub id: String,
    pub name: Option<String>,
    pub secret: Option<String>,
    #[serde(default)]
    pub settings: Option<toml::Table>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedGroup {
    pub name: String,
    pub description: Option<String>,
    pub precedence: Option<i32>,
    pub role_arn: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedUser {
    pub username: String,
    /// A permanent password: the user is CONFIRMED.
    pub password: Option<String>,
    /// A temporary password: the user must change it (FORCE_CHANGE_PASSWORD).
    pub temporary_password: Option<String>,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// A settings table as the user-pool request it stands for, with the seed's own fields merged
/// in and the model's constraints checked.
fn request<T: serde::de::DeserializeOwned>(
    op: &str,
    settings: &Option<toml::Table>,
    fixed: &[(&str, Value)],
) -> Result<T, String> {
    request_of(&idp::SERVICE, op, settings, fixed)
}

fn request_of<T: serde::de::DeserializeOwned>(
    service: &cognate_proto::model::Service,
    op: &str,
    settings: &Option<toml::Table>,
    fixed: &[(&str, Value)],
) -> Result<T, String> {
    let shape = service.operation(op).and_then(|o| o.input).expect("the operation is in the model");
    let mut body = match settings {
        Some(table) => serde_json::to_value(table).map_err(|e| e.to_string())?,
        None => Value::Object(Default::default()),
    };
    for (k, v) in fixed {
        body[*k] = v.clone();
    }
    cognate_proto::decode(service, shape, &body).map_err(|e| format!("{op}: {e}"))
}

impl Seed {
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// Creates whatever the seed declares and the store does not have yet.
    pub fn apply(&self, pools: &UserPools, identity: &IdentityPools) -> Result<(), ApiError> {
        self.apply_user_pools(pools)?;
        let ctx = RequestContext::default();
        let fail = |e: String| ApiError::invalid_parameter(format!("seed: {e}"));
        for pool in &self.identity_pools {
            let name = pool.name.clone().unwrap_or_else(|| "identity_pool".into());
            let mut fixed = vec![("IdentityPoolName", Value::String(name))];
            // The model requires AllowUnauthenticatedIdentities; a seed may leave it out (false).
            if pool.settings.as_ref().is_none_or(|s| !s.contains_key("AllowUnauthenticatedIdentities")) {
                fixed.push(("AllowUnauthenticatedIdentities", Value::Bool(false)));
            }
            let create: ci::CreateIdentityPoolInput =
                request_of(&ci::SERVICE, "CreateIdentityPool", &pool.settings, &fixed).map_err(fail)?;
            if !identity.seed_identity_pool(&pool.id, create)? {
                continue;
            }
            if pool.roles.is_some() {
                let fixed = [("IdentityPoolId", Value::String(pool.id.clone()))];
                let roles: ci::SetIdentityPoolRolesInput =
                    request_of(&ci::SERVICE, "SetIdentityPoolRoles", &pool.roles, &fixed).map_err(fail)?;
                identity.set_identity_pool_roles(&ctx, roles)?;
            }
        }
        Ok(())
    }

    fn apply_user_pools(&self, pools: &UserPools) -> Result<(), ApiError> {
        let ctx = RequestContext::default();
        let fail = |e: String| ApiError::invalid_parameter(format!("seed: {e}"));
        for pool in &self.pools {
            let name = pool.name.clone().unwrap_or_else(|| pool.id.clone());
            let create = request::<idp::CreateUserPoolRequest>(
                "CreateUserPool",
                &pool.settings,
                &[("PoolName", Value::String(name))],
            )
            .map_err(fail)?;
            pools.seed_pool(&pool.id, create)?;

            for client in &pool.clients {
                let mut fixed = vec![
                    ("UserPoolId", Value::String(pool.id.clone())),
                    ("ClientName", Value::String(client.name.clone().unwrap_or_else(|| client.id.clone()))),
                ];
                if let Some(secret) = &client.secret {
                    fixed.push(("ClientSecret", Value::String(secret.clone())));
                }
                let create =
                    request::<idp::CreateUserPoolClientRequest>("CreateUserPoolClient", &client.settings, &fixed)
                        .map_err(fail)?;
                pools.seed_client(&client.id, create)?;
            }

            for group in &pool.groups {
                let exists = pools.get_group(
                    &ctx,
                    idp::GetGroupRequest { group_name: group.name.clone(), user_pool_id: pool.id.clone() },
                );
                if exists.is_ok() {
                    continue;
                }
                pools.create_group(
                    &ctx,
                    idp::CreateGroupRequest {
                        group_name: group.name.clone(),
                        user_pool_id: pool.id.clone(),
                        description: group.description.clone(),
                        precedence: group.precedence,
                        role_arn: group.role_arn.clone(),
                    },
                )?;
            }

            for user in &pool.users {
                let get = idp::AdminGetUserRequest { user_pool_id: pool.id.clone(), username: user.username.clone() };
                let username = match pools.admin_get_user(&ctx, get) {
                    Ok(existing) => existing.username,
                    Err(_) => self.create_user(pools, &pool.id, user)?,
                };
                for group in &user.groups {
                    pools.admin_add_user_to_group(
                        &ctx,
                        idp::AdminAddUserToGroupRequest {
                            user_pool_id: pool.id.clone(),
                            username: username.clone(),
                            group_name: group.clone(),
                        },
                    )?;
                }
            }
        }
        Ok(())
    }

    /// Creates one user the way an administrator would, and answers their username (a UUID
    /// in pools where email or phone is the username).
    fn create_user(&self, pools: &UserPools, pool_id: &str, user: &SeedUser) -> Result<String, ApiError> {
        let ctx = RequestContext::default();
        let attributes = user
            .attributes
            .iter()
            .map(|(name, value)| idp::AttributeType { name: name.clone(), value: Some(value.clone()) })
            .collect();
        let created = pools.admin_create_user(
            &ctx,
            idp::AdminCreateUserRequest {
                user_pool_id: pool_id.to_string(),
                username: user.username.clone(),
                user_attributes: Some(attributes),
                temporary_password: user.temporary_password.clone(),
                message_action: Some(idp::MessageActionType::Suppress),
                ..Default::default()
            },
        )?;
        let username = created.user.and_then(|u| u.username).unwrap_or_else(|| user.username.clone());
        if let Some(password) = &user.password {
            pools.admin_set_user_password(
                &ctx,
                idp::AdminSetUserPasswordRequest {
                    user_pool_id: pool_id.to_string(),
                    username: username.clone(),
                    password: password.clone(),
                    permanent: Some(true),
                },
            )?;
        }
        if !user.enabled {
            pools.admin_disable_user(
                &ctx,
                idp::AdminDisableUserRequest { user_pool_id: pool_id.to_string(), username: username.clone() },
            )?;
        }
        Ok(username)
    }
}
