//! A pool created while the key reserve is dry gets its keys at its first sign-in, and they
//! are made outside any transaction: two RSA keys take a quarter of a second, which the store's
//! lock (every other request's way in) must not wait for.

use crate::fixture::{Core, PASSWORD};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use cognate_core::env::KeySource;
use cognate_core::store::{Store, StoreResult, Tx};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The real store, noting when a transaction is open.
struct Watched {
    inner: cognate_store_sqlite::SqliteStore,
    open: Arc<AtomicBool>,
}

impl Store for Watched {
    fn run(&self, f: &mut dyn FnMut(&mut dyn Tx) -> StoreResult<()>) -> StoreResult<()> {
        self.inner.run(&mut |tx| {
            self.open.store(true, Ordering::SeqCst);
            let done = f(tx);
            self.open.store(false, Ordering::SeqCst);
            done
        })
    }
}

/// A reserve that never has a key ready, and counts the keys it makes inside a transaction.
struct DryReserve {
    open: Arc<AtomicBool>,
    made: AtomicUsize,
    made_in_a_transaction: AtomicUsize,
}

impl KeySource for DryReserve {
    fn rsa_2048_pkcs8(&self) -> Vec<u8> {
        self.made.fetch_add(1, Ordering::SeqCst);
        if self.open.load(Ordering::SeqCst) {
            self.made_in_a_transaction.fetch_add(1, Ordering::SeqCst);
        }
        KeyPair::generate(KeySize::Rsa2048).unwrap().as_der().unwrap().as_ref().to_vec()
    }
}

#[test]
fn a_first_sign_in_makes_its_pools_keys_outside_the_transaction() {
    let open = Arc::new(AtomicBool::new(false));
    let reserve = Arc::new(DryReserve { open: open.clone(), made: 0.into(), made_in_a_transaction: 0.into() });
    let store = Arc::new(Watched { inner: cognate_store_sqlite::SqliteStore::in_memory(), open });
    // Every pool here is made while the reserve is dry, and has no keys until it needs them.
    let core = Core::over(store, reserve.clone());
    let made_for_the_fixture = reserve.made.load(Ordering::SeqCst);
    let pool = core.ok("CreateUserPool", json!({"PoolName": "dry"}))["UserPool"]["Id"].as_str().unwrap().to_string();
    assert_eq!(
        reserve.made.load(Ordering::SeqCst),
        made_for_the_fixture,
        "a pool made while the reserve is dry waits for no key"
    );
    let client = core.ok(
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "c", "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string();
    core.ok("AdminCreateUser", json!({"UserPoolId": pool, "Username": "kim", "MessageAction": "SUPPRESS"}));
    core.ok(
        "AdminSetUserPassword",
        json!({"UserPoolId": pool, "Username": "kim", "Password": PASSWORD, "Permanent": true}),
    );
    let sign_in = || {
        core.ok(
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
                   "AuthParameters": {"USERNAME": "kim", "PASSWORD": PASSWORD}}),
        )["AuthenticationResult"]["AccessToken"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let first = sign_in();
    assert_eq!(
        reserve.made.load(Ordering::SeqCst),
        made_for_the_fixture + 2,
        "an ID token key and an access token key"
    );
    assert_eq!(reserve.made_in_a_transaction.load(Ordering::SeqCst), 0);
    let second = sign_in();
    assert_eq!(reserve.made.load(Ordering::SeqCst), made_for_the_fixture + 2, "made once, then kept");
    for token in [first, second] {
        assert_eq!(core.ok("GetUser", json!({"AccessToken": token}))["Username"], "kim");
    }
}
