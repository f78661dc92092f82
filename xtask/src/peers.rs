//! `cargo xtask bench --peers`: the same start-up, memory and InitiateAuth figures for moto's
//! server (PyPI `moto[server]`) and cognito-local (npm), installed into
//! `target/bench-peers/`.

use crate::bench::{
    agent as http_agent, fmt3 as fmt, idp as idp_call, load_counted, rss_kib as rss, spread as spread3,
};
use crate::wire;
use serde_json::json;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const MOTO: &str = "moto[server]==5.2.5";
const COGNITO_LOCAL: &str = "cognito-local@5.3.0";
/// cognito-local's pools take email addresses as usernames unless told otherwise.
const PEER_USER: &str = "bench@example.com";

struct Peer {
    name: &'static str,
    child: Child,
    url: String,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(19_229)
}

fn install(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let venv = dir.join("venv");
    if !venv.join("bin/moto_server").exists() {
        let ok = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().map_err(|e| e.to_string())?.success()
            && Command::new(venv.join("bin/pip"))
                .args(["install", "-q", MOTO])
                .status()
                .map_err(|e| e.to_string())?
                .success();
        if !ok {
            return Err("installing moto failed".into());
        }
    }
    let npm = dir.join("npm");
    if !npm.join("node_modules/cognito-local").exists() {
        std::fs::create_dir_all(&npm).map_err(|e| e.to_string())?;
        let ok = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--loglevel=error", COGNITO_LOCAL])
            .current_dir(&npm)
            .status()
            .map_err(|e| e.to_string())?
            .success();
        if !ok {
            return Err("installing cognito-local failed".into());
        }
    }
    Ok(())
}

fn start(dir: &Path, name: &'static str) -> Result<(Peer, Duration), String> {
    let port = free_port();
    let started = Instant::now();
    let child = match name {
        "moto" => Command::new(dir.join("venv/bin/moto_server"))
            .args(["-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn(),
        _ => {
            let work = dir.join(format!("cognito-local-{port}"));
            std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
            Command::new("node")
                .arg(dir.join("npm/node_modules/cognito-local/lib/bin/start.js"))
                .env("PORT", port.to_string())
                .current_dir(&work)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
        }
    }
    .map_err(|e| format!("starting {name}: {e}"))?;
    let peer = Peer { name, child, url: format!("http://127.0.0.1:{port}") };
    let agent = http_agent();
    while started.elapsed() < Duration::from_secs(60) {
        if idp_call(&agent, &peer.url, "ListUserPools", json!({"MaxResults": 1})).is_ok() {
            return Ok((peer, started.elapsed()));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    Err(format!("{name} did not answer within a minute"))
}

/// `cognate` is cognate's own InitiateAuth median from the same run, for the ratios.
pub fn run(root: &Path, secs: f64, cognate: Option<f64>, line: &mut dyn FnMut(String)) -> Result<(), String> {
    let dir = root.join("target/bench-peers");
    install(&dir)?;
    for name in ["moto", "cognito-local"] {
        let mut starts = Vec::new();
        let mut rss_mib = Vec::new();
        for _ in 0..3 {
            let (peer, took) = start(&dir, name)?;
            starts.push(took.as_secs_f64() * 1000.0);
            std::thread::sleep(Duration::from_millis(300));
            rss_mib.push(rss(peer.child.id()).unwrap_or(0) as f64 / 1024.0);
        }
        line(format!("| {name}: process start to first response | {} |", fmt(spread3(starts), "ms", 1)));
        line(format!("| {name}: idle RSS | {} |", fmt(spread3(rss_mib), "MiB", 1)));

        let (peer, _) = start(&dir, name)?;
        let a = http_agent();
        let pool = idp_call(&a, &peer.url, "CreateUserPool", json!({"PoolName": "bench"}))?["UserPool"]["Id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let client = idp_call(
            &a,
            &peer.url,
            "CreateUserPoolClient",
            json!({"UserPoolId": pool, "ClientName": "bench", "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        )?["UserPoolClient"]["ClientId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        idp_call(
            &a,
            &peer.url,
            "AdminCreateUser",
            json!({"UserPoolId": pool, "Username": PEER_USER, "TemporaryPassword": "Temp!pass1", "MessageAction": "SUPPRESS"}),
        )?;
        idp_call(
            &a,
            &peer.url,
            "AdminSetUserPassword",
            json!({"UserPoolId": pool, "Username": PEER_USER, "Password": "Bench!pass1", "Permanent": true}),
        )?;
        let mut rates = Vec::new();
        for _ in 0..3 {
            let body = json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client, "AuthParameters": {"USERNAME": PEER_USER, "PASSWORD": "Bench!pass1"}});
            let request = wire::request(&peer.url, "AWSCognitoIdentityProviderService.InitiateAuth", &body.to_string());
            let (rate, _, _, _) = load_counted(
                4,
                secs,
                || wire::Conn::open(&peer.url),
                |conn| {
                    let body = conn.send(&request)?;
                    wire::find(body, b"\"AccessToken\"")
                        .map(drop)
                        .ok_or_else(|| String::from_utf8_lossy(body).into_owned())
                },
            )?;
            rates.push(rate);
        }
        let peer_mid = spread3(rates.clone()).1;
        line(format!(
            "| {}: InitiateAuth USER_PASSWORD_AUTH, 4 connections | {} |",
            peer.name,
            fmt(spread3(rates), "/s", 0)
        ));
        if let Some(ours) = cognate {
            line(format!("| … cognate's InitiateAuth median in this run against it | {:.1}× |", ours / peer_mid));
        }
    }
    Ok(())
}
