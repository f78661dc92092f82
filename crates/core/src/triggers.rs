//! Lambda triggers: the events Cognito sends, and the errors it answers when a trigger fails.
//!
//! Core builds the event and reads the response; how a function is reached (a local command, an
//! HTTP endpoint speaking the Lambda Invoke API) is the [`Lambda`] the server injects. Triggers
//! are invoked outside store transactions, so a handler may call back into cognate (a
//! PostConfirmation handler adding the user to a group, say) without waiting on a lock.

use cognate_proto::ApiError;
use serde_json::{Map, Value, json};

/// Why an invocation produced no usable response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LambdaFailure {
    /// The handler raised or returned an error (`errorMessage`).
    Handler(String),
    /// No answer in time.
    Timeout,
    /// An answer that is not a JSON event.
    Unreadable,
    /// Nothing is configured to run this function.
    NotFound(String),
}

/// Runs a Lambda function by ARN with an event, answering the function's result.
pub trait Lambda: Send + Sync {
    fn invoke(&self, function_arn: &str, event: &Value) -> Result<Value, LambdaFailure>;
}

/// No functions at all: every invocation fails as a missing function would.
pub struct NoLambda;

impl Lambda for NoLambda {
    fn invoke(&self, function_arn: &str, _: &Value) -> Result<Value, LambdaFailure> {
        Err(LambdaFailure::NotFound(function_arn.to_string()))
    }
}

/// The error Cognito answers for a failed `trigger` (named as Cognito names it in messages:
/// `PreSignUp`, `PostConfirmation`, `PreTokenGeneration`, ...).
pub fn failure_error(trigger: &str, failure: LambdaFailure) -> ApiError {
    match failure {
        LambdaFailure::Handler(message) => {
            ApiError::user_lambda_validation(format!("{trigger} failed with error {message}."))
        }
        LambdaFailure::Timeout => ApiError::unexpected_lambda(format!(
            "{trigger} invocation failed due to error Socket timeout while invoking Lambda function."
        )),
        LambdaFailure::Unreadable => ApiError::invalid_lambda_response("Unrecognizable lambda output"),
        LambdaFailure::NotFound(arn) => {
            ApiError::unexpected_lambda(format!("{trigger} invocation failed due to error Function not found: {arn}."))
        }
    }
}

/// The fields every trigger event shares.
pub struct EventHeader<'a> {
    pub trigger_source: &'a str,
    pub user_pool_id: &'a str,
    pub user_name: &'a str,
    pub client_id: Option<&'a str>,
}

/// An event as Cognito sends it: version, source, region, pool, user, caller, request and an
/// empty response for the handler to fill.
pub fn event(header: &EventHeader<'_>, request: Value) -> Value {
    let region = header.user_pool_id.split_once('_').map(|(r, _)| r).unwrap_or("us-east-1");
    json!({
        "version": "1",
        "triggerSource": header.trigger_source,
        "region": region,
        "userPoolId": header.user_pool_id,
        "userName": header.user_name,
        "callerContext": {
            "awsSdkVersion": "aws-sdk-unknown-unknown",
            "clientId": header.client_id.unwrap_or("CLIENT_ID_NOT_APPLICABLE"),
        },
        "request": request,
        "response": {},
    })
}

/// `userAttributes` as events carry them: a name → value map.
pub fn attribute_map<'a>(attrs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Value {
    Value::Object(attrs.into_iter().map(|(k, v)| (k.to_string(), Value::String(v.to_string()))).collect::<Map<_, _>>())
}

/// The `response` object of a handler's answer, which must be an event.
pub fn response_of(answer: &Value) -> Result<&Map<String, Value>, LambdaFailure> {
    match answer.get("response") {
        Some(Value::Object(r)) => Ok(r),
        Some(Value::Null) | None if answer.is_object() => {
            static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
            Ok(EMPTY.get_or_init(Map::new))
        }
        _ => Err(LambdaFailure::Unreadable),
    }
}

/// Every trigger source a user pool can send, for `cognate event`.
pub const TRIGGER_SOURCES: &[&str] = &[
    "PreSignUp_SignUp",
    "PreSignUp_AdminCreateUser",
    "PreSignUp_ExternalProvider",
    "PostConfirmation_ConfirmSignUp",
    "PostConfirmation_ConfirmForgotPassword",
    "PreAuthentication_Authentication",
    "PostAuthentication_Authentication",
    "TokenGeneration_HostedAuth",
    "TokenGeneration_Authentication",
    "TokenGeneration_NewPasswordChallenge",
    "TokenGeneration_AuthenticateDevice",
    "TokenGeneration_RefreshTokens",
    "CustomMessage_SignUp",
    "CustomMessage_AdminCreateUser",
    "CustomMessage_ResendCode",
    "CustomMessage_ForgotPassword",
    "CustomMessage_UpdateUserAttribute",
    "CustomMessage_VerifyUserAttribute",
    "CustomMessage_Authentication",
    "DefineAuthChallenge_Authentication",
    "CreateAuthChallenge_Authentication",
    "VerifyAuthChallengeResponse_Authentication",
    "UserMigration_Authentication",
    "UserMigration_ForgotPassword",
];

/// The `request` a trigger source carries, for a user with `attributes` (as `cognate event`
/// prints it, and as the flows fill it in).
pub fn sample_request(trigger_source: &str, attributes: Value) -> Option<Value> {
    let prefix = trigger_source.split('_').next().unwrap_or_default();
    let request = match prefix {
        "PreSignUp" => json!({"userAttributes": attributes, "validationData": null, "clientMetadata": {}}),
        "PostConfirmation" => json!({"userAttributes": attributes, "clientMetadata": {}}),
        "PreAuthentication" => json!({"userAttributes": attributes, "validationData": {}, "userNotFound": false}),
        "PostAuthentication" => json!({"userAttributes": attributes, "newDeviceUsed": false, "clientMetadata": {}}),
        "TokenGeneration" => json!({
            "userAttributes": attributes,
            "groupConfiguration": {"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": null},
            "clientMetadata": {},
        }),
        "CustomMessage" => json!({
            "userAttributes": attributes,
            "codeParameter": "{####}",
            "linkParameter": "{##Click Here##}",
            "usernameParameter": null,
            "clientMetadata": {},
        }),
        "DefineAuthChallenge" => {
            json!({"userAttributes": attributes, "session": [], "clientMetadata": {}, "userNotFound": false})
        }
        "CreateAuthChallenge" => {
            json!({"userAttributes": attributes, "challengeName": "CUSTOM_CHALLENGE", "session": [], "clientMetadata": {}, "userNotFound": false})
        }
        "VerifyAuthChallengeResponse" => json!({
            "userAttributes": attributes,
            "privateChallengeParameters": {},
            "challengeAnswer": "",
            "clientMetadata": {},
            "userNotFound": false,
        }),
        "UserMigration" => json!({"password": "", "validationData": {}, "clientMetadata": {}}),
        _ => return None,
    };
    TRIGGER_SOURCES.contains(&trigger_source).then_some(request)
}

/// A user's attributes as trigger events carry them: with `cognito:user_status`.
pub fn event_attributes(user: &crate::store::UserRecord) -> Value {
    let mut map: Map<String, Value> =
        user.attributes.iter().map(|a| (a.name.clone(), Value::String(a.value.clone().unwrap_or_default()))).collect();
    map.insert("cognito:user_status".into(), Value::String(user.status.as_str().into()));
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_read_as_cognito_writes_them() {
        let e =
            failure_error("PreSignUp", LambdaFailure::Handler("Registration from this domain is not allowed".into()));
        assert_eq!(e.type_name, "UserLambdaValidationException");
        assert_eq!(e.message.unwrap(), "PreSignUp failed with error Registration from this domain is not allowed.");
        let e = failure_error("PostConfirmation", LambdaFailure::Timeout);
        assert_eq!(e.type_name, "UnexpectedLambdaException");
        assert_eq!(
            e.message.unwrap(),
            "PostConfirmation invocation failed due to error Socket timeout while invoking Lambda function."
        );
        assert_eq!(failure_error("X", LambdaFailure::Unreadable).message.unwrap(), "Unrecognizable lambda output");
    }

    #[test]
    fn every_source_has_a_request() {
        for source in TRIGGER_SOURCES {
            assert!(sample_request(source, json!({})).is_some(), "{source}");
        }
        assert!(sample_request("Nope_Nothing", json!({})).is_none());
    }
}
