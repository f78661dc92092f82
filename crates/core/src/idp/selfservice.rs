//! What users do for themselves: sign up and confirm, reset a forgotten password, and, with
//! an access token, read and change their profile and password or delete themselves.

use crate::env::RandomExt;
use crate::idp::attributes;
use crate::idp::auth_events::{self, Outcome};
use crate::idp::client_secrets::check_secret_hash;
use crate::idp::clients::{client_and_pool, prevents_existence_errors};
use crate::idp::lookup::{find_user, load_pool, pool_name_of, user_key};
use crate::idp::messages::{SIGN_UP_CODE_SECONDS, mask_email};
use crate::idp::service::{Settled, UserPools};
use crate::idp::signin;
use crate::idp::users::{claim_identifiers, policy};
use crate::password::{self, PasswordVerifier, VerifierExt};
use crate::store::{Tx, UserRecord};
use cognate_proto::idp::*;
use cognate_proto::{ApiError, RequestContext};
use std::sync::Arc;

fn pool_id(pool: &UserPoolType) -> String {
    pool.id.clone().unwrap_or_default()
}

/// The attribute a sign-up code goes to: email first, then phone, among those the pool
/// verifies automatically.
fn sign_up_channel(pool: &UserPoolType, user: &UserRecord) -> Option<&'static str> {
    let auto = pool.auto_verified_attributes.clone().unwrap_or_default();
    [("email", VerifiedAttributeType::Email), ("phone_number", VerifiedAttributeType::PhoneNumber)]
        .into_iter()
        .find(|(name, kind)| auto.contains(kind) && user.attribute(name).is_some())
        .map(|(name, _)| name)
}

/// Refuses attributes the app client may not write (its WriteAttributes, when set).
fn check_writable<'a>(
    client: &UserPoolClientType,
    attrs: impl IntoIterator<Item = &'a AttributeType>,
) -> Result<(), ApiError> {
    let Some(allowed) = &client.write_attributes else { return Ok(()) };
    if attrs.into_iter().any(|a| !allowed.contains(&a.name)) {
        return Err(ApiError::not_authorized("A client attempted to write unauthorized attribute"));
    }
    Ok(())
}

/// The flag that says an attribute is verified.
fn verified_flag(attribute: &str) -> Option<&'static str> {
    match attribute {
        "email" => Some("email_verified"),
        "phone_number" => Some("phone_number_verified"),
        _ => None,
    }
}

/// What Cognito answers for a user who does not exist, when the client hides that: a
/// delivery that looks real.
fn simulated_delivery(username: &str) -> CodeDeliveryDetailsType {
    let guess = if username.contains('@') { username.to_string() } else { format!("{username}@example.com") };
    CodeDeliveryDetailsType {
        attribute_name: Some("email".into()),
        delivery_medium: Some(DeliveryMediumType::Email),
        destination: Some(mask_email(&guess)),
    }
}

/// Code requests a user may make in an hour before Cognito answers LimitExceededException
/// (the developer guide gives 5 to 20 an hour for ForgotPassword; cognate uses the least).
const CODE_REQUESTS_PER_HOUR: usize = 5;

/// What ConfirmSignUp and ConfirmForgotPassword answer for a user who does not exist: the
/// wrong-code error when the client hides which users exist, else UserNotFoundException.
fn no_such_user(client: &UserPoolClientType) -> ApiError {
    if prevents_existence_errors(client) {
        ApiError::code_mismatch("Invalid verification code provided, please try again.")
    } else {
        ApiError::user_not_found("User does not exist.")
    }
}

impl UserPools {
    /// The client, pool and user (if any) a client-authenticated self-service call names,
    /// after its SECRET_HASH checks out.
    fn named_user(
        &self,
        tx: &mut dyn Tx,
        client_id: &str,
        secret_hash: Option<&str>,
        username: &str,
    ) -> Result<(UserPoolClientType, Arc<UserPoolType>, Option<UserRecord>), ApiError> {
        let (client, pool) = client_and_pool(tx, None, client_id)?;
        check_secret_hash(self, tx, &client, secret_hash, &[username])?;
        let user = find_user(tx, &pool, username)?;
        Ok((client, pool, user))
    }

    /// Counts a user's request for a code, refusing it past Cognito's limit.
    fn count_code_request(&self, user: &mut UserRecord) -> Result<(), ApiError> {
        let now = self.now();
        user.code_requests.retain(|t| now - t < 3600.0);
        if user.code_requests.len() >= CODE_REQUESTS_PER_HOUR {
            return Err(ApiError::limit_exceeded("Attempt limit exceeded, please try after some time."));
        }
        user.code_requests.push(now);
        Ok(())
    }

    /// Keeps the count of a wrong code while answering the error.
    fn save_failed_guess<T>(
        &self,
        tx: &mut dyn Tx,
        pool: &UserPoolType,
        user: &UserRecord,
        e: ApiError,
    ) -> Result<Settled<T>, ApiError> {
        tx.put_user(&pool_id(pool), user)?;
        Ok(Settled::Refused(e))
    }
}

pub(crate) fn sign_up(up: &UserPools, ctx: &RequestContext, input: SignUpRequest) -> Result<SignUpResponse, ApiError> {
    let now = up.now();
    let (pool, mut user) = up.tx(|tx| {
        let (client, pool) = client_and_pool(tx, None, &input.client_id)?;
        check_secret_hash(up, tx, &client, input.secret_hash.as_deref(), &[&input.username])?;
        if pool.admin_create_user_config.as_ref().and_then(|c| c.allow_admin_create_user_only) == Some(true) {
            return Err(ApiError::not_authorized("SignUp is not permitted for this user pool"));
        }
        check_writable(&client, input.user_attributes.iter().flatten())?;
        let mut attrs = input.user_attributes.clone().unwrap_or_default();
        attributes::check_new(&pool, &attrs)?;
        if let Some(name) =
            attrs.iter().map(|a| a.name.as_str()).find(|n| matches!(*n, "email_verified" | "phone_number_verified"))
        {
            return Err(ApiError::invalid_parameter(format!("Cannot modify the non-mutable attribute {name}")));
        }
        let password = input
            .password
            .as_deref()
            .ok_or_else(|| ApiError::invalid_parameter("Missing required parameter PASSWORD"))?;
        password::check_policy(&policy(&pool), password)?;

        let sub = up.rng.uuid_v4();
        let username = match pool.username_attributes.clone().unwrap_or_default().as_slice() {
            [] => input.username.clone(),
            kinds => {
                let email_ok = kinds.contains(&UsernameAttributeType::Email) && attributes::is_email(&input.username);
                let phone_ok =
                    kinds.contains(&UsernameAttributeType::PhoneNumber) && attributes::is_phone(&input.username);
                if !email_ok && !phone_ok {
                    return Err(ApiError::invalid_parameter(match kinds {
                        [UsernameAttributeType::Email] => "Username should be an email.",
                        [UsernameAttributeType::PhoneNumber] => "Username should be a phone number.",
                        _ => "Username should be either an email or a phone number.",
                    }));
                }
                let name = if email_ok { "email" } else { "phone_number" };
                attrs.retain(|a| a.name != name);
                attrs.push(AttributeType { name: name.into(), value: Some(input.username.clone()) });
                sub.clone()
            }
        };
        let mut all = vec![AttributeType { name: "sub".into(), value: Some(sub.clone()) }];
        all.extend(attrs);
        let user = UserRecord {
            key: user_key(&pool, &username),
            password: Some(PasswordVerifier::new(pool_name_of(&pool_id(&pool)), &username, password, up.rng.as_ref())),
            username,
            sub: sub.clone(),
            attributes: all,
            enabled: true,
            status: UserStatusType::Unconfirmed,
            created: now,
            modified: now,
            ..Default::default()
        };
        let missing: String = crate::idp::pools::required_attributes(&pool)
            .filter(|n| user.attribute(n).is_none())
            .map(|n| format!("{n}: The attribute is required\n"))
            .collect();
        if !missing.is_empty() {
            return Err(ApiError::invalid_parameter(format!("Attributes did not conform to the schema: {missing}")));
        }
        if tx.user(&pool_id(&pool), &user.key)?.is_some() {
            return Err(ApiError::username_exists("User already exists"));
        }
        claim_identifiers(tx, &pool, &user, false, now)?;
        Ok((pool, user))
    })?;

    // PreSignUp runs between the checks and the write: if it fails, nobody is created.
    let auto_confirm = up.pre_sign_up(
        &pool,
        &mut user,
        "PreSignUp_SignUp",
        Some(&input.client_id),
        input.validation_data.as_deref(),
        input.client_metadata.clone(),
    )?;

    let (pool, user, delivery, session) = up.tx_sending(|tx, mail| {
        let pool = load_pool(tx, pool.id.as_deref().unwrap_or_default())?;
        let mut user = user;
        if tx.user(&pool_id(&pool), &user.key)?.is_some() {
            return Err(ApiError::username_exists("User already exists"));
        }
        claim_identifiers(tx, &pool, &user, false, now)?;
        let delivery = if auto_confirm {
            user.status = UserStatusType::Confirmed;
            None
        } else {
            match sign_up_channel(&pool, &user) {
                Some(attr) => {
                    up.send_code(tx, mail, &pool, &mut user, "signup", "SignUp", attr, SIGN_UP_CODE_SECONDS, None)?
                }
                None => None,
            }
        };
        tx.put_user(&pool_id(&pool), &user)?;
        auth_events::record(up, tx, ctx, &pool, &user, Outcome::new(EventType::SignUp, EventResponseType::Pass))?;
        // The session ConfirmSignUp takes to hand back one USER_AUTH signs in with; a user
        // PreSignUp confirmed gets the second at once.
        let client = tx.client(&input.client_id)?.unwrap_or_default();
        let stage = if auto_confirm { signin::CONFIRMED } else { signin::SIGNED_UP };
        let vouched = signin::Vouched { password: true, attribute: None };
        let session = signin::open_sign_up_session(up, tx, &client, &pool_id(&pool), &user, stage, vouched)?;
        Ok((pool, user, delivery, session))
    })?;
    if auto_confirm {
        // A user confirmed by PreSignUp is confirmed all the same: PostConfirmation runs.
        up.post_confirmation(&pool, &user, &input.client_id, "PostConfirmation_ConfirmSignUp", input.client_metadata)?;
    }
    Ok(SignUpResponse {
        user_confirmed: auto_confirm,
        user_sub: user.sub.clone(),
        code_delivery_details: delivery,
        session: Some(session),
    })
}

pub(crate) fn confirm_sign_up(up: &UserPools, input: ConfirmSignUpRequest) -> Result<ConfirmSignUpResponse, ApiError> {
    let now = up.now();
    type Confirmed = (Arc<UserPoolType>, UserRecord, Option<String>);
    let (pool, user, session) = up.tx_settled(|tx| -> Result<Settled<Confirmed>, ApiError> {
        let (client, pool, user) =
            up.named_user(tx, &input.client_id, input.secret_hash.as_deref(), &input.username)?;
        let Some(mut user) = user else { return Err(no_such_user(&client)) };
        if user.status != UserStatusType::Unconfirmed {
            return Err(ApiError::not_authorized(format!(
                "User cannot be confirmed. Current status is {}",
                user.status.as_str()
            )));
        }
        let code = match up.take_code(&mut user, "signup", &input.confirmation_code) {
            Ok(code) => code,
            Err(e) => return up.save_failed_guess(tx, &pool, &user, e),
        };
        user.status = UserStatusType::Confirmed;
        // The code proves the address it went to, if the user still has that address.
        if let Some(attr) = code.attribute.as_deref()
            && let Some(flag) = verified_flag(attr).filter(|_| user.attribute(attr) == Some(code.sent_to.as_str()))
        {
            user.set_attribute(flag, "true");
        }
        user.modified = now;
        claim_identifiers(tx, &pool, &user, input.force_alias_creation.unwrap_or(false), now)?;
        tx.put_user(&pool_id(&pool), &user)?;
        // The session USER_AUTH signs the new user in with: by the code just used (where the
        // user may sign in with that code's factor), or, with SignUp's session handed back, by
        // the password given at sign-up.
        let signed_up = match &input.session {
            Some(id) => signin::take_sign_up_session(up, tx, id, &input.client_id, &user, signin::SIGNED_UP)?,
            None => None,
        };
        let vouched = signin::Vouched { password: signed_up.is_some(), attribute: code.attribute.as_deref() };
        let session =
            Some(signin::open_sign_up_session(up, tx, &client, &pool_id(&pool), &user, signin::CONFIRMED, vouched)?);
        Ok(Settled::Done((pool, user, session)))
    })?;
    // The user is confirmed whatever the trigger says: a failing PostConfirmation leaves
    // them so, as in Cognito.
    up.post_confirmation(&pool, &user, &input.client_id, "PostConfirmation_ConfirmSignUp", input.client_metadata)?;
    Ok(ConfirmSignUpResponse { session })
}

pub(crate) fn resend_confirmation_code(
    up: &UserPools,
    ctx: &RequestContext,
    input: ResendConfirmationCodeRequest,
) -> Result<ResendConfirmationCodeResponse, ApiError> {
    up.tx_sending(|tx, mail| {
        let (client, pool, user) =
            up.named_user(tx, &input.client_id, input.secret_hash.as_deref(), &input.username)?;
        let Some(mut user) = user else {
            if prevents_existence_errors(&client) {
                return Ok(ResendConfirmationCodeResponse {
                    code_delivery_details: Some(simulated_delivery(&input.username)),
                });
            }
            return Err(ApiError::user_not_found("User does not exist."));
        };
        if user.status != UserStatusType::Unconfirmed {
            return Err(ApiError::invalid_parameter("User is already confirmed."));
        }
        up.count_code_request(&mut user)?;
        let delivery = match sign_up_channel(&pool, &user) {
            Some(attr) => {
                up.send_code(tx, mail, &pool, &mut user, "signup", "ResendCode", attr, SIGN_UP_CODE_SECONDS, None)?
            }
            None => None,
        };
        tx.put_user(&pool_id(&pool), &user)?;
        auth_events::record(up, tx, ctx, &pool, &user, Outcome::new(EventType::ResendCode, EventResponseType::Pass))?;
        Ok(ResendConfirmationCodeResponse { code_delivery_details: delivery })
    })
}

pub(crate) fn forgot_password(
    up: &UserPools,
    ctx: &RequestContext,
    input: ForgotPasswordRequest,
) -> Result<ForgotPasswordResponse, ApiError> {
    crate::idp::signin::migrate_user(up, &input.client_id, Some(&input.username), None, true)?;
    up.tx_sending(|tx, mail| {
        let (client, pool, user) =
            up.named_user(tx, &input.client_id, input.secret_hash.as_deref(), &input.username)?;
        let Some(mut user) = user else {
            if prevents_existence_errors(&client) {
                return Ok(ForgotPasswordResponse { code_delivery_details: Some(simulated_delivery(&input.username)) });
            }
            return Err(ApiError::user_not_found("User does not exist."));
        };
        up.count_code_request(&mut user)?;
        let delivery = up.send_reset_code(tx, mail, &pool, &mut user, "ForgotPassword")?;
        tx.put_user(&pool_id(&pool), &user)?;
        let asked = Outcome::new(EventType::ForgotPassword, EventResponseType::Pass);
        auth_events::record(up, tx, ctx, &pool, &user, asked)?;
        Ok(ForgotPasswordResponse { code_delivery_details: Some(delivery) })
    })
}

pub(crate) fn confirm_forgot_password(
    up: &UserPools,
    ctx: &RequestContext,
    input: ConfirmForgotPasswordRequest,
) -> Result<ConfirmForgotPasswordResponse, ApiError> {
    let now = up.now();
    let (pool, user) = up.tx_settled(|tx| -> Result<Settled<(Arc<UserPoolType>, UserRecord)>, ApiError> {
        let (client, pool, user) =
            up.named_user(tx, &input.client_id, input.secret_hash.as_deref(), &input.username)?;
        let Some(mut user) = user else { return Err(no_such_user(&client)) };
        if let Err(e) = up.take_code(&mut user, "forgot", &input.confirmation_code) {
            return up.save_failed_guess(tx, &pool, &user, e);
        }
        password::check_policy(&policy(&pool), &input.password)?;
        user.password = Some(PasswordVerifier::new(
            pool_name_of(&pool_id(&pool)),
            &user.username,
            &input.password,
            up.rng.as_ref(),
        ));
        user.status = UserStatusType::Confirmed;
        user.temporary_password_issued = None;
        user.failed_attempts = 0;
        user.locked_until = 0.0;
        user.modified = now;
        tx.put_user(&pool_id(&pool), &user)?;
        let changed = Outcome::new(EventType::PasswordChange, EventResponseType::Pass);
        auth_events::record(up, tx, ctx, &pool, &user, changed)?;
        Ok(Settled::Done((pool, user)))
    })?;
    up.post_confirmation(
        &pool,
        &user,
        &input.client_id,
        "PostConfirmation_ConfirmForgotPassword",
        input.client_metadata,
    )?;
    Ok(ConfirmForgotPasswordResponse::default())
}

pub(crate) fn change_password(
    up: &UserPools,
    ctx: &RequestContext,
    input: ChangePasswordRequest,
) -> Result<ChangePasswordResponse, ApiError> {
    let now = up.now();

    up.tx(|tx| {
        let (pool, mut user) = up.access_user(tx, &input.access_token)?;
        let pool_name = pool_name_of(pool.id.as_deref().unwrap_or_default()).to_string();
        let previous = input.previous_password.as_deref().unwrap_or_default();
        if !user.password.as_ref().is_some_and(|v| v.matches(&pool_name, &user.username, previous)) {
            return Err(ApiError::not_authorized("Incorrect username or password."));
        }
        password::check_policy(&policy(&pool), &input.proposed_password)?;
        user.password =
            Some(PasswordVerifier::new(&pool_name, &user.username, &input.proposed_password, up.rng.as_ref()));
        user.modified = now;
        tx.put_user(&pool_id(&pool), &user)?;
        let changed = Outcome::new(EventType::PasswordChange, EventResponseType::Pass);
        auth_events::record(up, tx, ctx, &pool, &user, changed)?;
        Ok(ChangePasswordResponse::default())
    })
}

pub(crate) fn get_user(up: &UserPools, input: GetUserRequest) -> Result<GetUserResponse, ApiError> {
    up.tx(|tx| {
        let (_, user) = up.access_user(tx, &input.access_token)?;
        let (user_mfa_setting_list, preferred_mfa_setting, mfa_options) = crate::idp::mfa::settings_of(&user);
        Ok(GetUserResponse {
            username: user.username.clone(),
            user_attributes: user.attributes.clone(),
            user_mfa_setting_list,
            preferred_mfa_setting,
            mfa_options,
        })
    })
}

pub(crate) fn update_user_attributes(
    up: &UserPools,
    input: UpdateUserAttributesRequest,
) -> Result<UpdateUserAttributesResponse, ApiError> {
    let now = up.now();
    up.tx_sending(|tx, mail| {
        let (pool, mut user) = up.access_user(tx, &input.access_token)?;
        if let Some(client) = up.token_client(tx, &input.access_token)? {
            check_writable(&client, &input.user_attributes)?;
        }
        attributes::check_update(&pool, &input.user_attributes)?;
        if let Some(a) =
            input.user_attributes.iter().find(|a| matches!(a.name.as_str(), "email_verified" | "phone_number_verified"))
        {
            return Err(ApiError::invalid_parameter(format!("Cannot modify the non-mutable attribute {}", a.name)));
        }
        let auto = pool.auto_verified_attributes.clone().unwrap_or_default();
        let wait_for_verification = pool
            .user_attribute_update_settings
            .as_ref()
            .and_then(|s| s.attributes_require_verification_before_update.clone())
            .unwrap_or_default();
        let mut deliveries = Vec::new();
        for a in &input.user_attributes {
            let value = a.value.clone().unwrap_or_default();
            let Some(flag) = verified_flag(&a.name) else {
                user.set_attribute(&a.name, &value);
                continue;
            };
            if user.attribute(&a.name) == Some(value.as_str()) {
                continue;
            }
            user.codes.remove(&format!("verify:{}", a.name));
            let kind =
                if a.name == "email" { VerifiedAttributeType::Email } else { VerifiedAttributeType::PhoneNumber };
            let waits = wait_for_verification.iter().any(|w| w.as_str() == a.name);
            let pending = if waits && user.attribute(flag) == Some("true") {
                // The old value stays in force until the new one is verified.
                Some(value.clone())
            } else {
                user.set_attribute(&a.name, &value);
                user.set_attribute(flag, "false");
                None
            };
            if auto.contains(&kind) {
                let purpose = format!("verify:{}", a.name);
                let sent = up.send_code(
                    tx,
                    mail,
                    &pool,
                    &mut user,
                    &purpose,
                    "UpdateUserAttribute",
                    &a.name,
                    SIGN_UP_CODE_SECONDS,
                    pending,
                )?;
                deliveries.extend(sent);
            }
        }
        user.modified = now;
        claim_identifiers(tx, &pool, &user, false, now)?;
        tx.put_user(&pool_id(&pool), &user)?;
        Ok(UpdateUserAttributesResponse { code_delivery_details_list: (!deliveries.is_empty()).then_some(deliveries) })
    })
}

pub(crate) fn delete_user_attributes(
    up: &UserPools,
    input: DeleteUserAttributesRequest,
) -> Result<DeleteUserAttributesResponse, ApiError> {
    let now = up.now();
    up.tx(|tx| {
        let (pool, mut user) = up.access_user(tx, &input.access_token)?;
        let mut lines = String::new();
        for name in &input.user_attribute_names {
            match crate::idp::pools::schema_entry(&pool, name) {
                None => lines.push_str(&format!("user.{name}: Attribute does not exist in the schema.\n")),
                Some(s) if s.required == Some(true) || s.mutable == Some(false) => {
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
            if let Some(flag) = verified_flag(name) {
                user.remove_attribute(flag);
            }
        }
        user.modified = now;
        tx.put_user(&pool_id(&pool), &user)?;
        Ok(DeleteUserAttributesResponse::default())
    })
}

pub(crate) fn get_user_attribute_verification_code(
    up: &UserPools,
    input: GetUserAttributeVerificationCodeRequest,
) -> Result<GetUserAttributeVerificationCodeResponse, ApiError> {
    up.tx_sending(|tx, mail| {
        let (pool, mut user) = up.access_user(tx, &input.access_token)?;
        if verified_flag(&input.attribute_name).is_none() || user.attribute(&input.attribute_name).is_none() {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid attribute name or the attribute does not exist: {}",
                input.attribute_name
            )));
        }
        up.count_code_request(&mut user)?;
        let purpose = format!("verify:{}", input.attribute_name);
        let pending = user.codes.get(&purpose).and_then(|c| c.pending_value.clone());
        let sent = up.send_code(
            tx,
            mail,
            &pool,
            &mut user,
            &purpose,
            "VerifyUserAttribute",
            &input.attribute_name,
            SIGN_UP_CODE_SECONDS,
            pending,
        )?;
        tx.put_user(&pool_id(&pool), &user)?;
        Ok(GetUserAttributeVerificationCodeResponse { code_delivery_details: sent })
    })
}

pub(crate) fn verify_user_attribute(
    up: &UserPools,
    input: VerifyUserAttributeRequest,
) -> Result<VerifyUserAttributeResponse, ApiError> {
    let now = up.now();
    up.tx_settled(|tx| -> Result<Settled<VerifyUserAttributeResponse>, ApiError> {
        let (pool, mut user) = up.access_user(tx, &input.access_token)?;
        let flag = verified_flag(&input.attribute_name).ok_or_else(|| {
            ApiError::invalid_parameter(format!(
                "Invalid attribute name or the attribute does not exist: {}",
                input.attribute_name
            ))
        })?;
        let code = match up.take_code(&mut user, &format!("verify:{}", input.attribute_name), &input.code) {
            Ok(code) => code,
            Err(e) => return up.save_failed_guess(tx, &pool, &user, e),
        };
        match code.pending_value {
            Some(value) => user.set_attribute(&input.attribute_name, &value),
            // A code verifies the address it was sent to, not one the attribute holds since.
            None if user.attribute(&input.attribute_name) != Some(code.sent_to.as_str()) => {
                return Err(ApiError::code_mismatch("Invalid verification code provided, please try again."));
            }
            None => {}
        }
        user.set_attribute(flag, "true");
        user.modified = now;
        claim_identifiers(tx, &pool, &user, false, now)?;
        tx.put_user(&pool_id(&pool), &user)?;
        Ok(Settled::Done(VerifyUserAttributeResponse::default()))
    })
}

pub(crate) fn delete_user(up: &UserPools, input: DeleteUserRequest) -> Result<(), ApiError> {
    up.tx(|tx| {
        let (pool, user) = up.access_user(tx, &input.access_token)?;
        tx.delete_user(&pool_id(&pool), &user.key)
    })
}
