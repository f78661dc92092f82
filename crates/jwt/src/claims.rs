use crate::Error;
use serde_json::{Map, Value};

/// The claims of a verified token: the common ones typed, every one in [`raw`](Self::raw).
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedClaims {
    /// The user's id (`sub`).
    pub sub: String,
    /// The issuer (`iss`).
    pub iss: String,
    /// `id` or `access`.
    pub token_use: String,
    /// Expiry, seconds since the epoch.
    pub exp: u64,
    /// Issue time, seconds since the epoch, if present.
    pub iat: Option<u64>,
    /// When the user signed in (`auth_time`), if present.
    pub auth_time: Option<u64>,
    /// The app client: `aud` of an ID token, `client_id` of an access token.
    pub client_id: Option<String>,
    /// `cognito:username` (ID tokens) or `username` (access tokens).
    pub username: Option<String>,
    /// `cognito:groups`, empty when the user is in none.
    pub groups: Vec<String>,
    /// The space-separated `scope` claim, split.
    pub scopes: Vec<String>,
    /// `email`, if the token carries it.
    pub email: Option<String>,
    /// Every claim as the token has it (custom attributes included).
    pub raw: Map<String, Value>,
}

impl VerifiedClaims {
    pub(crate) fn from_raw(raw: Map<String, Value>) -> Result<Self, Error> {
        let string = |name: &str| raw.get(name).and_then(Value::as_str).map(str::to_string);
        let required = |name: &str| string(name).ok_or_else(|| Error::Claim(format!("missing {name}")));
        let number = |name: &str| raw.get(name).and_then(Value::as_u64);
        let token_use = required("token_use")?;
        let client_id = if token_use == "id" { string("aud") } else { string("client_id") };
        let username = string("cognito:username").or_else(|| string("username"));
        let groups = raw
            .get("cognito:groups")
            .and_then(Value::as_array)
            .map(|g| g.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default();
        let scopes = string("scope")
            .map(|s| s.split(' ').filter(|x| !x.is_empty()).map(str::to_string).collect())
            .unwrap_or_default();
        Ok(Self {
            sub: required("sub")?,
            iss: required("iss")?,
            exp: number("exp").ok_or_else(|| Error::Claim("missing exp".into()))?,
            iat: number("iat"),
            auth_time: number("auth_time"),
            email: string("email"),
            token_use,
            client_id,
            username,
            groups,
            scopes,
            raw,
        })
    }

    /// A claim by name, as the token has it (`custom:tier`, `email_verified`, ...).
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.raw.get(name)
    }
}
