//! GetClientToken: the client_credentials grant as an API operation ("GetClientToken provides
//! the same functionality as the OAuth2 client-credentials grant", AWS CLI reference), for an
//! app client with a secret whose only flow is ALLOW_CLIENT_TOKEN_AUTH. Its access token is
//! the token endpoint's ([`crate::idp::issue::machine_token`]), with the same version 3
//! PreTokenGeneration. Refusal texts are cognate's (UNCONFIRMED: docs/research/newest-operations.md §9).

use crate::idp::client_secrets::valid_secrets;
use crate::idp::clients::load_client;
use crate::idp::service::UserPools;
use cognate_proto::idp::*;
use cognate_proto::{ApiError, RequestContext};
use serde_json::json;

pub(crate) fn get_client_token(
    up: &UserPools,
    ctx: &RequestContext,
    input: GetClientTokenRequest,
) -> Result<GetClientTokenResponse, ApiError> {
    let token = up.tx(|tx| {
        let client = load_client(tx, &input.client_id)?;
        let id = &input.client_id;
        let secrets = valid_secrets(up, tx, &client)?;
        if secrets.is_empty() || !secrets.contains(&input.secret) {
            return Err(ApiError::not_authorized(format!("Unable to verify the secret of client {id}.")));
        }
        if !client.explicit_auth_flows.iter().flatten().any(|f| *f == ExplicitAuthFlowsType::AllowClientTokenAuth) {
            return Err(ApiError::not_authorized(format!("Client {id} is not allowed ALLOW_CLIENT_TOKEN_AUTH.")));
        }
        // The client's custom scopes: those of the pool's resource servers.
        let allowed: Vec<String> =
            client.allowed_oauth_scopes.iter().flatten().filter(|s| s.contains('/')).cloned().collect();
        let scopes = match &input.scopes {
            Some(asked) if !asked.is_empty() => asked.clone(),
            _ => allowed.clone(),
        };
        if let Some(bad) = scopes.iter().find(|s| !allowed.contains(s)) {
            return Err(ApiError::invalid_parameter(format!("Invalid scope requested: {bad}")));
        }
        if scopes.is_empty() {
            return Err(ApiError::invalid_parameter(format!("Client {id} is allowed no custom scopes.")));
        }
        crate::idp::issue::machine_token(up, ctx, tx, &client, &scopes)
    })?;
    let expires_in = token.expires_in;
    let metadata = json!(input.client_metadata.clone().unwrap_or_default());
    let access_token = token.finish(up, metadata)?;
    Ok(GetClientTokenResponse {
        client_authentication_result: Some(ClientAuthenticationResultType {
            access_token: Some(access_token),
            expires_in: Some(expires_in),
            token_type: Some("Bearer".into()),
        }),
    })
}
