//! How a Lambda ARN in a pool's LambdaConfig is reached: a local command, or an HTTP endpoint
//! speaking the Lambda Invoke API (the Runtime Interface Emulator, `sam local start-lambda`,
//! serverless-offline, LocalStack).
//!
//! Routes are `NAME=TARGET`, where NAME is the function name (the ARN's `function:` part, or
//! the whole ARN) or `*` for every function, and TARGET is `command:<shell command>` or an
//! `http://` base URL. A command gets the event as JSON on stdin and answers it on stdout; a
//! non-zero exit, or an object with `errorMessage`, is a handler error, and its stderr goes to
//! cognate's log. An endpoint gets `POST <url>/2015-03-31/functions/<name>/invocations`.

use cognate_core::triggers::{Lambda, LambdaFailure};
use serde_json::Value;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Command(String),
    Http(String),
}

#[derive(Debug, Clone, Default)]
pub struct LambdaRouter {
    routes: Vec<(String, Target)>,
    timeout: Duration,
}

/// The function name an ARN names: `arn:aws:lambda:<region>:<account>:function:<name>[:alias]`.
fn function_name(arn: &str) -> &str {
    match arn.split_once(":function:") {
        Some((_, rest)) => rest.split(':').next().unwrap_or(rest),
        None => arn,
    }
}

impl LambdaRouter {
    pub fn new(timeout: Duration) -> Self {
        Self { routes: Vec::new(), timeout }
    }

    /// Adds `NAME=TARGET`.
    pub fn add(&mut self, spec: &str) -> Result<(), String> {
        let (name, target) =
            spec.split_once('=').ok_or_else(|| format!("a Lambda route is NAME=TARGET, not {spec:?}"))?;
        let target = if let Some(cmd) = target.strip_prefix("command:") {
            Target::Command(cmd.to_string())
        } else if target.starts_with("http://") || target.starts_with("https://") {
            Target::Http(target.trim_end_matches('/').to_string())
        } else {
            return Err(format!("a Lambda target is command:<command> or an http:// URL, not {target:?}"));
        };
        self.routes.push((name.to_string(), target));
        Ok(())
    }

    fn route(&self, arn: &str) -> Option<&Target> {
        let name = function_name(arn);
        self.routes
            .iter()
            .find(|(n, _)| n == arn || n == name)
            .or_else(|| self.routes.iter().find(|(n, _)| n == "*"))
            .map(|(_, t)| t)
    }

    fn run_command(&self, name: &str, cmd: &str, event: &Value) -> Result<Value, LambdaFailure> {
        let mut child = Command::new("sh")
            .args(["-c", cmd])
            .env("AWS_LAMBDA_FUNCTION_NAME", name)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| LambdaFailure::NotFound(format!("{name} ({e})")))?;
        let input = event.to_string();
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let mut stdout = child.stdout.take().expect("stdout is piped");
        let mut stderr = child.stderr.take().expect("stderr is piped");
        let out_reader = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stdout.read_to_string(&mut s);
            s
        });
        let err_reader = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stderr.read_to_string(&mut s);
            s
        });
        let deadline = Instant::now() + self.timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    tracing::warn!(function = name, "Lambda command timed out");
                    return Err(LambdaFailure::Timeout);
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(2)),
                Err(e) => return Err(LambdaFailure::Handler(e.to_string())),
            }
        };
        let _ = writer.join();
        let out = out_reader.join().unwrap_or_default();
        let err = err_reader.join().unwrap_or_default();
        for line in err.lines().filter(|l| !l.trim().is_empty()) {
            tracing::info!(function = name, "{line}");
        }
        let parsed: Option<Value> = serde_json::from_str(out.trim()).ok();
        if let Some(message) = parsed.as_ref().and_then(|v| v.get("errorMessage")).and_then(Value::as_str) {
            return Err(LambdaFailure::Handler(message.to_string()));
        }
        if !status.success() {
            let last = err.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("the handler failed");
            return Err(LambdaFailure::Handler(last.trim().to_string()));
        }
        match parsed {
            Some(v @ Value::Object(_)) => Ok(v),
            _ => Err(LambdaFailure::Unreadable),
        }
    }

    fn run_http(&self, name: &str, base: &str, event: &Value) -> Result<Value, LambdaFailure> {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(self.timeout))
            .build()
            .new_agent();
        let url = format!("{base}/2015-03-31/functions/{name}/invocations");
        let mut resp =
            match agent.post(&url).header("Content-Type", "application/json").send(event.to_string().as_bytes()) {
                Ok(r) => r,
                Err(ureq::Error::Timeout(_)) => return Err(LambdaFailure::Timeout),
                Err(e) => return Err(LambdaFailure::NotFound(format!("{name} at {url} ({e})"))),
            };
        let function_error = resp.headers().contains_key("x-amz-function-error");
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        let parsed: Option<Value> = serde_json::from_str(&text).ok();
        if status == 404 {
            return Err(LambdaFailure::NotFound(name.to_string()));
        }
        if function_error || parsed.as_ref().and_then(|v| v.get("errorMessage")).is_some() {
            let message =
                parsed.as_ref().and_then(|v| v.get("errorMessage")).and_then(Value::as_str).unwrap_or("Unhandled");
            return Err(LambdaFailure::Handler(message.to_string()));
        }
        match parsed {
            Some(v @ Value::Object(_)) if status == 200 => Ok(v),
            _ => Err(LambdaFailure::Unreadable),
        }
    }
}

impl Lambda for LambdaRouter {
    fn invoke(&self, function_arn: &str, event: &Value) -> Result<Value, LambdaFailure> {
        let name = function_name(function_arn);
        let result = crate::blocking(|| match self.route(function_arn) {
            None => Err(LambdaFailure::NotFound(function_arn.to_string())),
            Some(Target::Command(cmd)) => self.run_command(name, cmd, event),
            Some(Target::Http(base)) => self.run_http(name, base, event),
        });
        let source = event.get("triggerSource").and_then(Value::as_str).unwrap_or("-");
        match &result {
            Ok(_) => tracing::info!(function = name, source, "Lambda trigger ran"),
            Err(e) => tracing::warn!(function = name, source, "Lambda trigger failed: {e:?}"),
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_routes() {
        assert_eq!(function_name("arn:aws:lambda:us-east-1:123456789012:function:preSignUp"), "preSignUp");
        assert_eq!(function_name("arn:aws:lambda:us-east-1:123456789012:function:preSignUp:live"), "preSignUp");
        assert_eq!(function_name("plain"), "plain");
        let mut r = LambdaRouter::new(Duration::from_secs(1));
        r.add("preSignUp=command:python3 pre.py").unwrap();
        r.add("*=http://127.0.0.1:3001").unwrap();
        assert_eq!(
            r.route("arn:aws:lambda:us-east-1:1:function:preSignUp"),
            Some(&Target::Command("python3 pre.py".into()))
        );
        assert_eq!(
            r.route("arn:aws:lambda:us-east-1:1:function:other"),
            Some(&Target::Http("http://127.0.0.1:3001".into()))
        );
        assert!(r.add("nonsense").is_err());
        assert!(r.add("x=ftp://nope").is_err());
    }

    #[test]
    fn commands_answer_errors_and_time_out() {
        let mut r = LambdaRouter::new(Duration::from_millis(500));
        r.add("echo=command:cat").unwrap();
        r.add("fail=command:echo boom >&2; exit 3").unwrap();
        r.add("error=command:echo '{\"errorMessage\": \"nope\"}'").unwrap();
        r.add("garbage=command:echo not json").unwrap();
        r.add("slow=command:sleep 5").unwrap();
        let event = serde_json::json!({"response": {}});
        assert_eq!(r.invoke("echo", &event).unwrap(), event);
        assert_eq!(r.invoke("fail", &event), Err(LambdaFailure::Handler("boom".into())));
        assert_eq!(r.invoke("error", &event), Err(LambdaFailure::Handler("nope".into())));
        assert_eq!(r.invoke("garbage", &event), Err(LambdaFailure::Unreadable));
        assert_eq!(r.invoke("slow", &event), Err(LambdaFailure::Timeout));
        assert!(matches!(r.invoke("missing", &event), Err(LambdaFailure::NotFound(_))));
    }
}
