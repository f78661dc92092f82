//! A provider's ID token, whose signature the server has checked: its issuer, audience and
//! expiry are core's to check, on cognate's clock (so `/_cognate/clock` moves it as it moves
//! every other expiry).

use crate::fixture::Core;
use cognate_proto::idp::IdentityProviderType;
use serde_json::{Map, Value, json};

fn provider() -> IdentityProviderType {
    IdentityProviderType {
        provider_details: Some(
            [("oidc_issuer", "https://idp.example"), ("client_id", "idp-client")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ),
        ..Default::default()
    }
}

fn claims(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

#[test]
fn a_providers_id_token_is_checked_on_cognates_clock() {
    let core = Core::new();
    let now = 1_800_000_000;
    let token = |exp: i64| claims(json!({"iss": "https://idp.example/", "aud": "idp-client", "exp": exp}));
    assert_eq!(core.pools.check_provider_id_token(&provider(), &token(now + 300)), Ok(()));
    core.advance(301.0);
    assert_eq!(core.pools.check_provider_id_token(&provider(), &token(now + 300)), Err("id_token has expired".into()));
    let other = claims(json!({"iss": "https://evil.example", "aud": "idp-client", "exp": now + 900}));
    assert_eq!(
        core.pools.check_provider_id_token(&provider(), &other),
        Err("Bad id_token issuer https://evil.example".into())
    );
    let wrong_audience = claims(json!({"iss": "https://idp.example", "aud": ["someone-else"], "exp": now + 900}));
    assert_eq!(core.pools.check_provider_id_token(&provider(), &wrong_audience), Err("Bad id_token audience".into()));
}
