//! The PreAuthentication trigger, before anything else of a sign-in.

use crate::idp::lookup::find_user;
use crate::idp::service::UserPools;
use crate::triggers::{EventHeader, event, event_attributes};
use cognate_proto::ApiError;

/// Runs the pool's PreAuthentication handler for `username`, outside any transaction, if the
/// pool has one and the user exists; a failure stops the sign-in.
pub(crate) fn pre_authentication(up: &UserPools, client_id: &str, username: Option<&str>) -> Result<(), ApiError> {
    let Some(username) = username else { return Ok(()) };
    let found = up.tx(|tx| {
        let Some(client) = tx.client(client_id)? else { return Ok(None) };
        let Some(pool) = tx.pool(client.user_pool_id.as_deref().unwrap_or_default())? else { return Ok(None) };
        let Some(arn) = pool.lambda_config.as_ref().and_then(|l| l.pre_authentication.clone()) else {
            return Ok(None);
        };
        Ok(find_user(tx, &pool, username)?.map(|user| (pool, user, arn)))
    })?;
    let Some((pool, user, arn)) = found else { return Ok(()) };
    let header = EventHeader {
        trigger_source: "PreAuthentication_Authentication",
        user_pool_id: pool.id.as_deref().unwrap_or_default(),
        user_name: &user.username,
        client_id: Some(client_id),
    };
    let request = serde_json::json!({
        "userAttributes": event_attributes(&user),
        "validationData": {},
        "userNotFound": false,
    });
    up.run_trigger(&arn, "PreAuthentication", event(&header, request)).map(drop)
}
