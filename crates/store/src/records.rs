//! The records a [`Store`](crate::Store) keeps, beside the API's own shapes.

use cognate_proto::idp::{AttributeType, UserStatusType};
use serde::{Deserialize, Serialize};

/// A sign-in waiting for the answer to a challenge. Single use: taken when answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthSession {
    pub id: String,
    pub pool_id: String,
    pub client_id: String,
    pub user_key: String,
    /// The user's `sub`: a user deleted and made again under the same name is someone else.
    #[serde(default)]
    pub sub: String,
    pub challenge: String,
    pub expires: f64,
    /// What the flow must remember between steps (custom auth: the challenge history and the
    /// private challenge parameters).
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub state: serde_json::Value,
}

/// The tokens that descend from one sign-in: its refresh token and every access and ID token
/// minted from it share `origin_jti`. Revoking the family revokes them all.
///
/// A sign-in stores no family: its refresh token carries the family sealed, and a family
/// without a row stands as its token says unless the user signed out everywhere since
/// ([`UserRecord::signed_out`]). A row is written only when the family departs from that:
/// revoked, rotated, or begun in the very second of a sign-out (which the second-resolution
/// `auth_time` could not tell apart from the tokens that sign-out revoked).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenFamily {
    pub origin_jti: String,
    pub pool_id: String,
    pub client_id: String,
    pub user_key: String,
    /// The user's `sub`, so a user made again under a deleted user's name inherits nothing.
    #[serde(default)]
    pub sub: String,
    pub auth_time: i64,
    /// The device the sign-in came from, carried into every access token of the family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_key: Option<String>,
    /// When the refresh token expires; the family is forgotten a day after that (the longest
    /// an access token minted just before can live).
    pub expires: f64,
    pub revoked: bool,
    /// The refresh token currently valid (changes when rotation is on).
    pub refresh_id: String,
    /// The refresh token it replaced, accepted until `previous_valid_until`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_refresh_id: Option<String>,
    #[serde(default)]
    pub previous_valid_until: f64,
    /// The OAuth scopes granted through the hosted UI; `None` for the API flows, whose access
    /// tokens carry `aws.cognito.signin.user.admin` alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// The session the family is, when its pool tracks sessions (every tracked sign-in writes
    /// its family's row).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<TrackedSession>,
}

/// A token session as ListUserSessions shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrackedSession {
    /// `tkn` and 25 lower-case letters and digits.
    pub id: String,
    pub created: f64,
    /// The last sign-in or refresh.
    pub last_active: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
}

/// A device a user signed in from, tracked when the pool's DeviceConfiguration asks for it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeviceRecord {
    pub pool_id: String,
    pub device_key: String,
    pub group_key: String,
    pub user_key: String,
    pub sub: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// From ConfirmDevice: the device's SRP salt and verifier, lower-case hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verifier: Option<String>,
    pub confirmed: bool,
    pub remembered: bool,
    pub created: f64,
    pub modified: f64,
    pub last_authenticated: f64,
}

/// An email or SMS Cognito would have sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxMessage {
    pub id: String,
    pub pool_id: String,
    pub username: String,
    /// EMAIL or SMS.
    pub medium: String,
    pub destination: String,
    /// What prompted it: SignUp, ResendCode, ForgotPassword, AdminCreateUser,
    /// UpdateUserAttribute, VerifyUserAttribute.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub message: String,
    /// The code or temporary password the message carries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Epoch milliseconds.
    pub sent_at: i64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutboxQuery {
    pub pool_id: Option<String>,
    pub username: Option<String>,
    pub destination: Option<String>,
    pub limit: usize,
}

/// A user as cognate keeps them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserRecord {
    /// The lookup key: the username, lower-cased when the pool's usernames are case-insensitive.
    pub key: String,
    pub username: String,
    pub sub: String,
    /// In the order Cognito returns them: `sub` first, then as set.
    pub attributes: Vec<AttributeType>,
    pub enabled: bool,
    pub status: UserStatusType,
    pub created: f64,
    pub modified: f64,
    /// Never the password itself: an SRP verifier (see [`PasswordVerifier`]).
    pub password: Option<PasswordVerifier>,
    /// When the current temporary password was issued (FORCE_CHANGE_PASSWORD users).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temporary_password_issued: Option<f64>,
    /// Failed password attempts since the last success (cognate-core's lockout reads them).
    #[serde(default)]
    pub failed_attempts: u32,
    #[serde(default)]
    pub last_failure: f64,
    #[serde(default)]
    pub locked_until: f64,
    /// Codes sent and not yet used, by purpose (`signup`, `forgot`, `verify:email`, ...).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub codes: std::collections::BTreeMap<String, PendingCode>,
    /// When the user last asked for codes (resend, forgot password, attribute verification),
    /// within the last hour: Cognito limits how often.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub code_requests: Vec<f64>,
    /// The second (Unix time) of the user's last global sign-out or disabling: every token
    /// family begun at or before it, and not stored with a state of its own, is revoked.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub signed_out: i64,
    /// The second factors the user set up and chose.
    #[serde(default, skip_serializing_if = "UserMfa::is_empty")]
    pub mfa: UserMfa,
    /// Passkeys (WebAuthn credentials) registered with CompleteWebAuthnRegistration; at most 20.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passkeys: Vec<Passkey>,
}

/// A passkey: its credential id and public key (a COSE key, as the authenticator gave it), and
/// what ListWebAuthnCredentials shows of it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Passkey {
    /// base64url, no padding, as WebAuthn writes it.
    pub credential_id: String,
    /// The COSE_Key, base64url.
    pub public_key: String,
    /// The COSE algorithm: -7 (ES256) or -257 (RS256).
    pub algorithm: i64,
    /// The authenticator's signature counter as last seen (0 when it keeps none).
    #[serde(default)]
    pub sign_count: u32,
    pub relying_party_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<String>,
    #[serde(default)]
    pub transports: Vec<String>,
    pub friendly_name: String,
    pub created: f64,
    /// The app client that registered it.
    #[serde(default)]
    pub client_id: String,
}

/// A user's MFA: which factors are on, which one is preferred, and their authenticator app.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserMfa {
    /// Enabled factors as Cognito names them (`SMS_MFA`, `SOFTWARE_TOKEN_MFA`, `EMAIL_OTP`), in
    /// the order UserMFASettingList lists them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enabled: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred: Option<String>,
    /// The verified authenticator app (VerifySoftwareToken accepted a code from it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_token: Option<SoftwareToken>,
    /// A secret AssociateSoftwareToken handed out that no code has confirmed yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_secret: Option<String>,
    /// SMS chosen through the legacy SetUserSettings (its MFAOptions).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub legacy_sms: bool,
    /// Whether SetUserMFAPreference was ever called: GetUser lists UserMFASettingList (even
    /// empty) only from then on.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub preferences_set: bool,
}

impl UserMfa {
    pub fn is_empty(&self) -> bool {
        *self == UserMfa::default()
    }
}

/// An authenticator app registered for TOTP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SoftwareToken {
    /// The shared secret, sealed under the pool's key (never stored in the clear).
    pub secret: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,
    /// The last 30-second step a code was accepted for: a code is good once.
    #[serde(default)]
    pub last_step: u64,
}

/// A pool's MFA settings that its UserPoolType does not hold (SMS MFA's message and
/// configuration are the pool's own SmsAuthenticationMessage and SmsConfiguration).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MfaConfig {
    /// Whether SMS is one of the pool's second factors (SmsMfaConfiguration was set).
    #[serde(default)]
    pub sms: bool,
    /// SoftwareTokenMfaConfiguration.Enabled.
    #[serde(default)]
    pub software_token: bool,
    /// EmailMfaConfiguration, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<EmailMfa>,
    /// WebAuthnConfiguration, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_authn: Option<WebAuthnSettings>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmailMfa {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WebAuthnSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relying_party_id: Option<String>,
    /// `required` or `preferred`.
    pub user_verification: String,
    /// `SINGLE_FACTOR` or `MULTI_FACTOR_WITH_USER_VERIFICATION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor_configuration: Option<String>,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// A verification code sent to the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingCode {
    pub code: String,
    pub expires: f64,
    /// The attribute the code was sent to, which using it verifies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute: Option<String>,
    /// For attribute changes that wait on verification: the value to apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_value: Option<String>,
    /// Where the code went. It verifies that value only, not whatever the attribute holds later.
    #[serde(default)]
    pub sent_to: String,
    /// Wrong guesses so far; after five the code is void.
    #[serde(default)]
    pub failures: u32,
}

/// The attributes ListUsers can filter on, named as its filter grammar names them.
pub const SEARCHABLE: &[&str] = &[
    "username",
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "cognito:user_status",
    "status",
    "sub",
];

/// Whether searches on `attribute` ignore case (the developer guide: username and status are
/// case-sensitive, the rest are not).
pub fn search_is_case_insensitive(attribute: &str) -> bool {
    !matches!(attribute, "username" | "status")
}

impl UserRecord {
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|a| a.name == name).and_then(|a| a.value.as_deref())
    }

    pub fn set_attribute(&mut self, name: &str, value: &str) {
        match self.attributes.iter_mut().find(|a| a.name == name) {
            Some(a) => a.value = Some(value.to_string()),
            None => self.attributes.push(AttributeType { name: name.to_string(), value: Some(value.to_string()) }),
        }
    }

    pub fn remove_attribute(&mut self, name: &str) {
        self.attributes.retain(|a| a.name != name);
    }

    /// The `(attribute, value)` pairs a store indexes for this user: every searchable
    /// attribute, normalised as [`search_is_case_insensitive`] says, plus `username_key` for
    /// the primary lookup.
    pub fn index_entries(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for &name in SEARCHABLE {
            let value = match name {
                "username" => Some(self.username.clone()),
                "sub" => Some(self.sub.clone()),
                "cognito:user_status" => Some(self.status.as_str().to_string()),
                "status" => Some(if self.enabled { "Enabled" } else { "Disabled" }.to_string()),
                other => self.attribute(other).map(str::to_string),
            };
            if let Some(v) = value {
                let v = if search_is_case_insensitive(name) { v.to_lowercase() } else { v };
                out.push((name, v));
            }
        }
        out
    }
}

/// What cognate keeps instead of a password: the SRP verifier of Cognito's own protocol.
/// Made and checked in cognate-core (`cognate_core::password::VerifierExt`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordVerifier {
    /// The salt in PAD form (lower-case hex), as the SRP challenge sends it.
    pub salt: String,
    /// `g^x mod N` in lower-case hex.
    pub verifier: String,
}

/// A pool's key material as stored. Made and used in cognate-core
/// (`cognate_core::tokens::PoolKeysExt`, `cognate_core::tokens::Keys`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolKeys {
    pub id_kid: String,
    /// PKCS#8 DER, base64.
    pub id_key: String,
    pub access_kid: String,
    pub access_key: String,
    /// 32 bytes, base64: seals refresh tokens.
    pub refresh_key: String,
}

/// A classic hosted UI's customization (SetUICustomization): the pool's default (`client_id`
/// `ALL`) or one client's. The logo is kept as it was sent; the pages inline it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UiCustomization {
    pub pool_id: String,
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub css: Option<String>,
    /// The image file's bytes, base64 in the stored document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// A version stamp of the CSS (and of the logo's URL), as Cognito gives one.
    pub version: String,
    pub created: f64,
    pub modified: f64,
}
