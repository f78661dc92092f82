//! STS, as far as identity pools need it: AssumeRoleWithWebIdentity (the basic flow's second
//! half) and GetCallerIdentity (who a credential cognate handed out acts as). STS speaks the
//! AWS Query protocol: a form body in, XML out, errors as `<ErrorResponse>`.

use crate::AppState;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cognate_core::env::RandomExt;
use cognate_core::identity::{AssumeRoleRequest, StsError};
use std::collections::BTreeMap;
use std::sync::Arc;

const XMLNS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// XML text, escaped.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}

fn xml(status: StatusCode, body: String, request_id: &str) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert("content-type", HeaderValue::from_static("text/xml"));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert("x-amzn-requestid", v);
    }
    response
}

fn error(e: &StsError, request_id: &str) -> Response {
    let body = format!(
        "<ErrorResponse xmlns=\"{XMLNS}\">\n  <Error>\n    <Type>Sender</Type>\n    <Code>{}</Code>\n    <Message>{}</Message>\n  </Error>\n  <RequestId>{request_id}</RequestId>\n</ErrorResponse>\n",
        e.code,
        esc(&e.message)
    );
    xml(StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST), body, request_id)
}

/// ISO 8601 in UTC without fractions, as STS writes `Expiration`.
fn iso8601(epoch: f64) -> String {
    let secs = epoch as i64;
    let (days, rem) = (secs.div_euclid(86400), secs.rem_euclid(86400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// The access key id of a SigV4-signed request (`Credential=<key>/<date>/...`).
fn access_key_of(headers: &HeaderMap) -> Option<String> {
    let auth = headers.get("authorization")?.to_str().ok()?;
    let credential = auth.split("Credential=").nth(1)?;
    Some(credential.split('/').next()?.to_string())
}

pub async fn handle(state: Arc<AppState>, headers: HeaderMap, body: &[u8]) -> Response {
    let request_id = state.rng.uuid_v4();
    let params: BTreeMap<String, String> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let action = params.get("Action").cloned().unwrap_or_default();
    tracing::info!(op = action.as_str(), "sts request");
    let identity = state.identity.clone();
    match action.as_str() {
        "AssumeRoleWithWebIdentity" => {
            let missing =
                ["RoleArn", "RoleSessionName", "WebIdentityToken"].into_iter().find(|k| !params.contains_key(*k));
            if let Some(k) = missing {
                let field = format!("{}{}", k[..1].to_lowercase(), &k[1..]);
                let e = StsError {
                    code: "ValidationError",
                    status: 400,
                    message: format!(
                        "1 validation error detected: Value null at '{field}' failed to satisfy constraint: Member must not be null"
                    ),
                };
                return error(&e, &request_id);
            }
            let req = AssumeRoleRequest {
                role_arn: params["RoleArn"].clone(),
                role_session_name: params["RoleSessionName"].clone(),
                web_identity_token: params["WebIdentityToken"].clone(),
                duration_seconds: params.get("DurationSeconds").cloned(),
            };
            match identity.assume_role_with_web_identity(&req) {
                Ok(a) => {
                    let c = &a.issued;
                    let body = format!(
                        "<AssumeRoleWithWebIdentityResponse xmlns=\"{XMLNS}\">\n  <AssumeRoleWithWebIdentityResult>\n    <Audience>{}</Audience>\n    <AssumedRoleUser>\n      <Arn>{}</Arn>\n      <AssumedRoleId>{}</AssumedRoleId>\n    </AssumedRoleUser>\n    <Provider>{}</Provider>\n    <Credentials>\n      <AccessKeyId>{}</AccessKeyId>\n      <SecretAccessKey>{}</SecretAccessKey>\n      <SessionToken>{}</SessionToken>\n      <Expiration>{}</Expiration>\n    </Credentials>\n    <SubjectFromWebIdentityToken>{}</SubjectFromWebIdentityToken>\n  </AssumeRoleWithWebIdentityResult>\n  <ResponseMetadata>\n    <RequestId>{request_id}</RequestId>\n  </ResponseMetadata>\n</AssumeRoleWithWebIdentityResponse>\n",
                        esc(&a.audience),
                        esc(&c.assumed_role_arn),
                        esc(&c.assumed_role_id),
                        esc(&a.provider),
                        esc(&c.access_key_id),
                        esc(&c.secret_access_key),
                        esc(&c.session_token),
                        iso8601(c.expiration),
                        esc(&a.subject),
                    );
                    xml(StatusCode::OK, body, &request_id)
                }
                Err(e) => error(&e, &request_id),
            }
        }
        "GetCallerIdentity" => {
            let account = identity.account_id().to_string();
            let found = access_key_of(&headers).and_then(|k| identity.credentials(&k).ok().flatten());
            let (arn, user_id) = match found {
                Some(c) => {
                    let session = c.assumed_role_arn.rsplit('/').next().unwrap_or_default().to_string();
                    (c.assumed_role_arn.clone(), identity.assumed_role_id(&c.role_arn, &session))
                }
                None => (format!("arn:aws:iam::{account}:root"), account.clone()),
            };
            let body = format!(
                "<GetCallerIdentityResponse xmlns=\"{XMLNS}\">\n  <GetCallerIdentityResult>\n    <Arn>{}</Arn>\n    <UserId>{}</UserId>\n    <Account>{account}</Account>\n  </GetCallerIdentityResult>\n  <ResponseMetadata>\n    <RequestId>{request_id}</RequestId>\n  </ResponseMetadata>\n</GetCallerIdentityResponse>\n",
                esc(&arn),
                esc(&user_id)
            );
            xml(StatusCode::OK, body, &request_id)
        }
        other => {
            let e = StsError {
                code: "InvalidAction",
                status: 400,
                message: format!("Could not find operation {other} for version 2011-06-15"),
            };
            error(&e, &request_id)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn expiration_is_iso8601_utc_without_fractions() {
        assert_eq!(super::iso8601(0.0), "1970-01-01T00:00:00Z");
        assert_eq!(super::iso8601(1_508_340_403.7), "2017-10-18T15:26:43Z");
        assert_eq!(super::iso8601(951_782_400.0), "2000-02-29T00:00:00Z");
    }
}
