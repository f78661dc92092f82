//! Tokens as Cognito makes them: minted inside a transaction (`mint`), signed after it with
//! the pool's triggers run (`finish`), kept as families that refresh tokens carry and sign-outs
//! end (`family`), checked when an operation is handed one (`verify`), and the keys and
//! discovery documents that let anyone check them (`keys`).

mod family;
pub(crate) mod finish;
mod keys;
mod machine;
mod mint;
mod verify;

pub(crate) use family::{RefreshPayload, admin_user_global_sign_out, global_sign_out, signed_out_since};
pub(crate) use machine::machine_token;
pub(crate) use mint::{Minted, mint, sign_in_tokens, sign_in_tokens_scoped};

use crate::idp::service::{IssuerStyle, UserPools};
use cognate_proto::RequestContext;
use cognate_proto::idp::*;

/// The scope of tokens from the API flows (not the hosted UI).
pub const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

pub(super) fn seconds_in(unit: Option<TimeUnitsType>, default: TimeUnitsType) -> i64 {
    match unit.unwrap_or(default) {
        TimeUnitsType::Seconds => 1,
        TimeUnitsType::Minutes => 60,
        TimeUnitsType::Hours => 3600,
        TimeUnitsType::Days => 86_400,
    }
}

/// Lifetimes in seconds from the client's settings: (access, id, refresh).
pub(crate) fn lifetimes(client: &UserPoolClientType) -> (i64, i64, i64) {
    let units = client.token_validity_units.as_ref();
    let access = client
        .access_token_validity
        .map_or(3600, |v| v as i64 * seconds_in(units.and_then(|u| u.access_token), TimeUnitsType::Hours));
    let id = client
        .id_token_validity
        .map_or(3600, |v| v as i64 * seconds_in(units.and_then(|u| u.id_token), TimeUnitsType::Hours));
    let refresh = match client.refresh_token_validity {
        None | Some(0) => 30 * 86_400,
        Some(v) => v as i64 * seconds_in(units.and_then(|u| u.refresh_token), TimeUnitsType::Days),
    };
    (access, id, refresh)
}

impl UserPools {
    pub(crate) fn issuer(&self, ctx: &RequestContext, pool_id: &str) -> String {
        match self.settings.issuer {
            IssuerStyle::Aws => {
                let region = pool_id.split_once('_').map(|(r, _)| r).unwrap_or("us-east-1");
                format!("https://cognito-idp.{region}.amazonaws.com/{pool_id}")
            }
            IssuerStyle::Local => {
                let base = ctx.base_url.as_deref().unwrap_or("http://localhost:9229").trim_end_matches('/');
                format!("{base}/{pool_id}")
            }
        }
    }
}
