//! Starts the real `cognate` binary on a free port and hands out clients for it: the AWS SDK
//! for Rust, and ureq for the protocol-level cases no SDK would send. Below the server, the
//! SDK calls the tests share: pools, app clients, users, sign-up, sign-in and refresh.

use aws_sdk_cognitoidentityprovider::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::operation::admin_add_user_to_group::{
    AdminAddUserToGroupError, AdminAddUserToGroupOutput,
};
use aws_sdk_cognitoidentityprovider::operation::admin_initiate_auth::builders::AdminInitiateAuthFluentBuilder;
use aws_sdk_cognitoidentityprovider::operation::admin_set_user_password::{
    AdminSetUserPasswordError, AdminSetUserPasswordOutput,
};
use aws_sdk_cognitoidentityprovider::operation::confirm_sign_up::{ConfirmSignUpError, ConfirmSignUpOutput};
use aws_sdk_cognitoidentityprovider::operation::create_user_pool::builders::CreateUserPoolFluentBuilder;
use aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::builders::CreateUserPoolClientFluentBuilder;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::builders::InitiateAuthFluentBuilder;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::{InitiateAuthError, InitiateAuthOutput};
use aws_sdk_cognitoidentityprovider::operation::sign_up::SignUpOutput;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, AuthenticationResultType, ExplicitAuthFlowsType, MessageActionType,
    SchemaAttributeType, UserPoolClientType, UserPoolType,
};
use aws_sdk_cognitoidentityprovider::{Client, Config};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;

pub struct Cognate {
    child: Child,
    pub url: String,
}

impl Cognate {
    /// A server that keeps its state in memory.
    pub fn start() -> Self {
        Self::start_with(&["--ephemeral"])
    }

    /// A server keeping its state in `dir`.
    pub fn start_in(dir: &Path) -> Self {
        Self::start_with(&["--data-dir", dir.to_str().unwrap()])
    }

    pub fn start_with(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cognate"))
            .arg("serve")
            .args(["--port", "0"])
            .args(args)
            .env("COGNATE_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("cognate starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        // Keep draining the log so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if !sent && let Some(rest) = line.split("listening on ").nth(1) {
                    let url = rest.split_whitespace().next().unwrap().to_string();
                    let _ = tx.send(url);
                    sent = true;
                }
            }
        });
        let url = match rx.recv_timeout(std::time::Duration::from_secs(20)) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                panic!("cognate did not report its address (see stderr)");
            }
        };
        Self { child, url }
    }

    pub fn client(&self) -> Client {
        self.client_in("us-east-1")
    }

    pub fn client_in(&self, region: &str) -> Client {
        let config = Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(&self.url)
            .region(Region::new(region.to_string()))
            .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
            .build();
        Client::from_conf(config)
    }

    /// A raw POST, for requests an SDK would refuse to send.
    pub fn post(&self, target: Option<&str>, content_type: Option<&str>, body: &[u8]) -> Raw {
        let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
        let mut req = agent.post(&self.url);
        if let Some(t) = target {
            req = req.header("X-Amz-Target", t);
        }
        if let Some(c) = content_type {
            req = req.header("Content-Type", c);
        }
        let mut resp = req.send(body).expect("the server answers");
        let status = resp.status().as_u16();
        let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let (error_type, request_id) = (header("x-amzn-errortype"), header("x-amzn-requestid"));
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        Raw { status, error_type, request_id, body: serde_json::from_str(&text).unwrap_or(serde_json::Value::Null) }
    }

    /// Calls an operation with a JSON body the way an SDK would.
    pub fn call(&self, op: &str, body: serde_json::Value) -> Raw {
        self.post(
            Some(&format!("AWSCognitoIdentityProviderService.{op}")),
            Some("application/x-amz-json-1.1"),
            body.to_string().as_bytes(),
        )
    }

    pub fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
        let mut resp = agent.get(&format!("{}{path}", self.url)).call().expect("GET answers");
        (
            resp.status().as_u16(),
            serde_json::from_str(&resp.body_mut().read_to_string().unwrap_or_default())
                .unwrap_or(serde_json::Value::Null),
        )
    }

    pub fn post_path(&self, path: &str) -> (u16, serde_json::Value) {
        let mut resp = ureq::post(&format!("{}{path}", self.url)).send_empty().expect("POST answers");
        (
            resp.status().as_u16(),
            serde_json::from_str(&resp.body_mut().read_to_string().unwrap_or_default())
                .unwrap_or(serde_json::Value::Null),
        )
    }

    /// Moves the server's clock forward.
    pub fn advance_clock(&self, seconds: u64) {
        let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
        let resp = agent
            .post(&format!("{}/_cognate/clock", self.url))
            .header("Content-Type", "application/json")
            .send(format!(r#"{{"advanceSeconds": {seconds}}}"#).as_bytes())
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
    }

    /// Outbox messages, newest first, for a query string like `username=alice`.
    pub fn outbox(&self, query: &str) -> Vec<serde_json::Value> {
        let (status, body) = self.get(&format!("/_cognate/outbox?{query}"));
        assert_eq!(status, 200);
        body["messages"].as_array().cloned().unwrap_or_default()
    }

    /// The newest code sent to `username`.
    pub fn last_code(&self, username: &str) -> String {
        let messages = self.outbox(&format!("username={username}"));
        messages.first().and_then(|m| m["code"].as_str()).expect("a message with a code").to_string()
    }

    /// Stops the server the hard way: no shutdown handler runs.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Cognate {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
pub struct Raw {
    pub status: u16,
    pub error_type: Option<String>,
    pub request_id: Option<String>,
    pub body: serde_json::Value,
}

impl Raw {
    pub fn type_name(&self) -> &str {
        self.body["__type"].as_str().unwrap_or_default()
    }
    pub fn message(&self) -> &str {
        self.body["message"].as_str().unwrap_or_default()
    }
}

/// The error code and message an SDK call failed with.
pub fn failure<T: std::fmt::Debug, E: ProvideErrorMetadata + std::fmt::Debug, R: std::fmt::Debug>(
    result: Result<T, SdkError<E, R>>,
) -> (String, String) {
    let e = result.expect_err("the call fails");
    (e.code().unwrap_or_default().to_string(), e.message().unwrap_or_default().to_string())
}

/// A JWT's header and claims, undecoded signature aside.
pub fn jwt_parts(token: &str) -> (serde_json::Value, serde_json::Value) {
    use base64::Engine as _;
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT has three parts");
    let decode = |s: &str| -> serde_json::Value {
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).unwrap()).unwrap()
    };
    (decode(parts[0]), decode(parts[1]))
}

/// SECRET_HASH as the AWS docs define it: Base64(HMAC-SHA256(secret, username + client id)).
pub fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    use base64::Engine as _;
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{username}{client_id}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The password the shared users are given: it meets the default policy.
pub const PW: &str = "Corr3ct!horse";

/// One user attribute.
pub fn attr(name: &str, value: &str) -> AttributeType {
    AttributeType::builder().name(name).value(value).build().unwrap()
}

/// The value of the attribute `name`, if the list has it.
pub fn attr_value(attrs: &[AttributeType], name: &str) -> Option<String> {
    attrs.iter().find(|a| a.name() == name).and_then(|a| a.value()).map(str::to_string)
}

/// A pool named `name`, with what `configure` adds to the request; the pool as created.
pub async fn create_pool(
    client: &Client,
    name: impl Into<String>,
    configure: impl FnOnce(CreateUserPoolFluentBuilder) -> CreateUserPoolFluentBuilder,
) -> UserPoolType {
    configure(client.create_user_pool().pool_name(name)).send().await.unwrap().user_pool.unwrap()
}

/// A pool with the default settings; its id.
pub async fn pool(client: &Client, name: impl Into<String>) -> String {
    create_pool(client, name, |b| b).await.id.unwrap()
}

/// An app client named `name` in `pool_id`, with what `configure` adds to the request.
pub async fn create_client(
    client: &Client,
    pool_id: &str,
    name: &str,
    configure: impl FnOnce(CreateUserPoolClientFluentBuilder) -> CreateUserPoolClientFluentBuilder,
) -> UserPoolClientType {
    let builder = client.create_user_pool_client().user_pool_id(pool_id).client_name(name);
    configure(builder).send().await.unwrap().user_pool_client.unwrap()
}

/// A pool and an app client in it that signs in with passwords.
pub struct App {
    pub pool_id: String,
    pub client_id: String,
    pub secret: Option<String>,
}

/// A pool with an optional email, and a client allowing USER_PASSWORD_AUTH,
/// ADMIN_USER_PASSWORD_AUTH and refresh, with what `configure` adds to the client.
pub async fn app(
    client: &Client,
    configure: impl FnOnce(CreateUserPoolClientFluentBuilder) -> CreateUserPoolClientFluentBuilder,
) -> App {
    let pool_id =
        create_pool(client, "auth", |b| b.schema(SchemaAttributeType::builder().name("email").required(false).build()))
            .await
            .id
            .unwrap();
    let made = create_client(client, &pool_id, "app", |b| {
        configure(
            b.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
                .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
                .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth),
        )
    })
    .await;
    App { pool_id, client_id: made.client_id.unwrap(), secret: made.client_secret }
}

/// A second app, in a pool of its own, with the user "ivy" (password [`PW`]).
pub async fn app_for_other_pool(client: &Client) -> App {
    let other = app(client, |b| b).await;
    user(client, &other.pool_id, "ivy", PW).await;
    other
}

/// A confirmed user with a permanent password and a verified `{name}@example.com`.
pub async fn user(client: &Client, pool_id: &str, name: &str, password: &str) {
    client
        .admin_create_user()
        .user_pool_id(pool_id)
        .username(name)
        .message_action(MessageActionType::Suppress)
        .user_attributes(attr("email", &format!("{name}@example.com")))
        .user_attributes(attr("email_verified", "true"))
        .send()
        .await
        .unwrap();
    set_password(client, pool_id, name, password, true).await.unwrap();
}

/// AdminSetUserPassword: a permanent password, or a temporary one the user must change.
pub async fn set_password(
    client: &Client,
    pool_id: &str,
    name: &str,
    password: &str,
    permanent: bool,
) -> Result<AdminSetUserPasswordOutput, SdkError<AdminSetUserPasswordError>> {
    client
        .admin_set_user_password()
        .user_pool_id(pool_id)
        .username(name)
        .password(password)
        .permanent(permanent)
        .send()
        .await
}

/// AdminAddUserToGroup.
pub async fn add_to_group(
    client: &Client,
    pool_id: &str,
    name: &str,
    group: &str,
) -> Result<AdminAddUserToGroupOutput, SdkError<AdminAddUserToGroupError>> {
    client.admin_add_user_to_group().user_pool_id(pool_id).username(name).group_name(group).send().await
}

/// An InitiateAuth request for USER_PASSWORD_AUTH, ready for more parameters or `send`.
pub fn password_auth(client: &Client, client_id: &str, name: &str, password: &str) -> InitiateAuthFluentBuilder {
    client
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", name)
        .auth_parameters("PASSWORD", password)
}

/// An AdminInitiateAuth request for ADMIN_USER_PASSWORD_AUTH, ready for `send`.
pub fn admin_password_auth(
    client: &Client,
    pool_id: &str,
    client_id: &str,
    name: &str,
    password: &str,
) -> AdminInitiateAuthFluentBuilder {
    client
        .admin_initiate_auth()
        .user_pool_id(pool_id)
        .client_id(client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", name)
        .auth_parameters("PASSWORD", password)
}

/// A USER_PASSWORD_AUTH sign-in (with SECRET_HASH where the client has a secret): the tokens,
/// or the error code and message.
pub async fn sign_in(
    client: &Client,
    app: &App,
    name: &str,
    password: &str,
) -> Result<AuthenticationResultType, (String, String)> {
    let mut req = password_auth(client, &app.client_id, name, password);
    if let Some(secret) = &app.secret {
        req = req.auth_parameters("SECRET_HASH", secret_hash(secret, name, &app.client_id));
    }
    match req.send().await {
        Ok(out) => Ok(out.authentication_result.expect("tokens")),
        Err(e) => Err(failure::<(), _, _>(Err(e))),
    }
}

/// An InitiateAuth with REFRESH_TOKEN_AUTH.
pub async fn refresh(
    client: &Client,
    client_id: &str,
    token: impl Into<String>,
) -> Result<InitiateAuthOutput, SdkError<InitiateAuthError>> {
    client
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", token)
        .send()
        .await
}

/// SignUp with the email `{name}@example.com`.
pub async fn sign_up(client: &Client, app: &App, name: &str, password: &str) -> SignUpOutput {
    client
        .sign_up()
        .client_id(&app.client_id)
        .username(name)
        .password(password)
        .user_attributes(attr("email", &format!("{name}@example.com")))
        .send()
        .await
        .unwrap()
}

/// ConfirmSignUp with `code`.
pub async fn confirm_sign_up(
    client: &Client,
    app: &App,
    name: &str,
    code: &str,
) -> Result<ConfirmSignUpOutput, SdkError<ConfirmSignUpError>> {
    client.confirm_sign_up().client_id(&app.client_id).username(name).confirmation_code(code).send().await
}
