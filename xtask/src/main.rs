//! Development tasks. `cargo xtask bench [--peers] [--full] [--throughput] [--profile SECS] [--peers-only]` measures cognate (see
//! docs/BENCHMARKS.md). `cargo xtask codegen` regenerates `crates/proto/src/gen/` from the
//! botocore service models committed under `model/` (the version is in
//! `model/BOTOCORE_VERSION`; `cargo xtask update-model VERSION` fetches another one with pip).

mod bench;
mod codegen;
mod peers;
mod wire;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen::run(&root, args.iter().any(|a| a == "--check")),
        // Measured from a debug build, the load generator's own maths would be the bottleneck.
        Some("bench") if cfg!(debug_assertions) => {
            let status = Command::new("cargo")
                .args(["run", "--release", "--quiet", "--package", "xtask", "--"])
                .args(&args)
                .status()
                .map_err(|e| e.to_string());
            match status {
                Ok(s) if s.success() => Ok(()),
                Ok(_) => Err("the benchmark failed".into()),
                Err(e) => Err(e),
            }
        }
        Some("bench") => bench::run(
            &root,
            bench::Options {
                peers: args.iter().any(|a| a == "--peers" || a == "--peers-only"),
                peers_only: args.iter().any(|a| a == "--peers-only"),
                full: args.iter().any(|a| a == "--full"),
                throughput_only: args.iter().any(|a| a == "--throughput"),
                profile_secs: args
                    .iter()
                    .position(|a| a == "--profile")
                    .map(|i| args.get(i + 1).and_then(|s| s.parse().ok()).unwrap_or(20.0)),
            },
        ),
        Some("update-model") => match args.get(1) {
            Some(version) => update_model(&root, version),
            None => Err("usage: cargo xtask update-model BOTOCORE_VERSION".into()),
        },
        _ => Err(
            "usage: cargo xtask <codegen [--check] | bench [--peers] [--full] [--throughput] [--profile SECS] [--peers-only] | update-model VERSION>"
                .into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Downloads botocore from PyPI with pip and copies the two Cognito models into `model/`.
fn update_model(root: &Path, version: &str) -> Result<(), String> {
    let tmp = std::env::temp_dir().join(format!("cognate-botocore-{version}"));
    let status = Command::new("python3")
        .args(["-m", "pip", "download", "--no-deps", "-q", "-d"])
        .arg(&tmp)
        .arg(format!("botocore=={version}"))
        .status()
        .map_err(|e| format!("running pip: {e}"))?;
    if !status.success() {
        return Err("pip download failed".into());
    }
    let wheel = std::fs::read_dir(&tmp)
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .ok_or("no wheel downloaded")?;
    for (inner, out) in [
        ("botocore/data/cognito-idp/2016-04-18/service-2.json.gz", "cognito-idp.service-2.json.gz"),
        ("botocore/data/cognito-identity/2014-06-30/service-2.json.gz", "cognito-identity.service-2.json.gz"),
    ] {
        let status = Command::new("unzip")
            .args(["-o", "-j", "-q"])
            .arg(&wheel)
            .arg(inner)
            .arg("-d")
            .arg(&tmp)
            .status()
            .map_err(|e| format!("running unzip: {e}"))?;
        if !status.success() {
            return Err(format!("unzip {inner} failed"));
        }
        std::fs::copy(tmp.join("service-2.json.gz"), root.join("model").join(out)).map_err(|e| e.to_string())?;
    }
    std::fs::write(root.join("model/BOTOCORE_VERSION"), format!("botocore=={version}\n")).map_err(|e| e.to_string())?;
    codegen::run(root, false)
}
