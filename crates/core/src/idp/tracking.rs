//! The devices a sign-in remembers: the known device a DEVICE_KEY names, and the new one a
//! pool that tracks devices makes at each sign-in without one.

use crate::env::{ALNUM, RandomExt};
use crate::idp::service::UserPools;
use crate::store::{DeviceRecord, Tx, UserRecord};
use cognate_proto::ApiError;
use cognate_proto::idp::UserPoolType;

impl UserPools {
    /// A new device for a sign-in in a pool that tracks devices: answers its key.
    pub(crate) fn track_new_device(
        &self,
        tx: &mut dyn Tx,
        pool: &UserPoolType,
        user: &UserRecord,
    ) -> Result<DeviceRecord, ApiError> {
        let pool_id = pool.id.clone().unwrap_or_default();
        let region = pool_id.split_once('_').map(|(r, _)| r.to_string()).unwrap_or_else(|| "us-east-1".into());
        let now = self.now();
        let device = DeviceRecord {
            pool_id,
            device_key: format!("{region}_{}", self.rng.uuid_v4()),
            group_key: format!("-{}", self.rng.string_from(ALNUM, 9)),
            user_key: user.key.clone(),
            sub: user.sub.clone(),
            created: now,
            modified: now,
            last_authenticated: now,
            ..Default::default()
        };
        tx.put_device(&device)?;
        Ok(device)
    }

    /// A confirmed device of this user that can prove itself with DEVICE_SRP_AUTH.
    pub(crate) fn known_device(
        &self,
        tx: &mut dyn Tx,
        pool_id: &str,
        user: &UserRecord,
        key: Option<&str>,
    ) -> Result<Option<DeviceRecord>, ApiError> {
        let Some(key) = key else { return Ok(None) };
        Ok(tx.device(pool_id, key)?.filter(|d| d.user_key == user.key && d.sub == user.sub))
    }
}
