//! `cargo xtask bench`: measures a release build of cognate (and, with `--peers`, moto's server
//! and cognito-local) and prints a Markdown report. Each figure is min / median / max over
//! repeated runs. The load generator is plain blocking HTTP on threads, sized so that it is not
//! the bottleneck for the operations measured; its own CPU use shares the machine, which the
//! report says.

use crate::wire;
use base64::Engine as _;
use cognate_core::password::{PasswordVerifier, srp};
use cognate_core::store::{Store, UserRecord};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub struct Options {
    pub peers: bool,
    pub full: bool,
    /// Only the machine's bounds and the two sign-in throughputs (for profiling rounds).
    pub throughput_only: bool,
    /// Only the sign-in load, for this many seconds, after printing the server's pid: for
    /// `perf record -p` or `callgrind_control`.
    pub profile_secs: Option<f64>,
    /// Only the peers' figures.
    pub peers_only: bool,
}

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn binary(root: &Path) -> PathBuf {
    root.join("target/release/cognate")
}

fn start(root: &Path, args: &[&str]) -> Result<(Server, Duration), String> {
    let started = Instant::now();
    let mut child = Command::new(binary(root))
        .args(["serve", "--port", "0"])
        .args(args)
        .env("NO_COLOR", "1")
        .env("COGNATE_LOG", "warn,cognate_server=info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting cognate: {e}"))?;
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        let line = lines.next().ok_or("cognate exited before listening")?.map_err(|e| e.to_string())?;
        if let Some(rest) = line.split("listening on ").nth(1) {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let agent = agent();
    loop {
        if agent.get(&format!("{url}/_cognate/health")).call().is_ok_and(|r| r.status() == 200) {
            break;
        }
    }
    Ok((Server { child, url }, started.elapsed()))
}

pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().new_agent()
}

fn call(agent: &ureq::Agent, url: &str, target: &str, body: &Value) -> Result<Value, String> {
    let mut resp = agent
        .post(url)
        .header("Content-Type", "application/x-amz-json-1.1")
        .header("X-Amz-Target", target)
        .send(body.to_string().as_bytes())
        .map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().map_err(|e| e.to_string())?;
    let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if status != 200 {
        return Err(format!("{target}: {status} {text}"));
    }
    Ok(value)
}

pub(crate) fn idp(agent: &ureq::Agent, url: &str, op: &str, body: Value) -> Result<Value, String> {
    call(agent, url, &format!("AWSCognitoIdentityProviderService.{op}"), &body)
}

pub(crate) fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()
}

/// CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat.
pub(crate) fn cpu_secs(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start at field 3; utime and stime
    // are fields 14 and 15, in USER_HZ (100 per second on Linux).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Waits until the server is idle: a fresh cognate spends its first second or two filling its
/// reserve of RSA keys on a background thread, which would otherwise share the cores with the
/// first load run.
fn settle(pid: u32) {
    let started = Instant::now();
    let mut last = cpu_secs(pid).unwrap_or(0.0);
    while started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(250));
        let now = cpu_secs(pid).unwrap_or(0.0);
        if now - last < 0.02 {
            return;
        }
        last = now;
    }
}

/// min / median / max of a few figures.
pub(crate) fn spread(mut xs: Vec<f64>) -> (f64, f64, f64) {
    xs.sort_by(|a, b| a.total_cmp(b));
    (xs[0], xs[xs.len() / 2], xs[xs.len() - 1])
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// One request of a load, made with a thread's own agent.
type Work = Arc<dyn Fn(&ureq::Agent) -> Result<(), String> + Send + Sync>;

/// Runs `work` on `threads` threads for `secs` seconds: (operations per second, p50 ms, p99 ms).
fn load(threads: usize, secs: f64, work: Work) -> Result<(f64, f64, f64), String> {
    load_counted(threads, secs, || Ok(agent()), |a| work(a)).map(|(rate, p50, p99, _)| (rate, p50, p99))
}

/// Runs `work` on `threads` threads for `secs` seconds, each with its own connection from
/// `connect`: (operations per second, p50 ms, p99 ms, operations done).
pub(crate) fn load_counted<C>(
    threads: usize,
    secs: f64,
    connect: impl Fn() -> Result<C, String> + Sync,
    work: impl Fn(&mut C) -> Result<(), String> + Sync,
) -> Result<(f64, f64, f64, usize), String> {
    let stop = AtomicBool::new(false);
    let started = Instant::now();
    let all = std::thread::scope(|s| -> Result<Vec<Duration>, String> {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (stop, work, connect) = (&stop, &work, &connect);
                s.spawn(move || -> Result<Vec<Duration>, String> {
                    let mut conn = connect()?;
                    let mut lat = Vec::with_capacity(1 << 16);
                    while !stop.load(Ordering::Relaxed) {
                        let t = Instant::now();
                        work(&mut conn)?;
                        lat.push(t.elapsed());
                    }
                    Ok(lat)
                })
            })
            .collect();
        std::thread::sleep(Duration::from_secs_f64(secs));
        stop.store(true, Ordering::Relaxed);
        let mut all = Vec::new();
        for h in handles {
            all.extend(h.join().map_err(|_| "a load thread panicked")??);
        }
        Ok(all)
    })?;
    let elapsed = started.elapsed().as_secs_f64();
    let mut all = all;
    all.sort();
    Ok((all.len() as f64 / elapsed, percentile(&all, 0.5), percentile(&all, 0.99), all.len()))
}

/// A pool, an app client allowing the password and SRP flows, and one user.
fn setup(agent: &ureq::Agent, url: &str) -> Result<(String, String), String> {
    let pool = idp(agent, url, "CreateUserPool", json!({"PoolName": "bench"}))?["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    let client = idp(
        agent,
        url,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "bench", "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )?["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string();
    idp(agent, url, "AdminCreateUser", json!({"UserPoolId": pool, "Username": "bench", "MessageAction": "SUPPRESS"}))?;
    idp(
        agent,
        url,
        "AdminSetUserPassword",
        json!({"UserPoolId": pool, "Username": "bench", "Password": "Bench!pass1", "Permanent": true}),
    )?;
    Ok((pool, client))
}

fn sign_in(agent: &ureq::Agent, url: &str, client: &str) -> Result<(), String> {
    idp(
        agent,
        url,
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client, "AuthParameters": {"USERNAME": "bench", "PASSWORD": "Bench!pass1"}}),
    )
    .map(drop)
}

/// InitiateAuth USER_PASSWORD_AUTH for the bench user, as bytes for [`wire::Conn::send`].
fn sign_in_request(url: &str, client: &str) -> Vec<u8> {
    let body = json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client, "AuthParameters": {"USERNAME": "bench", "PASSWORD": "Bench!pass1"}});
    wire::request(url, "AWSCognitoIdentityProviderService.InitiateAuth", &body.to_string())
}

/// One sign-in over `conn`: a 200 that carries tokens, or the reason it did not.
fn signed_in(conn: &mut wire::Conn, request: &[u8]) -> Result<(), String> {
    let body = conn.send(request)?;
    match wire::find(body, b"\"AccessToken\"") {
        Some(_) => Ok(()),
        None => Err(format!("no tokens in {}", String::from_utf8_lossy(body))),
    }
}

/// A full SRP sign-in, both steps, with the client's maths done as a real client does.
fn srp_sign_in(
    conn: &mut wire::Conn,
    url: &str,
    pool: &str,
    client: &str,
    a: &[u8],
    a_pub: &[u8],
    a_hex: &str,
) -> Result<(), String> {
    let start = json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": client, "AuthParameters": {"USERNAME": "bench", "SRP_A": a_hex}});
    let challenge: Value = serde_json::from_slice(conn.send(&wire::request(
        url,
        "AWSCognitoIdentityProviderService.InitiateAuth",
        &start.to_string(),
    ))?)
    .map_err(|e| e.to_string())?;
    let p = &challenge["ChallengeParameters"];
    let b_pub = srp::decode_hex(p["SRP_B"].as_str().unwrap());
    let pool_name = pool.split_once('_').unwrap().1;
    let salt = p["SALT"].as_str().unwrap();
    let key = srp::client::session_key_with_a(a, a_pub, &b_pub, salt, pool_name, "bench", "Bench!pass1");
    let block_b64 = p["SECRET_BLOCK"].as_str().unwrap();
    let block = base64::engine::general_purpose::STANDARD.decode(block_b64).unwrap();
    let ts = "Thu Nov 26 12:00:00 UTC 2026";
    let sig = srp::claim_signature(&key, pool_name, "bench", &block, ts);
    let answer = json!({"ChallengeName": "PASSWORD_VERIFIER", "ClientId": client, "ChallengeResponses": {
        "USERNAME": "bench", "PASSWORD_CLAIM_SECRET_BLOCK": block_b64, "TIMESTAMP": ts,
        "PASSWORD_CLAIM_SIGNATURE": base64::engine::general_purpose::STANDARD.encode(sig)}});
    let body = conn.send(&wire::request(
        url,
        "AWSCognitoIdentityProviderService.RespondToAuthChallenge",
        &answer.to_string(),
    ))?;
    match wire::find(body, b"\"AccessToken\"") {
        Some(_) => Ok(()),
        None => Err(format!("no tokens in {}", String::from_utf8_lossy(body))),
    }
}

fn rsa_signs_per_sec() -> f64 {
    use aws_lc_rs::rsa::{KeyPair, KeySize};
    use aws_lc_rs::signature::RSA_PKCS1_SHA256;
    let pair = KeyPair::generate(KeySize::Rsa2048).unwrap();
    let mut sig = vec![0u8; pair.public_modulus_len()];
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let started = Instant::now();
    let mut n = 0;
    while started.elapsed() < Duration::from_secs(2) {
        pair.sign(&RSA_PKCS1_SHA256, &rng, b"bench", &mut sig).unwrap();
        n += 1;
    }
    n as f64 / started.elapsed().as_secs_f64()
}

fn modexps_per_sec() -> f64 {
    let started = Instant::now();
    let mut n = 0;
    while started.elapsed() < Duration::from_secs(2) {
        std::hint::black_box(srp::g_pow(&[0x5a; 32]));
        n += 1;
    }
    n as f64 / started.elapsed().as_secs_f64()
}

pub(crate) fn fmt3((a, b, c): (f64, f64, f64), unit: &str, digits: usize) -> String {
    format!("{a:.digits$} / {b:.digits$} / {c:.digits$} {unit}")
}

/// Fills the pool `pool` of the store in `dir` with `n` users `user0`.. (plus `bench`, which the
/// setup made), straight through the store: making a million users through the API would
/// measure AdminCreateUser, not lookups.
fn bulk_users(dir: &Path, pool: &str, n: usize) -> Result<(), String> {
    let store = cognate_store_sqlite::SqliteStore::open(dir)?;
    let store: &dyn Store = &store;
    let verifier = PasswordVerifier { salt: "00".into(), verifier: "01".into() };
    let batch = 20_000;
    for start in (0..n).step_by(batch) {
        store
            .tx(|tx| {
                for i in start..(start + batch).min(n) {
                    let username = format!("user{i}");
                    let sub = format!("00000000-0000-4000-8000-{i:012}");
                    let user = UserRecord {
                        key: username.clone(),
                        username,
                        sub: sub.clone(),
                        attributes: vec![
                            cognate_proto::idp::AttributeType { name: "sub".into(), value: Some(sub) },
                            cognate_proto::idp::AttributeType {
                                name: "email".into(),
                                value: Some(format!("user{i}@example.com")),
                            },
                        ],
                        enabled: true,
                        status: cognate_proto::idp::UserStatusType::Confirmed,
                        password: Some(verifier.clone()),
                        ..Default::default()
                    };
                    tx.put_user(pool, &user)?;
                }
                Ok(())
            })
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn timed(n: usize, mut f: impl FnMut(usize) -> Result<(), String>) -> Result<(f64, f64, f64), String> {
    let mut lat = Vec::new();
    for i in 0..n {
        let t = Instant::now();
        f(i)?;
        lat.push(t.elapsed());
    }
    lat.sort();
    Ok((percentile(&lat, 0.0), percentile(&lat, 0.5), percentile(&lat, 0.99)))
}

pub fn run(root: &Path, opts: Options) -> Result<(), String> {
    let status = Command::new("cargo")
        .args(["build", "--release", "--locked", "-p", "cognate"])
        .current_dir(root)
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("the release build failed".into());
    }
    let mut out = String::new();
    let mut line = |s: String| {
        println!("{s}");
        out.push_str(&s);
        out.push('\n');
    };
    let secs = if opts.full { 10.0 } else { 3.0 };
    line("| measurement | figure (min / median / max of 3) |\n|---|---|".to_string());

    if opts.peers_only {
        crate::peers::run(root, secs, None, &mut line)?;
        return Ok(());
    }
    if let Some(secs) = opts.profile_secs {
        let dir = tempdir()?;
        let (server, _) = start(root, &["--data-dir", dir.to_str().unwrap()])?;
        let (_, client) = setup(&agent(), &server.url)?;
        settle(server.child.id());
        let request = sign_in_request(&server.url, &client);
        let pid = server.child.id();
        eprintln!("server pid {pid}; sign-in load for {secs} s");
        let before = cpu_secs(pid).unwrap_or(0.0);
        let (rate, p50, p99, n) = load_counted(4, secs, || wire::Conn::open(&server.url), |c| signed_in(c, &request))?;
        let cpu_ms = (cpu_secs(pid).unwrap_or(0.0) - before) * 1000.0 / n as f64;
        line(format!(
            "| InitiateAuth USER_PASSWORD_AUTH, 4 connections | {rate:.0} /s, p50 {p50:.2} ms, p99 {p99:.2} ms, server CPU {cpu_ms:.3} ms per sign-in |"
        ));
        drop(server);
        let _ = std::fs::remove_dir_all(&dir);
        return Ok(());
    }

    // Start-up and idle memory.
    let mut starts = Vec::new();
    let mut rss = Vec::new();
    for _ in 0..if opts.throughput_only { 0 } else { 3 } {
        let (server, took) = start(root, &["--ephemeral"])?;
        starts.push(took.as_secs_f64() * 1000.0);
        std::thread::sleep(Duration::from_millis(300));
        rss.push(rss_kib(server.child.id()).unwrap_or(0) as f64 / 1024.0);
    }
    if !opts.throughput_only {
        line(format!("| process start to first response | {} |", fmt3(spread(starts), "ms", 1)));
        line(format!("| idle RSS | {} |", fmt3(spread(rss), "MiB", 1)));
    }

    // Machine bounds.
    let rsa: Vec<f64> = (0..3).map(|_| rsa_signs_per_sec()).collect();
    let modexp: Vec<f64> = (0..3).map(|_| modexps_per_sec()).collect();
    let (rsa_mid, modexp_mid) = (spread(rsa.clone()).1, spread(modexp.clone()).1);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as f64;
    line(format!("| RSA-2048 signs per core (aws-lc-rs) | {} |", fmt3(spread(rsa), "/s", 0)));
    line(format!("| 3072-bit modexp, 256-bit exponent, per core | {} |", fmt3(spread(modexp), "/s", 0)));

    let dir = tempdir()?;
    let (server, _) = start(root, &["--data-dir", dir.to_str().unwrap()])?;
    let url = server.url.clone();
    let a0 = agent();
    let (pool, client) = setup(&a0, &url)?;
    settle(server.child.id());

    // Sign-ins: two RS256 signatures each bound them, across all cores. The server's own CPU
    // time per sign-in says how close it comes to that bound whatever the load generator costs.
    let pid = server.child.id();
    let mut rates = Vec::new();
    let mut p50s = Vec::new();
    let mut p99s = Vec::new();
    let mut cpu_ms = Vec::new();
    for _ in 0..3 {
        let request = sign_in_request(&url, &client);
        let before = cpu_secs(pid).unwrap_or(0.0);
        let (rate, p50, p99, n) = load_counted(4, secs, || wire::Conn::open(&url), |c| signed_in(c, &request))?;
        cpu_ms.push((cpu_secs(pid).unwrap_or(0.0) - before) * 1000.0 / n as f64);
        rates.push(rate);
        p50s.push(p50);
        p99s.push(p99);
    }
    let bound = rsa_mid * cores / 2.0;
    let mid = spread(rates.clone()).1;
    line(format!("| InitiateAuth USER_PASSWORD_AUTH, 4 connections | {} |", fmt3(spread(rates), "/s", 0)));
    line(format!("| … p50 / p99 latency (medians) | {:.2} ms / {:.2} ms |", spread(p50s).1, spread(p99s).1));
    line(format!(
        "| … share of the RSA bound ({bound:.0}/s: {cores} cores × signs/s ÷ 2) | {:.0}% |",
        100.0 * mid / bound
    ));
    let cpu_mid = spread(cpu_ms.clone()).1;
    line(format!("| … server CPU per sign-in | {} |", fmt3(spread(cpu_ms), "ms", 3)));
    line(format!(
        "| … its two RS256 signatures' share of that CPU ({:.3} ms of signing) | {:.0}% |",
        2000.0 / rsa_mid,
        100.0 * (2000.0 / rsa_mid) / cpu_mid
    ));

    // SRP: three server-side exponentiations per sign-in (the client does its own on this
    // machine too).
    let a = [0x42u8; 32];
    let a_pub = srp::g_pow(&a);
    let a_hex: String = a_pub.iter().map(|b| format!("{b:02x}")).collect();
    let mut srp_rates = Vec::new();
    let mut srp_cpu = Vec::new();
    for _ in 0..3 {
        let before = cpu_secs(pid).unwrap_or(0.0);
        let (rate, _, _, n) = load_counted(
            4,
            secs,
            || wire::Conn::open(&url),
            |conn| srp_sign_in(conn, &url, &pool, &client, &a, &a_pub, &a_hex),
        )?;
        srp_cpu.push((cpu_secs(pid).unwrap_or(0.0) - before) * 1000.0 / n as f64);
        srp_rates.push(rate);
    }
    // Per sign-in the server's irreducible work is three modexps and two RS256 signatures.
    let srp_unit_ms = 3000.0 / modexp_mid + 2000.0 / rsa_mid;
    let srp_bound = cores * 1000.0 / srp_unit_ms;
    let srp_mid = spread(srp_rates.clone()).1;
    line(format!("| USER_SRP_AUTH sign-in, both steps, 4 connections | {} |", fmt3(spread(srp_rates), "/s", 0)));
    line(format!(
        "| … share of the bound ({srp_bound:.0}/s: {cores} cores ÷ (3 modexps + 2 signatures); the client's maths shares the cores) | {:.0}% |",
        100.0 * srp_mid / srp_bound
    ));
    let srp_cpu_mid = spread(srp_cpu.clone()).1;
    line(format!("| … server CPU per SRP sign-in | {} |", fmt3(spread(srp_cpu), "ms", 3)));
    line(format!(
        "| … its three modexps' and two signatures' share of that CPU ({srp_unit_ms:.3} ms) | {:.0}% |",
        100.0 * srp_unit_ms / srp_cpu_mid
    ));
    if opts.throughput_only {
        drop(server);
        let _ = std::fs::remove_dir_all(&dir);
        return Ok(());
    }

    // AdminCreateUser and CreateUserPool.
    let mut creates = Vec::new();
    for round in 0..3 {
        let (u, p) = (url.clone(), pool.clone());
        let counter = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (rate, _, _) = load(
            4,
            secs,
            Arc::new(move |ag| {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                idp(
                    ag,
                    &u,
                    "AdminCreateUser",
                    json!({"UserPoolId": p, "Username": format!("made{round}x{n}"), "MessageAction": "SUPPRESS"}),
                )
                .map(drop)
            }),
        )?;
        creates.push(rate);
    }
    line(format!("| AdminCreateUser, 4 connections | {} |", fmt3(spread(creates), "/s", 0)));
    let mut paced_lat = Vec::new();
    for i in 0..20 {
        std::thread::sleep(Duration::from_millis(300));
        let t = Instant::now();
        idp(&a0, &url, "CreateUserPool", json!({"PoolName": format!("paced{i}")}))?;
        paced_lat.push(t.elapsed());
    }
    paced_lat.sort();
    let paced = (percentile(&paced_lat, 0.0), percentile(&paced_lat, 0.5), percentile(&paced_lat, 0.99));
    line(format!("| CreateUserPool, one every 300 ms (min / p50 / p99) | {} |", fmt3(paced, "ms", 2)));
    let burst = timed(20, |i| idp(&a0, &url, "CreateUserPool", json!({"PoolName": format!("burst{i}")})).map(drop))?;
    line(format!("| CreateUserPool, 20 back to back (min / p50 / p99) | {} |", fmt3(burst, "ms", 2)));

    // Memory as sign-ins accumulate (state is on disk; the process should stay flat).
    let target = if opts.full { 1_000_000 } else { 100_000 };
    let mut done = 0usize;
    for checkpoint in [10_000usize, target] {
        let need = checkpoint - done;
        let request = sign_in_request(&url, &client);
        let counter = std::sync::atomic::AtomicUsize::new(0);
        let threads = 4;
        std::thread::scope(|s| -> Result<(), String> {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    let (request, counter, url) = (&request, &counter, &url);
                    s.spawn(move || -> Result<(), String> {
                        let mut conn = wire::Conn::open(url)?;
                        while counter.fetch_add(1, Ordering::Relaxed) < need {
                            signed_in(&mut conn, request)?;
                        }
                        Ok(())
                    })
                })
                .collect();
            for h in handles {
                h.join().map_err(|_| "a sign-in thread panicked")??;
            }
            Ok(())
        })?;
        done = checkpoint;
        line(format!(
            "| RSS after {checkpoint} sign-ins (on-disk state) | {:.1} MiB |",
            rss_kib(pid).unwrap_or(0) as f64 / 1024.0
        ));
    }
    drop(server);

    // Cost against pool size.
    let sizes: &[usize] = if opts.full { &[1_000, 100_000, 1_000_000] } else { &[1_000, 100_000] };
    for &n in sizes {
        let dir = tempdir()?;
        let (server, _) = start(root, &["--data-dir", dir.to_str().unwrap()])?;
        let (pool, client) = setup(&a0, &server.url)?;
        drop(server);
        let loaded = Instant::now();
        bulk_users(&dir, &pool, n)?;
        let load_secs = loaded.elapsed().as_secs_f64();
        let (server, _) = start(root, &["--data-dir", dir.to_str().unwrap()])?;
        settle(server.child.id());
        let u = server.url.clone();
        let get = timed(300, |i| {
            idp(&a0, &u, "AdminGetUser", json!({"UserPoolId": pool, "Username": format!("user{}", (i * 7919) % n)}))
                .map(drop)
        })?;
        let auth = timed(300, |_| sign_in(&a0, &u, &client))?;
        let list = timed(300, |i| {
            idp(
                &a0,
                &u,
                "ListUsers",
                json!({"UserPoolId": pool, "Filter": format!("email ^= \"user{}\"", (i * 7919) % n), "Limit": 10}),
            )
            .map(drop)
        })?;
        line(format!("| {n} users: AdminGetUser (min / p50 / p99) | {} |", fmt3(get, "ms", 2)));
        line(format!("| {n} users: InitiateAuth (min / p50 / p99) | {} |", fmt3(auth, "ms", 2)));
        line(format!("| {n} users: ListUsers `email ^=` (min / p50 / p99) | {} |", fmt3(list, "ms", 2)));
        line(format!("| {n} users: bulk load straight into the store | {load_secs:.1} s |"));
        drop(server);
        let _ = std::fs::remove_dir_all(&dir);
    }
    let _ = std::fs::remove_dir_all(&dir);

    if opts.peers {
        crate::peers::run(root, secs, Some(mid), &mut line)?;
    }
    let report = root.join("target/bench-report.md");
    std::fs::write(&report, out).map_err(|e| e.to_string())?;
    eprintln!("report written to {}", report.display());
    Ok(())
}

fn tempdir() -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!(
        "cognate-bench-{}-{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos()
    ));
    let dir = dir.with_extension(format!("{}", rand_suffix()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    Ok(dir)
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0)
}
