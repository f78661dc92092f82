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
