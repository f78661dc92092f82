//! CUSTOM_AUTH: the pool's DefineAuthChallenge, CreateAuthChallenge and
//! VerifyAuthChallengeResponse triggers take turns deciding the sign-in, with the history of
//! challenges carried in the Session. Every trigger runs between transactions. A client that
//! sends SRP_A with CUSTOM_AUTH (Amplify's CUSTOM_WITH_SRP) may be asked to prove its password
//! first: DefineAuthChallenge sees an SRP_A round and may answer PASSWORD_VERIFIER, which is
//! checked as USER_SRP_AUTH checks it (`srp.rs`).

use super::srp::{self, Ephemeral, SrpSubject};
use super::{Answer, Challenge, session};
use crate::idp::client_secrets::check_secret_hash;
use crate::idp::clients::{client_and_pool, prevents_existence_errors};
use crate::idp::issue;
use crate::idp::lookup::find_user;
use crate::idp::service::{Mail, SignIn, UserPools};
use crate::store::{Tx, UserRecord};
use crate::triggers::{EventHeader, event, event_attributes};
use cognate_proto::idp::{
    ChallengeNameType, EventResponseType, EventType, ExplicitAuthFlowsType, LambdaConfigType, UserPoolClientType,
    UserPoolType, UserStatusType,
};
use cognate_proto::{ApiError, RequestContext};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Rounds of challenges a sign-in may take before Cognito gives up.
const MAX_ROUNDS: usize = 8;

struct Context {
    pool: Arc<UserPoolType>,
    client: UserPoolClientType,
    user: UserRecord,
    /// The client's SRP_A, while the sign-in may still start with a password round.
    srp_a: Option<Vec<u8>>,
}

/// A custom sign-in whose PASSWORD_VERIFIER round has just been passed, with its history.
pub(crate) struct Resume {
    ctx: Context,
    history: Vec<Value>,
}

impl Resume {
    pub(super) fn new(
        pool: Arc<UserPoolType>,
        client: UserPoolClientType,
        user: UserRecord,
        history: Vec<Value>,
    ) -> Self {
        Resume { ctx: Context { pool, client, user, srp_a: None }, history }
    }
}

fn lambda_arn(pool: &UserPoolType, pick: fn(&LambdaConfigType) -> Option<&String>) -> Option<&String> {
    pool.lambda_config.as_ref().and_then(pick)
}

/// Runs one of the three triggers; a pool without it fails as a missing function would.
fn run(
    up: &UserPools,
    ctx: &Context,
    arn: Option<&String>,
    trigger: &str,
    source: &str,
    request: Value,
) -> Result<Value, ApiError> {
    let header = EventHeader {
        trigger_source: source,
        user_pool_id: ctx.pool.id.as_deref().unwrap_or_default(),
        user_name: &ctx.user.username,
        client_id: ctx.client.client_id.as_deref(),
    };
    match arn {
        Some(arn) => up.run_trigger(arn, trigger, event(&header, request)),
        None => Ok(Value::Null),
    }
}

/// Asks DefineAuthChallenge what comes next after `history`, and does it: tokens, a new
/// challenge (made by CreateAuthChallenge), or failure.
fn next(up: &UserPools, rctx: &RequestContext, ctx: Context, history: Vec<Value>) -> Result<Answer, ApiError> {
    let attributes = event_attributes(&ctx.user);
    let request =
        json!({"userAttributes": attributes, "session": history, "clientMetadata": {}, "userNotFound": false});
    let define = lambda_arn(&ctx.pool, |l| l.define_auth_challenge.as_ref()).cloned();
    let answer = run(up, &ctx, define.as_ref(), "DefineAuthChallenge", "DefineAuthChallenge_Authentication", request)?;
    let response = &answer["response"];
    let incorrect = || ApiError::not_authorized("Incorrect username or password.");
    if response["failAuthentication"].as_bool() == Some(true) || history.len() >= MAX_ROUNDS {
        return Err(incorrect());
    }
    let pool_id = ctx.pool.id.clone().unwrap_or_default();
    // The user as they are now: one disabled or replaced since the last round gets no further.
    let current = |tx: &mut dyn Tx| -> Result<UserRecord, ApiError> {
        tx.user(&pool_id, &ctx.user.key)?.filter(|u| u.sub == ctx.user.sub && u.enabled).ok_or_else(incorrect)
    };
    if response["issueTokens"].as_bool() == Some(true) {
        let minted = up.tx(|tx| {
            let user = current(tx)?;
            let s = SignIn {
                up,
                ctx: rctx,
                pool: &ctx.pool,
                client: &ctx.client,
                mail: &Default::default(),
                hosted: false,
            };
            // A custom sign-in's challenges are its own: the event names none of Cognito's.
            let passed = crate::idp::auth_events::Outcome::new(EventType::SignIn, EventResponseType::Pass);
            crate::idp::auth_events::record(up, tx, rctx, &ctx.pool, &user, passed)?;
            issue::sign_in_tokens(&s, tx, &user, None, "TokenGeneration_Authentication")
        })?;
        return Ok(Answer::Tokens(Box::new(minted)));
    }
    let asked = response["challengeName"].as_str();
    // The password round comes first or not at all ("If you want to include SRP in a custom
    // authentication flow, you need to start with it": developer guide, custom
    // authentication flow); the handler may name it by either of its steps.
    if matches!(asked, Some("PASSWORD_VERIFIER" | "SRP_A"))
        && history.len() == 1
        && let Some(a) = ctx.srp_a.as_deref()
    {
        let mut ephemeral = Some(Ephemeral::new(up));
        let challenge = up.tx(|tx| {
            let ephemeral = ephemeral.take().unwrap_or_else(|| Ephemeral::new(up));
            let subject = SrpSubject::of(&current(tx)?)?;
            let s = SignIn {
                up,
                ctx: rctx,
                pool: &ctx.pool,
                client: &ctx.client,
                mail: &Default::default(),
                hosted: false,
            };
            srp::challenge(&s, tx, subject, a, ephemeral, None, Some(history.clone()))
        })?;
        return Ok(Answer::Challenge(challenge));
    }
    if asked == Some("SMS_MFA") {
        let mail = std::cell::RefCell::new(Mail::default());
        let challenge = up.tx(|tx| {
            let user = current(tx)?;
            let s = SignIn { up, ctx: rctx, pool: &ctx.pool, client: &ctx.client, mail: &mail, hosted: false };
            super::mfa::custom_sms(&s, tx, &user, history.clone())
        })?;
        up.send_waiting(mail.into_inner())?;
        return Ok(Answer::Challenge(challenge));
    }
    if asked != Some("CUSTOM_CHALLENGE") {
        // Only custom challenges are made here; anything else ends the sign-in.
        return Err(incorrect());
    }
    let request = json!({
        "userAttributes": attributes,
        "challengeName": "CUSTOM_CHALLENGE",
        "session": history,
        "clientMetadata": {},
        "userNotFound": false,
    });
    let create = lambda_arn(&ctx.pool, |l| l.create_auth_challenge.as_ref()).cloned();
    let created = run(up, &ctx, create.as_ref(), "CreateAuthChallenge", "CreateAuthChallenge_Authentication", request)?;
    let made = &created["response"];
    let mut parameters: BTreeMap<String, String> = made["publicChallengeParameters"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())))
                .collect()
        })
        .unwrap_or_default();
    parameters.insert("USERNAME".into(), ctx.user.username.clone());
    let state = json!({
        "history": history,
        "private": made["privateChallengeParameters"],
        "metadata": made["challengeMetadata"],
    });
    let session = up.tx(|tx| {
        let s =
            SignIn { up, ctx: rctx, pool: &ctx.pool, client: &ctx.client, mail: &Default::default(), hosted: false };
        session::open_with(&s, tx, &ctx.user, ChallengeNameType::CustomChallenge, state.clone())
    })?;
    Ok(Answer::Challenge(Challenge {
        name: ChallengeNameType::CustomChallenge,
        parameters,
        session: Some(session),
        available: Vec::new(),
    }))
}

/// Goes on with a custom sign-in after its password round.
pub(super) fn resume(up: &UserPools, rctx: &RequestContext, resume: Resume) -> Result<Answer, ApiError> {
    next(up, rctx, resume.ctx, resume.history)
}

/// The client and pool of a custom sign-in, refused unless the client allows CUSTOM_AUTH and
/// the pool has a DefineAuthChallenge trigger.
fn client_for_custom(
    tx: &mut dyn Tx,
    admin_pool: Option<&str>,
    client_id: &str,
) -> Result<(UserPoolClientType, Arc<UserPoolType>), ApiError> {
    let (client, pool) = client_and_pool(tx, admin_pool, client_id)?;
    let allowed = client
        .explicit_auth_flows
        .iter()
        .flatten()
        .any(|f| matches!(f, ExplicitAuthFlowsType::AllowCustomAuth | ExplicitAuthFlowsType::CustomAuthFlowOnly));
    if !allowed {
        return Err(ApiError::invalid_parameter(match admin_pool {
            Some(_) => "Auth flow not enabled for this client".to_string(),
            None => "CUSTOM_AUTH flow not enabled for this client".to_string(),
        }));
    }
    if lambda_arn(&pool, |l| l.define_auth_challenge.as_ref()).is_none() {
        return Err(ApiError::invalid_parameter("Custom auth lambda trigger is not configured for the user pool."));
    }
    Ok((client, pool))
}

/// The checks of [`client_for_custom`] alone, for a request refused after them.
pub(super) fn check_client(up: &UserPools, admin_pool: Option<&str>, client_id: &str) -> Result<(), ApiError> {
    up.tx(|tx| client_for_custom(tx, admin_pool, client_id).map(drop))
}

/// InitiateAuth / AdminInitiateAuth with CUSTOM_AUTH.
pub(super) fn start(
    up: &UserPools,
    rctx: &RequestContext,
    admin_pool: Option<&str>,
    client_id: &str,
    username: &str,
    srp_a: Option<&str>,
    secret_hash: Option<&str>,
) -> Result<Answer, ApiError> {
    let ctx = up.tx(|tx| -> Result<Context, ApiError> {
        let (client, pool) = client_for_custom(tx, admin_pool, client_id)?;
        check_secret_hash(up, tx, &client, secret_hash, &[username])?;
        let user = find_for_custom(tx, &pool, &client, username)?;
        let srp_a = srp_a.map(srp::parse_a).transpose()?;
        Ok(Context { pool, client, user, srp_a })
    })?;
    // SRP_A opens the sign-in as a round of its own, which DefineAuthChallenge sees.
    let history = match ctx.srp_a {
        Some(_) => vec![json!({"challengeName": "SRP_A", "challengeResult": true})],
        None => Vec::new(),
    };
    next(up, rctx, ctx, history)
}

/// RespondToAuthChallenge / AdminRespondToAuthChallenge with CUSTOM_CHALLENGE.
pub(super) fn respond(
    up: &UserPools,
    rctx: &RequestContext,
    admin_pool: Option<&str>,
    client_id: &str,
    session: Option<&str>,
    responses: &BTreeMap<String, String>,
) -> Result<Answer, ApiError> {
    let now = up.now();
    let (ctx, state) = up.tx(|tx| -> Result<(Context, Value), ApiError> {
        let (client, pool) = client_and_pool(tx, admin_pool, client_id)?;
        let pool_id = pool.id.clone().unwrap_or_default();
        let id = session.ok_or_else(|| ApiError::invalid_parameter("Missing required parameter Session"))?;
        let invalid = || ApiError::not_authorized("Invalid session for the user.");
        let stored = tx.session(id)?.ok_or_else(invalid)?;
        // A session answers once, right or wrong.
        tx.delete_session(id)?;
        if stored.client_id != client_id || stored.pool_id != pool_id || stored.challenge != "CUSTOM_CHALLENGE" {
            return Err(invalid());
        }
        if stored.expires < now {
            return Err(ApiError::not_authorized("Invalid session for the user, session is expired."));
        }
        let user = tx.user(&pool_id, &stored.user_key)?.filter(|u| u.sub == stored.sub).ok_or_else(invalid)?;
        let username = responses.get("USERNAME").map(String::as_str).unwrap_or_default();
        let names = session::hash_names(tx, &pool, username, &user)?;
        check_secret_hash(up, tx, &client, responses.get("SECRET_HASH").map(String::as_str), &names)?;
        Ok((Context { pool, client, user, srp_a: None }, stored.state))
    })?;
    let answer = responses.get("ANSWER").cloned().unwrap_or_default();
    let request = json!({
        "userAttributes": event_attributes(&ctx.user),
        "privateChallengeParameters": state["private"],
        "challengeAnswer": answer,
        "clientMetadata": {},
        "userNotFound": false,
    });
    let verify = lambda_arn(&ctx.pool, |l| l.verify_auth_challenge_response.as_ref()).cloned();
    let source = "VerifyAuthChallengeResponse_Authentication";
    let verdict = run(up, &ctx, verify.as_ref(), "VerifyAuthChallengeResponse", source, request)?;
    let correct = verdict["response"]["answerCorrect"].as_bool().unwrap_or(false);
    let mut history: Vec<Value> = state["history"].as_array().cloned().unwrap_or_default();
    history.push(json!({
        "challengeName": "CUSTOM_CHALLENGE",
        "challengeResult": correct,
        "challengeMetadata": state["metadata"],
    }));
    next(up, rctx, ctx, history)
}

/// The user a custom sign-in names; unknown users get Cognito's answer for the client.
fn find_for_custom(
    tx: &mut dyn Tx,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    username: &str,
) -> Result<UserRecord, ApiError> {
    let Some(user) = find_user(tx, pool, username)? else {
        return Err(if prevents_existence_errors(client) {
            ApiError::not_authorized("Incorrect username or password.")
        } else {
            ApiError::user_not_found("User does not exist.")
        });
    };
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    if user.status == UserStatusType::Unconfirmed {
        return Err(ApiError::user_not_confirmed("User is not confirmed."));
    }
    Ok(user)
}
