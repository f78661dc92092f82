//! Sign-out against a clock that only moves when told to: a sign-in stores nothing, and
//! tokens are revoked by the second of the user's last global sign-out (`UserRecord::
//! signed_out`), so what happens within one second has to be pinned where the second cannot
//! tick over by chance.

use cognate_core::env::ManualClock;
use cognate_core::idp::{Settings, UserPools};
use cognate_proto::RequestContext;
use cognate_proto::idp::dispatch;
use cognate_server::system::ThreadRandom;
use serde_json::{Value, json};
use std::sync::Arc;

struct Pools {
    pools: UserPools,
    clock: Arc<ManualClock>,
    client: String,
    pool: String,
}

impl Pools {
    fn new() -> Self {
        let clock = Arc::new(ManualClock::new(1_800_000_000_000));
        let pools = UserPools::new(
            Arc::new(cognate_store_sqlite::SqliteStore::in_memory()),
            clock.clone(),
            Arc::new(ThreadRandom),
            Arc::new(cognate_server::system::KeyReserve::new(2)),
            Settings::default(),
        );
        let mut this = Self { pools, clock, client: String::new(), pool: String::new() };
        this.pool = this.call("CreateUserPool", json!({"PoolName": "p"})).unwrap()["UserPool"]["Id"]
            .as_str()
            .unwrap()
            .to_string();
        this.client = this
            .call(
                "CreateUserPoolClient",
                json!({"UserPoolId": this.pool, "ClientName": "c",
                       "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
            )
            .unwrap()["UserPoolClient"]["ClientId"]
            .as_str()
            .unwrap()
            .to_string();
        this.call("AdminCreateUser", json!({"UserPoolId": this.pool, "Username": "ann", "MessageAction": "SUPPRESS"}))
            .unwrap();
        this.call(
            "AdminSetUserPassword",
            json!({"UserPoolId": this.pool, "Username": "ann", "Password": "Passw0rd!x", "Permanent": true}),
        )
        .unwrap();
        this
    }

    fn call(&self, op: &str, body: Value) -> Result<Value, String> {
        let ctx = RequestContext { region: None, request_id: "test".into(), base_url: None };
        dispatch(&self.pools, &ctx, op, &body).map_err(|e| e.message.unwrap_or_default())
    }

    /// (access token, refresh token)
    fn sign_in(&self) -> (String, String) {
        let out = self
            .call(
                "InitiateAuth",
                json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": self.client,
                       "AuthParameters": {"USERNAME": "ann", "PASSWORD": "Passw0rd!x"}}),
            )
            .unwrap();
        let result = &out["AuthenticationResult"];
        (result["AccessToken"].as_str().unwrap().into(), result["RefreshToken"].as_str().unwrap().into())
    }

    fn get_user(&self, access: &str) -> Result<Value, String> {
        self.call("GetUser", json!({"AccessToken": access}))
    }

    fn refresh(&self, refresh: &str) -> Result<Value, String> {
        self.call(
            "InitiateAuth",
            json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": self.client,
                   "AuthParameters": {"REFRESH_TOKEN": refresh}}),
        )
    }
}

#[test]
fn a_sign_in_in_the_same_second_as_a_sign_out_survives_it_and_the_ones_before_do_not() {
    let p = Pools::new();
    let (before, before_refresh) = p.sign_in();
    p.clock.advance(200);
    let (signing_out, _) = p.sign_in();
    p.call("GlobalSignOut", json!({"AccessToken": signing_out})).unwrap();
    // The same second, after the sign-out.
    p.clock.advance(300);
    let (after, after_refresh) = p.sign_in();

    assert_eq!(p.get_user(&before).unwrap_err(), "Access Token has been revoked");
    assert_eq!(p.get_user(&signing_out).unwrap_err(), "Access Token has been revoked");
    assert_eq!(p.refresh(&before_refresh).unwrap_err(), "Refresh Token has been revoked");
    assert_eq!(p.get_user(&after).unwrap()["Username"], "ann");
    let refreshed =
        p.refresh(&after_refresh).unwrap()["AuthenticationResult"]["AccessToken"].as_str().unwrap().to_string();
    assert_eq!(p.get_user(&refreshed).unwrap()["Username"], "ann");

    // A second sign-out in that same second reaches the sign-in that survived the first.
    p.call("AdminUserGlobalSignOut", json!({"UserPoolId": p.pool, "Username": "ann"})).unwrap();
    assert_eq!(p.get_user(&after).unwrap_err(), "Access Token has been revoked");
    assert_eq!(p.get_user(&refreshed).unwrap_err(), "Access Token has been revoked");
    assert_eq!(p.refresh(&after_refresh).unwrap_err(), "Refresh Token has been revoked");

    // Later seconds are untouched by either.
    p.clock.advance(1_000);
    let (later, later_refresh) = p.sign_in();
    assert_eq!(p.get_user(&later).unwrap()["Username"], "ann");
    assert!(p.refresh(&later_refresh).is_ok());
}

#[test]
fn revoking_one_refresh_token_ends_its_family_only() {
    let p = Pools::new();
    let (one, one_refresh) = p.sign_in();
    let (two, _) = p.sign_in();
    p.call("RevokeToken", json!({"ClientId": p.client, "Token": one_refresh})).unwrap();
    assert_eq!(p.get_user(&one).unwrap_err(), "Access Token has been revoked");
    assert_eq!(p.refresh(&one_refresh).unwrap_err(), "Refresh Token has been revoked");
    assert_eq!(p.get_user(&two).unwrap()["Username"], "ann");
}
