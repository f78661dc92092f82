//! cognate's HTTP face.
//!
//! [`app`] builds the axum router: `POST /` speaks the AWS JSON protocol for both Cognito
//! services ([`aws_json`]), `/_cognate/*` (and moto's `/moto-api/reset`) are the test
//! endpoints ([`testing`]). [`serve`] binds it and applies the seed file ([`seed`]).
//! The protocol, JSON and HTTP live here and nowhere deeper: `cognate-core` sees typed
//! requests and answers typed responses or an [`cognate_proto::ApiError`].

#![forbid(unsafe_code)]

mod aws_json;
mod form;
mod import;
pub mod lambda;
mod metadata;
mod oauth;
mod pages;
pub mod seed;
mod sts;
pub mod system;
mod testing;
pub mod tls;
mod wellknown;

use axum::Router;
use axum::routing::{get, post};
use cognate_core::env::{KeySource, Random};
use cognate_core::identity::IdentityPools;
use cognate_core::idp::{Settings, UserPools};
use cognate_core::store::Store;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::cors::{AllowHeaders, Any, CorsLayer};

/// Runs `f`, which waits on something outside cognate (a Lambda handler, a key being made),
/// after handing the rest of this I/O thread's work to another thread. Operations run on the
/// I/O threads themselves (see `aws_json`), and a handler may call cognate back while it is
/// waited on: so no waiting may hold an I/O thread. Off the multi-threaded runtime (tests,
/// the seed file, a blocking thread) it just runs `f`.
pub fn blocking<R>(f: impl FnOnce() -> R) -> R {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => f(),
    }
}

/// Everything a request handler can reach.
pub struct AppState {
    pub idp: Arc<UserPools>,
    pub identity: Arc<IdentityPools>,
    pub store: Arc<dyn Store>,
    pub rng: Arc<dyn Random>,
    /// The clock every operation reads; tests may move it forward.
    pub clock: Arc<system::SystemClock>,
    /// Re-applied after every reset.
    pub seed: Option<seed::Seed>,
    /// The URL clients use to reach cognate, when it differs from what they send as Host.
    pub public_url: Option<String>,
    /// The address cognate listens on, as its start-up line prints it: cognate's own address
    /// for requests that reach it by a pool's domain (whose Host says nothing of it).
    pub listen_url: std::sync::OnceLock<String>,
}

impl AppState {
    /// The state of a server over `store`, with the real clock, randomness and key reserve.
    pub fn new(
        store: Arc<dyn Store>,
        settings: Settings,
        seed: Option<seed::Seed>,
        public_url: Option<String>,
        lambda: Arc<dyn cognate_core::triggers::Lambda>,
    ) -> Self {
        let clock = Arc::new(system::SystemClock::default());
        let rng: Arc<dyn Random> = Arc::new(system::ThreadRandom);
        let keys: Arc<dyn KeySource> = Arc::new(system::KeyReserve::new(8));
        let idp = Arc::new(
            UserPools::new(store.clone(), clock.clone(), rng.clone(), keys, settings)
                .with_lambda(lambda)
                .with_metadata_fetcher(Arc::new(metadata::HttpMetadata)),
        );
        let identity = Arc::new(IdentityPools::new(idp.clone(), Arc::new(oauth::ProviderJwks)));
        Self { idp, identity, store, rng, clock, seed, public_url, listen_url: Default::default() }
    }

    /// Where the client reached cognate: the configured public URL, else the Host it used.
    pub fn base_url(&self, headers: &axum::http::HeaderMap) -> Option<String> {
        if let Some(url) = &self.public_url {
            return Some(url.trim_end_matches('/').to_string());
        }
        let host = headers.get("host").and_then(|h| h.to_str().ok())?;
        Some(format!("{}://{host}", scheme(headers)))
    }
}

/// `https` for a request that came over TLS (cognate's own HTTPS port marks them, as a proxy
/// in front of it would), else `http`.
pub fn scheme(headers: &axum::http::HeaderMap) -> &'static str {
    match headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()) {
        Some(p) if p.eq_ignore_ascii_case("https") => "https",
        _ => "http",
    }
}

/// The router, without a socket: tests drive it directly.
pub fn app(state: Arc<AppState>) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods(Any)
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([
            "x-amzn-requestid".parse().unwrap(),
            "x-amzn-errortype".parse().unwrap(),
            "x-amzn-errormessage".parse().unwrap(),
            "date".parse().unwrap(),
        ])
        .max_age(std::time::Duration::from_secs(600));
    // The pool's pages and OAuth endpoints, on cognate's own address or a domain's host, and
    // again under `/domain/<domain>` for clients that cannot set a Host.
    let hosted = Router::new()
        .route("/oauth2/authorize", get(oauth::authorize))
        .route("/oauth2/idpresponse", get(oauth::idp_response))
        .route("/oauth2/token", post(oauth::token))
        .route("/oauth2/userInfo", get(oauth::user_info).post(oauth::user_info))
        .route("/oauth2/revoke", post(oauth::revoke))
        .route("/login", get(pages::show).post(pages::submit))
        .route("/signup", get(pages::show).post(pages::submit))
        .route("/confirm", get(pages::show).post(pages::submit))
        .route("/resendcode", post(pages::submit))
        .route("/forgotPassword", get(pages::show).post(pages::submit))
        .route("/confirmForgotPassword", post(pages::submit))
        .route("/forceChangePassword", post(pages::submit))
        .route("/mfa", post(pages::submit))
        .route("/logout", get(pages::logout))
        .route("/error", get(pages::error));
    Router::new()
        .route("/", post(aws_json::handle))
        .route("/.well-known/jwks_uri", get(wellknown::identity_jwks))
        .route("/.well-known/openid-configuration", get(wellknown::identity_openid_configuration))
        .route("/{pool_id}/.well-known/jwks.json", get(wellknown::jwks))
        .route("/{pool_id}/.well-known/openid-configuration", get(wellknown::openid_configuration))
        .route("/{pool_id}/{client_id}/{version}/assets/images/image.jpg", get(pages::logo))
        .merge(hosted.clone())
        .nest("/domain/{domain}", hosted)
        .route("/_cognate/health", get(testing::health))
        .route("/_cognate/outbox", get(testing::outbox))
        .route("/_cognate/credentials/{access_key_id}", get(testing::credentials))
        .route("/_cognate/clock", get(testing::clock).post(testing::advance_clock))
        .route("/_cognate/reset", post(testing::reset))
        .route("/_cognate/risk", post(testing::set_risk))
        .route("/_cognate/feedback", get(testing::feedback))
        .route("/_cognate/client-metadata", post(testing::stage_client_metadata))
        .route("/_cognate/import/{pool_id}/{job_id}", axum::routing::put(import::upload))
        .route("/moto-api/reset", post(testing::reset))
        .layer(cors)
        .with_state(state)
}

/// How `cognate serve` runs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub addr: SocketAddr,
    /// `None` keeps everything in memory.
    pub data_dir: Option<PathBuf>,
    pub seed_file: Option<PathBuf>,
    pub settings: Settings,
    pub public_url: Option<String>,
    /// Lambda routes, `NAME=command:...` or `NAME=http://...` (see [`lambda`]).
    pub lambdas: Vec<String>,
    pub lambda_timeout: std::time::Duration,
    /// HTTPS beside HTTP, when asked for.
    pub tls: Option<tls::TlsConfig>,
}

/// Opens the store, applies the seed, binds and serves until Ctrl-C or SIGTERM.
pub async fn serve(config: ServeConfig) -> Result<(), String> {
    let store: Arc<dyn Store> = match &config.data_dir {
        Some(dir) => Arc::new(cognate_store_sqlite::SqliteStore::open(dir)?),
        None => Arc::new(cognate_store_sqlite::SqliteStore::in_memory()),
    };
    let seed = match &config.seed_file {
        Some(path) => Some(seed::Seed::load(path)?),
        None => None,
    };
    let mut router = lambda::LambdaRouter::new(config.lambda_timeout);
    for spec in seed
        .iter()
        .flat_map(|s| s.lambda.iter())
        .map(|(name, target)| format!("{name}={target}"))
        .chain(config.lambdas.iter().cloned())
    {
        router.add(&spec)?;
    }
    let state = Arc::new(AppState::new(
        store,
        config.settings.clone(),
        seed.clone(),
        config.public_url.clone(),
        Arc::new(router),
    ));
    if let Some(seed) = &state.seed {
        let applied = {
            let state = state.clone();
            let seed = seed.clone();
            tokio::task::spawn_blocking(move || seed.apply(&state.idp, &state.identity))
                .await
                .map_err(|e| e.to_string())?
        };
        applied.map_err(|e| format!("applying the seed file: {e}"))?;
    }
    let listener =
        tokio::net::TcpListener::bind(config.addr).await.map_err(|e| format!("binding {}: {e}", config.addr))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    let reachable = match local.ip().is_unspecified() {
        true => format!("http://localhost:{}", local.port()),
        false => format!("http://{local}"),
    };
    let _ = state.listen_url.set(reachable);
    let tls = match &config.tls {
        Some(t) => Some(tls::start(state.clone(), t).await?),
        None => None,
    };
    tracing::info!(
        "cognate listening on http://{local} ({})",
        config.data_dir.as_ref().map(|d| format!("data in {}", d.display())).unwrap_or_else(|| "ephemeral".into())
    );
    if let Some(addr) = tls {
        tracing::info!("cognate serves HTTPS on https://{addr} too");
    }
    axum::serve(listener, app(state).into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| e.to_string())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
