//! The records of the identity-pool service (`cognito-identity`): pools, the identities in
//! them with the logins linked to each, and the AWS credentials handed out for them.
//!
//! These are cognate's own shapes, not the generated API types: what an identity pool keeps
//! beside its description (roles, role mappings, principal tag maps) has no one API shape, and
//! owning the names keeps the disk form still when botocore's model moves.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An identity pool: its description as CreateIdentityPool and UpdateIdentityPool set it, and
/// what the role and tag operations set beside it. An unset member stays unset (`None`), since
/// DescribeIdentityPool leaves out what was never sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IdentityPoolRecord {
    pub id: String,
    pub name: String,
    pub allow_unauthenticated: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_classic_flow: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported_login_providers: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub developer_provider_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_id_connect_provider_arns: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cognito_identity_providers: Option<Vec<CognitoProviderRecord>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saml_provider_arns: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
    /// `authenticated` and `unauthenticated` to a role ARN (SetIdentityPoolRoles).
    #[serde(default)]
    pub roles: BTreeMap<String, String>,
    /// A provider name (or `provider:client id`) to its rules, as SetIdentityPoolRoles sent them.
    #[serde(default)]
    pub role_mappings: BTreeMap<String, RoleMappingRecord>,
    /// A provider name to its principal tags (SetPrincipalTagAttributeMap).
    #[serde(default)]
    pub principal_tags: BTreeMap<String, PrincipalTagsRecord>,
}

/// One user pool app client an identity pool takes ID tokens from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CognitoProviderRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_side_token_check: Option<bool>,
}

/// How a provider's users get their role: `Token` (the token's own role claims) or `Rules`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RoleMappingRecord {
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ambiguous_role_resolution: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<RuleRecord>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RuleRecord {
    pub claim: String,
    pub match_type: String,
    pub value: String,
    pub role_arn: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PrincipalTagsRecord {
    pub use_defaults: bool,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// An identity: the id GetId hands out, and the logins linked to it. A login (a provider name
/// and the subject it vouched for) belongs to at most one identity of a pool, which the store
/// indexes; an identity without logins is a guest's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IdentityRecord {
    pub id: String,
    pub pool_id: String,
    #[serde(default)]
    pub logins: Vec<Login>,
    pub created: f64,
    pub modified: f64,
    /// Set when the identity's last login was unlinked: it can no longer sign in or be a guest.
    #[serde(default)]
    pub disabled: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Login {
    /// The provider's name as the pool knows it (`cognito-idp.<region>.amazonaws.com/<pool>`,
    /// `accounts.google.com`, the developer provider's name).
    pub provider: String,
    /// Whom the provider vouched for: a token's `sub`, a developer's user identifier.
    pub subject: String,
}

/// AWS credentials cognate handed out (GetCredentialsForIdentity, AssumeRoleWithWebIdentity),
/// and what they stand for, so a test can ask. The secret and the session token are kept only
/// as SHA-256 digests.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CredentialsRecord {
    pub access_key_id: String,
    pub secret_digest: String,
    pub session_token_digest: String,
    pub role_arn: String,
    /// The assumed-role user the credentials act as (`arn:aws:sts::<account>:assumed-role/...`).
    pub assumed_role_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_pool_id: Option<String>,
    #[serde(default)]
    pub principal_tags: BTreeMap<String, String>,
    /// The operation that made them.
    pub source: String,
    pub expires: f64,
}
