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
    /// Print the event Cognito sends a Lambda trigger, for unit-testing handlers.
    Event(EventArgs),
}

#[derive(clap::Args)]
struct EventArgs {
    /// The trigger source, e.g. PreSignUp_SignUp or TokenGeneration_Authentication.
    trigger_source: String,
    #[arg(long, default_value = "us-east-1_EXAMPLE")]
    user_pool_id: String,
    #[arg(long, default_value = "testuser")]
    username: String,
    /// An attribute of the user, `name=value`. Repeatable.
    #[arg(long = "user-attribute")]
    user_attributes: Vec<String>,
    #[arg(long)]
    client_id: Option<String>,
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
    /// How a Lambda trigger is reached: `NAME=command:<shell command>` or `NAME=http://host:port`
    /// (the Lambda Invoke API); NAME is the function name, or `*` for all. Repeatable.
    #[arg(long = "lambda", env = "COGNATE_LAMBDA")]
    lambdas: Vec<String>,
    /// Seconds a trigger may take before Cognito gives up on it.
    #[arg(long, env = "COGNATE_LAMBDA_TIMEOUT", default_value_t = 5.0)]
    lambda_timeout: f64,
    /// Also serve HTTPS on this port (0 picks a free one), for clients that reach a pool's
    /// domain only over HTTPS (Amplify's signInWithRedirect and signOut).
    #[arg(long, env = "COGNATE_TLS_PORT")]
    tls_port: Option<u16>,
    /// The HTTPS certificate (chain) as PEM; without it cognate makes a self-signed one.
    #[arg(long, env = "COGNATE_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The certificate's private key as PEM.
    #[arg(long, env = "COGNATE_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
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
        Command::Event(args) => event(args),
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
                lambdas: args.lambdas,
                lambda_timeout: std::time::Duration::from_secs_f64(args.lambda_timeout.max(0.001)),
                tls: args.tls_port.map(|port| cognate_server::tls::TlsConfig {
                    addr: SocketAddr::new(args.host, port),
                    cert: args.tls_cert.clone(),
                    key: args.tls_key.clone(),
                }),
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

/// `cognate event`: the trigger event as cognate sends it, on stdout.
fn event(args: EventArgs) -> ExitCode {
    use cognate_core::triggers::{EventHeader, TRIGGER_SOURCES, event, sample_request};
    let mut attributes = serde_json::Map::new();
    for pair in &args.user_attributes {
        let Some((name, value)) = pair.split_once('=') else {
            eprintln!("cognate event: --user-attribute takes name=value, not {pair:?}");
            return ExitCode::FAILURE;
        };
        attributes.insert(name.to_string(), serde_json::Value::String(value.to_string()));
    }
    // Events about an existing user carry their status.
    let existing = !args.trigger_source.starts_with("PreSignUp") && !args.trigger_source.starts_with("UserMigration");
    if existing && !attributes.contains_key("cognito:user_status") {
        attributes.insert("cognito:user_status".into(), "CONFIRMED".into());
    }
    let Some(request) = sample_request(&args.trigger_source, serde_json::Value::Object(attributes)) else {
        eprintln!(
            "cognate event: unknown trigger source {:?}; one of: {}",
            args.trigger_source,
            TRIGGER_SOURCES.join(", ")
        );
        return ExitCode::FAILURE;
    };
    let header = EventHeader {
        trigger_source: &args.trigger_source,
        user_pool_id: &args.user_pool_id,
        user_name: &args.username,
        client_id: args.client_id.as_deref(),
    };
    println!("{}", serde_json::to_string_pretty(&event(&header, request)).unwrap_or_default());
    ExitCode::SUCCESS
}
