//! Sign-in: InitiateAuth and AdminInitiateAuth with the password and refresh flows, the
//! NEW_PASSWORD_REQUIRED challenge, GetTokensFromRefreshToken and RevokeToken, with the
//! client's rules (allowed flows, SECRET_HASH), user status, lockout and
//! PreventUserExistenceErrors as Cognito applies them.

use super::issue::RefreshPayload;
use super::{UserPools, load_pool, pool_name_of};
use crate::env::RandomExt;
use crate::env::hex;
use crate::password::{self, PasswordVerifier, srp};
use crate::store::{AuthSession, Tx, UserRecord};
use crate::tokens::Purpose;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use cognate_proto::idp::*;
use cognate_proto::{ApiError, RequestContext};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Failed attempts before Cognito starts locking a user out, and the longest lock.
const LOCKOUT_THRESHOLD: u32 = 5;
const LOCKOUT_MAX_SECONDS: f64 = 900.0;
/// Failures older than this no longer count (developer guide, "Lockout behavior").
const LOCKOUT_FORGET_SECONDS: f64 = 900.0;

/// What a sign-in step answers: tokens, or a challenge to answer next.
#[derive(Default)]
pub(super) struct Outcome {
    pub result: Option<super::issue::Minted>,
    pub challenge: Option<ChallengeNameType>,
    pub parameters: Option<BTreeMap<String, String>>,
    pub session: Option<String>,
    /// A password verified within CUSTOM_AUTH: DefineAuthChallenge decides what follows, once
    /// the transaction that checked it has committed.
    pub resume_custom: Option<Box<super::custom_auth::Resume>>,
}

/// Base64(HMAC-SHA256(client secret, username ‖ client id)).
pub fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Checks SECRET_HASH when the client has a secret; `usernames` are the names the hash may
/// have been computed over.
pub(super) fn check_secret_hash(
    client: &UserPoolClientType,
    given: Option<&str>,
    usernames: &[&str],
) -> Result<(), ApiError> {
    let Some(secret) = client.client_secret.as_deref() else { return Ok(()) };
    let id = client.client_id.as_deref().unwrap_or_default();
    let Some(given) = given else {
        return Err(ApiError::not_authorized(format!(
            "Client {id} is configured with secret but SECRET_HASH was not received"
        )));
    };
    if usernames.iter().any(|u| secret_hash(secret, u, id) == given) {
        Ok(())
    } else {
        Err(ApiError::not_authorized(format!("Unable to verify secret hash for client {id}")))
    }
}

pub(super) fn load_client(tx: &mut dyn Tx, client_id: &str) -> Result<UserPoolClientType, ApiError> {
    tx.client(client_id)?
        .ok_or_else(|| ApiError::resource_not_found(format!("User pool client {client_id} does not exist.")))
}

fn allows(client: &UserPoolClientType, modern: ExplicitAuthFlowsType, legacy: Option<ExplicitAuthFlowsType>) -> bool {
    client.explicit_auth_flows.iter().flatten().any(|f| *f == modern || Some(*f) == legacy)
}

fn prevents_existence_errors(client: &UserPoolClientType) -> bool {
    client.prevent_user_existence_errors == Some(PreventUserExistenceErrorTypes::Enabled)
}

fn param<'a>(params: &'a BTreeMap<String, String>, name: &str) -> Result<&'a str, ApiError> {
    params
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| ApiError::invalid_parameter(format!("Missing required parameter {name}")))
}

/// What a sign-in may still have to do outside its transaction before it goes on.
#[derive(Clone, Copy)]
struct Pending {
    migration: bool,
    pre_authentication: bool,
    /// Make the pool's keys if it has none.
    keys: bool,
}

/// How a sign-in's transaction ended: with its answer, or asking for what [`Pending`] names.
enum Step {
    Done(Result<Outcome, ApiError>),
    Triggers,
    Keys(String),
}

impl UserPools {
    /// InitiateAuth (`admin_pool` is None) and AdminInitiateAuth (the pool it names).
    pub(super) fn initiate(
        &self,
        ctx: &RequestContext,
        admin_pool: Option<&str>,
        client_id: &str,
        flow: AuthFlowType,
        params: BTreeMap<String, String>,
    ) -> Result<Outcome, ApiError> {
        use AuthFlowType as F;
        // Only these flows carry the password a migration needs.
        let may_migrate = matches!(flow, F::UserPasswordAuth | F::AdminUserPasswordAuth | F::AdminNoSrpAuth);
        let may_pre_authenticate = may_migrate || matches!(flow, F::UserSrpAuth | F::CustomAuth);
        if flow == F::CustomAuth {
            self.pre_authentication(client_id, &params)?;
            return self.custom_start(ctx, admin_pool, client_id, &params);
        }
        // The UserMigration and PreAuthentication triggers run before the sign-in, outside any
        // transaction. Most pools have neither, so the sign-in's own transaction finds that out
        // and only for a pool that has one is it left, the triggers run, and begun again.
        // Likewise a pool created while the key reserve was dry gets its keys here, made
        // outside the transaction: making two RSA keys takes a quarter of a second, which the
        // store's lock should not be held for.
        let mut pending = Pending { migration: may_migrate, pre_authentication: may_pre_authenticate, keys: true };
        let mut ephemeral = (flow == F::UserSrpAuth).then(|| self.srp_ephemeral());
        loop {
            let result =
                self.tx(|tx| self.initiate_tx(tx, ctx, admin_pool, client_id, flow, &params, pending, &mut ephemeral))?;
            match result {
                Step::Done(outcome) => return outcome,
                Step::Triggers => {
                    if pending.migration {
                        self.migrate_user(client_id, &params, None)?;
                    }
                    if pending.pre_authentication {
                        self.pre_authentication(client_id, &params)?;
                    }
                    pending.migration = false;
                    pending.pre_authentication = false;
                }
                Step::Keys(pool_id) => {
                    self.give_keys(&pool_id)?;
                    pending.keys = false;
                }
            }
        }
    }

    /// Keys for a pool that has none, made before the transaction that stores them (unless
    /// another request stored some first).
    fn give_keys(&self, pool_id: &str) -> Result<(), ApiError> {
        let made = crate::tokens::PoolKeys::generate(self.keys.as_ref(), self.rng.as_ref());
        self.tx(|tx| {
            if tx.pool(pool_id)?.is_some() && tx.keys(pool_id)?.is_none() {
                tx.put_keys(pool_id, &made)?;
            }
            Ok(())
        })
    }

    /// The transaction of [`Self::initiate`], or what must happen outside it first.
    #[allow(clippy::too_many_arguments)]
    fn initiate_tx(
        &self,
        tx: &mut dyn Tx,
        ctx: &RequestContext,
        admin_pool: Option<&str>,
        client_id: &str,
        flow: AuthFlowType,
        params: &BTreeMap<String, String>,
        pending: Pending,
        ephemeral: &mut Option<Ephemeral>,
    ) -> Result<Step, ApiError> {
        let client = load_client(tx, client_id)?;
        let pool_id = client.user_pool_id.clone().unwrap_or_default();
        if let Some(named) = admin_pool {
            if named != pool_id {
                return Err(ApiError::resource_not_found(format!("User pool client {client_id} does not exist.")));
            }
        }
        let pool = load_pool(tx, &pool_id)?;
        let wants_triggers = pool.lambda_config.as_ref().is_some_and(|l| {
            (pending.migration && l.user_migration.is_some())
                || (pending.pre_authentication && l.pre_authentication.is_some())
        });
        if wants_triggers {
            return Ok(Step::Triggers);
        }
        if pending.keys && tx.keys(&pool_id)?.is_none() {
            return Ok(Step::Keys(pool_id));
        }
        use AuthFlowType as F;
        use ExplicitAuthFlowsType as E;
        let not_enabled = |flow: &str| {
            ApiError::invalid_parameter(match admin_pool {
                Some(_) => "Auth flow not enabled for this client".to_string(),
                None => format!("{flow} flow not enabled for this client"),
            })
        };
        match (flow, admin_pool.is_some()) {
            (F::UserPasswordAuth, false) => {
                if !allows(&client, E::AllowUserPasswordAuth, Some(E::UserPasswordAuth)) {
                    return Err(not_enabled("USER_PASSWORD_AUTH"));
                }
                self.password_flow(tx, ctx, &pool, &client, &params)
            }
            (F::AdminUserPasswordAuth | F::AdminNoSrpAuth, true) => {
                if !allows(&client, E::AllowAdminUserPasswordAuth, Some(E::AdminNoSrpAuth)) {
                    return Err(not_enabled(flow.as_str()));
                }
                self.password_flow(tx, ctx, &pool, &client, &params)
            }
            (F::UserSrpAuth, _) => {
                let legacy_only =
                    client.explicit_auth_flows.iter().flatten().all(|f| !f.as_str().starts_with("ALLOW_"));
                if !legacy_only && !allows(&client, E::AllowUserSrpAuth, None) {
                    return Err(not_enabled("USER_SRP_AUTH"));
                }
                let ephemeral = ephemeral.take().unwrap_or_else(|| self.srp_ephemeral());
                self.srp_start(tx, &pool, &client, &params, ephemeral).map(Ok)
            }
            (F::RefreshTokenAuth | F::RefreshToken, _) => {
                let token = param(&params, "REFRESH_TOKEN")?;
                self.refresh_flow(
                    tx,
                    ctx,
                    &pool,
                    &client,
                    token,
                    Some(params.get("SECRET_HASH").map(String::as_str)),
                    false,
                )
                .map(|(result, _)| Ok(Outcome { result: Some(result), ..Default::default() }))
            }
            (F::AdminUserPasswordAuth | F::AdminNoSrpAuth, false) | (F::UserPasswordAuth, true) => {
                Err(ApiError::invalid_parameter("Initiate Auth method not supported."))
            }
            (other, _) => Err(ApiError::not_implemented(&format!("the {} flow", other.as_str()))),
        }
        .map(Step::Done)
    }

    /// USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH. The outer result fails the
    /// transaction; the inner one is the answer, committed either way so that failed
    /// attempts count.
    fn password_flow(
        &self,
        tx: &mut dyn Tx,
        ctx: &RequestContext,
        pool: &UserPoolType,
        client: &UserPoolClientType,
        params: &BTreeMap<String, String>,
    ) -> Result<Result<Outcome, ApiError>, ApiError> {
        let username = param(params, "USERNAME")?;
        let password = param(params, "PASSWORD")?;
        check_secret_hash(client, params.get("SECRET_HASH").map(String::as_str), &[username])?;
        let pool_id = pool.id.as_deref().unwrap_or_default();
        let Some(mut user) = super::find_user(tx, pool, username)? else {
            return Ok(Err(if prevents_existence_errors(client) {
                ApiError::not_authorized("Incorrect username or password.")
            } else {
                ApiError::user_not_found("User does not exist.")
            }));
        };
        if let Some(stop) = self.before_password_check(&mut user) {
            return Ok(Err(stop));
        }
        let ok = self.password_ok(pool_id, &user, password);
        self.after_password_check(tx, ctx, pool, client, user, ok, params.get("DEVICE_KEY").map(String::as_str))
    }

    pub(super) fn open_session(
        &self,
        tx: &mut dyn Tx,
        pool: &UserPoolType,
        client: &UserPoolClientType,
        user: &UserRecord,
        challenge: ChallengeNameType,
    ) -> Result<String, ApiError> {
        let mut raw = [0u8; 96];
        self.rng.fill(&mut raw);
        let id = URL_SAFE_NO_PAD.encode(raw);
        let minutes = client.auth_session_validity.unwrap_or(3) as f64;
        self.store_session(
            tx,
            &AuthSession {
                id: id.clone(),
                pool_id: pool.id.clone().unwrap_or_default(),
                client_id: client.client_id.clone().unwrap_or_default(),
                user_key: user.key.clone(),
                sub: user.sub.clone(),
                challenge: challenge.as_str().to_string(),
                expires: self.now() + minutes * 60.0,
                state: serde_json::Value::Null,
            },
        )?;
        Ok(id)
    }

    /// NEW_PASSWORD_REQUIRED, with the parameters Cognito sends: the user's attributes (not
    /// `sub`) and the required attributes they still lack, both as JSON strings.
    fn new_password_challenge(
        &self,
        tx: &mut dyn Tx,
        pool: &UserPoolType,
        client: &UserPoolClientType,
        user: &UserRecord,
    ) -> Result<Outcome, ApiError> {
        let mut attrs = serde_json::Map::new();
        for a in &user.attributes {
            if a.name != "sub" {
                attrs.insert(a.name.clone(), serde_json::Value::String(a.value.clone().unwrap_or_default()));
            }
        }
        let missing_names = missing_required(pool, user);
        // Required attributes the user lacks are listed too, empty (as Cognito sends them).
        for name in &missing_names {
            attrs.insert(name.clone(), serde_json::Value::String(String::new()));
        }
        let missing: Vec<String> = missing_names.into_iter().map(|n| format!("userAttributes.{n}")).collect();
        let mut parameters = BTreeMap::new();
        parameters.insert("USER_ID_FOR_SRP".to_string(), user.username.clone());
        parameters.insert("requiredAttributes".to_string(), serde_json::to_string(&missing).unwrap());
        parameters.insert("userAttributes".to_string(), serde_json::Value::Object(attrs).to_string());
        let session = self.open_session(tx, pool, client, user, ChallengeNameType::NewPasswordRequired)?;
        Ok(Outcome {
            challenge: Some(ChallengeNameType::NewPasswordRequired),
            parameters: Some(parameters),
            session: Some(session),
            ..Default::default()
        })
    }

    /// RespondToAuthChallenge and AdminRespondToAuthChallenge.
    pub(super) fn respond(
        &self,
        ctx: &RequestContext,
        admin_pool: Option<&str>,
        client_id: &str,
        challenge: ChallengeNameType,
        session: Option<&str>,
        responses: BTreeMap<String, String>,
    ) -> Result<Outcome, ApiError> {
        if challenge == ChallengeNameType::CustomChallenge {
            return self.custom_respond(ctx, admin_pool, client_id, session, &responses);
        }
        let now = self.now();
        let verdict = match challenge {
            ChallengeNameType::PasswordVerifier | ChallengeNameType::DevicePasswordVerifier => {
                self.srp_verdict(client_id, &responses)
            }
            _ => None,
        };
        let mut ephemeral = (challenge == ChallengeNameType::DeviceSrpAuth).then(|| self.srp_ephemeral());
        let mut outcome = self.tx(|tx| -> Result<Result<Outcome, ApiError>, ApiError> {
            let client = load_client(tx, client_id)?;
            let pool_id = client.user_pool_id.clone().unwrap_or_default();
            if admin_pool.is_some_and(|p| p != pool_id) {
                return Err(ApiError::resource_not_found(format!("User pool client {client_id} does not exist.")));
            }
            let pool = load_pool(tx, &pool_id)?;
            if matches!(challenge, ChallengeNameType::PasswordVerifier | ChallengeNameType::DevicePasswordVerifier) {
                return self.srp_verify(tx, ctx, &pool, &client, session, &responses, challenge, verdict.as_ref());
            }
            let session_id =
                session.ok_or_else(|| ApiError::invalid_parameter("Missing required parameter Session"))?;
            let invalid = || ApiError::not_authorized("Invalid session for the user.");
            let stored = tx.session(session_id)?.ok_or_else(invalid)?;
            if stored.client_id != client_id || stored.pool_id != pool_id {
                return Err(invalid());
            }
            if stored.expires < now {
                return Err(ApiError::not_authorized("Invalid session for the user, session is expired."));
            }
            if stored.challenge != challenge.as_str() {
                return Err(ApiError::invalid_parameter(format!(
                    "Invalid challenge name, expected {}",
                    stored.challenge
                )));
            }
            let username = param(&responses, "USERNAME")?;
            // The session speaks for the user as they were when it began.
            let mut user = tx.user(&pool_id, &stored.user_key)?.filter(|u| u.sub == stored.sub).ok_or_else(invalid)?;
            if !user.enabled {
                return Err(ApiError::not_authorized("User is disabled."));
            }
            if challenge == ChallengeNameType::NewPasswordRequired && user.status != UserStatusType::ForceChangePassword
            {
                return Err(invalid());
            }
            let names = hash_names(tx, &pool, username, &user)?;
            check_secret_hash(
                &client,
                responses.get("SECRET_HASH").map(String::as_str),
                &names.iter().map(String::as_str).collect::<Vec<_>>(),
            )?;
            match challenge {
                ChallengeNameType::NewPasswordRequired => {
                    let new_password = param(&responses, "NEW_PASSWORD")?;
                    password::check_policy(&super::users::policy(&pool), new_password)?;
                    self.apply_challenge_attributes(&pool, &client, &mut user, &responses)?;
                    super::users::claim_identifiers(tx, &pool, &user, false, now)?;
                    user.password = Some(PasswordVerifier::new(
                        pool_name_of(&pool_id),
                        &user.username,
                        new_password,
                        self.rng.as_ref(),
                    ));
                    user.status = UserStatusType::Confirmed;
                    user.temporary_password_issued = None;
                    user.modified = now;
                    tx.put_user(&pool_id, &user)?;
                    // A session answers once.
                    tx.delete_session(session_id)?;
                    let result = self.sign_in_tokens(
                        tx,
                        ctx,
                        &pool,
                        &client,
                        &user,
                        None,
                        "TokenGeneration_NewPasswordChallenge",
                    )?;
                    Ok(Ok(Outcome { result: Some(result), ..Default::default() }))
                }
                ChallengeNameType::DeviceSrpAuth => {
                    tx.delete_session(session_id)?;
                    let ephemeral = ephemeral.take().unwrap_or_else(|| self.srp_ephemeral());
                    self.device_srp_start(tx, &pool, &client, &user, &responses, ephemeral).map(Ok)
                }
                other => Err(ApiError::not_implemented(&format!("the {} challenge", other.as_str()))),
            }
        })??;
        match outcome.resume_custom.take() {
            Some(resume) => self.custom_resume(ctx, *resume),
            None => Ok(outcome),
        }
    }

    /// The `userAttributes.<name>` answers of NEW_PASSWORD_REQUIRED, as Cognito checks them.
    fn apply_challenge_attributes(
        &self,
        pool: &UserPoolType,
        client: &UserPoolClientType,
        user: &mut UserRecord,
        responses: &BTreeMap<String, String>,
    ) -> Result<(), ApiError> {
        let given: Vec<AttributeType> = responses
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix("userAttributes.").map(|n| AttributeType { name: n.into(), value: Some(v.clone()) })
            })
            .collect();
        for attr in &given {
            let name = attr.name.as_str();
            let schema = super::pools::schema_entry(pool, name).ok_or_else(|| {
                ApiError::invalid_parameter(format!("user.{name}: Attribute does not exist in the schema.\n"))
            })?;
            let writable = client.write_attributes.as_ref().is_none_or(|w| w.iter().any(|a| a == name));
            if matches!(name, "email_verified" | "phone_number_verified" | "sub") || !writable {
                return Err(ApiError::invalid_parameter(format!("Cannot modify the non-mutable attribute {name}")));
            }
            // "You can't modify a required attribute that already has a value" (API reference,
            // RespondToAuthChallenge), nor an immutable one.
            let has_value = user.attribute(name).is_some_and(|v| !v.is_empty());
            if has_value && (schema.required == Some(true) || schema.mutable == Some(false)) {
                return Err(ApiError::not_authorized(format!("Cannot modify an already provided {name}")));
            }
        }
        super::attributes::check_update(pool, &given)?;
        for attr in &given {
            let value = attr.value.as_deref().unwrap_or_default();
            if user.attribute(&attr.name) != Some(value) {
                // A new address is not a verified one.
                match attr.name.as_str() {
                    "email" => user.set_attribute("email_verified", "false"),
                    "phone_number" => user.set_attribute("phone_number_verified", "false"),
                    _ => {}
                }
            }
            user.set_attribute(&attr.name, value);
        }
        let missing = missing_required(pool, user);
        if !missing.is_empty() {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid attributes given, {} is missing",
                missing.join(" and ")
            )));
        }
        Ok(())
    }

    /// REFRESH_TOKEN_AUTH and GetTokensFromRefreshToken. `secret_hash` is `Some` for the
    /// InitiateAuth form (which takes a SECRET_HASH), `None` when the caller checked the
    /// client secret itself. With `rotate`, a new refresh token replaces the old one.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn refresh_flow(
        &self,
        tx: &mut dyn Tx,
        ctx: &RequestContext,
        pool: &UserPoolType,
        client: &UserPoolClientType,
        token: &str,
        secret_hash: Option<Option<&str>>,
        rotate: bool,
    ) -> Result<(super::issue::Minted, bool), ApiError> {
        let pool_id = pool.id.clone().unwrap_or_default();
        let client_id = client.client_id.clone().unwrap_or_default();
        let invalid = || ApiError::not_authorized("Invalid Refresh Token.");
        let keys = self.pool_keys(tx, &pool_id)?;
        let payload: RefreshPayload = keys
            .open(Purpose::RefreshToken, token)
            .and_then(|p| serde_json::from_slice(&p).ok())
            .ok_or_else(invalid)?;
        if payload.pool != pool_id {
            return Err(invalid());
        }
        if payload.client != client_id {
            return Err(ApiError::not_authorized("Refresh Token has different Client"));
        }
        let now = self.now();
        if payload.exp < now {
            return Err(ApiError::not_authorized("Refresh Token has expired"));
        }
        let revoked = || ApiError::not_authorized("Refresh Token has been revoked");
        let row = tx.family(&pool_id, &payload.fam)?;
        if row.as_ref().is_some_and(|f| f.revoked) {
            return Err(revoked());
        }
        let stored = row.is_some();
        let Some(mut family) = row.or_else(|| payload.family()) else { return Err(revoked()) };
        let user = tx
            .user(&pool_id, &payload.key)?
            .filter(|u| u.sub == family.sub)
            .ok_or_else(|| ApiError::user_not_found("User does not exist."))?;
        if !stored && super::issue::signed_out_since(&user, family.auth_time) {
            return Err(revoked());
        }
        let current = family.refresh_id == payload.rid;
        let in_grace =
            family.previous_refresh_id.as_deref() == Some(payload.rid.as_str()) && now <= family.previous_valid_until;
        if !current && !in_grace {
            return Err(ApiError::refresh_token_reuse(
                "The refresh token has been replaced by refresh token rotation.",
            ));
        }
        if let Some(given) = secret_hash {
            if let Some(secret) = client.client_secret.as_deref() {
                let Some(given) = given else {
                    return Err(ApiError::not_authorized(format!(
                        "Client {client_id} is configured with secret but SECRET_HASH was not received"
                    )));
                };
                if ![user.username.as_str(), user.sub.as_str()]
                    .iter()
                    .any(|u| super::auth::secret_hash(secret, u, &client_id) == given)
                {
                    return Err(ApiError::not_authorized(format!(
                        "SecretHash does not match for the client: {client_id}"
                    )));
                }
            }
        }
        if !user.enabled {
            return Err(ApiError::not_authorized("User is disabled."));
        }
        let mut result = self.mint(tx, ctx, pool, client, &user, &family, "TokenGeneration_RefreshTokens")?;
        let rotated = rotate && current;
        if rotated {
            let grace = client.refresh_token_rotation.as_ref().and_then(|r| r.retry_grace_period_seconds).unwrap_or(0);
            family.previous_refresh_id = Some(std::mem::replace(&mut family.refresh_id, self.rng.uuid_v4()));
            family.previous_valid_until = now + grace as f64;
            self.store_family(tx, &family)?;
            result.refresh_token = Some(self.refresh_token(tx, &family)?);
        }
        Ok((result, rotated))
    }

    pub(super) fn tokens_from_refresh(
        &self,
        ctx: &RequestContext,
        input: GetTokensFromRefreshTokenRequest,
    ) -> Result<GetTokensFromRefreshTokenResponse, ApiError> {
        let minted = self.tx(|tx| {
            let client = load_client(tx, &input.client_id)?;
            check_client_secret(&client, input.client_secret.as_deref())?;
            let pool = load_pool(tx, client.user_pool_id.as_deref().unwrap_or_default())?;
            let rotate = client.refresh_token_rotation.as_ref().is_some_and(|r| r.feature == FeatureType::Enabled);
            let (minted, _) = self.refresh_flow(tx, ctx, &pool, &client, &input.refresh_token, None, rotate)?;
            Ok(minted)
        })?;
        Ok(GetTokensFromRefreshTokenResponse { authentication_result: Some(self.finish(minted)?) })
    }

    /// RevokeToken: ends one refresh token's family, and so every token minted from it.
    pub(super) fn revoke(&self, input: RevokeTokenRequest) -> Result<RevokeTokenResponse, ApiError> {
        self.tx(|tx| {
            let client = load_client(tx, &input.client_id)?;
            check_client_secret(&client, input.client_secret.as_deref())?;
            if client.enable_token_revocation == Some(false) {
                return Err(ApiError::unsupported_operation("Token revocation is not enabled for this client."));
            }
            if input.token.split('.').count() == 3 {
                return Err(ApiError::unsupported_token_type("Only refresh tokens can be revoked."));
            }
            let pool_id = client.user_pool_id.clone().unwrap_or_default();
            let keys = self.pool_keys(tx, &pool_id)?;
            let payload: Option<RefreshPayload> =
                keys.open(Purpose::RefreshToken, &input.token).and_then(|p| serde_json::from_slice(&p).ok());
            // As RFC 7009 has it, a token that is not (or no longer) valid needs no revoking.
            let Some(payload) = payload else { return Ok(RevokeTokenResponse::default()) };
            if payload.client != input.client_id {
                return Err(ApiError::unauthorized("The token was not issued to this client."));
            }
            if let Some(mut family) = tx.family(&pool_id, &payload.fam)?.or_else(|| payload.family()) {
                family.revoked = true;
                self.store_family(tx, &family)?;
            }
            Ok(RevokeTokenResponse::default())
        })
    }
}

/// The state of an SRP sign-in between its two steps, sealed into SECRET_BLOCK so that it
/// needs no Session (pycognito sends none) and only cognate can read it.
#[derive(serde::Serialize, serde::Deserialize)]
struct SrpState {
    pool: String,
    client: String,
    /// The user, or `None` for the simulated challenge of a user who does not exist.
    key: Option<String>,
    /// The single-use session row that stops a replay.
    session: String,
    b: String,
    a: String,
    b_pub: String,
    /// The DEVICE_KEY the client sent; with `device_step`, the device this round proves.
    #[serde(default)]
    device: Option<String>,
    #[serde(default)]
    device_step: bool,
}

/// Whom an SRP round proves: the user (none for the simulated challenge of a user who does
/// not exist), their id for SRP and their salt and verifier.
pub(super) struct SrpSubject {
    key: Option<String>,
    sub: String,
    user_id: String,
    salt: String,
    verifier: Vec<u8>,
}

impl SrpSubject {
    pub(super) fn of(user: &UserRecord) -> Result<Self, ApiError> {
        let v = user.password.clone().ok_or_else(|| ApiError::not_authorized("Incorrect username or password."))?;
        Ok(SrpSubject {
            key: Some(user.key.clone()),
            sub: user.sub.clone(),
            user_id: user.username.clone(),
            salt: v.salt,
            verifier: srp::decode_hex(&v.verifier),
        })
    }
}

/// The client's `SRP_A`, refused when it is not hex or is 0 mod N.
pub(super) fn parse_srp_a(a_hex: &str) -> Result<Vec<u8>, ApiError> {
    srp::parse_a(a_hex).ok_or_else(|| ApiError::invalid_parameter("Invalid SRP_A: it must be hex and not 0 mod N."))
}

impl UserPools {
    /// The UserMigration trigger: when a user who does not exist signs in with a password
    /// (`params` has PASSWORD) or asks to reset it (`forgot_username`), the pool's migration
    /// handler may vouch for them; cognate then creates them as it answers, and the flow goes on
    /// as if they had been there.
    pub(super) fn migrate_user(
        &self,
        client_id: &str,
        params: &BTreeMap<String, String>,
        forgot_username: Option<&str>,
    ) -> Result<(), ApiError> {
        let Some(username) = forgot_username.or(params.get("USERNAME").map(String::as_str)) else { return Ok(()) };
        let password = params.get("PASSWORD").cloned();
        let found = self.tx(|tx| {
            let Some(client) = tx.client(client_id)? else { return Ok(None) };
            let Some(pool) = tx.pool(client.user_pool_id.as_deref().unwrap_or_default())? else { return Ok(None) };
            let Some(arn) = pool.lambda_config.as_ref().and_then(|l| l.user_migration.clone()) else { return Ok(None) };
            if super::find_user(tx, &pool, username)?.is_some() {
                return Ok(None);
            }
            Ok(Some((pool, arn)))
        })?;
        let Some((pool, arn)) = found else { return Ok(()) };
        let source =
            if forgot_username.is_some() { "UserMigration_ForgotPassword" } else { "UserMigration_Authentication" };
        let header = crate::triggers::EventHeader {
            trigger_source: source,
            user_pool_id: pool.id.as_deref().unwrap_or_default(),
            user_name: username,
            client_id: Some(client_id),
        };
        let mut request = serde_json::json!({"validationData": {}, "clientMetadata": {}});
        if let Some(pw) = &password {
            request["password"] = serde_json::json!(pw);
        }
        let answer = self
            .run_trigger(Some(&arn), "UserMigration", crate::triggers::event(&header, request))?
            .unwrap_or_default();
        let response = &answer["response"];
        // No attributes: the handler does not know the user either.
        let Some(attrs) = response["userAttributes"].as_object() else { return Ok(()) };
        let status = match response["finalUserStatus"].as_str() {
            Some("RESET_REQUIRED") => UserStatusType::ResetRequired,
            _ if password.is_none() => UserStatusType::ResetRequired,
            _ => UserStatusType::Confirmed,
        };
        let now = self.now();
        self.tx(|tx| {
            let pool = load_pool(tx, pool.id.as_deref().unwrap_or_default())?;
            if super::find_user(tx, &pool, username)?.is_some() {
                return Ok(());
            }
            let sub = self.rng.uuid_v4();
            let with_alias_username = pool.username_attributes.as_ref().is_some_and(|a| !a.is_empty());
            let name = if with_alias_username { sub.clone() } else { username.to_string() };
            let mut attributes = vec![AttributeType { name: "sub".into(), value: Some(sub.clone()) }];
            attributes.extend(attrs.iter().filter(|(k, _)| k.as_str() != "sub").map(|(k, v)| AttributeType {
                name: k.clone(),
                value: Some(v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())),
            }));
            super::attributes::check_new(&pool, &attributes[1..])?;
            let user = UserRecord {
                key: super::user_key(&pool, &name),
                password: password.as_deref().filter(|_| status == UserStatusType::Confirmed).map(|pw| {
                    PasswordVerifier::new(
                        pool_name_of(pool.id.as_deref().unwrap_or_default()),
                        &name,
                        pw,
                        self.rng.as_ref(),
                    )
                }),
                username: name,
                sub,
                attributes,
                enabled: true,
                status,
                created: now,
                modified: now,
                ..Default::default()
            };
            let force = response["forceAliasCreation"].as_bool().unwrap_or(false);
            super::users::claim_identifiers(tx, &pool, &user, force, now)?;
            tx.put_user(pool.id.as_deref().unwrap_or_default(), &user)
        })
    }

    /// The PreAuthentication trigger, before anything else of a sign-in, outside any
    /// transaction; a failure stops the sign-in.
    pub(super) fn pre_authentication(
        &self,
        client_id: &str,
        params: &BTreeMap<String, String>,
    ) -> Result<(), ApiError> {
        let Some(username) = params.get("USERNAME") else { return Ok(()) };
        let found = self.tx(|tx| {
            let Some(client) = tx.client(client_id)? else { return Ok(None) };
            let Some(pool) = tx.pool(client.user_pool_id.as_deref().unwrap_or_default())? else { return Ok(None) };
            let Some(arn) = pool.lambda_config.as_ref().and_then(|l| l.pre_authentication.clone()) else {
                return Ok(None);
            };
            Ok(super::find_user(tx, &pool, username)?.map(|user| (pool, user, arn)))
        })?;
        let Some((pool, user, arn)) = found else { return Ok(()) };
        let header = crate::triggers::EventHeader {
            trigger_source: "PreAuthentication_Authentication",
            user_pool_id: pool.id.as_deref().unwrap_or_default(),
            user_name: &user.username,
            client_id: Some(client_id),
        };
        let request = serde_json::json!({
            "userAttributes": super::selfservice::event_attributes(&user),
            "validationData": {},
            "userNotFound": false,
        });
        self.run_trigger(Some(&arn), "PreAuthentication", crate::triggers::event(&header, request)).map(drop)
    }
}

/// How many verified credentials the in-memory cache holds before it starts afresh.
const VERIFIED_CACHE_LIMIT: usize = 100_000;

impl UserPools {
    /// Whether `password` is the user's. A password already verified against this exact
    /// verifier in this process is recognised by an HMAC under a key that never leaves memory,
    /// so repeated sign-ins skip the 3072-bit exponentiation; what is stored is unchanged, and a
    /// new password (a new verifier) is checked in full.
    fn password_ok(&self, pool_id: &str, user: &UserRecord, password: &str) -> bool {
        let Some(verifier) = user.password.as_ref() else { return false };
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.verified_key).expect("HMAC takes any key length");
        for part in [pool_id, &user.username, &verifier.salt, &verifier.verifier, password] {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        let tag: [u8; 32] = mac.finalize().into_bytes().into();
        if self.verified.lock().unwrap_or_else(|e| e.into_inner()).contains(&tag) {
            return true;
        }
        let ok = verifier.matches(pool_name_of(pool_id), &user.username, password);
        if ok {
            let mut cache = self.verified.lock().unwrap_or_else(|e| e.into_inner());
            if cache.len() >= VERIFIED_CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(tag);
        }
        ok
    }

    /// The outcome of a password that checked out, or of one that did not, with the lockout
    /// bookkeeping both need. Shared by the password and SRP flows.
    fn after_password_check(
        &self,
        tx: &mut dyn Tx,
        ctx: &RequestContext,
        pool: &UserPoolType,
        client: &UserPoolClientType,
        mut user: UserRecord,
        ok: bool,
        device: Option<&str>,
    ) -> Result<Result<Outcome, ApiError>, ApiError> {
        let pool_id = pool.id.as_deref().unwrap_or_default();
        let now = self.now();
        if !ok {
            // Five failures lock for a second, each one more doubles it, up to about 15 minutes.
            user.failed_attempts += 1;
            user.last_failure = now;
            if user.failed_attempts >= LOCKOUT_THRESHOLD {
                let exponent = (user.failed_attempts - LOCKOUT_THRESHOLD).min(20);
                user.locked_until = now + (2f64.powi(exponent as i32)).min(LOCKOUT_MAX_SECONDS);
            }
            tx.put_user(pool_id, &user)?;
            return Ok(Err(ApiError::not_authorized("Incorrect username or password.")));
        }
        if user.failed_attempts > 0 || user.locked_until > 0.0 {
            user.failed_attempts = 0;
            user.locked_until = 0.0;
            tx.put_user(pool_id, &user)?;
        }
        if user.status == UserStatusType::ForceChangePassword {
            let days = pool
                .policies
                .as_ref()
                .and_then(|p| p.password_policy.as_ref())
                .and_then(|p| p.temporary_password_validity_days)
                .unwrap_or(7);
            if user.temporary_password_issued.is_some_and(|t| now > t + days as f64 * 86_400.0) {
                return Ok(Err(ApiError::not_authorized(
                    "Temporary password has expired and must be reset by an administrator.",
                )));
            }
            return Ok(Ok(self.new_password_challenge(tx, pool, client, &user)?));
        }
        // A confirmed device proves itself with its own SRP round before tokens are issued.
        let known = self.known_device(tx, pool_id, &user, device)?;
        // A device key that is not this user's device is refused, and nothing of the attempt is
        // kept: Amplify then forgets the key and sends the same answer again without it.
        if device.is_some() && known.is_none() {
            return Err(ApiError::resource_not_found("Device does not exist."));
        }
        if known.as_ref().is_some_and(|d| d.confirmed && d.verifier.is_some()) {
            let session = self.open_session(tx, pool, client, &user, ChallengeNameType::DeviceSrpAuth)?;
            return Ok(Ok(Outcome {
                challenge: Some(ChallengeNameType::DeviceSrpAuth),
                session: Some(session),
                parameters: Some(BTreeMap::new()),
                ..Default::default()
            }));
        }
        let result = self.sign_in_tokens(
            tx,
            ctx,
            pool,
            client,
            &user,
            known.map(|d| d.device_key),
            "TokenGeneration_Authentication",
        )?;
        Ok(Ok(Outcome { result: Some(result), ..Default::default() }))
    }

    /// What stops a sign-in before the password is looked at: a disabled, unconfirmed,
    /// reset-required or locked-out user. Also forgets failures older than 15 minutes.
    fn before_password_check(&self, user: &mut UserRecord) -> Option<ApiError> {
        if !user.enabled {
            return Some(ApiError::not_authorized("User is disabled."));
        }
        match user.status {
            UserStatusType::Unconfirmed => return Some(ApiError::user_not_confirmed("User is not confirmed.")),
            UserStatusType::ResetRequired => {
                return Some(ApiError::password_reset_required("Password reset required for the user"));
            }
            _ => {}
        }
        let now = self.now();
        if now < user.locked_until {
            return Some(ApiError::not_authorized("Password attempts exceeded"));
        }
        if now - user.last_failure > LOCKOUT_FORGET_SECONDS {
            user.failed_attempts = 0;
        }
        None
    }

    /// USER_SRP_AUTH, first step: answers PASSWORD_VERIFIER with the salt, B and the sealed
    /// state.
    fn srp_start(
        &self,
        tx: &mut dyn Tx,
        pool: &UserPoolType,
        client: &UserPoolClientType,
        params: &BTreeMap<String, String>,
        ephemeral: Ephemeral,
    ) -> Result<Outcome, ApiError> {
        let username = param(params, "USERNAME")?;
        let a_hex = param(params, "SRP_A")?;
        check_secret_hash(client, params.get("SECRET_HASH").map(String::as_str), &[username])?;
        let a = parse_srp_a(a_hex)?;
        let keys = self.pool_keys(tx, pool.id.as_deref().unwrap_or_default())?;
        let user = super::find_user(tx, pool, username)?;
        let subject = match &user {
            Some(u) => SrpSubject::of(u)?,
            None if prevents_existence_errors(client) => {
                // A challenge that looks real, with a salt that stays the same for the name.
                let stable = keys.seal_deterministic(username.as_bytes());
                // Where email or phone is the username, a real user's id for SRP is a UUID;
                // the stand-in is one too, the same each time, so the answer gives nothing away.
                let user_id = if pool.username_attributes.as_ref().is_some_and(|a| !a.is_empty()) {
                    let h: String = hex(&stable[16..32]);
                    format!("{}-{}-4{}-a{}-{}", &h[0..8], &h[8..12], &h[13..16], &h[17..20], &h[20..32])
                } else {
                    username.to_string()
                };
                SrpSubject {
                    key: None,
                    sub: String::new(),
                    user_id,
                    salt: password::pad_hex(&stable[..16]),
                    verifier: vec![1u8],
                }
            }
            None => return Err(ApiError::user_not_found("User does not exist.")),
        };
        self.srp_challenge(tx, pool, client, subject, &a, ephemeral, params.get("DEVICE_KEY").cloned(), None)
    }

    /// PASSWORD_VERIFIER for `subject`: B, the salt and the sealed state, with a single-use
    /// session row behind them. Within CUSTOM_AUTH (`custom` holds the challenge history so
    /// far) the row also keeps that history, and its id is the Session the client answers with.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn srp_challenge(
        &self,
        tx: &mut dyn Tx,
        pool: &UserPoolType,
        client: &UserPoolClientType,
        subject: SrpSubject,
        a: &[u8],
        ephemeral: Ephemeral,
        device: Option<String>,
        custom: Option<Vec<serde_json::Value>>,
    ) -> Result<Outcome, ApiError> {
        let pool_id = pool.id.clone().unwrap_or_default();
        let mut raw = [0u8; 32];
        self.rng.fill(&mut raw);
        let session = URL_SAFE_NO_PAD.encode(raw);
        let minutes = client.auth_session_validity.unwrap_or(3) as f64;
        let custom_session = custom.is_some().then(|| session.clone());
        self.store_session(
            tx,
            &AuthSession {
                id: session.clone(),
                pool_id: pool_id.clone(),
                client_id: client.client_id.clone().unwrap_or_default(),
                user_key: subject.key.clone().unwrap_or_default(),
                sub: subject.sub,
                challenge: ChallengeNameType::PasswordVerifier.as_str().to_string(),
                expires: self.now() + minutes * 60.0,
                state: custom.map(|history| serde_json::json!({ "history": history })).unwrap_or_default(),
            },
        )?;
        let round = SrpRound { pool_id: &pool_id, client, key: subject.key, session, a, device, device_step: false };
        let (b_pub, secret_block) = self.seal_srp_round(tx, round, &subject.verifier, ephemeral)?;
        let mut parameters = BTreeMap::new();
        parameters.insert("SALT".to_string(), subject.salt);
        parameters.insert("SRP_B".to_string(), password::pad_hex(&b_pub).trim_start_matches("00").to_string());
        parameters.insert("SECRET_BLOCK".to_string(), secret_block);
        parameters.insert("USERNAME".to_string(), subject.user_id.clone());
        parameters.insert("USER_ID_FOR_SRP".to_string(), subject.user_id);
        Ok(Outcome {
            challenge: Some(ChallengeNameType::PasswordVerifier),
            parameters: Some(parameters),
            session: custom_session,
            ..Default::default()
        })
    }

    /// USER_SRP_AUTH, second step: checks PASSWORD_CLAIM_SIGNATURE against the state sealed
    /// in the secret block.
    fn srp_verify(
        &self,
        tx: &mut dyn Tx,
        ctx: &RequestContext,
        pool: &UserPoolType,
        client: &UserPoolClientType,
        given_session: Option<&str>,
        responses: &BTreeMap<String, String>,
        challenge: ChallengeNameType,
        verdict: Option<&Verdict>,
    ) -> Result<Result<Outcome, ApiError>, ApiError> {
        let block_b64 = param(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
        let signature = param(responses, "PASSWORD_CLAIM_SIGNATURE")?;
        let timestamp = param(responses, "TIMESTAMP")?;
        let username = param(responses, "USERNAME")?;
        let pool_id = pool.id.clone().unwrap_or_default();
        let keys = self.pool_keys(tx, &pool_id)?;
        let incorrect = || ApiError::not_authorized("Incorrect username or password.");
        let block = STANDARD.decode(block_b64).map_err(|_| incorrect())?;
        let state: SrpState = std::str::from_utf8(&block)
            .ok()
            .and_then(|text| keys.open(Purpose::SrpSecretBlock, text))
            .and_then(|plain| serde_json::from_slice(&plain).ok())
            .ok_or_else(incorrect)?;
        if state.pool != pool_id || state.client != client.client_id.clone().unwrap_or_default() {
            return Err(incorrect());
        }
        // A user's round answers PASSWORD_VERIFIER, a device's DEVICE_PASSWORD_VERIFIER.
        if state.device_step != (challenge == ChallengeNameType::DevicePasswordVerifier) {
            return Err(ApiError::invalid_parameter(format!("Invalid challenge name {}", challenge.as_str())));
        }
        let session =
            tx.session(&state.session)?.ok_or_else(|| ApiError::not_authorized("Invalid session for the user."))?;
        tx.delete_session(&state.session)?;
        // Within CUSTOM_AUTH the round belongs to the Session that carries the history.
        let custom = session.state.get("history").and_then(|h| h.as_array()).cloned();
        if custom.is_some() && given_session != Some(state.session.as_str()) {
            return Ok(Err(ApiError::not_authorized("Invalid session for the user.")));
        }
        if session.expires < self.now() {
            return Ok(Err(ApiError::not_authorized("Invalid session for the user, session is expired.")));
        }
        let Some(key) = state.key.clone() else { return Ok(Err(incorrect())) };
        let mut user = tx.user(&pool_id, &key)?.filter(|u| u.sub == session.sub).ok_or_else(incorrect)?;
        let names = hash_names(tx, pool, username, &user)?;
        check_secret_hash(
            client,
            responses.get("SECRET_HASH").map(String::as_str),
            &names.iter().map(String::as_str).collect::<Vec<_>>(),
        )?;
        if let Some(stop) = self.before_password_check(&mut user) {
            return Ok(Err(stop));
        }
        if state.device_step {
            // DEVICE_PASSWORD_VERIFIER: the device proves its own secret, named by its group and key.
            let device_key = state.device.clone().unwrap_or_default();
            let mut device = self.known_device(tx, &pool_id, &user, Some(&device_key))?.ok_or_else(incorrect)?;
            let Some(verifier) = device.verifier.as_deref().map(srp::decode_hex) else { return Ok(Err(incorrect())) };
            let proven =
                Verdict::reuse(verdict, &verifier, &device.group_key, &device.device_key).unwrap_or_else(|| {
                    proof_holds(&state, &verifier, &device.group_key, &device.device_key, &block, timestamp, signature)
                });
            if !proven {
                return Ok(Err(incorrect()));
            }
            device.last_authenticated = self.now();
            tx.put_device(&device)?;
            let result = self.sign_in_tokens(
                tx,
                ctx,
                pool,
                client,
                &user,
                Some(device_key),
                "TokenGeneration_AuthenticateDevice",
            )?;
            return Ok(Ok(Outcome { result: Some(result), ..Default::default() }));
        }
        // No verifier would make S = 0 and any proof pass: such a user cannot sign in by SRP.
        let Some(verifier) = user.password.as_ref().map(|v| srp::decode_hex(&v.verifier)) else {
            return Ok(Err(incorrect()));
        };
        let pool_name = super::pool_name_of(&pool_id);
        let ok = Verdict::reuse(verdict, &verifier, pool_name, &user.username)
            .unwrap_or_else(|| proof_holds(&state, &verifier, pool_name, &user.username, &block, timestamp, signature));
        if let Some(mut history) = custom {
            if !ok {
                return self.after_password_check(tx, ctx, pool, client, user, false, None);
            }
            if user.failed_attempts > 0 || user.locked_until > 0.0 {
                user.failed_attempts = 0;
                user.locked_until = 0.0;
                tx.put_user(&pool_id, &user)?;
            }
            history.push(serde_json::json!({"challengeName": "PASSWORD_VERIFIER", "challengeResult": true}));
            let resume = super::custom_auth::Resume::new(Arc::new(pool.clone()), client.clone(), user, history);
            return Ok(Ok(Outcome { resume_custom: Some(Box::new(resume)), ..Default::default() }));
        }
        // Clients send DEVICE_KEY with the first step or, having looked it up by the
        // USER_ID_FOR_SRP they just learnt, with this one (amazon-cognito-identity-js does).
        let device = responses.get("DEVICE_KEY").or(state.device.as_ref()).map(String::as_str);
        self.after_password_check(tx, ctx, pool, client, user, ok, device)
    }

    /// DEVICE_SRP_AUTH: the device's first SRP step, answered with DEVICE_PASSWORD_VERIFIER.
    /// An SRP round's B = k·v + g^b, and its SECRET_BLOCK: the round's state sealed under the
    /// pool's key, so that the answer needs no lookup of its own and only cognate can read it.
    fn seal_srp_round(
        &self,
        tx: &mut dyn Tx,
        round: SrpRound<'_>,
        verifier: &[u8],
        ephemeral: Ephemeral,
    ) -> Result<(Vec<u8>, String), ApiError> {
        let b_pub = srp::server_b_from(verifier, &ephemeral.g_b);
        let state = SrpState {
            pool: round.pool_id.to_string(),
            client: round.client.client_id.clone().unwrap_or_default(),
            key: round.key,
            session: round.session,
            b: hex(&ephemeral.b),
            a: hex(round.a),
            b_pub: hex(&b_pub),
            device: round.device,
            device_step: round.device_step,
        };
        let keys = self.pool_keys(tx, round.pool_id)?;
        let sealed = keys.seal(
            Purpose::SrpSecretBlock,
            &serde_json::to_vec(&state).expect("state serialises"),
            self.rng.as_ref(),
        );
        Ok((b_pub, STANDARD.encode(sealed.as_bytes())))
    }

    fn device_srp_start(
        &self,
        tx: &mut dyn Tx,
        pool: &UserPoolType,
        client: &UserPoolClientType,
        user: &UserRecord,
        responses: &BTreeMap<String, String>,
        ephemeral: Ephemeral,
    ) -> Result<Outcome, ApiError> {
        let device_key = param(responses, "DEVICE_KEY")?;
        let a_hex = param(responses, "SRP_A")?;
        let a = parse_srp_a(a_hex)?;
        let pool_id = pool.id.clone().unwrap_or_default();
        let device = self
            .known_device(tx, &pool_id, user, Some(device_key))?
            .filter(|d| d.confirmed && d.verifier.is_some())
            .ok_or_else(|| ApiError::resource_not_found("Device does not exist."))?;
        let verifier = srp::decode_hex(device.verifier.as_deref().unwrap_or_default());
        let session = self.open_session(tx, pool, client, user, ChallengeNameType::DevicePasswordVerifier)?;
        let round = SrpRound {
            pool_id: &pool_id,
            client,
            key: Some(user.key.clone()),
            session: session.clone(),
            a: &a,
            device: Some(device.device_key.clone()),
            device_step: true,
        };
        let (b_pub, secret_block) = self.seal_srp_round(tx, round, &verifier, ephemeral)?;
        let mut parameters = BTreeMap::new();
        parameters.insert("SALT".to_string(), device.salt.clone().unwrap_or_default());
        parameters.insert("SRP_B".to_string(), hex(&b_pub).trim_start_matches('0').to_string());
        parameters.insert("SECRET_BLOCK".to_string(), secret_block);
        parameters.insert("USERNAME".to_string(), user.username.clone());
        parameters.insert("DEVICE_KEY".to_string(), device.device_key.clone());
        Ok(Outcome {
            challenge: Some(ChallengeNameType::DevicePasswordVerifier),
            parameters: Some(parameters),
            session: Some(session),
            ..Default::default()
        })
    }
}

/// Who an SRP round is for, as its SECRET_BLOCK records it.
struct SrpRound<'a> {
    pool_id: &'a str,
    client: &'a UserPoolClientType,
    /// The user, or `None` for the simulated challenge of a user who does not exist.
    key: Option<String>,
    /// The single-use session row that stops a replay.
    session: String,
    a: &'a [u8],
    device: Option<String>,
    /// Whether the round proves a remembered device rather than the password.
    device_step: bool,
}

/// The server's secret b of an SRP round and g^b, made before the transaction: the
/// exponentiation needs no stored data, so it need not hold the store's lock.
pub(super) struct Ephemeral {
    b: [u8; 32],
    g_b: Vec<u8>,
}

/// An SRP answer's proof, checked before the transaction that acts on it (and so outside the
/// store's lock), with what it was checked against.
pub(super) struct Verdict {
    verifier: Vec<u8>,
    name: String,
    id: String,
    ok: bool,
}

impl Verdict {
    /// The verdict, if it was reached for this very verifier, pool (or device group) and user
    /// (or device); if anything changed in between, the caller checks again.
    fn reuse(verdict: Option<&Verdict>, verifier: &[u8], name: &str, id: &str) -> Option<bool> {
        verdict.filter(|v| v.verifier == verifier && v.name == name && v.id == id).map(|v| v.ok)
    }
}

impl UserPools {
    pub(super) fn srp_ephemeral(&self) -> Ephemeral {
        let mut b = [0u8; 32];
        self.rng.fill(&mut b);
        Ephemeral { g_b: srp::g_pow(&b), b }
    }

    /// Checks the proof of a PASSWORD_VERIFIER or DEVICE_PASSWORD_VERIFIER answer against what
    /// is stored now, in a read-only transaction, then does the maths outside it. Anything
    /// amiss gives `None`: the transaction that follows finds it and answers as Cognito does.
    fn srp_verdict(&self, client_id: &str, responses: &BTreeMap<String, String>) -> Option<Verdict> {
        let block_b64 = responses.get("PASSWORD_CLAIM_SECRET_BLOCK")?;
        let signature = responses.get("PASSWORD_CLAIM_SIGNATURE")?;
        let timestamp = responses.get("TIMESTAMP")?;
        let block = STANDARD.decode(block_b64).ok()?;
        let found = self.tx(|tx| {
            let Some(client) = tx.client(client_id)? else { return Ok(None) };
            let pool_id = client.user_pool_id.clone().unwrap_or_default();
            let keys = self.pool_keys(tx, &pool_id)?;
            let Some(state) = std::str::from_utf8(&block)
                .ok()
                .and_then(|text| keys.open(Purpose::SrpSecretBlock, text))
                .and_then(|plain| serde_json::from_slice::<SrpState>(&plain).ok())
            else {
                return Ok(None);
            };
            let Some(user) = state.key.as_deref().map(|k| tx.user(&pool_id, k)).transpose()?.flatten() else {
                return Ok(None);
            };
            if state.device_step {
                let device = self.known_device(tx, &pool_id, &user, state.device.as_deref())?;
                Ok(device.and_then(|d| {
                    let verifier = srp::decode_hex(d.verifier.as_deref()?);
                    Some((state, verifier, d.group_key, d.device_key))
                }))
            } else {
                Ok(user.password.as_ref().map(|v| {
                    (state, srp::decode_hex(&v.verifier), pool_name_of(&pool_id).to_string(), user.username.clone())
                }))
            }
        });
        let (state, verifier, name, id) = found.ok().flatten()?;
        let ok = proof_holds(&state, &verifier, &name, &id, &block, timestamp, signature);
        Some(Verdict { verifier, name, id, ok })
    }
}

/// Whether PASSWORD_CLAIM_SIGNATURE is what a client that knows the secret behind `verifier`
/// would have made for this round (compared in constant time).
fn proof_holds(
    state: &SrpState,
    verifier: &[u8],
    pool_name: &str,
    user_id: &str,
    block: &[u8],
    timestamp: &str,
    signature: &str,
) -> bool {
    let (a, b, b_pub) = (srp::decode_hex(&state.a), srp::decode_hex(&state.b), srp::decode_hex(&state.b_pub));
    let u = srp::u(&a, &b_pub);
    let key = srp::session_key(&srp::server_s(&a, verifier, &u, &b), &u);
    let expected = srp::claim_signature(&key, pool_name, user_id, block, timestamp);
    let given = STANDARD.decode(signature).unwrap_or_default();
    given.len() == expected.len() && given.iter().zip(expected.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The names a challenge answer's SECRET_HASH may be computed over: the user's username, and
/// the USERNAME sent only when that names this very user (not any name with a known hash).
pub(super) fn hash_names(
    tx: &mut dyn Tx,
    pool: &UserPoolType,
    username: &str,
    user: &UserRecord,
) -> Result<Vec<String>, ApiError> {
    let mut names = vec![user.username.clone()];
    if username != user.username && super::find_user(tx, pool, username)?.is_some_and(|u| u.key == user.key) {
        names.push(username.to_string());
    }
    Ok(names)
}

/// The client secret, for the operations that take it whole rather than as SECRET_HASH.
fn check_client_secret(client: &UserPoolClientType, given: Option<&str>) -> Result<(), ApiError> {
    match (client.client_secret.as_deref(), given) {
        (None, _) => Ok(()),
        (Some(secret), Some(given)) if secret == given => Ok(()),
        (Some(_), _) => Err(ApiError::not_authorized(format!(
            "Unable to verify secret hash for client {}",
            client.client_id.as_deref().unwrap_or_default()
        ))),
    }
}

/// Required schema attributes the user has no value for.
fn missing_required(pool: &UserPoolType, user: &UserRecord) -> Vec<String> {
    pool.schema_attributes
        .iter()
        .flatten()
        .filter(|s| s.required == Some(true))
        .filter_map(|s| s.name.clone())
        .filter(|n| n != "sub" && user.attribute(n).is_none_or(str::is_empty))
        .collect()
}
