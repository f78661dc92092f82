//! Passkeys: StartWebAuthnRegistration and CompleteWebAuthnRegistration (a WebAuthn
//! registration ceremony, checked as a relying party checks it), ListWebAuthnCredentials and
//! DeleteWebAuthnCredential; and what a WEB_AUTHN sign-in needs of them (`relying_party`,
//! `request_options`, `verify_assertion`). The WebAuthn layout is `crate::webauthn`'s. Facts and
//! sources: docs/research/user-auth-passkeys.md §8-9, docs/fidelity.md "Passkeys".

use crate::env::Random;
use crate::idp::lookup::{decode_token, encode_token};
use crate::idp::service::UserPools;
use crate::store::{AuthSession, Passkey, Tx, UserRecord};
use crate::webauthn::{self, Refusal, UP, UV};
use cognate_proto::ApiError;
use cognate_proto::idp::*;
use serde_json::{Value, json};

/// Passkeys a user may have (developer guide, passkeys).
const MAX_PASSKEYS: usize = 20;
/// How long a registration's challenge stands; the options ask the browser for a minute, and
/// the answer may take longer to arrive (Cognito's lifetime is unconfirmed).
const REGISTRATION_SECONDS: f64 = 300.0;
const REGISTRATION: &str = "WEB_AUTHN_REGISTRATION";
/// The options' `timeout` at registration and at sign-in (the API reference's examples).
const CREATE_TIMEOUT_MS: u64 = 60_000;
pub(crate) const GET_TIMEOUT_MS: u64 = 180_000;

/// The pool's relying party and the user verification it asks for: WebAuthnConfiguration's
/// RelyingPartyId, else the pool's custom domain, else its prefix domain's host (developer
/// guide); with none of them, WebAuthnConfigurationMissingException. A pool that does not
/// allow WEB_AUTHN has no passkeys at all.
pub(crate) fn relying_party(
    up: &UserPools,
    tx: &mut dyn Tx,
    pool: &UserPoolType,
) -> Result<(String, String), ApiError> {
    if !crate::idp::mfa::first_factors(pool).contains(&AuthFactorType::WebAuthn) {
        return Err(ApiError::web_authn_not_enabled("WebAuthn is not enabled for this user pool."));
    }
    let pool_id = pool.id.as_deref().unwrap_or_default();
    let settings = tx.mfa_config(pool_id)?.and_then(|c| c.web_authn);
    let verification = settings.as_ref().map(|w| w.user_verification.clone()).unwrap_or_else(|| "preferred".into());
    if let Some(id) = settings.and_then(|w| w.relying_party_id) {
        return Ok((id, verification));
    }
    if let Some(domain) = &pool.custom_domain {
        return Ok((domain.clone(), verification));
    }
    if let Some(prefix) = &pool.domain {
        let region = pool_id.split_once('_').map(|(r, _)| r).unwrap_or(&up.settings.default_region);
        return Ok((format!("{prefix}.auth.{region}.amazoncognito.com"), verification));
    }
    Err(ApiError::web_authn_configuration_missing(
        "The user pool has no relying party id configured and no domain to serve as one.",
    ))
}

fn challenge(rng: &dyn Random) -> String {
    let mut bytes = [0u8; 16];
    rng.fill(&mut bytes);
    webauthn::b64_encode(&bytes)
}

fn too_many() -> ApiError {
    ApiError::limit_exceeded(format!("A user can register at most {MAX_PASSKEYS} passkeys."))
}

pub(crate) fn start_web_authn_registration(
    up: &UserPools,
    input: StartWebAuthnRegistrationRequest,
) -> Result<StartWebAuthnRegistrationResponse, ApiError> {
    up.tx(|tx| {
        let (pool, user) = up.access_user(tx, &input.access_token)?;
        let client_id = up.token_client(tx, &input.access_token)?.and_then(|c| c.client_id).unwrap_or_default();
        let (rp_id, verification) = relying_party(up, tx, &pool)?;
        if user.passkeys.len() >= MAX_PASSKEYS {
            return Err(too_many());
        }
        let challenge = challenge(up.rng.as_ref());
        let row = AuthSession {
            id: format!("webauthn:{challenge}"),
            pool_id: pool.id.clone().unwrap_or_default(),
            client_id,
            user_key: user.key.clone(),
            sub: user.sub.clone(),
            challenge: REGISTRATION.into(),
            expires: up.now() + REGISTRATION_SECONDS,
            state: json!({"rp_id": rp_id, "user_verification": verification}),
        };
        up.store_session(tx, &row)?;
        let exclude: Vec<Value> =
            user.passkeys.iter().map(|p| json!({"id": p.credential_id, "type": "public-key"})).collect();
        // The members in the order the API reference's example has them.
        let options = json!({
            "authenticatorSelection": {
                "requireResidentKey": true,
                "residentKey": "required",
                "userVerification": verification,
            },
            "challenge": challenge,
            "excludeCredentials": exclude,
            "pubKeyCredParams": [
                {"alg": webauthn::ES256, "type": "public-key"},
                {"alg": webauthn::RS256, "type": "public-key"},
            ],
            "rp": {"id": rp_id, "name": rp_id},
            "timeout": CREATE_TIMEOUT_MS,
            "user": {"displayName": user.username, "id": webauthn::b64_encode(user.sub.as_bytes()), "name": user.username},
        });
        Ok(StartWebAuthnRegistrationResponse { credential_creation_options: options })
    })
}

fn invalid_credential() -> ApiError {
    ApiError::invalid_parameter("Credential data is not valid")
}

fn field<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(*k)).and_then(Value::as_str)
}

pub(crate) fn complete_web_authn_registration(
    up: &UserPools,
    input: CompleteWebAuthnRegistrationRequest,
) -> Result<CompleteWebAuthnRegistrationResponse, ApiError> {
    let credential = &input.credential;
    let client_data_b64 = field(credential, &["response", "clientDataJSON"]).ok_or_else(invalid_credential)?;
    let client_data = webauthn::client_data(client_data_b64).map_err(|_| invalid_credential())?;
    if client_data.kind != "webauthn.create" {
        return Err(invalid_credential());
    }
    let attestation_b64 = field(credential, &["response", "attestationObject"]).ok_or_else(invalid_credential)?;
    let raw = webauthn::b64(attestation_b64).map_err(|_| invalid_credential())?;
    let attestation = webauthn::attestation_object(&raw).map_err(|_| invalid_credential())?;
    up.tx(|tx| {
        let (pool, mut user) = up.access_user(tx, &input.access_token)?;
        let client_id = up.token_client(tx, &input.access_token)?.and_then(|c| c.client_id).unwrap_or_default();
        let not_found =
            || ApiError::web_authn_challenge_not_found("The registration challenge was not found or has expired.");
        let row = tx.session(&format!("webauthn:{}", client_data.challenge))?.ok_or_else(not_found)?;
        if row.challenge != REGISTRATION || row.user_key != user.key || row.sub != user.sub || row.expires < up.now() {
            return Err(not_found());
        }
        if row.client_id != client_id {
            return Err(ApiError::web_authn_client_mismatch(
                "The access token is for a different client than the one that started the registration.",
            ));
        }
        let rp_id = row.state.get("rp_id").and_then(Value::as_str).unwrap_or_default().to_string();
        let verification = row.state.get("user_verification").and_then(Value::as_str).unwrap_or("preferred");
        if !webauthn::origin_allowed(&client_data.origin, &rp_id) {
            return Err(ApiError::web_authn_origin_not_allowed(format!(
                "The origin {} is not allowed for the relying party {rp_id}.",
                client_data.origin
            )));
        }
        let auth = &attestation.auth_data;
        if auth.rp_id_hash != webauthn::rp_id_hash(&rp_id) {
            return Err(ApiError::web_authn_relying_party_mismatch(format!(
                "The credential is not for the relying party {rp_id}."
            )));
        }
        if auth.flags & UP == 0 || (verification == "required" && auth.flags & UV == 0) {
            return Err(invalid_credential());
        }
        let attested = auth.credential.as_ref().ok_or_else(invalid_credential)?;
        let (alg, key) = webauthn::public_key(&attested.cose_key).map_err(|r| match r {
            Refusal::NotSupported => {
                ApiError::web_authn_credential_not_supported("The credential's key type or algorithm is not supported.")
            }
            _ => invalid_credential(),
        })?;
        attestation.verify(&key, alg, &client_data.hash).map_err(|r| match r {
            Refusal::NotSupported => {
                ApiError::web_authn_credential_not_supported("The attestation format is not supported.")
            }
            _ => invalid_credential(),
        })?;
        let id = webauthn::b64_encode(&attested.id);
        if field(credential, &["id"]).is_some_and(|given| given.trim_end_matches('=') != id) {
            return Err(invalid_credential());
        }
        if user.passkeys.iter().any(|p| p.credential_id == id) {
            return Err(invalid_credential());
        }
        if user.passkeys.len() >= MAX_PASSKEYS {
            return Err(too_many());
        }
        let attachment = field(credential, &["authenticatorAttachment"]).map(str::to_string);
        let transports = credential
            .get("response")
            .and_then(|r| r.get("transports"))
            .and_then(Value::as_array)
            .map(|t| t.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default();
        // "Roaming passkey" is what AWS named a cross-platform one (the CLI's example); the
        // platform name is cognate's.
        let friendly_name = match attachment.as_deref() {
            Some("cross-platform") => "Roaming passkey",
            Some("platform") => "Platform passkey",
            _ => "Passkey",
        };
        user.passkeys.push(Passkey {
            credential_id: id,
            public_key: webauthn::b64_encode(&attested.cose_key),
            algorithm: alg,
            sign_count: auth.sign_count,
            relying_party_id: rp_id,
            attachment,
            transports,
            friendly_name: friendly_name.into(),
            created: up.now(),
            client_id,
        });
        user.modified = up.now();
        tx.delete_session(&row.id)?;
        tx.put_user(pool.id.as_deref().unwrap_or_default(), &user)?;
        Ok(CompleteWebAuthnRegistrationResponse {})
    })
}

pub(crate) fn list_web_authn_credentials(
    up: &UserPools,
    input: ListWebAuthnCredentialsRequest,
) -> Result<ListWebAuthnCredentialsResponse, ApiError> {
    let after: usize = decode_token(input.next_token.as_ref())?.and_then(|p| p.parse().ok()).unwrap_or(0);
    let limit = match input.max_results {
        Some(n) if n > 0 => n as usize,
        _ => MAX_PASSKEYS,
    };
    up.tx(|tx| {
        let (_, user) = up.access_user(tx, &input.access_token)?;
        let credentials: Vec<WebAuthnCredentialDescription> = user
            .passkeys
            .iter()
            .skip(after)
            .take(limit)
            .map(|p| WebAuthnCredentialDescription {
                credential_id: p.credential_id.clone(),
                friendly_credential_name: p.friendly_name.clone(),
                relying_party_id: p.relying_party_id.clone(),
                authenticator_attachment: p.attachment.clone(),
                authenticator_transports: p.transports.clone(),
                created_at: p.created,
            })
            .collect();
        let next = after + credentials.len();
        Ok(ListWebAuthnCredentialsResponse {
            next_token: (next < user.passkeys.len()).then(|| encode_token(&next.to_string())),
            credentials,
        })
    })
}

pub(crate) fn delete_web_authn_credential(
    up: &UserPools,
    input: DeleteWebAuthnCredentialRequest,
) -> Result<DeleteWebAuthnCredentialResponse, ApiError> {
    up.tx(|tx| {
        let (pool, mut user) = up.access_user(tx, &input.access_token)?;
        let before = user.passkeys.len();
        user.passkeys.retain(|p| p.credential_id != input.credential_id);
        if user.passkeys.len() == before {
            return Err(ApiError::resource_not_found("Credential not found."));
        }
        user.modified = up.now();
        tx.put_user(pool.id.as_deref().unwrap_or_default(), &user)?;
        Ok(DeleteWebAuthnCredentialResponse {})
    })
}

/// CREDENTIAL_REQUEST_OPTIONS for a WEB_AUTHN challenge: a JSON string, as Cognito sends it.
pub(crate) fn request_options(challenge: &str, rp_id: &str, verification: &str, user: &UserRecord) -> String {
    let allow: Vec<Value> = user
        .passkeys
        .iter()
        .filter(|p| p.relying_party_id == rp_id)
        .map(|p| json!({"type": "public-key", "id": p.credential_id, "transports": p.transports}))
        .collect();
    json!({
        "challenge": challenge,
        "timeout": GET_TIMEOUT_MS,
        "rpId": rp_id,
        "allowCredentials": allow,
        "userVerification": verification,
    })
    .to_string()
}

/// A fresh challenge for a sign-in's WEB_AUTHN step.
pub(crate) fn new_challenge(up: &UserPools) -> String {
    challenge(up.rng.as_ref())
}

/// A WEB_AUTHN answer (`CREDENTIAL`, the AuthenticationResponseJSON as a string) checked
/// against the challenge the sign-in issued: client data, origin, relying party, flags, the
/// user's own credential, the signature, and a signature counter that moved forward. On
/// success the counter is kept, in `user`.
pub(crate) fn verify_assertion(
    user: &mut UserRecord,
    credential: &str,
    expected_challenge: &str,
    rp_id: &str,
    verification: &str,
) -> Result<(), Refusal> {
    let v: Value = serde_json::from_str(credential).map_err(|_| Refusal::Malformed("CREDENTIAL"))?;
    let text = |path: &[&str]| field(&v, path).ok_or(Refusal::Malformed("CREDENTIAL"));
    let client_data = webauthn::client_data(text(&["response", "clientDataJSON"])?)?;
    if client_data.kind != "webauthn.get" || client_data.challenge != expected_challenge {
        return Err(Refusal::BadSignature);
    }
    if !webauthn::origin_allowed(&client_data.origin, rp_id) {
        return Err(Refusal::BadSignature);
    }
    let raw_auth = webauthn::b64(text(&["response", "authenticatorData"])?)?;
    let auth = webauthn::auth_data(&raw_auth)?;
    if auth.rp_id_hash != webauthn::rp_id_hash(rp_id) {
        return Err(Refusal::BadSignature);
    }
    if auth.flags & UP == 0 || (verification == "required" && auth.flags & UV == 0) {
        return Err(Refusal::BadSignature);
    }
    let id = text(&["id"]).or_else(|_| text(&["rawId"]))?.trim_end_matches('=').to_string();
    // The user handle, when sent, is the `user.id` the passkey was registered under: the sub.
    if let Some(handle) = field(&v, &["response", "userHandle"]).filter(|h| !h.is_empty())
        && webauthn::b64(handle)? != user.sub.as_bytes()
    {
        return Err(Refusal::BadSignature);
    }
    let passkey = user
        .passkeys
        .iter_mut()
        .find(|p| p.credential_id == id && p.relying_party_id == rp_id)
        .ok_or(Refusal::BadSignature)?;
    let cose = webauthn::b64(&passkey.public_key)?;
    let (_, key) = webauthn::public_key(&cose)?;
    let sig = webauthn::b64(text(&["response", "signature"])?)?;
    let mut message = raw_auth.clone();
    message.extend_from_slice(&client_data.hash);
    if !webauthn::verify(&key, &message, &sig) {
        return Err(Refusal::BadSignature);
    }
    // A counter that does not move forward means a cloned authenticator (§7.2 step 21);
    // authenticators that keep none send 0 every time.
    if (auth.sign_count != 0 || passkey.sign_count != 0) && auth.sign_count <= passkey.sign_count {
        return Err(Refusal::BadSignature);
    }
    passkey.sign_count = auth.sign_count;
    Ok(())
}
