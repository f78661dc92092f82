//! USER_SRP_AUTH: Cognito's SRP-6a over the 3072-bit group, the PASSWORD_VERIFIER challenge
//! and its answer; also the SRP round a CUSTOM_AUTH sign-in may open with, and the maths the
//! device round (`device.rs`) shares.
//!
//! The server's g^b is made before the transaction ([`Ephemeral`]) and an answer's proof is
//! checked against a read-only look first ([`Verdict`]), so the store's lock is never held
//! for an exponentiation.

use super::{Answer, Challenge, SignIn, custom, lockout, next_step, session};
use crate::env::hex;
use crate::idp::client_secrets::check_secret_hash;
use crate::idp::clients::prevents_existence_errors;
use crate::idp::lookup::{find_user, pool_name_of};
use crate::idp::service::UserPools;
use crate::password::{self, srp};
use crate::store::{Tx, UserRecord};
use crate::tokens::Purpose;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use cognate_proto::ApiError;
use cognate_proto::idp::ChallengeNameType;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The state of an SRP sign-in between its two steps, sealed into SECRET_BLOCK so that it
/// needs no Session (pycognito sends none) and only cognate can read it.
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct SrpState {
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
pub(super) fn parse_a(a_hex: &str) -> Result<Vec<u8>, ApiError> {
    srp::parse_a(a_hex).ok_or_else(|| ApiError::invalid_parameter("Invalid SRP_A: it must be hex and not 0 mod N."))
}

/// The server's secret b of an SRP round and g^b, made before the transaction: the
/// exponentiation needs no stored data, so it need not hold the store's lock.
pub(super) struct Ephemeral {
    b: [u8; 32],
    g_b: Vec<u8>,
}

impl Ephemeral {
    pub(super) fn new(up: &UserPools) -> Self {
        let mut b = [0u8; 32];
        up.rng.fill(&mut b);
        Ephemeral { g_b: srp::g_pow(&b), b }
    }
}

/// USER_SRP_AUTH, first step: answers PASSWORD_VERIFIER with the salt, B and the sealed
/// state.
pub(super) fn start(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    username: &str,
    a_hex: &str,
    secret_hash: Option<&str>,
    device: Option<String>,
    ephemeral: Ephemeral,
) -> Result<Answer, ApiError> {
    check_secret_hash(s.up, tx, s.client, secret_hash, &[username])?;
    let a = parse_a(a_hex)?;
    let keys = s.up.pool_keys(tx, s.pool_id())?;
    let user = find_user(tx, s.pool, username)?;
    let subject = match &user {
        Some(u) => SrpSubject::of(u)?,
        None if prevents_existence_errors(s.client) => {
            // A challenge that looks real, with a salt that stays the same for the name.
            let stable = keys.seal_deterministic(username.as_bytes());
            // Where email or phone is the username, a real user's id for SRP is a UUID;
            // the stand-in is one too, the same each time, so the answer gives nothing away.
            let user_id = if s.pool.username_attributes.as_ref().is_some_and(|a| !a.is_empty()) {
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
    challenge(s, tx, subject, &a, ephemeral, device, None).map(Answer::Challenge)
}

/// PASSWORD_VERIFIER for `subject`: B, the salt and the sealed state, with a single-use
/// session row behind them. Within CUSTOM_AUTH (`custom` holds the challenge history so
/// far) the row also keeps that history, and its id is the Session the client answers with.
pub(super) fn challenge(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    subject: SrpSubject,
    a: &[u8],
    ephemeral: Ephemeral,
    device: Option<String>,
    custom: Option<Vec<serde_json::Value>>,
) -> Result<Challenge, ApiError> {
    let mut raw = [0u8; 32];
    s.up.rng.fill(&mut raw);
    let session = URL_SAFE_NO_PAD.encode(raw);
    let custom_session = custom.is_some().then(|| session.clone());
    let mut row = session::new(
        s,
        session.clone(),
        subject.key.clone().unwrap_or_default(),
        subject.sub,
        ChallengeNameType::PasswordVerifier,
    );
    row.state = custom.map(|history| serde_json::json!({ "history": history })).unwrap_or_default();
    s.up.store_session(tx, &row)?;
    let round = Round { key: subject.key, session, a, device, device_step: false };
    let (b_pub, secret_block) = seal_round(s, tx, round, &subject.verifier, ephemeral)?;
    let mut parameters = BTreeMap::new();
    parameters.insert("SALT".to_string(), subject.salt);
    parameters.insert("SRP_B".to_string(), password::pad_hex(&b_pub).trim_start_matches("00").to_string());
    parameters.insert("SECRET_BLOCK".to_string(), secret_block);
    parameters.insert("USERNAME".to_string(), subject.user_id.clone());
    parameters.insert("USER_ID_FOR_SRP".to_string(), subject.user_id);
    Ok(Challenge {
        name: ChallengeNameType::PasswordVerifier,
        parameters,
        session: custom_session,
        available: Vec::new(),
    })
}

/// Who an SRP round is for, as its SECRET_BLOCK records it.
pub(super) struct Round<'a> {
    /// The user, or `None` for the simulated challenge of a user who does not exist.
    pub key: Option<String>,
    /// The single-use session row that stops a replay.
    pub session: String,
    pub a: &'a [u8],
    pub device: Option<String>,
    /// Whether the round proves a remembered device rather than the password.
    pub device_step: bool,
}

/// An SRP round's B = k·v + g^b, and its SECRET_BLOCK: the round's state sealed under the
/// pool's key, so that the answer needs no lookup of its own and only cognate can read it.
pub(super) fn seal_round(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    round: Round<'_>,
    verifier: &[u8],
    ephemeral: Ephemeral,
) -> Result<(Vec<u8>, String), ApiError> {
    let b_pub = srp::server_b_from(verifier, &ephemeral.g_b);
    let state = SrpState {
        pool: s.pool_id().to_string(),
        client: s.client.client_id.clone().unwrap_or_default(),
        key: round.key,
        session: round.session,
        b: hex(&ephemeral.b),
        a: hex(round.a),
        b_pub: hex(&b_pub),
        device: round.device,
        device_step: round.device_step,
    };
    let keys = s.up.pool_keys(tx, s.pool_id())?;
    let sealed =
        keys.seal(Purpose::SrpSecretBlock, &serde_json::to_vec(&state).expect("state serialises"), s.up.rng.as_ref());
    Ok((b_pub, STANDARD.encode(sealed.as_bytes())))
}

/// The second step of an SRP round, PASSWORD_VERIFIER or DEVICE_PASSWORD_VERIFIER: checks
/// PASSWORD_CLAIM_SIGNATURE against the state sealed in the secret block.
pub(super) fn verify(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    given_session: Option<&str>,
    responses: &BTreeMap<String, String>,
    challenge: ChallengeNameType,
    verdict: Option<&Verdict>,
) -> Result<Answer, ApiError> {
    let required = |name| super::flow::required(responses, name);
    let block_b64 = required("PASSWORD_CLAIM_SECRET_BLOCK")?;
    let signature = required("PASSWORD_CLAIM_SIGNATURE")?;
    let timestamp = required("TIMESTAMP")?;
    let username = required("USERNAME")?;
    let pool_id = s.pool_id();
    let keys = s.up.pool_keys(tx, pool_id)?;
    let incorrect = || ApiError::not_authorized("Incorrect username or password.");
    let refused = |e| Ok(Answer::Refused(e));
    let block = STANDARD.decode(&block_b64).map_err(|_| incorrect())?;
    let state: SrpState = std::str::from_utf8(&block)
        .ok()
        .and_then(|text| keys.open(Purpose::SrpSecretBlock, text))
        .and_then(|plain| serde_json::from_slice(&plain).ok())
        .ok_or_else(incorrect)?;
    if state.pool != pool_id || state.client != s.client.client_id.clone().unwrap_or_default() {
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
        return refused(ApiError::not_authorized("Invalid session for the user."));
    }
    if session.expires < s.up.now() {
        return refused(ApiError::not_authorized("Invalid session for the user, session is expired."));
    }
    let Some(key) = state.key.clone() else { return refused(incorrect()) };
    let mut user = tx.user(pool_id, &key)?.filter(|u| u.sub == session.sub).ok_or_else(incorrect)?;
    let names = session::hash_names(tx, s.pool, &username, &user)?;
    check_secret_hash(s.up, tx, s.client, responses.get("SECRET_HASH").map(String::as_str), &names)?;
    if let Some(stop) = lockout::gate(s.up, &mut user) {
        return refused(stop);
    }
    let proof = Proof { state: &state, block: &block, timestamp: &timestamp, signature: &signature };
    if state.device_step {
        return super::device::verify(s, tx, user, proof, verdict);
    }
    // No verifier would make S = 0 and any proof pass: such a user cannot sign in by SRP.
    let Some(verifier) = user.password.as_ref().map(|v| srp::decode_hex(&v.verifier)) else {
        return refused(incorrect());
    };
    let pool_name = pool_name_of(pool_id);
    let ok = Verdict::reuse(verdict, &verifier, pool_name, &user.username)
        .unwrap_or_else(|| proof.holds(&verifier, pool_name, &user.username));
    if !ok {
        return lockout::fail(s, tx, user).map(Answer::Refused);
    }
    if let Some(mut history) = custom {
        lockout::forgive(tx, pool_id, &mut user)?;
        history.push(serde_json::json!({"challengeName": "PASSWORD_VERIFIER", "challengeResult": true}));
        let resume = custom::Resume::new(Arc::new(s.pool.clone()), s.client.clone(), user, history);
        return Ok(Answer::ResumeCustom(Box::new(resume)));
    }
    // Clients send DEVICE_KEY with the first step or, having looked it up by the
    // USER_ID_FOR_SRP they just learnt, with this one (amazon-cognito-identity-js does).
    let device = responses.get("DEVICE_KEY").or(state.device.as_ref()).map(String::as_str);
    next_step(s, tx, user, device)
}

/// A PASSWORD_CLAIM_SIGNATURE with the round it answers.
pub(super) struct Proof<'a> {
    pub state: &'a SrpState,
    block: &'a [u8],
    timestamp: &'a str,
    signature: &'a str,
}

impl Proof<'_> {
    /// Whether the signature is what a client that knows the secret behind `verifier` would
    /// have made for this round (compared in constant time).
    pub(super) fn holds(&self, verifier: &[u8], pool_name: &str, user_id: &str) -> bool {
        let state = self.state;
        let (a, b, b_pub) = (srp::decode_hex(&state.a), srp::decode_hex(&state.b), srp::decode_hex(&state.b_pub));
        let u = srp::u(&a, &b_pub);
        let key = srp::session_key(&srp::server_s(&a, verifier, &u, &b), &u);
        let expected = srp::claim_signature(&key, pool_name, user_id, self.block, self.timestamp);
        let given = STANDARD.decode(self.signature).unwrap_or_default();
        given.len() == expected.len() && given.iter().zip(expected.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl SrpState {
    /// The device this round proves, for a device round.
    pub(super) fn device(&self) -> Option<&str> {
        self.device.as_deref()
    }
}

/// An SRP answer's proof, checked before the transaction that acts on it (and so outside the
/// store's lock), with what it was checked against.
pub(crate) struct Verdict {
    verifier: Vec<u8>,
    name: String,
    id: String,
    ok: bool,
}

impl Verdict {
    /// The verdict, if it was reached for this very verifier, pool (or device group) and user
    /// (or device); if anything changed in between, the caller checks again.
    pub(super) fn reuse(verdict: Option<&Verdict>, verifier: &[u8], name: &str, id: &str) -> Option<bool> {
        verdict.filter(|v| v.verifier == verifier && v.name == name && v.id == id).map(|v| v.ok)
    }

    /// Checks the proof of a PASSWORD_VERIFIER or DEVICE_PASSWORD_VERIFIER answer against what
    /// is stored now, in a read-only transaction, then does the maths outside it. Anything
    /// amiss gives `None`: the transaction that follows finds it and answers as Cognito does.
    pub(super) fn reach(up: &UserPools, client_id: &str, responses: &BTreeMap<String, String>) -> Option<Verdict> {
        let block_b64 = responses.get("PASSWORD_CLAIM_SECRET_BLOCK")?;
        let signature = responses.get("PASSWORD_CLAIM_SIGNATURE")?;
        let timestamp = responses.get("TIMESTAMP")?;
        let block = STANDARD.decode(block_b64).ok()?;
        let found = up.tx(|tx| {
            let Some(client) = tx.client(client_id)? else { return Ok(None) };
            let pool_id = client.user_pool_id.clone().unwrap_or_default();
            let keys = up.pool_keys(tx, &pool_id)?;
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
                let device = up.known_device(tx, &pool_id, &user, state.device.as_deref())?;
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
        let proof = Proof { state: &state, block: &block, timestamp, signature };
        let ok = proof.holds(&verifier, &name, &id);
        Some(Verdict { verifier, name, id, ok })
    }
}
