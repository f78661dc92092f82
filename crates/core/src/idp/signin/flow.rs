//! AuthParameters, read once into the flow they ask for.

use cognate_proto::ApiError;
use cognate_proto::idp::AuthFlowType;
use std::collections::BTreeMap;

/// Which flow a request asks for, once its AuthFlow has been matched with the operation
/// (InitiateAuth or AdminInitiateAuth) it came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlowKind {
    /// USER_PASSWORD_AUTH, or the admin ADMIN_USER_PASSWORD_AUTH / ADMIN_NO_SRP_AUTH.
    Password,
    Srp,
    Refresh,
    Custom,
    /// USER_AUTH: a first factor of the user's choice.
    Choice,
}

impl FlowKind {
    /// The kind of `flow` through InitiateAuth (`admin` false) or AdminInitiateAuth.
    pub(crate) fn of(flow: AuthFlowType, admin: bool) -> Result<Self, ApiError> {
        use AuthFlowType as F;
        match (flow, admin) {
            (F::UserPasswordAuth, false) | (F::AdminUserPasswordAuth | F::AdminNoSrpAuth, true) => Ok(Self::Password),
            (F::UserSrpAuth, _) => Ok(Self::Srp),
            (F::RefreshTokenAuth | F::RefreshToken, _) => Ok(Self::Refresh),
            (F::CustomAuth, _) => Ok(Self::Custom),
            (F::UserAuth, _) => Ok(Self::Choice),
            (F::AdminUserPasswordAuth | F::AdminNoSrpAuth, false) | (F::UserPasswordAuth, true) => {
                Err(ApiError::invalid_parameter("Initiate Auth method not supported."))
            }
        }
    }

    /// Whether the flow carries the password a UserMigration trigger needs.
    pub(crate) fn may_migrate(self) -> bool {
        self == Self::Password
    }

    /// Whether PreAuthentication runs before the flow.
    pub(crate) fn may_pre_authenticate(self) -> bool {
        self != Self::Refresh
    }
}

/// A sign-in's AuthParameters, as the flow reads them.
#[derive(Debug, Clone)]
pub(crate) enum Flow {
    Password {
        username: String,
        password: String,
        secret_hash: Option<String>,
        device_key: Option<String>,
    },
    Srp {
        username: String,
        srp_a: String,
        secret_hash: Option<String>,
        device_key: Option<String>,
    },
    Refresh {
        token: String,
        secret_hash: Option<String>,
    },
    Custom {
        username: String,
        srp_a: Option<String>,
        secret_hash: Option<String>,
    },
    Choice {
        username: String,
        preferred: Option<String>,
        password: Option<String>,
        srp_a: Option<String>,
        secret_hash: Option<String>,
        device_key: Option<String>,
    },
}

impl Flow {
    /// Reads `params` for `kind`, refusing the first required parameter that is missing.
    pub(crate) fn parse(kind: FlowKind, params: &BTreeMap<String, String>) -> Result<Self, ApiError> {
        let get = |name: &str| params.get(name).cloned();
        Ok(match kind {
            FlowKind::Password => Flow::Password {
                username: required(params, "USERNAME")?,
                password: required(params, "PASSWORD")?,
                secret_hash: get("SECRET_HASH"),
                device_key: get("DEVICE_KEY"),
            },
            FlowKind::Srp => Flow::Srp {
                username: required(params, "USERNAME")?,
                srp_a: required(params, "SRP_A")?,
                secret_hash: get("SECRET_HASH"),
                device_key: get("DEVICE_KEY"),
            },
            FlowKind::Refresh => {
                Flow::Refresh { token: required(params, "REFRESH_TOKEN")?, secret_hash: get("SECRET_HASH") }
            }
            FlowKind::Choice => Flow::Choice {
                username: required(params, "USERNAME")?,
                preferred: get("PREFERRED_CHALLENGE"),
                password: get("PASSWORD"),
                srp_a: get("SRP_A"),
                secret_hash: get("SECRET_HASH"),
                device_key: get("DEVICE_KEY"),
            },
            FlowKind::Custom => Flow::Custom {
                username: required(params, "USERNAME")?,
                srp_a: get("SRP_A"),
                secret_hash: get("SECRET_HASH"),
            },
        })
    }
}

impl Flow {
    /// Whom the sign-in names (a refresh names nobody: its token does).
    pub(crate) fn username(&self) -> Option<&str> {
        match self {
            Flow::Password { username, .. }
            | Flow::Srp { username, .. }
            | Flow::Custom { username, .. }
            | Flow::Choice { username, .. } => Some(username),
            Flow::Refresh { .. } => None,
        }
    }

    /// The password, for the flows that send one.
    pub(crate) fn password(&self) -> Option<&str> {
        match self {
            Flow::Password { password, .. } => Some(password),
            _ => None,
        }
    }
}

/// A parameter a step cannot go without, or Cognito's error naming it.
pub(crate) fn required(params: &BTreeMap<String, String>, name: &str) -> Result<String, ApiError> {
    params.get(name).cloned().ok_or_else(|| ApiError::invalid_parameter(format!("Missing required parameter {name}")))
}
