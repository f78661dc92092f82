//! The `cognate` binary.

use clap::{Parser, Subcommand};
use cognate_core::idp::{IssuerStyle, Settings};
use cognate_server::{ServeConfig, serve};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "cognate", version, about = "A local stand-in for AWS Cognito")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the Cognito APIs over HTTP.
    Serve(ServeArgs),
    /// Verify a Cognito JWT (from AWS or from cognate) and print its claims as JSON.
    Verify(VerifyArgs),
}

#[derive(clap::Args)]
struct VerifyArgs {
    /// The token.
    token: String,
    /// The user pool the token must come from.
    #[arg(long)]
    user_pool_id: String,
    /// The app client the token must be for (repeat for several).
    #[arg(long, required_unless_present = "any_client")]
    client_id: Vec<String>,
    /// Accept any app client of the pool.
    #[arg(long)]
    any_client: bool,
    /// `id`, `access` or `either`.
    #[arg(long, value_parser = ["id", "access", "either"])]
    token_use: String,
    /// The issuer, when not AWS's (`http://127.0.0.1:9229/<poolId>` for cognate).
    #[arg(long)]
    issuer: Option<String>,
    /// Where the JWKS is, when not `<issuer>/.well-known/jwks.json`.
    #[arg(long)]
    jwks_uri: Option<String>,
    /// Seconds of clock skew to allow.
    #[arg(long, default_value_t = 0)]
    grace: u64,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "COGNATE_HOST", default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "COGNATE_PORT", default_value_t = 9229)]
    port: u16,
    /// Where state is kept (an SQLite database inside it).
    #[arg(long, env = "COGNATE_DATA_DIR", default_value = ".cognate")]
    data_dir: PathBuf,
    /// Keep everything in memory; nothing survives a restart.
    #[arg(long, env = "COGNATE_EPHEMERAL")]
    ephemeral: bool,
    /// A TOML file of pools, clients, groups and users to create at start and after a reset.
    #[arg(long, env = "COGNATE_SEED")]
    seed: Option<PathBuf>,
    /// Region of requests that name none.
    #[arg(long, env = "COGNATE_REGION", default_value = "us-east-1")]
    region: String,
    /// Account id used in ARNs.
    #[arg(long, env = "COGNATE_ACCOUNT_ID", default_value = "000000000000")]
    account_id: String,
    /// The URL clients reach cognate at, for token issuers and discovery (default: from the
    /// Host header of each request).
    #[arg(long, env = "COGNATE_PUBLIC_URL")]
    public_url: Option<String>,
    /// The issuer tokens carry: `local` (<public URL>/<poolId>, discoverable) or `aws`
    /// (https://cognito-idp.<region>.amazonaws.com/<poolId>).
    #[arg(long, env = "COGNATE_ISSUER", default_value = "local", value_parser = ["local", "aws"])]
    issuer: String,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("COGNATE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_target(false)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Verify(args) => verify(args),
        Command::Serve(args) => {
            let config = ServeConfig {
                addr: SocketAddr::new(args.host, args.port),
                data_dir: (!args.ephemeral).then_some(args.data_dir),
                seed_file: args.seed,
                settings: Settings {
                    default_region: args.region,
                    account_id: args.account_id,
                    issuer: if args.issuer == "aws" { IssuerStyle::Aws } else { IssuerStyle::Local },
                },
                public_url: args.public_url,
            };
            let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("cognate: {e}");
                    return ExitCode::FAILURE;
                }
            };
            match runtime.block_on(serve(config)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("cognate: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// `cognate verify`: the claims as JSON on stdout, or the reason on stderr and exit code 1.
fn verify(args: VerifyArgs) -> ExitCode {
    use cognate_jwt::{TokenUse, Verifier};
    let token_use = match args.token_use.as_str() {
        "id" => TokenUse::Id,
        "access" => TokenUse::Access,
        _ => TokenUse::Either,
    };
    let mut builder =
        Verifier::builder(&args.user_pool_id).token_use(token_use).grace(std::time::Duration::from_secs(args.grace));
    builder = if args.any_client { builder.any_client() } else { builder.client_ids(args.client_id) };
    if let Some(issuer) = args.issuer {
        builder = builder.issuer(issuer);
    }
    if let Some(uri) = args.jwks_uri {
        builder = builder.jwks_uri(uri);
    }
    let result = builder.build().and_then(|verifier| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime starts");
        runtime.block_on(verifier.verify(args.token.trim()))
    });
    match result {
        Ok(claims) => {
            println!("{}", serde_json::to_string_pretty(&claims.raw).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cognate verify: {e}");
            ExitCode::FAILURE
        }
    }
}
