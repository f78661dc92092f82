//! AWS credentials: GetCredentialsForIdentity (the enhanced flow), with the role Cognito would
//! choose and the principal tags of the login, and STS AssumeRoleWithWebIdentity for the
//! service's own tokens (the basic flow). Every credential handed out is recorded, so a test
//! (or a stand-in for the service it calls) can ask what it stands for.

use super::identities::{forbidden, require_proof, unauthenticated_not_allowed};
use super::logins::{Checked, Source};
use super::pools::default_principal_tags;
use super::service::{CREDENTIALS_SECONDS, IdentityPools, SERVICE_HOST, identity_and_pool, load_identity, load_pool};
use crate::store::{CredentialsRecord, IdentityPoolRecord, RoleMappingRecord};
use cognate_proto::identity::*;
use cognate_proto::{ApiError, RequestContext};
use serde_json::{Map, Value};
use sha2::Digest;
use std::collections::BTreeMap;

fn no_role() -> ApiError {
    ApiError::invalid_identity_pool_configuration(
        "Invalid identity pool configuration. Check assigned IAM roles for this pool.",
    )
}

/// A claim as the rules compare it: a string, or each member of a list (`cognito:groups`).
fn claim_values(claims: &Map<String, Value>, name: &str) -> Option<Vec<String>> {
    match claims.get(name)? {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(items) => Some(items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()),
        Value::Null => None,
        other => Some(vec![other.to_string()]),
    }
}

/// The role of a RoleMapping for these claims, `None` when it is ambiguous.
fn mapped_role(mapping: &RoleMappingRecord, claims: &Map<String, Value>, custom: Option<&str>) -> Option<String> {
    if mapping.kind == "Token" {
        // `cognito:roles` is a list in real ID tokens; the DG calls it comma-separated.
        let roles: Vec<String> = claim_values(claims, "cognito:roles")
            .unwrap_or_default()
            .iter()
            .flat_map(|r| r.split(',').map(|s| s.trim().to_string()))
            .filter(|r| !r.is_empty())
            .collect();
        if let Some(custom) = custom {
            return roles.iter().any(|r| r == custom).then(|| custom.to_string());
        }
        return claims.get("cognito:preferred_role").and_then(Value::as_str).map(str::to_string);
    }
    for rule in mapping.rules.iter().flatten() {
        // A claim the token lacks matches no rule, NotEqual included (role-based-access-control).
        let Some(values) = claim_values(claims, &rule.claim) else { continue };
        let matched = match rule.match_type.as_str() {
            "Equals" => values.contains(&rule.value),
            "Contains" => values.iter().any(|v| v.contains(&rule.value)),
            "StartsWith" => values.iter().any(|v| v.starts_with(&rule.value)),
            "NotEqual" => values.iter().all(|v| *v != rule.value),
            _ => false,
        };
        if matched {
            return Some(rule.role_arn.clone());
        }
    }
    None
}

/// The role an authenticated identity's login gets: its provider's RoleMapping, when there is
/// one (Token or Rules, then AmbiguousRoleResolution), else the pool's authenticated role.
fn authenticated_role(
    pool: &IdentityPoolRecord,
    checked: &[Checked],
    custom: Option<&str>,
) -> Result<String, ApiError> {
    let mapped = checked.iter().find_map(|c| pool.role_mappings.get(&c.mapping_key).map(|m| (c, m)));
    let default = || pool.roles.get("authenticated").cloned().ok_or_else(no_role);
    let Some((login, mapping)) = mapped else { return default() };
    if let Some(role) = mapped_role(mapping, &login.claims, custom) {
        return Ok(role);
    }
    match mapping.ambiguous_role_resolution.as_deref() {
        Some("Deny") => Err(ApiError::not_authorized(format!(
            "The ambiguous role mapping rules for: {} denied this request.",
            login.login.as_ref().map(|l| l.provider.as_str()).unwrap_or(&login.mapping_key)
        ))),
        _ => default(),
    }
}

/// The principal tags of a login: the pool's attribute map for its provider (its defaults when
/// UseDefaults is set), each tag the claim it names; a developer token's own tags.
fn principal_tags(pool: &IdentityPoolRecord, checked: &[Checked]) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::new();
    for c in checked {
        if let Source::Own(_) = c.source
            && let Some(Value::Object(own)) =
                c.claims.get("https://aws.amazon.com/tags").and_then(|t| t.get("principal_tags"))
        {
            for (k, v) in own {
                if let Some(v) = v.get(0).and_then(Value::as_str) {
                    tags.insert(k.clone(), v.to_string());
                }
            }
            continue;
        }
        let Some(provider) = c.login.as_ref().map(|l| l.provider.as_str()) else { continue };
        let Some(map) = pool.principal_tags.get(provider) else { continue };
        let names = if map.use_defaults && map.tags.is_empty() { default_principal_tags() } else { map.tags.clone() };
        for (tag, claim) in names {
            if let Some(values) = claim_values(&c.claims, &claim) {
                tags.insert(tag, values.join(","));
            }
        }
    }
    tags
}

fn digest(secret: &str) -> String {
    crate::env::hex(&sha2::Sha256::digest(secret.as_bytes()))
}

/// The name of a role from its ARN, as an assumed-role ARN shows it (paths dropped).
fn role_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// Fresh credentials, recorded.
pub struct Issued {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    pub expiration: f64,
    pub assumed_role_arn: String,
    pub assumed_role_id: String,
}

const KEY_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SECRET_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// What credentials are to stand for.
pub(crate) struct Lease<'a> {
    pub role_arn: &'a str,
    /// The assumed-role session's name.
    pub session: &'a str,
    pub seconds: f64,
    /// The identity and its pool.
    pub identity: Option<(&'a str, &'a str)>,
    pub tags: BTreeMap<String, String>,
    /// The operation that hands them out.
    pub source: &'a str,
}

impl IdentityPools {
    /// Credentials for a lease, written down with what they stand for.
    pub(crate) fn issue(&self, tx: &mut dyn crate::store::Tx, lease: Lease<'_>) -> Result<Issued, ApiError> {
        let Lease { role_arn, session, seconds, identity, tags, source } = lease;
        let access_key_id = format!("ASIA{}", self.random_from(KEY_ALPHABET, 16));
        let secret_access_key = self.random_from(SECRET_ALPHABET, 40);
        let session_token = format!("IQoJb3JpZ2luX2Vj{}", self.random_from(SECRET_ALPHABET, 340));
        let expiration = (self.now() + seconds).floor();
        let assumed_role_arn =
            format!("arn:aws:sts::{}:assumed-role/{}/{session}", self.account(), role_name(role_arn));
        tx.put_credentials(&CredentialsRecord {
            access_key_id: access_key_id.clone(),
            secret_digest: digest(&secret_access_key),
            session_token_digest: digest(&session_token),
            role_arn: role_arn.to_string(),
            assumed_role_arn: assumed_role_arn.clone(),
            identity_id: identity.map(|(i, _)| i.to_string()),
            identity_pool_id: identity.map(|(_, p)| p.to_string()),
            principal_tags: tags,
            source: source.to_string(),
            expires: expiration,
        })?;
        tx.purge_expired(self.now())?;
        Ok(Issued {
            access_key_id,
            secret_access_key,
            session_token,
            expiration,
            assumed_role_arn,
            assumed_role_id: self.assumed_role_id(role_arn, session),
        })
    }

    /// The assumed-role user id, `AROA<role id>:<session>`. A role's id is AROA and 17
    /// characters; cognate derives it from the ARN so it stays the same.
    pub fn assumed_role_id(&self, role_arn: &str, session: &str) -> String {
        let digest = sha2::Sha256::digest(role_arn.as_bytes());
        let id: String = digest.iter().take(17).map(|b| KEY_ALPHABET[(*b as usize) % 32] as char).collect();
        format!("AROA{id}:{session}")
    }

    /// The account cognate plays.
    pub fn account_id(&self) -> &str {
        self.account()
    }

    /// What credentials cognate handed out stand for, while they last.
    pub fn credentials(&self, access_key_id: &str) -> Result<Option<CredentialsRecord>, ApiError> {
        let now = self.now();
        Ok(self.tx(|tx| tx.credentials(access_key_id))?.filter(|c| c.expires > now))
    }
}

pub(crate) fn get_credentials_for_identity(
    ip: &IdentityPools,
    ctx: &RequestContext,
    input: GetCredentialsForIdentityInput,
) -> Result<GetCredentialsForIdentityResponse, ApiError> {
    let (identity, pool) = ip.tx(|tx| identity_and_pool(tx, &input.identity_id))?;
    if identity.disabled {
        return Err(forbidden(&identity.id));
    }
    let logins = input.logins.unwrap_or_default();
    if logins.is_empty() {
        if !identity.logins.is_empty() {
            return Err(forbidden(&identity.id));
        }
        if !pool.allow_unauthenticated {
            return Err(unauthenticated_not_allowed());
        }
        let role = pool.roles.get("unauthenticated").cloned().ok_or_else(no_role)?;
        let issued = ip.tx(|tx| ip.issue(tx, enhanced(&role, &identity.id, &pool.id, BTreeMap::new())))?;
        return Ok(answer(identity.id, issued));
    }
    let checked = ip.check_logins(ctx, &pool, &logins)?;
    if !identity.logins.is_empty() {
        require_proof(&identity, &checked)?;
    }
    let role = authenticated_role(&pool, &checked, input.custom_role_arn.as_deref())?;
    let tags = principal_tags(&pool, &checked);
    let (identity_id, issued) = ip.tx(|tx| {
        let pool = load_pool(tx, &pool.id)?;
        let identity = load_identity(tx, &identity.id)?;
        let identity = ip.link(tx, &pool, Some(identity), &checked)?;
        let issued = ip.issue(tx, enhanced(&role, &identity.id, &pool.id, tags))?;
        Ok((identity.id, issued))
    })?;
    Ok(answer(identity_id, issued))
}

/// The enhanced flow's credentials: an hour, as the session `CognitoIdentityCredentials`.
fn enhanced<'a>(role: &'a str, identity: &'a str, pool: &'a str, tags: BTreeMap<String, String>) -> Lease<'a> {
    Lease {
        role_arn: role,
        session: "CognitoIdentityCredentials",
        seconds: CREDENTIALS_SECONDS,
        identity: Some((identity, pool)),
        tags,
        source: "GetCredentialsForIdentity",
    }
}

fn answer(identity_id: String, issued: Issued) -> GetCredentialsForIdentityResponse {
    GetCredentialsForIdentityResponse {
        identity_id: Some(identity_id),
        credentials: Some(Credentials {
            access_key_id: Some(issued.access_key_id),
            secret_key: Some(issued.secret_access_key),
            session_token: Some(issued.session_token),
            expiration: Some(issued.expiration),
        }),
    }
}

/// An STS AssumeRoleWithWebIdentity request (the Query protocol's parameters).
pub struct AssumeRoleRequest {
    pub role_arn: String,
    pub role_session_name: String,
    pub web_identity_token: String,
    pub duration_seconds: Option<String>,
}

/// What STS answers it with.
pub struct AssumedRole {
    pub issued: Issued,
    pub subject: String,
    pub audience: String,
    pub provider: String,
}

/// An STS error: its code, its HTTP status and its message (`<Type>Sender</Type>` always).
#[derive(Debug)]
pub struct StsError {
    pub code: &'static str,
    pub status: u16,
    pub message: String,
}

fn sts_validation(value: &str, field: &str, constraint: &str) -> StsError {
    StsError {
        code: "ValidationError",
        status: 400,
        message: format!(
            "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {constraint}"
        ),
    }
}

impl IdentityPools {
    /// STS AssumeRoleWithWebIdentity for a token of this service (GetOpenIdToken's): signature,
    /// expiry and pool checked; trust policies are not evaluated (cognate has no IAM).
    pub fn assume_role_with_web_identity(&self, req: &AssumeRoleRequest) -> Result<AssumedRole, StsError> {
        let name = &req.role_session_name;
        if name.len() < 2 || name.len() > 64 {
            return Err(sts_validation(name, "roleSessionName", "Member must have length less than or equal to 64"));
        }
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c)) {
            return Err(sts_validation(
                name,
                "roleSessionName",
                "Member must satisfy regular expression pattern: [\\w+=,.@-]*",
            ));
        }
        let seconds = match &req.duration_seconds {
            None => 3600,
            Some(d) => match d.parse::<i64>() {
                Ok(n) if (900..=43200).contains(&n) => n,
                _ => {
                    return Err(sts_validation(
                        d,
                        "durationSeconds",
                        "Member must have value greater than or equal to 900",
                    ));
                }
            },
        };
        if !req.role_arn.starts_with("arn:aws:iam::") || !req.role_arn.contains(":role/") {
            return Err(sts_validation(
                &req.role_arn,
                "roleArn",
                "Member must have length greater than or equal to 20",
            ));
        }
        let internal = |e: ApiError| StsError { code: "InternalFailure", status: 500, message: e.to_string() };
        let invalid = |m: &str| StsError { code: "InvalidIdentityToken", status: 400, message: m.to_string() };
        let claims = self
            .tx(|tx| Ok(self.signing_key(tx)?.verify_rs512(&req.web_identity_token)))
            .map_err(internal)?
            .ok_or_else(|| {
                invalid("Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements")
            })?;
        let Some(audience) = claims.get("aud").and_then(Value::as_str).map(str::to_string) else {
            return Err(invalid("Missing a required claim: aud"));
        };
        let now = self.now() as i64;
        let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
        if exp <= now {
            return Err(StsError {
                code: "ExpiredTokenException",
                status: 400,
                message: format!(
                    "Token expired: current date/time {now} must be before the expiration date/time {exp}"
                ),
            });
        }
        let subject = claims.get("sub").and_then(Value::as_str).unwrap_or_default().to_string();
        let tags = claims
            .get("https://aws.amazon.com/tags")
            .and_then(|t| t.get("principal_tags"))
            .and_then(Value::as_object)
            .map(|o| o.iter().filter_map(|(k, v)| Some((k.clone(), v.get(0)?.as_str()?.to_string()))).collect())
            .unwrap_or_default();
        let issued = self
            .tx(|tx| {
                if tx.identity_pool(&audience)?.is_none() {
                    return Ok(None);
                }
                let lease = Lease {
                    role_arn: &req.role_arn,
                    session: name,
                    seconds: seconds as f64,
                    identity: Some((&subject, &audience)),
                    tags,
                    source: "AssumeRoleWithWebIdentity",
                };
                self.issue(tx, lease).map(Some)
            })
            .map_err(internal)?
            .ok_or_else(|| invalid("Incorrect token audience"))?;
        Ok(AssumedRole { issued, subject, audience, provider: SERVICE_HOST.to_string() })
    }
}
