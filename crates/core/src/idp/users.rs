//! Users as administrators manage them: creation, attributes, status and passwords, listing.

use crate::env::RandomExt;
use crate::idp::attributes;
use crate::idp::filter;
use crate::idp::lookup::{decode_token, encode_token, find_user, load_pool, pool_name_of, require_user, user_key};
use crate::idp::service::UserPools;
use crate::password::{self, PasswordVerifier, VerifierExt};
use crate::store::{Tx, UserRecord};
use cognate_proto::ApiError;
use cognate_proto::idp::*;
use std::sync::Arc;

pub(super) fn policy(pool: &UserPoolType) -> PasswordPolicyType {
    pool.policies.as_ref().and_then(|p| p.password_policy.clone()).unwrap_or_else(password::default_policy)
}

fn pool_id(pool: &UserPoolType) -> &str {
    pool.id.as_deref().unwrap_or_default()
}

fn username_attributes(pool: &UserPoolType) -> Vec<UsernameAttributeType> {
    pool.username_attributes.clone().unwrap_or_default()
}

/// The first step of AdminCreateUser: a resend is done at once; a new user waits for PreSignUp.
enum Created {
    Done(AdminCreateUserResponse),
    Pending(Arc<UserPoolType>, Box<UserRecord>, String),
}

/// The user as UserType (AdminCreateUser, ListUsers) shows them.
pub(super) fn user_type(user: &UserRecord, only: Option<&[String]>) -> UserType {
    let attributes = match only {
        None => user.attributes.clone(),
        Some(names) => user.attributes.iter().filter(|a| names.contains(&a.name)).cloned().collect(),
    };
    UserType {
        username: Some(user.username.clone()),
        attributes: Some(attributes),
        user_create_date: Some(user.created),
        user_last_modified_date: Some(user.modified),
        enabled: Some(user.enabled),
        user_status: Some(user.status),
        mfa_options: crate::idp::mfa::settings_of(user).2,
    }
}

/// Whether a value of attribute `name` is verified for this user (aliases only count then).
fn verified(user: &UserRecord, name: &str) -> bool {
    match name {
        "email" => user.attribute("email_verified") == Some("true"),
        "phone_number" => user.attribute("phone_number_verified") == Some("true"),
        _ => true,
    }
}

/// Enforces that sign-in identifiers stay unique. An email or phone number used as the
/// username belongs to one user (UsernameExistsException); a verified alias too
/// (AliasExistsException), unless `force` moves it to this user, unverifying it on the other.
pub(super) fn claim_identifiers(
    tx: &mut dyn Tx,
    pool: &UserPoolType,
    user: &UserRecord,
    force: bool,
    now: f64,
) -> Result<(), ApiError> {
    let id = pool_id(pool).to_string();
    for attr in username_attributes(pool) {
        let name = attr.as_str();
        let Some(value) = user.attribute(name) else {
            continue;
        };
        let others = tx.users_with(&id, name, &value.to_lowercase())?;
        if others.iter().any(|o| o.key != user.key) {
            let what = if name == "email" { "email" } else { "phone_number" };
            return Err(ApiError::username_exists(format!("An account with the given {what} already exists.")));
        }
    }
    for attr in pool.alias_attributes.clone().unwrap_or_default() {
        let name = attr.as_str();
        let Some(value) = user.attribute(name) else {
            continue;
        };
        if !verified(user, name) {
            continue;
        }
        let others: Vec<UserRecord> = tx
            .users_with(&id, name, &value.to_lowercase())?
            .into_iter()
            .filter(|o| o.key != user.key && verified(o, name))
            .collect();
        for mut other in others {
            if !force {
                return Err(ApiError::alias_exists(format!("An account with the given {name} already exists.")));
            }
            match name {
                "email" => other.set_attribute("email_verified", "false"),
                "phone_number" => other.set_attribute("phone_number_verified", "false"),
                _ => other.remove_attribute(name),
            }
            other.modified = now;
            tx.put_user(&id, &other)?;
        }
    }
    Ok(())
}

impl UserPools {
    /// The user a group operation names, or Cognito's error.
    pub(super) fn group_member(
        &self,
        tx: &mut dyn Tx,
        pool: &UserPoolType,
        username: &str,
    ) -> Result<UserRecord, ApiError> {
        find_user(tx, pool, username)?.ok_or_else(|| ApiError::user_not_found("User does not exist."))
    }
}

pub(crate) fn admin_create_user(
    up: &UserPools,
    input: AdminCreateUserRequest,
) -> Result<AdminCreateUserResponse, ApiError> {
    let now = up.now();
    let created = up.tx_sending(|tx, mail| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let given = input.user_attributes.clone().unwrap_or_default();
        attributes::check_new(&pool, &given)?;
        let policy = policy(&pool);
        if let Some(pw) = input.temporary_password.as_deref().filter(|p| !p.is_empty()) {
            password::check_policy(&policy, pw)?;
        }
        let temporary = input
            .temporary_password
            .clone()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| password::generate_temporary(&policy, up.rng.as_ref()));

        if input.message_action == Some(MessageActionType::Resend) {
            let mut user = require_user(tx, &pool, &input.username)?;
            if user.status != UserStatusType::ForceChangePassword {
                return Err(ApiError::unsupported_user_state(format!(
                    "Resend not possible. {} status is not FORCE_CHANGE_PASSWORD.",
                    user.username
                )));
            }
            user.password =
                Some(PasswordVerifier::new(pool_name_of(pool_id(&pool)), &user.username, &temporary, up.rng.as_ref()));
            user.temporary_password_issued = Some(now);
            user.modified = now;
            tx.put_user(pool_id(&pool), &user)?;
            let mediums = input.desired_delivery_mediums.clone().unwrap_or_default();
            up.send_invitation(tx, mail, &pool, &user, &mediums, &temporary)?;
            return Ok(Created::Done(AdminCreateUserResponse { user: Some(user_type(&user, None)) }));
        }

        let sub = up.rng.uuid_v4();
        let mut attrs = given;
        // With email or phone as the username, the username given is that attribute and
        // the user's real username is their sub.
        let username = match username_attributes(&pool).as_slice() {
            [] => input.username.clone(),
            kinds => {
                let email_ok = kinds.contains(&UsernameAttributeType::Email) && attributes::is_email(&input.username);
                let phone_ok =
                    kinds.contains(&UsernameAttributeType::PhoneNumber) && attributes::is_phone(&input.username);
                if !email_ok && !phone_ok {
                    let msg = match kinds {
                        [UsernameAttributeType::Email] => "Username should be an email.",
                        [UsernameAttributeType::PhoneNumber] => "Username should be a phone number.",
                        _ => "Username should be either an email or a phone number.",
                    };
                    return Err(ApiError::invalid_parameter(msg));
                }
                let name = if email_ok { "email" } else { "phone_number" };
                if !attrs.iter().any(|a| a.name == name) {
                    attrs.push(AttributeType { name: name.into(), value: Some(input.username.clone()) });
                }
                sub.clone()
            }
        };
        let key = user_key(&pool, &username);
        if tx.user(pool_id(&pool), &key)?.is_some() {
            return Err(ApiError::username_exists("User account already exists"));
        }
        let mut attributes = vec![AttributeType { name: "sub".into(), value: Some(sub.clone()) }];
        attributes.extend(attrs);
        let user = UserRecord {
            key,
            password: Some(PasswordVerifier::new(pool_name_of(pool_id(&pool)), &username, &temporary, up.rng.as_ref())),
            username,
            sub,
            attributes,
            enabled: true,
            status: UserStatusType::ForceChangePassword,
            created: now,
            modified: now,
            temporary_password_issued: Some(now),
            ..Default::default()
        };
        // Only a check here: moving an alias (ForceAliasCreation) waits for the write.
        if !input.force_alias_creation.unwrap_or(false) {
            claim_identifiers(tx, &pool, &user, false, now)?;
        }
        Ok(Created::Pending(pool, Box::new(user), temporary))
    })?;
    let (pool, mut user, temporary) = match created {
        Created::Done(response) => return Ok(response),
        Created::Pending(pool, user, temporary) => (pool, *user, temporary),
    };
    // PreSignUp between the checks and the write: if it fails, nobody is created. An
    // administrator's user starts in FORCE_CHANGE_PASSWORD whatever autoConfirmUser says.
    up.pre_sign_up(
        &pool,
        &mut user,
        "PreSignUp_AdminCreateUser",
        None,
        input.validation_data.as_deref(),
        input.client_metadata.clone(),
    )?;
    up.tx_sending(|tx, mail| {
        let pool = load_pool(tx, pool_id(&pool))?;
        if tx.user(pool_id(&pool), &user.key)?.is_some() {
            return Err(ApiError::username_exists("User account already exists"));
        }
        claim_identifiers(tx, &pool, &user, input.force_alias_creation.unwrap_or(false), now)?;
        tx.put_user(pool_id(&pool), &user)?;
        if input.message_action != Some(MessageActionType::Suppress) {
            let mediums = input.desired_delivery_mediums.clone().unwrap_or_default();
            up.send_invitation(tx, mail, &pool, &user, &mediums, &temporary)?;
        }
        Ok(AdminCreateUserResponse { user: Some(user_type(&user, None)) })
    })
}

pub(crate) fn admin_get_user(up: &UserPools, input: AdminGetUserRequest) -> Result<AdminGetUserResponse, ApiError> {
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let user = require_user(tx, &pool, &input.username)?;
        let (user_mfa_setting_list, preferred_mfa_setting, mfa_options) = crate::idp::mfa::settings_of(&user);
        Ok(AdminGetUserResponse {
            username: user.username.clone(),
            user_attributes: Some(user.attributes.clone()),
            user_create_date: Some(user.created),
            user_last_modified_date: Some(user.modified),
            enabled: Some(user.enabled),
            user_status: Some(user.status),
            user_mfa_setting_list,
            preferred_mfa_setting,
            mfa_options,
        })
    })
}

pub(crate) fn admin_delete_user(up: &UserPools, input: AdminDeleteUserRequest) -> Result<(), ApiError> {
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let user = require_user(tx, &pool, &input.username)?;
        tx.delete_user(pool_id(&pool), &user.key)
    })
}

pub(crate) fn admin_update_user_attributes(
    up: &UserPools,
    input: AdminUpdateUserAttributesRequest,
) -> Result<AdminUpdateUserAttributesResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let mut user = require_user(tx, &pool, &input.username)?;
        attributes::check_update(&pool, &input.user_attributes)?;
        for a in &input.user_attributes {
            let value = a.value.as_deref().unwrap_or_default();
            let changed = user.attribute(&a.name) != Some(value);
            if changed {
                // A code sent for the old value must not verify (or bring back) anything.
                user.codes.remove(&format!("verify:{}", a.name));
            }
            user.set_attribute(&a.name, value);
            // A new email or phone number is unverified unless the same call verifies it.
            let flag = match a.name.as_str() {
                "email" => Some("email_verified"),
                "phone_number" => Some("phone_number_verified"),
                _ => None,
            };
            if let Some(flag) = flag {
                let set_too = input.user_attributes.iter().any(|x| x.name == flag);
                if changed && !set_too && user.attribute(flag) == Some("true") {
                    user.set_attribute(flag, "false");
                }
            }
        }
        user.modified = now;
        claim_identifiers(tx, &pool, &user, false, now)?;
        tx.put_user(pool_id(&pool), &user)?;
        Ok(AdminUpdateUserAttributesResponse::default())
    })
}

pub(crate) fn admin_delete_user_attributes(
    up: &UserPools,
    input: AdminDeleteUserAttributesRequest,
) -> Result<AdminDeleteUserAttributesResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let mut user = require_user(tx, &pool, &input.username)?;
        let mut lines = String::new();
        for name in &input.user_attribute_names {
            match crate::idp::pools::schema_entry(&pool, name) {
                None => lines.push_str(&format!("user.{name}: Attribute does not exist in the schema.\n")),
                Some(s) if s.required == Some(true) => {
                    lines.push_str(&format!("user.{name}: Required attribute cannot be deleted.\n"))
                }
                Some(s) if s.mutable == Some(false) => {
                    lines.push_str(&format!("user.{name}: Attribute cannot be updated.\n"))
                }
                Some(_) => {}
            }
        }
        if !lines.is_empty() {
            return Err(ApiError::invalid_parameter(lines));
        }
        for name in &input.user_attribute_names {
            user.remove_attribute(name);
            user.codes.remove(&format!("verify:{name}"));
            match name.as_str() {
                "email" => user.remove_attribute("email_verified"),
                "phone_number" => user.remove_attribute("phone_number_verified"),
                _ => {}
            }
        }
        user.modified = now;
        tx.put_user(pool_id(&pool), &user)?;
        Ok(AdminDeleteUserAttributesResponse::default())
    })
}

fn set_enabled(up: &UserPools, pool_id: &str, username: &str, enabled: bool) -> Result<(), ApiError> {
    let now = up.now();
    up.tx(|tx| {
        let pool = load_pool(tx, pool_id)?;
        let mut user = require_user(tx, &pool, username)?;
        user.enabled = enabled;
        user.modified = now;
        if !enabled {
            // Disabling a user revokes their tokens (API reference, AdminDisableUser).
            up.sign_out_everywhere(tx, pool_id, &mut user)?;
        }
        tx.put_user(pool_id, &user)
    })
}

pub(crate) fn admin_set_user_password(
    up: &UserPools,
    input: AdminSetUserPasswordRequest,
) -> Result<AdminSetUserPasswordResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let mut user = require_user(tx, &pool, &input.username)?;
        password::check_policy(&policy(&pool), &input.password)?;
        user.password =
            Some(PasswordVerifier::new(pool_name_of(pool_id(&pool)), &user.username, &input.password, up.rng.as_ref()));
        if input.permanent.unwrap_or(false) {
            user.status = UserStatusType::Confirmed;
            user.temporary_password_issued = None;
        } else {
            user.status = UserStatusType::ForceChangePassword;
            user.temporary_password_issued = Some(now);
        }
        user.modified = now;
        tx.put_user(pool_id(&pool), &user)?;
        Ok(AdminSetUserPasswordResponse::default())
    })
}

pub(crate) fn admin_reset_user_password(
    up: &UserPools,
    input: AdminResetUserPasswordRequest,
) -> Result<AdminResetUserPasswordResponse, ApiError> {
    let now = up.now();
    up.tx_sending(|tx, mail| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let mut user = require_user(tx, &pool, &input.username)?;
        up.send_reset_code(tx, mail, &pool, &mut user, "AdminResetUserPassword")?;
        if user.status == UserStatusType::Confirmed {
            user.status = UserStatusType::ResetRequired;
        }
        user.modified = now;
        tx.put_user(pool_id(&pool), &user)?;
        Ok(AdminResetUserPasswordResponse::default())
    })
}

pub(crate) fn admin_confirm_sign_up(
    up: &UserPools,
    input: AdminConfirmSignUpRequest,
) -> Result<AdminConfirmSignUpResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let mut user = require_user(tx, &pool, &input.username)?;
        if user.status != UserStatusType::Unconfirmed {
            return Err(ApiError::not_authorized(format!(
                "User cannot be confirmed. Current status is {}",
                user.status.as_str()
            )));
        }
        user.status = UserStatusType::Confirmed;
        user.modified = now;
        tx.put_user(pool_id(&pool), &user)?;
        Ok(AdminConfirmSignUpResponse::default())
    })
}

pub(crate) fn list_users(up: &UserPools, input: ListUsersRequest) -> Result<ListUsersResponse, ApiError> {
    let after = decode_token(input.pagination_token.as_ref())?;
    let filter = filter::parse(input.filter.as_deref().unwrap_or_default())?;
    up.tx(|tx| {
        let pool = load_pool(tx, &input.user_pool_id)?;
        let limit = match input.limit {
            Some(n) if n > 0 => n as usize,
            _ => 60,
        };
        let page = tx.users(pool_id(&pool), filter.as_ref(), after.as_deref(), limit)?;
        Ok(ListUsersResponse {
            users: Some(page.items.iter().map(|u| user_type(u, input.attributes_to_get.as_deref())).collect()),
            pagination_token: page.next.as_deref().map(encode_token),
        })
    })
}

pub(crate) fn admin_enable_user(
    up: &UserPools,
    input: AdminEnableUserRequest,
) -> Result<AdminEnableUserResponse, ApiError> {
    set_enabled(up, &input.user_pool_id, &input.username, true).map(|_| AdminEnableUserResponse::default())
}

pub(crate) fn admin_disable_user(
    up: &UserPools,
    input: AdminDisableUserRequest,
) -> Result<AdminDisableUserResponse, ApiError> {
    set_enabled(up, &input.user_pool_id, &input.username, false).map(|_| AdminDisableUserResponse::default())
}
