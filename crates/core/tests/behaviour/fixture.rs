use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use cognate_core::env::{KeySource, ManualClock, SeededRandom};
use cognate_core::idp::{Settings, UserPools};
use cognate_core::store::Store;
use cognate_proto::RequestContext;
use cognate_proto::idp::dispatch;
use serde_json::{Value, json};
use std::sync::Arc;

/// The password the fixture's user has.
pub const PASSWORD: &str = "Passw0rd!x";

/// RSA keys made on the spot, as a dry reserve makes them.
pub struct FreshKeys;

impl KeySource for FreshKeys {
    fn rsa_2048_pkcs8(&self) -> Vec<u8> {
        KeyPair::generate(KeySize::Rsa2048).unwrap().as_der().unwrap().as_ref().to_vec()
    }
}

/// User pools over an in-memory SQLite store, a manual clock and a seeded generator, with a
/// pool, a client allowing the password and refresh flows, and the confirmed user `ann`.
pub struct Core {
    pub pools: UserPools,
    pub clock: Arc<ManualClock>,
    pub pool: String,
    pub client: String,
}

impl Core {
    pub fn new() -> Self {
        Self::over(Arc::new(cognate_store_sqlite::SqliteStore::in_memory()), Arc::new(FreshKeys))
    }

    pub fn over(store: Arc<dyn Store>, keys: Arc<dyn KeySource>) -> Self {
        let clock = Arc::new(ManualClock::new(1_800_000_000_000));
        let pools = UserPools::new(store, clock.clone(), Arc::new(SeededRandom::new(7)), keys, Settings::default());
        let mut core = Self { pools, clock, pool: String::new(), client: String::new() };
        core.pool = core.ok("CreateUserPool", json!({"PoolName": "p"}))["UserPool"]["Id"].as_str().unwrap().into();
        core.client = core.ok(
            "CreateUserPoolClient",
            json!({"UserPoolId": core.pool, "ClientName": "c",
                   "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        )["UserPoolClient"]["ClientId"]
            .as_str()
            .unwrap()
            .into();
        core.user("ann", PASSWORD);
        core
    }

    /// The same core, running the pool's triggers with `lambda`.
    pub fn with_lambda(self, lambda: Arc<dyn cognate_core::triggers::Lambda>) -> Self {
        let Core { pools, clock, pool, client } = self;
        Core { pools: pools.with_lambda(lambda), clock, pool, client }
    }

    /// A confirmed user with a permanent password.
    pub fn user(&self, name: &str, password: &str) {
        self.ok("AdminCreateUser", json!({"UserPoolId": self.pool, "Username": name, "MessageAction": "SUPPRESS"}));
        self.ok(
            "AdminSetUserPassword",
            json!({"UserPoolId": self.pool, "Username": name, "Password": password, "Permanent": true}),
        );
    }

    /// The answer to `op`, or its error as `{"__type", "message"}`: what a client would read.
    pub fn call(&self, op: &str, body: Value) -> Result<Value, Value> {
        let ctx = RequestContext { region: None, request_id: "test".into(), base_url: None, ..Default::default() };
        dispatch(&self.pools, &ctx, op, &body).map_err(|e| json!({"__type": e.type_name, "message": e.message}))
    }

    pub fn ok(&self, op: &str, body: Value) -> Value {
        self.call(op, body.clone()).unwrap_or_else(|e| panic!("{op} {body}: {e}"))
    }

    /// The message of the error `op` answers.
    pub fn refused(&self, op: &str, body: Value) -> String {
        match self.call(op, body.clone()) {
            Ok(answer) => panic!("{op} {body} answered {answer}"),
            Err(e) => e["message"].as_str().unwrap_or_default().to_string(),
        }
    }

    pub fn advance(&self, seconds: f64) {
        self.clock.advance((seconds * 1000.0) as i64);
    }

    /// USER_PASSWORD_AUTH for `username`.
    pub fn password_auth(&self, username: &str, password: &str) -> Result<Value, Value> {
        self.call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": self.client,
                   "AuthParameters": {"USERNAME": username, "PASSWORD": password}}),
        )
    }
}
