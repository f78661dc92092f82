//! What session tracking does at a sign-in and a refresh (the operations that list, revoke
//! and configure sessions are `sessions`): a tracked sign-in's token family is written at once
//! with a [`TrackedSession`] in it, after evicting what MaxPerUser leaves no room for; a
//! refresh updates when and from where the session was last used. Kept apart from `sessions`
//! so that token issuing, which calls it, need not depend on the operations.

use crate::env::{LOWER_ALNUM, RandomExt};
use crate::idp::pool_docs::{self, PoolDoc};
use crate::idp::service::SignIn;
use crate::store::{Owner, TokenFamily, TrackedSession, Tx, UserRecord};
use cognate_proto::{ApiError, RequestContext};
use serde::{Deserialize, Serialize};

/// "If you have never called SetUserPoolSessionConfiguration ... UserSessionTracking as
/// DISABLED and a MaxPerUser value of 20" (GetUserPoolSessionConfiguration, model).
const DEFAULT_MAX_PER_USER: i32 = 20;
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PoolSessions {
    pub tracking: bool,
    pub max_per_user: i32,
}

impl PoolDoc for PoolSessions {
    const KIND: &'static str = "session-config";
}

pub(crate) const KEY: &str = "config";

pub(crate) fn pool_config(tx: &mut dyn Tx, pool_id: &str) -> Result<PoolSessions, ApiError> {
    Ok(pool_docs::get(tx, pool_id, Owner::Pool, KEY)?
        .unwrap_or(PoolSessions { tracking: false, max_per_user: DEFAULT_MAX_PER_USER }))
}

/// Makes a tracked sign-in's family a session: evicts what MaxPerUser leaves no room for and
/// writes the row. Answers whether the pool tracks sessions.
pub(crate) fn track(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    user: &UserRecord,
    family: &mut TokenFamily,
) -> Result<bool, ApiError> {
    let pool_id = s.pool_id();
    let config = pool_config(tx, pool_id)?;
    if !config.tracking {
        return Ok(false);
    }
    let now = s.up.now();
    let mut live = live_sessions(tx, pool_id, user, now)?;
    live.sort_by(|a, b| last_active(a).total_cmp(&last_active(b)));
    let excess = (live.len() + 1).saturating_sub(config.max_per_user.max(1) as usize);
    for mut old in live.into_iter().take(excess) {
        old.revoked = true;
        tx.put_family(&old)?;
    }
    family.session = Some(TrackedSession {
        id: format!("tkn{}", s.up.rng.string_from(LOWER_ALNUM, 25)),
        created: now,
        last_active: now,
        device: device_type(s.ctx),
        ip: s.ctx.source_ip.clone(),
    });
    tx.put_family(family)?;
    Ok(true)
}

/// A refresh of a tracked session: when and from where it was last used. Answers whether the
/// family is one (and so must be written).
pub(crate) fn touch(ctx: &RequestContext, family: &mut TokenFamily, now: f64) -> bool {
    let Some(session) = family.session.as_mut() else { return false };
    session.last_active = now;
    session.device = device_type(ctx).or(session.device.take());
    session.ip = ctx.source_ip.clone().or(session.ip.take());
    true
}

fn last_active(f: &TokenFamily) -> f64 {
    f.session.as_ref().map(|s| s.last_active).unwrap_or_default()
}

/// What DeviceType holds: "the operating system and browser or app", read from the user
/// agent. cognate keeps the agent as sent, or `unknown` without one.
fn device_type(ctx: &RequestContext) -> Option<String> {
    Some(ctx.user_agent.as_deref().map(|ua| ua.chars().take(1024).collect()).unwrap_or_else(|| "unknown".into()))
}

/// The user's sessions that still stand: tracked, not revoked, not expired, not ended by a
/// global sign-out since.
pub(crate) fn live_sessions(
    tx: &mut dyn Tx,
    pool_id: &str,
    user: &UserRecord,
    now: f64,
) -> Result<Vec<TokenFamily>, ApiError> {
    Ok(tx
        .families_of(pool_id, &user.key)?
        .into_iter()
        .filter(|f| f.session.is_some() && !f.revoked && f.expires > now && f.sub == user.sub)
        .collect())
}
