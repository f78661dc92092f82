//! `/oauth2/userInfo` and `/oauth2/revoke`: what the hosted UI's tokens let an app read, and
//! how an app gives a refresh token back.

use crate::idp::service::UserPools;
use crate::tokens::peek_claims;
use cognate_proto::ApiError;
use cognate_proto::idp::RevokeTokenRequest;
use serde_json::{Map, Value};

/// A refusal of `/oauth2/userInfo`: the status and the WWW-Authenticate header's `error` and
/// `error_description` (developer guide, "The userInfo endpoint").
#[derive(Debug, PartialEq)]
pub struct UserInfoError {
    pub status: u16,
    pub error: &'static str,
    pub description: &'static str,
}

const BAD_REQUEST: UserInfoError =
    UserInfoError { status: 400, error: "invalid_request", description: "Bad OAuth2 request at UserInfo Endpoint" };
const BAD_TOKEN: UserInfoError = UserInfoError {
    status: 401,
    error: "invalid_token",
    description: "Access token is expired, disabled, or deleted, or the user has globally signed out.",
};

/// The OIDC standard claims the `profile` scope releases.
const PROFILE: &[&str] = &[
    "name",
    "family_name",
    "given_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "updated_at",
    "address",
];

impl UserPools {
    /// The claims `/oauth2/userInfo` answers for a Bearer access token: `sub` and
    /// `username`, and the attributes the token's scopes release (`openid` alone: all the
    /// client can read). Only tokens with the `openid` scope are accepted, so the API flows'
    /// tokens are not. Values are strings, as Cognito renders them (`"email_verified":"true"`).
    pub fn user_info(&self, bearer: Option<&str>) -> Result<Map<String, Value>, UserInfoError> {
        let token = bearer.filter(|t| !t.is_empty()).ok_or(BAD_REQUEST)?;
        let scopes: Vec<String> = peek_claims(token)
            .and_then(|c| c.get("scope").and_then(Value::as_str).map(|s| s.split(' ').map(String::from).collect()))
            .unwrap_or_default();
        if !scopes.iter().any(|s| s == "openid") {
            return Err(BAD_TOKEN);
        }
        let (user, client) = self
            .tx(|tx| {
                let (_, user) = self.token_user(tx, token, Some("openid"))?;
                let client = self.token_client(tx, token)?;
                Ok((user, client))
            })
            .map_err(|_: ApiError| BAD_TOKEN)?;
        let has = |s: &str| scopes.iter().any(|x| x == s);
        let everything = !(has("email") || has("phone") || has("profile"));
        let readable = |name: &str| {
            client.as_ref().and_then(|c| c.read_attributes.as_ref()).is_none_or(|r| r.iter().any(|a| a == name))
        };
        let released = |name: &str| {
            everything
                || (has("email") && matches!(name, "email" | "email_verified"))
                || (has("phone") && matches!(name, "phone_number" | "phone_number_verified"))
                || (has("profile") && (PROFILE.contains(&name) || name.starts_with("custom:")))
        };
        let mut claims = Map::new();
        for attr in &user.attributes {
            let name = attr.name.as_str();
            if name == "sub" || (released(name) && readable(name)) {
                claims.insert(name.to_string(), Value::String(attr.value.clone().unwrap_or_default()));
            }
        }
        claims.insert("username".into(), Value::String(user.username.clone()));
        Ok(claims)
    }

    /// `POST /oauth2/revoke`: RevokeToken with the form's client, as the revocation endpoint
    /// answers it (the `error` code of a refusal, or `None`: 200 with an empty body).
    pub fn revoke_endpoint(
        &self,
        token: Option<String>,
        client_id: String,
        secret: Option<String>,
    ) -> Option<(u16, &'static str)> {
        let token = match token {
            Some(t) if !t.is_empty() => t,
            _ => return Some((400, "invalid_request")),
        };
        let input = RevokeTokenRequest { token, client_id, client_secret: secret, ..Default::default() };
        match crate::idp::signin::revoke_token(self, input) {
            Ok(_) => None,
            Err(e) => Some(match e.type_name.as_ref() {
                "UnsupportedTokenTypeException" => (400, "unsupported_token_type"),
                "UnsupportedOperationException" => (400, "invalid_request"),
                "ResourceNotFoundException" | "NotAuthorizedException" | "UnauthorizedException" => {
                    (401, "invalid_client")
                }
                _ => (500, "server_error"),
            }),
        }
    }
}
