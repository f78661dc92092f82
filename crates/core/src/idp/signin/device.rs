//! A remembered device's own SRP round: DEVICE_SRP_AUTH, answered with
//! DEVICE_PASSWORD_VERIFIER, after the user's password and before tokens.

use super::srp::{Ephemeral, Proof, Round, Verdict, parse_a, seal_round};
use super::{Answer, Challenge, SignIn, session};
use crate::env::hex;
use crate::idp::issue;
use crate::password::srp;
use crate::store::{Tx, UserRecord};
use cognate_proto::ApiError;
use cognate_proto::idp::ChallengeNameType;
use std::collections::BTreeMap;

/// DEVICE_SRP_AUTH: the device's first SRP step, answered with DEVICE_PASSWORD_VERIFIER.
pub(super) fn start(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    user: &UserRecord,
    responses: &BTreeMap<String, String>,
    ephemeral: Ephemeral,
) -> Result<Challenge, ApiError> {
    let device_key = super::flow::required(responses, "DEVICE_KEY")?;
    let a = parse_a(&super::flow::required(responses, "SRP_A")?)?;
    let device =
        s.up.known_device(tx, s.pool_id(), user, Some(&device_key))?
            .filter(|d| d.confirmed && d.verifier.is_some())
            .ok_or_else(|| ApiError::resource_not_found("Device does not exist."))?;
    let verifier = srp::decode_hex(device.verifier.as_deref().unwrap_or_default());
    let session = session::open(s, tx, user, ChallengeNameType::DevicePasswordVerifier)?;
    let round = Round {
        key: Some(user.key.clone()),
        session: session.clone(),
        a: &a,
        device: Some(device.device_key.clone()),
        device_step: true,
    };
    let (b_pub, secret_block) = seal_round(s, tx, round, &verifier, ephemeral)?;
    let mut parameters = BTreeMap::new();
    parameters.insert("SALT".to_string(), device.salt.clone().unwrap_or_default());
    parameters.insert("SRP_B".to_string(), hex(&b_pub).trim_start_matches('0').to_string());
    parameters.insert("SECRET_BLOCK".to_string(), secret_block);
    parameters.insert("USERNAME".to_string(), user.username.clone());
    parameters.insert("DEVICE_KEY".to_string(), device.device_key.clone());
    Ok(Challenge {
        name: ChallengeNameType::DevicePasswordVerifier,
        parameters,
        session: Some(session),
        available: Vec::new(),
    })
}

/// DEVICE_PASSWORD_VERIFIER: the device proves its own secret, named by its group and key.
/// A wrong proof is refused without counting towards the user's lockout.
pub(super) fn verify(
    s: &SignIn<'_>,
    tx: &mut dyn Tx,
    user: UserRecord,
    proof: Proof<'_>,
    verdict: Option<&Verdict>,
) -> Result<Answer, ApiError> {
    let incorrect = || ApiError::not_authorized("Incorrect username or password.");
    let device_key = proof.state.device().unwrap_or_default().to_string();
    let mut device = s.up.known_device(tx, s.pool_id(), &user, Some(&device_key))?.ok_or_else(incorrect)?;
    let Some(verifier) = device.verifier.as_deref().map(srp::decode_hex) else {
        return Ok(Answer::Refused(incorrect()));
    };
    let proven = Verdict::reuse(verdict, &verifier, &device.group_key, &device.device_key)
        .unwrap_or_else(|| proof.holds(&verifier, &device.group_key, &device.device_key));
    if !proven {
        return Ok(Answer::Refused(incorrect()));
    }
    device.last_authenticated = s.up.now();
    tx.put_device(&device)?;
    let minted = issue::sign_in_tokens(s, tx, &user, Some(device_key), "TokenGeneration_AuthenticateDevice")?;
    Ok(Answer::Tokens(Box::new(minted)))
}
