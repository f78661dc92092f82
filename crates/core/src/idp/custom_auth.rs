//! CUSTOM_AUTH: the pool's DefineAuthChallenge, CreateAuthChallenge and
//! VerifyAuthChallengeResponse triggers take turns deciding the sign-in, with the history of
//! challenges carried in the Session. Every trigger runs between transactions. A client that sends SRP_A with CUSTOM_AUTH (Amplify's
//! CUSTOM_WITH_SRP) may be asked to prove its password first: DefineAuthChallenge sees an SRP_A
//! round and may answer PASSWORD_VERIFIER, which is checked as USER_SRP_AUTH checks it.

use super::auth::{Outcome, check_secret_hash, load_client};
use super::{UserPools, load_pool};
use crate::store::{Tx, UserRecord};
use cognate_proto::idp::*;
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
pub(super) struct Resume {
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

fn lambda_arn<'a>(pool: &'a UserPoolType, pick: fn(&LambdaConfigType) -> Option<&String>) -> Option<&'a String> {
    pool.lambda_config.as_ref().and_then(pick)
}

impl UserPools {
    fn custom_event(&self, ctx: &Context, source: &str, request: Value) -> Value {
        let header = crate::triggers::EventHeader {
            trigger_source: source,
            user_pool_id: ctx.pool.id.as_deref().unwrap_or_default(),
            user_name: &ctx.user.username,
            client_id: ctx.client.client_id.as_deref(),
        };
        crate::triggers::event(&header, request)
    }

    /// Asks DefineAuthChallenge what comes next after `history`, and does it: tokens, a new
    /// challenge (made by CreateAuthChallenge), or failure.
    fn custom_next(&self, rctx: &RequestContext, ctx: Context, history: Vec<Value>) -> Result<Outcome, ApiError> {
        let attributes = super::selfservice::event_attributes(&ctx.user);
        let define = lambda_arn(&ctx.pool, |l| l.define_auth_challenge.as_ref()).cloned();
        let request =
            json!({"userAttributes": attributes, "session": history, "clientMetadata": {}, "userNotFound": false});
        let event = self.custom_event(&ctx, "DefineAuthChallenge_Authentication", request);
        let answer = self.run_trigger(define.as_ref(), "DefineAuthChallenge", event)?.unwrap_or_default();
        let response = &answer["response"];
        let incorrect = || ApiError::not_authorized("Incorrect username or password.");
        if response["failAuthentication"].as_bool() == Some(true) || history.len() >= MAX_ROUNDS {
            return Err(incorrect());
        }
        if response["issueTokens"].as_bool() == Some(true) {
            let minted = self.tx(|tx| {
                let user = tx
                    .user(ctx.pool.id.as_deref().unwrap_or_default(), &ctx.user.key)?
                    .filter(|u| u.sub == ctx.user.sub && u.enabled)
                    .ok_or_else(incorrect)?;
                self.sign_in_tokens(tx, rctx, &ctx.pool, &ctx.client, &user, None, "TokenGeneration_Authentication")
            })?;
            return Ok(Outcome { result: Some(minted), ..Default::default() });
        }
        let asked = response["challengeName"].as_str();
        // The password round comes first or not at all ("If you want to include SRP in a custom
        // authentication flow, you need to start with it": developer guide, custom
        // authentication flow); the handler may name it by either of its steps.
        if matches!(asked, Some("PASSWORD_VERIFIER" | "SRP_A")) && history.len() == 1 {
            if let Some(a) = ctx.srp_a.as_deref() {
                let pool_id = ctx.pool.id.clone().unwrap_or_default();
                let mut ephemeral = Some(self.srp_ephemeral());
                return self.tx(|tx| {
                    let ephemeral = ephemeral.take().unwrap_or_else(|| self.srp_ephemeral());
                    let user = tx
                        .user(&pool_id, &ctx.user.key)?
                        .filter(|u| u.sub == ctx.user.sub && u.enabled)
                        .ok_or_else(incorrect)?;
                    let subject = super::auth::SrpSubject::of(&user)?;
                    self.srp_challenge(tx, &ctx.pool, &ctx.client, subject, a, ephemeral, None, Some(history.clone()))
                });
            }
        }
        if asked != Some("CUSTOM_CHALLENGE") {
            // Only custom challenges are made here; anything else ends the sign-in.
            return Err(incorrect());
        }
        let create = lambda_arn(&ctx.pool, |l| l.create_auth_challenge.as_ref()).cloned();
        let request = json!({
            "userAttributes": attributes,
            "challengeName": "CUSTOM_CHALLENGE",
            "session": history,
            "clientMetadata": {},
            "userNotFound": false,
        });
        let event = self.custom_event(&ctx, "CreateAuthChallenge_Authentication", request);
        let created = self.run_trigger(create.as_ref(), "CreateAuthChallenge", event)?.unwrap_or_default();
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
        let session = self.tx(|tx| {
            let id = self.open_session(tx, &ctx.pool, &ctx.client, &ctx.user, ChallengeNameType::CustomChallenge)?;
            let mut stored =
                tx.session(&id)?.ok_or_else(|| ApiError::internal_error("the session just made is gone"))?;
            stored.state = state;
            tx.put_session(&stored)?;
            Ok(id)
        })?;
        Ok(Outcome {
            challenge: Some(ChallengeNameType::CustomChallenge),
            parameters: Some(parameters),
            session: Some(session),
            ..Default::default()
        })
    }

    /// Goes on with a custom sign-in after its password round.
    pub(super) fn custom_resume(&self, rctx: &RequestContext, resume: Resume) -> Result<Outcome, ApiError> {
        self.custom_next(rctx, resume.ctx, resume.history)
    }

    /// InitiateAuth / AdminInitiateAuth with CUSTOM_AUTH.
    pub(super) fn custom_start(
        &self,
        rctx: &RequestContext,
        admin_pool: Option<&str>,
        client_id: &str,
        params: &BTreeMap<String, String>,
    ) -> Result<Outcome, ApiError> {
        let ctx = self.tx(|tx| -> Result<Context, ApiError> {
            let client = load_client(tx, client_id)?;
            let pool_id = client.user_pool_id.clone().unwrap_or_default();
            if admin_pool.is_some_and(|p| p != pool_id) {
                return Err(ApiError::resource_not_found(format!("User pool client {client_id} does not exist.")));
            }
            let pool = load_pool(tx, &pool_id)?;
            let allowed = client.explicit_auth_flows.iter().flatten().any(|f| {
                matches!(f, ExplicitAuthFlowsType::AllowCustomAuth | ExplicitAuthFlowsType::CustomAuthFlowOnly)
            });
            if !allowed {
                return Err(ApiError::invalid_parameter(match admin_pool {
                    Some(_) => "Auth flow not enabled for this client".to_string(),
                    None => "CUSTOM_AUTH flow not enabled for this client".to_string(),
                }));
            }
            if lambda_arn(&pool, |l| l.define_auth_challenge.as_ref()).is_none() {
                return Err(ApiError::invalid_parameter(
                    "Custom auth lambda trigger is not configured for the user pool.",
                ));
            }
            let username = params
                .get("USERNAME")
                .ok_or_else(|| ApiError::invalid_parameter("Missing required parameter USERNAME"))?;
            check_secret_hash(&client, params.get("SECRET_HASH").map(String::as_str), &[username])?;
            let user = find_for_custom(tx, &pool, &client, username)?;
            let srp_a = params.get("SRP_A").map(|a| super::auth::parse_srp_a(a)).transpose()?;
            Ok(Context { pool, client, user, srp_a })
        })?;
        // SRP_A opens the sign-in as a round of its own, which DefineAuthChallenge sees.
        let history = match ctx.srp_a {
            Some(_) => vec![json!({"challengeName": "SRP_A", "challengeResult": true})],
            None => Vec::new(),
        };
        self.custom_next(rctx, ctx, history)
    }

    /// RespondToAuthChallenge / AdminRespondToAuthChallenge with CUSTOM_CHALLENGE.
    pub(super) fn custom_respond(
        &self,
        rctx: &RequestContext,
        admin_pool: Option<&str>,
        client_id: &str,
        session: Option<&str>,
        responses: &BTreeMap<String, String>,
    ) -> Result<Outcome, ApiError> {
        let now = self.now();
        let (ctx, state) = self.tx(|tx| -> Result<(Context, Value), ApiError> {
            let client = load_client(tx, client_id)?;
            let pool_id = client.user_pool_id.clone().unwrap_or_default();
            if admin_pool.is_some_and(|p| p != pool_id) {
                return Err(ApiError::resource_not_found(format!("User pool client {client_id} does not exist.")));
            }
            let pool = load_pool(tx, &pool_id)?;
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
            let names = super::auth::hash_names(tx, &pool, username, &user)?;
            check_secret_hash(
                &client,
                responses.get("SECRET_HASH").map(String::as_str),
                &names.iter().map(String::as_str).collect::<Vec<_>>(),
            )?;
            Ok((Context { pool, client, user, srp_a: None }, stored.state))
        })?;
        let answer = responses.get("ANSWER").cloned().unwrap_or_default();
        let verify = lambda_arn(&ctx.pool, |l| l.verify_auth_challenge_response.as_ref()).cloned();
        let request = json!({
            "userAttributes": super::selfservice::event_attributes(&ctx.user),
            "privateChallengeParameters": state["private"],
            "challengeAnswer": answer,
            "clientMetadata": {},
            "userNotFound": false,
        });
        let event = self.custom_event(&ctx, "VerifyAuthChallengeResponse_Authentication", request);
        let verdict = self.run_trigger(verify.as_ref(), "VerifyAuthChallengeResponse", event)?.unwrap_or_default();
        let correct = verdict["response"]["answerCorrect"].as_bool().unwrap_or(false);
        let mut history: Vec<Value> = state["history"].as_array().cloned().unwrap_or_default();
        history.push(json!({
            "challengeName": "CUSTOM_CHALLENGE",
            "challengeResult": correct,
            "challengeMetadata": state["metadata"],
        }));
        self.custom_next(rctx, ctx, history)
    }
}

/// The user a custom sign-in names; unknown users get Cognito's answer for the client.
fn find_for_custom(
    tx: &mut dyn Tx,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    username: &str,
) -> Result<UserRecord, ApiError> {
    let Some(user) = super::find_user(tx, pool, username)? else {
        return Err(if client.prevent_user_existence_errors == Some(PreventUserExistenceErrorTypes::Enabled) {
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
