//! Sign-out against a clock that only moves when told to: a sign-in stores nothing, and
//! tokens are revoked by the second of the user's last global sign-out (`UserRecord::
//! signed_out`), so what happens within one second has to be pinned where the second cannot
//! tick over by chance.

use crate::fixture::{Core, PASSWORD};
use serde_json::{Value, json};

/// (access token, refresh token) of a sign-in by `ann`.
fn sign_in(p: &Core) -> (String, String) {
    let out = p.password_auth("ann", PASSWORD).unwrap();
    let result = &out["AuthenticationResult"];
    (result["AccessToken"].as_str().unwrap().into(), result["RefreshToken"].as_str().unwrap().into())
}

fn get_user(p: &Core, access: &str) -> Result<Value, String> {
    p.call("GetUser", json!({"AccessToken": access})).map_err(message)
}

fn refresh(p: &Core, refresh: &str) -> Result<Value, String> {
    p.call(
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": p.client, "AuthParameters": {"REFRESH_TOKEN": refresh}}),
    )
    .map_err(message)
}

fn message(e: Value) -> String {
    e["message"].as_str().unwrap_or_default().to_string()
}

#[test]
fn a_sign_in_in_the_same_second_as_a_sign_out_survives_it_and_the_ones_before_do_not() {
    let p = Core::new();
    let (before, before_refresh) = sign_in(&p);
    p.clock.advance(200);
    let (signing_out, _) = sign_in(&p);
    p.ok("GlobalSignOut", json!({"AccessToken": signing_out}));
    // The same second, after the sign-out.
    p.clock.advance(300);
    let (after, after_refresh) = sign_in(&p);

    assert_eq!(get_user(&p, &before).unwrap_err(), "Access Token has been revoked");
    assert_eq!(get_user(&p, &signing_out).unwrap_err(), "Access Token has been revoked");
    assert_eq!(refresh(&p, &before_refresh).unwrap_err(), "Refresh Token has been revoked");
    assert_eq!(get_user(&p, &after).unwrap()["Username"], "ann");
    let refreshed =
        refresh(&p, &after_refresh).unwrap()["AuthenticationResult"]["AccessToken"].as_str().unwrap().to_string();
    assert_eq!(get_user(&p, &refreshed).unwrap()["Username"], "ann");

    // A second sign-out in that same second reaches the sign-in that survived the first.
    p.ok("AdminUserGlobalSignOut", json!({"UserPoolId": p.pool, "Username": "ann"}));
    assert_eq!(get_user(&p, &after).unwrap_err(), "Access Token has been revoked");
    assert_eq!(get_user(&p, &refreshed).unwrap_err(), "Access Token has been revoked");
    assert_eq!(refresh(&p, &after_refresh).unwrap_err(), "Refresh Token has been revoked");

    // Later seconds are untouched by either.
    p.clock.advance(1_000);
    let (later, later_refresh) = sign_in(&p);
    assert_eq!(get_user(&p, &later).unwrap()["Username"], "ann");
    assert!(refresh(&p, &later_refresh).is_ok());
}

#[test]
fn revoking_one_refresh_token_ends_its_family_only() {
    let p = Core::new();
    let (one, one_refresh) = sign_in(&p);
    let (two, _) = sign_in(&p);
    p.ok("RevokeToken", json!({"ClientId": p.client, "Token": one_refresh}));
    assert_eq!(get_user(&p, &one).unwrap_err(), "Access Token has been revoked");
    assert_eq!(refresh(&p, &one_refresh).unwrap_err(), "Refresh Token has been revoked");
    assert_eq!(get_user(&p, &two).unwrap()["Username"], "ann");
}
