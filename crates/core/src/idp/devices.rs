//! Devices: tracked at sign-in when the pool's DeviceConfiguration asks for it, confirmed with
//! their own SRP verifier, remembered or not, listed and forgotten; the user and admin forms.

use crate::env::hex;
use crate::idp::lookup::{decode_token, encode_token, limit, load_pool, require_user};
use crate::idp::service::UserPools;
use crate::store::{DeviceRecord, Tx, UserRecord};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cognate_proto::ApiError;
use cognate_proto::idp::*;

fn not_found() -> ApiError {
    ApiError::resource_not_found("Device does not exist.")
}

/// The device as DeviceType shows it.
fn device_type(d: &DeviceRecord) -> DeviceType {
    let attr = |name: &str, value: &str| AttributeType { name: name.into(), value: Some(value.into()) };
    let mut attributes = vec![attr("device_status", "valid")];
    if let Some(name) = &d.name {
        attributes.push(attr("device_name", name));
    }
    attributes.push(attr("dev:device_remembered_status", if d.remembered { "remembered" } else { "not_remembered" }));
    DeviceType {
        device_key: Some(d.device_key.clone()),
        device_attributes: Some(attributes),
        device_create_date: Some(d.created),
        device_last_modified_date: Some(d.modified),
        device_last_authenticated_date: Some(d.last_authenticated),
    }
}

/// The user's device `key`, or Cognito's error.
fn owned(tx: &mut dyn Tx, pool_id: &str, user: &UserRecord, key: &str) -> Result<DeviceRecord, ApiError> {
    tx.device(pool_id, key)?.filter(|d| d.user_key == user.key && d.sub == user.sub).ok_or_else(not_found)
}

impl UserPools {
    fn set_device_status(
        &self,
        tx: &mut dyn Tx,
        pool_id: &str,
        user: &UserRecord,
        key: &str,
        status: Option<DeviceRememberedStatusType>,
    ) -> Result<(), ApiError> {
        let mut device = owned(tx, pool_id, user, key)?;
        device.remembered = status != Some(DeviceRememberedStatusType::NotRemembered);
        device.modified = self.now();
        tx.put_device(&device)
    }

    fn list(
        &self,
        tx: &mut dyn Tx,
        pool_id: &str,
        user: &UserRecord,
        token: Option<&String>,
        max: Option<i32>,
    ) -> Result<(Vec<DeviceType>, Option<String>), ApiError> {
        let after = decode_token(token)?;
        let page = tx.devices_of(pool_id, &user.key, after.as_deref(), limit(max, 60))?;
        let devices = page.items.iter().filter(|d| d.sub == user.sub).map(device_type).collect();
        Ok((devices, page.next.as_deref().map(encode_token)))
    }

    fn token_required(token: Option<&String>) -> Result<&String, ApiError> {
        token.ok_or_else(|| ApiError::invalid_parameter("Missing required parameter AccessToken"))
    }
}

pub(crate) fn confirm_device(up: &UserPools, input: ConfirmDeviceRequest) -> Result<ConfirmDeviceResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        let (pool, user) = up.access_user(tx, &input.access_token)?;
        let pool_id = pool.id.clone().unwrap_or_default();
        let mut device = owned(tx, &pool_id, &user, &input.device_key)?;
        let config = input.device_secret_verifier_config.unwrap_or_default();
        let decode = |v: Option<String>| -> Result<String, ApiError> {
            let raw = STANDARD
                .decode(v.unwrap_or_default())
                .map_err(|_| ApiError::invalid_parameter("Invalid DeviceSecretVerifierConfig."))?;
            let start = raw.iter().position(|&b| b != 0).unwrap_or(raw.len());
            if raw.len() - start > 384 || start == raw.len() {
                return Err(ApiError::invalid_parameter("Invalid DeviceSecretVerifierConfig."));
            }
            Ok(hex(&raw[start..]))
        };
        // A verifier of 0 mod N would let anyone prove the device: refuse it.
        let verifier = crate::password::srp::parse_a(&decode(config.password_verifier)?)
            .ok_or_else(|| ApiError::invalid_parameter("Invalid DeviceSecretVerifierConfig."))?;
        device.verifier = Some(hex(&verifier));
        device.salt = Some(crate::password::pad_hex(&crate::password::srp::decode_hex(&decode(config.salt)?)));
        device.name = input.device_name.or(device.name);
        let on_prompt =
            pool.device_configuration.as_ref().and_then(|c| c.device_only_remembered_on_user_prompt).unwrap_or(false);
        device.confirmed = true;
        device.remembered = !on_prompt;
        device.modified = now;
        tx.put_device(&device)?;
        Ok(ConfirmDeviceResponse { user_confirmation_necessary: Some(on_prompt) })
    })
}

pub(crate) fn update_device_status(
    up: &UserPools,
    input: UpdateDeviceStatusRequest,
) -> Result<UpdateDeviceStatusResponse, ApiError> {
    up.tx(|tx| {
        let (pool, user) = up.access_user(tx, &input.access_token)?;
        up.set_device_status(
            tx,
            pool.id.as_deref().unwrap_or_default(),
            &user,
            &input.device_key,
            input.device_remembered_status,
        )?;
        Ok(UpdateDeviceStatusResponse::default())
    })
}

pub(crate) fn admin_update_device_status(
    up: &UserPools,
    input: AdminUpdateDeviceStatusRequest,
) -> Result<AdminUpdateDeviceStatusResponse, ApiError> {
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let user = require_user(tx, &pool, &input.username)?;
        up.set_device_status(tx, &input.user_pool_id, &user, &input.device_key, input.device_remembered_status)?;
        Ok(AdminUpdateDeviceStatusResponse::default())
    })
}

pub(crate) fn list_devices(up: &UserPools, input: ListDevicesRequest) -> Result<ListDevicesResponse, ApiError> {
    up.tx(|tx| {
        let (pool, user) = up.access_user(tx, &input.access_token)?;
        let (devices, next) =
            up.list(tx, pool.id.as_deref().unwrap_or_default(), &user, input.pagination_token.as_ref(), input.limit)?;
        Ok(ListDevicesResponse { devices: Some(devices), pagination_token: next })
    })
}

pub(crate) fn admin_list_devices(
    up: &UserPools,
    input: AdminListDevicesRequest,
) -> Result<AdminListDevicesResponse, ApiError> {
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let user = require_user(tx, &pool, &input.username)?;
        let (devices, next) = up.list(tx, &input.user_pool_id, &user, input.pagination_token.as_ref(), input.limit)?;
        Ok(AdminListDevicesResponse { devices: Some(devices), pagination_token: next })
    })
}

pub(crate) fn get_device(up: &UserPools, input: GetDeviceRequest) -> Result<GetDeviceResponse, ApiError> {
    up.tx(|tx| {
        let (pool, user) = up.access_user(tx, UserPools::token_required(input.access_token.as_ref())?)?;
        let device = owned(tx, pool.id.as_deref().unwrap_or_default(), &user, &input.device_key)?;
        Ok(GetDeviceResponse { device: device_type(&device) })
    })
}

pub(crate) fn admin_get_device(
    up: &UserPools,
    input: AdminGetDeviceRequest,
) -> Result<AdminGetDeviceResponse, ApiError> {
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let user = require_user(tx, &pool, &input.username)?;
        let device = owned(tx, &input.user_pool_id, &user, &input.device_key)?;
        Ok(AdminGetDeviceResponse { device: device_type(&device) })
    })
}

pub(crate) fn forget_device(up: &UserPools, input: ForgetDeviceRequest) -> Result<(), ApiError> {
    up.tx(|tx| {
        let (pool, user) = up.access_user(tx, UserPools::token_required(input.access_token.as_ref())?)?;
        let pool_id = pool.id.clone().unwrap_or_default();
        owned(tx, &pool_id, &user, &input.device_key)?;
        tx.delete_device(&pool_id, &input.device_key)
    })
}

pub(crate) fn admin_forget_device(up: &UserPools, input: AdminForgetDeviceRequest) -> Result<(), ApiError> {
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let user = require_user(tx, &pool, &input.username)?;
        owned(tx, &input.user_pool_id, &user, &input.device_key)?;
        tx.delete_device(&input.user_pool_id, &input.device_key)
    })
}
