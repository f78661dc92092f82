//! Starts the real `cognate` binary on a free port and hands out clients for it: the AWS SDK
//! for Rust, and ureq for the protocol-level cases no SDK would send.

use aws_sdk_cognitoidentityprovider::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
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
                if !sent {
                    if let Some(rest) = line.split("listening on ").nth(1) {
                        let url = rest.split_whitespace().next().unwrap().to_string();
                        let _ = tx.send(url);
                        sent = true;
                    }
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
