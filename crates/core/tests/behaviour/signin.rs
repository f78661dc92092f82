//! Sign-in's answers as data: each case is the InitiateAuth request's flow and parameters, and
//! the error a client reads (or `None` for tokens). Then the paths that need the clock.

use crate::fixture::{Core, PASSWORD};
use serde_json::{Value, json};

/// A flow, its AuthParameters, and the error's `__type` and message (`None`: tokens).
type Case = (&'static str, Value, Option<(&'static str, &'static str)>);

fn initiate(core: &Core, flow: &str, params: Value) -> Result<Value, Value> {
    core.call("InitiateAuth", json!({"AuthFlow": flow, "ClientId": core.client, "AuthParameters": params}))
}

#[test]
fn initiate_auth_answers_as_cognito_does() {
    let core = Core::new();
    core.ok("AdminCreateUser", json!({"UserPoolId": core.pool, "Username": "off", "MessageAction": "SUPPRESS"}));
    core.ok("AdminDisableUser", json!({"UserPoolId": core.pool, "Username": "off"}));
    let cases: &[Case] = &[
        ("USER_PASSWORD_AUTH", json!({"USERNAME": "ann", "PASSWORD": PASSWORD}), None),
        (
            "USER_PASSWORD_AUTH",
            json!({"USERNAME": "ann", "PASSWORD": "wrong"}),
            Some(("NotAuthorizedException", "Incorrect username or password.")),
        ),
        (
            "USER_PASSWORD_AUTH",
            json!({"USERNAME": "nobody", "PASSWORD": PASSWORD}),
            Some(("UserNotFoundException", "User does not exist.")),
        ),
        (
            "USER_PASSWORD_AUTH",
            json!({"USERNAME": "off", "PASSWORD": PASSWORD}),
            Some(("NotAuthorizedException", "User is disabled.")),
        ),
        (
            "USER_PASSWORD_AUTH",
            json!({"PASSWORD": PASSWORD}),
            Some(("InvalidParameterException", "Missing required parameter USERNAME")),
        ),
        (
            "USER_PASSWORD_AUTH",
            json!({"USERNAME": "ann"}),
            Some(("InvalidParameterException", "Missing required parameter PASSWORD")),
        ),
        // The client allows ALLOW_ flows, and SRP is not among them.
        (
            "USER_SRP_AUTH",
            json!({"USERNAME": "ann", "SRP_A": "02"}),
            Some(("InvalidParameterException", "USER_SRP_AUTH flow not enabled for this client")),
        ),
        (
            "ADMIN_USER_PASSWORD_AUTH",
            json!({"USERNAME": "ann", "PASSWORD": PASSWORD}),
            Some(("InvalidParameterException", "Initiate Auth method not supported.")),
        ),
        (
            "REFRESH_TOKEN_AUTH",
            json!({"REFRESH_TOKEN": "not-a-token"}),
            Some(("NotAuthorizedException", "Invalid Refresh Token.")),
        ),
        (
            "REFRESH_TOKEN_AUTH",
            json!({}),
            Some(("InvalidParameterException", "Missing required parameter REFRESH_TOKEN")),
        ),
    ];
    for (flow, params, expected) in cases {
        let answer = initiate(&core, flow, params.clone());
        match (expected, answer) {
            (None, Ok(out)) => {
                assert!(out["AuthenticationResult"]["AccessToken"].is_string(), "{flow} {params}: {out}");
                assert_eq!(out["ChallengeParameters"], json!({}), "tokens come with empty ChallengeParameters");
            }
            (Some((kind, message)), Err(e)) => {
                assert_eq!(
                    (e["__type"].as_str(), e["message"].as_str()),
                    (Some(*kind), Some(*message)),
                    "{flow} {params}"
                )
            }
            (expected, answer) => panic!("{flow} {params}: expected {expected:?}, got {answer:?}"),
        }
    }
}

/// Five failures lock the user for a second, each further one doubles it; the lock holds
/// even against the right password, and ends with time (developer guide, "Lockout behavior").
/// A wrong password's check leaves the transaction for its exponentiation and comes back:
/// the failures still count.
#[test]
fn lockout_counts_failures_and_ends_with_time() {
    let core = Core::new();
    for _ in 0..5 {
        assert_eq!(core.password_auth("ann", "wrong").unwrap_err()["message"], "Incorrect username or password.");
    }
    assert_eq!(core.password_auth("ann", PASSWORD).unwrap_err()["message"], "Password attempts exceeded");
    core.advance(1.5);
    assert!(core.password_auth("ann", PASSWORD).is_ok(), "the one-second lock is over");
    // The right password cleared the count: four more failures lock nobody.
    for _ in 0..4 {
        assert_eq!(core.password_auth("ann", "wrong").unwrap_err()["message"], "Incorrect username or password.");
    }
    assert!(core.password_auth("ann", PASSWORD).is_ok());
}

/// A temporary password signs in to NEW_PASSWORD_REQUIRED; after the pool's
/// TemporaryPasswordValidityDays (7 by default) it is refused.
#[test]
fn a_temporary_password_asks_for_a_new_one_and_expires() {
    let core = Core::new();
    core.ok(
        "AdminCreateUser",
        json!({"UserPoolId": core.pool, "Username": "tim", "TemporaryPassword": "Tempor4ry!", "MessageAction": "SUPPRESS"}),
    );
    let out = core.password_auth("tim", "Tempor4ry!").unwrap();
    assert_eq!(out["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    assert_eq!(out["ChallengeParameters"]["USER_ID_FOR_SRP"], "tim");
    let answered = core.ok(
        "RespondToAuthChallenge",
        json!({"ClientId": core.client, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": out["Session"],
               "ChallengeResponses": {"USERNAME": "tim", "NEW_PASSWORD": "Brand-n3w!"}}),
    );
    assert!(answered["AuthenticationResult"]["IdToken"].is_string());
    // The session answered once.
    let again = core.refused(
        "RespondToAuthChallenge",
        json!({"ClientId": core.client, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": out["Session"],
               "ChallengeResponses": {"USERNAME": "tim", "NEW_PASSWORD": "Brand-n3w!"}}),
    );
    assert_eq!(again, "Invalid session for the user, session can only be used once.");

    core.ok(
        "AdminCreateUser",
        json!({"UserPoolId": core.pool, "Username": "tom", "TemporaryPassword": "Tempor4ry!", "MessageAction": "SUPPRESS"}),
    );
    core.advance(7.0 * 86_400.0 + 1.0);
    assert_eq!(
        core.password_auth("tom", "Tempor4ry!").unwrap_err()["message"],
        "Temporary password has expired and must be reset by an administrator."
    );
}

/// A challenge's Session lasts the client's AuthSessionValidity (3 minutes by default).
#[test]
fn a_challenge_session_expires() {
    let core = Core::new();
    core.ok(
        "AdminCreateUser",
        json!({"UserPoolId": core.pool, "Username": "tia", "TemporaryPassword": "Tempor4ry!", "MessageAction": "SUPPRESS"}),
    );
    let out = core.password_auth("tia", "Tempor4ry!").unwrap();
    core.advance(3.0 * 60.0 + 1.0);
    let late = core.refused(
        "RespondToAuthChallenge",
        json!({"ClientId": core.client, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": out["Session"],
               "ChallengeResponses": {"USERNAME": "tia", "NEW_PASSWORD": "Brand-n3w!"}}),
    );
    assert_eq!(late, "Invalid session for the user, session is expired.");
}

/// CUSTOM_AUTH without USERNAME is refused for the missing parameter only once the client
/// allows the flow and the pool has a DefineAuthChallenge trigger; before that, for those.
#[test]
fn custom_auth_refuses_in_cognitos_order() {
    let core = Core::new();
    let custom = |client: &str, params: Value| {
        core.refused("InitiateAuth", json!({"AuthFlow": "CUSTOM_AUTH", "ClientId": client, "AuthParameters": params}))
    };
    assert_eq!(custom(&core.client, json!({})), "CUSTOM_AUTH flow not enabled for this client");
    let with_custom = |pool: &str| -> String {
        core.ok(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool, "ClientName": "custom", "ExplicitAuthFlows": ["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        )["UserPoolClient"]["ClientId"]
            .as_str()
            .unwrap()
            .into()
    };
    let plain = with_custom(&core.pool);
    assert_eq!(custom(&plain, json!({})), "Custom auth lambda trigger is not configured for the user pool.");
    let arn = "arn:aws:lambda:us-east-1:000000000000:function:define";
    let pool = core.ok("CreateUserPool", json!({"PoolName": "c", "LambdaConfig": {"DefineAuthChallenge": arn}}))
        ["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    let client = with_custom(&pool);
    assert_eq!(custom(&client, json!({})), "Missing required parameter USERNAME");
}
