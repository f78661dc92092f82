//! Sign-in: InitiateAuth, AdminInitiateAuth and their challenges, one file per flow and per
//! challenge.
//!
//! A request's AuthParameters are read once into a [`flow::Flow`]; each step runs inside a
//! transaction and answers an [`Answer`]: tokens, a challenge, or a refusal that still commits
//! what the step wrote (a failed attempt counts). What follows a verified first factor is
//! decided in one chain: [`next_step`] (a temporary password to change), [`after_password`] (a
//! second factor, `mfa`), [`after_mfa`] (a device's proof, or tokens); what a later step must
//! know rides in the challenge's session as [`mfa::Carried`]. Whatever waits on the world
//! (triggers, RSA keys, signing, an uncached password check, sending a code through a trigger)
//! happens between transactions.

mod choice;
mod custom;
mod device;
mod flow;
mod lockout;
mod mfa;
mod migrate;
mod new_password;
mod password;
mod pre_auth;
mod refresh;
mod session;
mod setup;
mod srp;

pub(crate) use choice::{CONFIRMED, SIGNED_UP, Vouched, open_sign_up_session, take_sign_up_session};
pub(crate) use migrate::migrate_user;
pub(crate) use pre_auth::pre_authentication;
pub(crate) use refresh::{RefreshSecret, get_tokens_from_refresh_token, refresh, revoke_token};
pub(crate) use setup::{associate_software_token, verify_software_token};

use crate::idp::auth_events::Outcome;
use crate::idp::clients::{allows, client_and_pool, legacy_flows_only};
use crate::idp::issue::{self, Minted};
use crate::idp::service::{Mail, SignIn, UserPools};
use crate::store::{Tx, UserRecord};
use cognate_proto::idp as wire;
use cognate_proto::idp::{
    AuthFlowType, ChallengeName, ChallengeNameType, EventResponseType, EventType, ExplicitAuthFlowsType,
    UserPoolClientType,
};
use cognate_proto::{ApiError, RequestContext};
use flow::{Flow, FlowKind};
use mfa::Carried;
use std::cell::RefCell;
use std::collections::BTreeMap;

/// What a sign-in step answers.
pub(crate) enum Answer {
    Tokens(Box<Minted>),
    Challenge(Challenge),
    /// The sign-in is refused, and what the step wrote (a failed attempt, a lockout) stands.
    Refused(ApiError),
    /// A password round inside CUSTOM_AUTH passed: DefineAuthChallenge decides what follows,
    /// once the transaction that checked it has committed.
    ResumeCustom(Box<custom::Resume>),
    /// A sign-in on the managed login pages passed every factor: the pages go on from here
    /// (PostAuthentication, the browser's session, the code).
    SignedIn(Box<UserRecord>),
}

/// A challenge for the client to answer.
pub(crate) struct Challenge {
    pub name: ChallengeNameType,
    pub parameters: BTreeMap<String, String>,
    pub session: Option<String>,
    /// USER_AUTH: the first factors the user may choose (`AvailableChallenges`).
    pub available: Vec<ChallengeNameType>,
}

/// A sign-in's answer as the four operations return it.
struct Reply {
    tokens: Option<wire::AuthenticationResultType>,
    challenge: Option<ChallengeNameType>,
    parameters: BTreeMap<String, String>,
    session: Option<String>,
    available: Option<Vec<ChallengeNameType>>,
}

/// Turns a step's answer into the reply, doing outside any transaction what the answer still
/// needs: signing tokens (and their triggers), or going on with a custom sign-in.
fn settle(up: &UserPools, ctx: &RequestContext, answer: Answer) -> Result<Reply, ApiError> {
    match answer {
        Answer::Tokens(minted) => Ok(Reply {
            tokens: Some(up.finish(*minted)?),
            challenge: None,
            parameters: BTreeMap::new(),
            session: None,
            available: None,
        }),
        Answer::Challenge(c) => {
            let available = (!c.available.is_empty()).then_some(c.available);
            Ok(Reply { tokens: None, challenge: Some(c.name), parameters: c.parameters, session: c.session, available })
        }
        Answer::Refused(error) => Err(error),
        Answer::ResumeCustom(resume) => settle(up, ctx, custom::resume(up, ctx, *resume)?),
        Answer::SignedIn(_) => Err(ApiError::internal_error("a managed login sign-in reached the API")),
    }
}

/// Runs `step` in one transaction and commits what it wrote, whether it answered or refused;
/// then sends the messages it left (an MFA code), outside it.
fn step<R>(up: &UserPools, f: impl FnOnce(&mut dyn Tx, &RefCell<Mail>) -> Result<R, ApiError>) -> Result<R, ApiError> {
    let mail = RefCell::new(Mail::default());
    let answer = up.tx(|tx| f(tx, &mail))?;
    up.send_waiting(mail.into_inner())?;
    Ok(answer)
}

/// What follows a verified first factor (a password, an SRP proof): a temporary password still
/// to change, then (in [`after_password`]) a second factor, a remembered device to prove, or
/// tokens.
pub(crate) fn next_step(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    user: UserRecord,
    device: Option<&str>,
) -> Result<Answer, ApiError> {
    if user.status == wire::UserStatusType::ForceChangePassword {
        if new_password::temporary_expired(s.up, s.pool, &user) {
            return Ok(Answer::Refused(ApiError::not_authorized(
                "Temporary password has expired and must be reset by an administrator.",
            )));
        }
        let carried = Carried { device: device.map(str::to_string), ..Carried::default() };
        return new_password::challenge(s, tx, &user, &carried).map(Answer::Challenge);
    }
    after_password(s, tx, user, device, Carried::default())
}

/// What follows once the user's password is settled: a second factor unless the sign-in comes
/// from a remembered device (which skips it: DeviceConfiguration, API reference), then
/// [`after_mfa`].
pub(crate) fn after_password(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    user: UserRecord,
    device: Option<&str>,
    carried: Carried,
) -> Result<Answer, ApiError> {
    let known = s.up.known_device(tx, s.pool_id(), &user, device)?;
    // A device key that is not this user's device is refused, and nothing of the attempt is
    // kept: Amplify then forgets the key and sends the same answer again without it.
    if device.is_some() && known.is_none() {
        return Err(ApiError::resource_not_found("Device does not exist."));
    }
    let remembered = known.as_ref().is_some_and(|d| d.confirmed && d.remembered && d.verifier.is_some());
    if !remembered {
        let carried = Carried { device: device.map(str::to_string), ..carried };
        let source = carried.source();
        if let Some(challenge) = mfa::challenge(s, tx, &user, carried)? {
            return Ok(Answer::Challenge(challenge));
        }
        return after_mfa(s, tx, user, device, source, false);
    }
    after_mfa(s, tx, user, device, carried.source(), false)
}

/// The end of a sign-in whose every factor passed: the lockout count is cleared, then a
/// confirmed device proves itself with its own SRP round, or tokens are issued.
/// `second_factor` says whether an MFA code was answered, which the auth event records.
pub(crate) fn after_mfa(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    mut user: UserRecord,
    device: Option<&str>,
    source: &'static str,
    second_factor: bool,
) -> Result<Answer, ApiError> {
    lockout::forgive(tx, s.pool_id(), &mut user)?;
    let mut passed = Outcome::new(EventType::SignIn, EventResponseType::Pass).challenge(ChallengeName::Password, true);
    if second_factor {
        passed = passed.challenge(ChallengeName::Mfa, true);
    }
    crate::idp::auth_events::record(s.up, tx, s.ctx, s.pool, &user, passed)?;
    if s.hosted {
        return Ok(Answer::SignedIn(Box::new(user)));
    }
    let known = s.up.known_device(tx, s.pool_id(), &user, device)?;
    if known.as_ref().is_some_and(|d| d.confirmed && d.verifier.is_some()) {
        let session = session::open(s, tx, &user, ChallengeNameType::DeviceSrpAuth)?;
        return Ok(Answer::Challenge(Challenge {
            name: ChallengeNameType::DeviceSrpAuth,
            parameters: BTreeMap::new(),
            session: Some(session),
            available: Vec::new(),
        }));
    }
    let minted = issue::sign_in_tokens(s, tx, &user, known.map(|d| d.device_key), source)?;
    Ok(Answer::Tokens(Box::new(minted)))
}

pub(crate) fn initiate_auth(
    up: &UserPools,
    ctx: &RequestContext,
    input: wire::InitiateAuthRequest,
) -> Result<wire::InitiateAuthResponse, ApiError> {
    let params = input.auth_parameters.unwrap_or_default();
    let r = initiate(up, ctx, None, &input.client_id, input.auth_flow, params, input.session.as_deref())?;
    Ok(wire::InitiateAuthResponse {
        authentication_result: r.tokens,
        challenge_name: r.challenge,
        challenge_parameters: Some(r.parameters),
        session: r.session,
        available_challenges: r.available,
    })
}

pub(crate) fn admin_initiate_auth(
    up: &UserPools,
    ctx: &RequestContext,
    input: wire::AdminInitiateAuthRequest,
) -> Result<wire::AdminInitiateAuthResponse, ApiError> {
    let params = input.auth_parameters.unwrap_or_default();
    let pool = Some(input.user_pool_id.as_str());
    let r = initiate(up, ctx, pool, &input.client_id, input.auth_flow, params, input.session.as_deref())?;
    Ok(wire::AdminInitiateAuthResponse {
        authentication_result: r.tokens,
        challenge_name: r.challenge,
        challenge_parameters: Some(r.parameters),
        session: r.session,
        available_challenges: r.available,
    })
}

pub(crate) fn respond_to_auth_challenge(
    up: &UserPools,
    ctx: &RequestContext,
    input: wire::RespondToAuthChallengeRequest,
) -> Result<wire::RespondToAuthChallengeResponse, ApiError> {
    let responses = input.challenge_responses.unwrap_or_default();
    let r = respond(up, ctx, None, &input.client_id, input.challenge_name, input.session.as_deref(), responses)?;
    Ok(wire::RespondToAuthChallengeResponse {
        authentication_result: r.tokens,
        challenge_name: r.challenge,
        challenge_parameters: Some(r.parameters),
        session: r.session,
        available_challenges: r.available,
    })
}

pub(crate) fn admin_respond_to_auth_challenge(
    up: &UserPools,
    ctx: &RequestContext,
    input: wire::AdminRespondToAuthChallengeRequest,
) -> Result<wire::AdminRespondToAuthChallengeResponse, ApiError> {
    let responses = input.challenge_responses.unwrap_or_default();
    let pool = Some(input.user_pool_id.as_str());
    let r = respond(up, ctx, pool, &input.client_id, input.challenge_name, input.session.as_deref(), responses)?;
    Ok(wire::AdminRespondToAuthChallengeResponse {
        authentication_result: r.tokens,
        challenge_name: r.challenge,
        challenge_parameters: Some(r.parameters),
        session: r.session,
        available_challenges: r.available,
    })
}

/// What a sign-in may still have to do outside its transaction before it goes on.
#[derive(Clone, Copy)]
struct Pending {
    migration: bool,
    pre_authentication: bool,
    /// Make the pool's keys if it has none.
    keys: bool,
}

/// How a sign-in's transaction ended: with its answer, or asking for something to be done
/// outside it first.
enum Outside {
    Done(Answer),
    Triggers,
    Keys(String),
    /// A password not verified in this process yet: its exponentiation is done outside.
    CheckPassword(password::Check),
}

/// InitiateAuth (`admin_pool` is None) and AdminInitiateAuth (the pool it names), settled.
/// USER_AUTH with ConfirmSignUp's `session` signs the new user straight in.
fn initiate(
    up: &UserPools,
    ctx: &RequestContext,
    admin_pool: Option<&str>,
    client_id: &str,
    auth_flow: AuthFlowType,
    params: BTreeMap<String, String>,
    session: Option<&str>,
) -> Result<Reply, ApiError> {
    if let (AuthFlowType::UserAuth, Some(session), Some(username)) = (auth_flow, session, params.get("USERNAME")) {
        // A pool made while the key reserve was dry gets its keys first, outside the sign-in.
        let keyless = up.tx(|tx| {
            let (_, pool) = client_and_pool(tx, admin_pool, client_id)?;
            let id = pool.id.clone().unwrap_or_default();
            Ok(tx.keys(&id)?.is_none().then_some(id))
        })?;
        if let Some(pool_id) = keyless {
            up.give_keys(&pool_id)?;
        }
        let signed_in = step(up, |tx, mail| {
            let (client, pool) = client_and_pool(tx, admin_pool, client_id)?;
            check_enabled(&client, FlowKind::Choice, auth_flow, admin_pool.is_some())?;
            let s = SignIn { up, ctx, pool: &pool, client: &client, mail, hosted: false };
            choice::auto_sign_in(&s, tx, username, session)
        });
        if let Some(answer) = signed_in? {
            return settle(up, ctx, answer);
        }
    }
    let answer = begin(up, ctx, admin_pool, false, client_id, auth_flow, params)?;
    settle(up, ctx, answer)
}

/// The first step of a sign-in, by the API or (`hosted`) by the managed login pages, which
/// sign in as an administrator would: with the pool they serve, whatever the client's
/// ExplicitAuthFlows.
pub(crate) fn begin(
    up: &UserPools,
    ctx: &RequestContext,
    admin_pool: Option<&str>,
    hosted: bool,
    client_id: &str,
    auth_flow: AuthFlowType,
    params: BTreeMap<String, String>,
) -> Result<Answer, ApiError> {
    let username = params.get("USERNAME").map(String::as_str);
    let plaintext = matches!(auth_flow, AuthFlowType::UserPasswordAuth | AuthFlowType::AdminUserPasswordAuth);
    let password = params.get("PASSWORD").map(String::as_str).filter(|_| plaintext);
    if let Some(refusal) = crate::idp::auth_events::assess_sign_in(up, ctx, admin_pool, client_id, username, password)?
    {
        return Ok(Answer::Refused(refusal));
    }
    let kind = FlowKind::of(auth_flow, admin_pool.is_some());
    let flow = kind.clone().and_then(|k| Flow::parse(k, &params));
    if let Ok(Flow::Custom { username, srp_a, secret_hash }) = &flow {
        pre_auth::pre_authentication(up, client_id, Some(username))?;
        return custom::start(up, ctx, admin_pool, client_id, username, srp_a.as_deref(), secret_hash.as_deref());
    }
    if kind == Ok(FlowKind::Custom) {
        // CUSTOM_AUTH without its USERNAME: refused where the parameter is first needed.
        pre_auth::pre_authentication(up, client_id, None)?;
        custom::check_client(up, admin_pool, client_id)?;
        return Err(flow.expect_err("a custom flow that did not parse"));
    }
    // The UserMigration and PreAuthentication triggers run before the sign-in, outside any
    // transaction. Most pools have neither, so the sign-in's own transaction finds that out
    // and only for a pool that has one is it left, the triggers run, and begun again.
    // Likewise a pool created while the key reserve was dry gets its keys here, made
    // outside the transaction: making two RSA keys takes a quarter of a second, which the
    // store's lock should not be held for; and so is a password's first check.
    let known = kind.as_ref().ok().copied();
    let mut pending = Pending {
        migration: known.is_some_and(FlowKind::may_migrate),
        pre_authentication: known.is_some_and(FlowKind::may_pre_authenticate),
        keys: true,
    };
    let srp_choice =
        matches!(&flow, Ok(Flow::Choice { srp_a: Some(_), preferred: Some(p), .. }) if p == "PASSWORD_SRP");
    let mut ephemeral = (known == Some(FlowKind::Srp) || srp_choice).then(|| srp::Ephemeral::new(up));
    let mut checked = None;
    loop {
        let mail = RefCell::new(Mail::default());
        let outside = up.tx(|tx| {
            let (client, pool) = client_and_pool(tx, admin_pool, client_id)?;
            let s = SignIn { up, ctx, pool: &pool, client: &client, mail: &mail, hosted };
            let wants_triggers = pool.lambda_config.as_ref().is_some_and(|l| {
                (pending.migration && l.user_migration.is_some())
                    || (pending.pre_authentication && l.pre_authentication.is_some())
            });
            if wants_triggers {
                return Ok(Outside::Triggers);
            }
            if pending.keys && tx.keys(s.pool_id())?.is_none() {
                return Ok(Outside::Keys(s.pool_id().to_string()));
            }
            let kind = kind.as_ref().map_err(Clone::clone)?;
            if !hosted {
                check_enabled(&client, *kind, auth_flow, admin_pool.is_some())?;
            }
            match flow.as_ref().map_err(Clone::clone)? {
                Flow::Password { username, password, secret_hash, device_key } => {
                    let attempt = password::Attempt {
                        username,
                        password,
                        secret_hash: secret_hash.as_deref(),
                        device_key: device_key.as_deref(),
                    };
                    password::sign_in(&s, tx, attempt, checked.take())
                }
                Flow::Srp { username, srp_a, secret_hash, device_key } => {
                    let ephemeral = ephemeral.take().unwrap_or_else(|| srp::Ephemeral::new(up));
                    srp::start(&s, tx, username, srp_a, secret_hash.as_deref(), device_key.clone(), ephemeral)
                        .map(Outside::Done)
                }
                Flow::Refresh { token, secret_hash } => {
                    let secret = RefreshSecret::Hash(secret_hash.as_deref());
                    refresh::refresh(&s, tx, token, secret, false)
                        .map(|(m, _)| Outside::Done(Answer::Tokens(Box::new(m))))
                }
                Flow::Choice { username, preferred, password, srp_a, secret_hash, device_key } => {
                    // A preferred password factor sent with what completes it goes the way of
                    // USER_PASSWORD_AUTH or USER_SRP_AUTH (developer guide: tokens, or MFA;
                    // PASSWORD_VERIFIER for SRP).
                    match (preferred.as_deref(), password, srp_a) {
                        (Some("PASSWORD"), Some(password), _) => {
                            let attempt = password::Attempt {
                                username,
                                password,
                                secret_hash: secret_hash.as_deref(),
                                device_key: device_key.as_deref(),
                            };
                            password::sign_in(&s, tx, attempt, checked.take())
                        }
                        (Some("PASSWORD_SRP"), _, Some(srp_a)) => {
                            let ephemeral = ephemeral.take().unwrap_or_else(|| srp::Ephemeral::new(up));
                            srp::start(&s, tx, username, srp_a, secret_hash.as_deref(), device_key.clone(), ephemeral)
                                .map(Outside::Done)
                        }
                        _ => choice::start(
                            &s,
                            tx,
                            username,
                            preferred.as_deref(),
                            secret_hash.as_deref(),
                            device_key.as_deref(),
                        )
                        .map(Outside::Done),
                    }
                }
                Flow::Custom { .. } => unreachable!("custom sign-ins start above"),
            }
        })?;
        up.send_waiting(mail.into_inner())?;
        match outside {
            Outside::Done(answer) => return Ok(answer),
            Outside::Triggers => {
                let parsed = flow.as_ref().ok();
                let username = parsed.and_then(Flow::username);
                if pending.migration {
                    migrate::migrate_user(up, client_id, username, parsed.and_then(Flow::password), false)?;
                }
                if pending.pre_authentication {
                    pre_auth::pre_authentication(up, client_id, username)?;
                }
                pending.migration = false;
                pending.pre_authentication = false;
            }
            Outside::Keys(pool_id) => {
                up.give_keys(&pool_id)?;
                pending.keys = false;
            }
            Outside::CheckPassword(check) => checked = Some(check.run(up)),
        }
    }
}

/// The client's ExplicitAuthFlows must allow the flow.
fn check_enabled(
    client: &UserPoolClientType,
    kind: FlowKind,
    auth_flow: AuthFlowType,
    admin: bool,
) -> Result<(), ApiError> {
    use ExplicitAuthFlowsType as E;
    let not_enabled = |flow: &str| {
        ApiError::invalid_parameter(match admin {
            true => "Auth flow not enabled for this client".to_string(),
            false => format!("{flow} flow not enabled for this client"),
        })
    };
    match kind {
        FlowKind::Password if !admin && !allows(client, E::AllowUserPasswordAuth, Some(E::UserPasswordAuth)) => {
            Err(not_enabled("USER_PASSWORD_AUTH"))
        }
        FlowKind::Password if admin && !allows(client, E::AllowAdminUserPasswordAuth, Some(E::AdminNoSrpAuth)) => {
            Err(not_enabled(auth_flow.as_str()))
        }
        FlowKind::Srp if !legacy_flows_only(client) && !allows(client, E::AllowUserSrpAuth, None) => {
            Err(not_enabled("USER_SRP_AUTH"))
        }
        FlowKind::Choice if !allows(client, E::AllowUserAuth, None) => Err(not_enabled("USER_AUTH")),
        _ => Ok(()),
    }
}

/// RespondToAuthChallenge and AdminRespondToAuthChallenge, settled.
fn respond(
    up: &UserPools,
    ctx: &RequestContext,
    admin_pool: Option<&str>,
    client_id: &str,
    challenge: ChallengeNameType,
    session: Option<&str>,
    responses: BTreeMap<String, String>,
) -> Result<Reply, ApiError> {
    let answer = answer(up, ctx, admin_pool, false, client_id, challenge, session, responses)?;
    settle(up, ctx, answer)
}

/// An answer to a challenge, by the API or (`hosted`) by the managed login pages.
#[allow(clippy::too_many_arguments)]
pub(crate) fn answer(
    up: &UserPools,
    ctx: &RequestContext,
    admin_pool: Option<&str>,
    hosted: bool,
    client_id: &str,
    challenge: ChallengeNameType,
    session: Option<&str>,
    responses: BTreeMap<String, String>,
) -> Result<Answer, ApiError> {
    use ChallengeNameType as C;
    let answer = match challenge {
        C::CustomChallenge => custom::respond(up, ctx, admin_pool, client_id, session, &responses)?,
        C::PasswordVerifier | C::DevicePasswordVerifier => {
            let verdict = srp::Verdict::reach(up, client_id, &responses);
            step(up, |tx, mail| {
                let (client, pool) = client_and_pool(tx, admin_pool, client_id)?;
                let s = SignIn { up, ctx, pool: &pool, client: &client, mail, hosted };
                srp::verify(&s, tx, session, &responses, challenge, verdict.as_ref())
            })?
        }
        C::SelectChallenge | C::PasswordSrp => {
            let mut ephemeral = responses.contains_key("SRP_A").then(|| srp::Ephemeral::new(up));
            step(up, |tx, mail| {
                let (client, pool) = client_and_pool(tx, admin_pool, client_id)?;
                let s = SignIn { up, ctx, pool: &pool, client: &client, mail, hosted };
                let (answering, user) = session::answering(&s, tx, session, challenge, &responses)?;
                match challenge {
                    C::SelectChallenge => choice::answer_select(&s, tx, answering, user, &responses, ephemeral.take()),
                    _ => choice::answer_password_srp(&s, tx, answering, user, &responses, ephemeral.take()),
                }
            })?
        }
        C::DeviceSrpAuth => {
            let mut ephemeral = Some(srp::Ephemeral::new(up));
            step(up, |tx, mail| {
                let (client, pool) = client_and_pool(tx, admin_pool, client_id)?;
                let s = SignIn { up, ctx, pool: &pool, client: &client, mail, hosted };
                let (answering, user) = session::answering(&s, tx, session, challenge, &responses)?;
                session::spend(tx, &answering)?;
                let ephemeral = ephemeral.take().unwrap_or_else(|| srp::Ephemeral::new(up));
                device::start(&s, tx, &user, &responses, ephemeral).map(Answer::Challenge)
            })?
        }
        other => step(up, |tx, mail| {
            let (client, pool) = client_and_pool(tx, admin_pool, client_id)?;
            let s = SignIn { up, ctx, pool: &pool, client: &client, mail, hosted };
            let (answering, user) = session::answering(&s, tx, session, other, &responses)?;
            match other {
                C::NewPasswordRequired => new_password::answer(&s, tx, answering, user, &responses),
                C::SmsMfa | C::SoftwareTokenMfa | C::EmailOtp | C::SmsOtp => {
                    mfa::answer_code(&s, tx, answering, user, other, &responses)
                }
                C::Password => choice::answer_password(&s, tx, answering, user, &responses),
                C::WebAuthn => choice::answer_web_authn(&s, tx, answering, user, &responses),
                C::SelectMfaType => mfa::answer_select(&s, tx, answering, user, &responses),
                C::MfaSetup => mfa::answer_setup(&s, tx, answering, user, &responses),
                // ADMIN_NO_SRP_AUTH is a flow's name, never a challenge a session waits on, so
                // `answering` has refused it already; kept as the session's refusal.
                _ => Err(ApiError::not_authorized("Invalid session for the user.")),
            }
        })?,
    };
    Ok(answer)
}
