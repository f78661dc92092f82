//! HTTPS beside HTTP. Some clients reach a pool's domain over HTTPS only (Amplify JS builds
//! `https://${domain}/oauth2/authorize` and `.../logout`), so cognate can serve the same
//! router on a second port with TLS: with the certificate it is given, or one it makes at start
//! for `localhost`, loopback and the prefix domains `*.auth.<region>.localhost` (a test browser
//! is told to accept it; a team may give cognate a certificate its machines trust, mkcert's).

use crate::AppState;
use axum_server::tls_rustls::RustlsConfig;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Where and with what cognate serves HTTPS.
#[derive(Debug, Clone)]
pub struct TlsConfig {
    pub addr: SocketAddr,
    /// PEM files of a certificate (chain) and its key; both or neither.
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
}

/// The regions whose prefix domains the made certificate names.
const REGIONS: [&str; 10] = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "eu-west-2",
    "eu-central-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
];

/// A self-signed certificate and its key, as PEM.
fn self_signed() -> Result<(Vec<u8>, Vec<u8>), String> {
    let mut names = vec!["localhost".to_string(), "127.0.0.1".to_string(), "::1".to_string()];
    names.extend(REGIONS.iter().map(|r| format!("*.auth.{r}.localhost")));
    let key = rcgen::KeyPair::generate().map_err(|e| format!("making a TLS key: {e}"))?;
    let params = rcgen::CertificateParams::new(names).map_err(|e| format!("a TLS certificate: {e}"))?;
    let cert = params.self_signed(&key).map_err(|e| format!("signing a TLS certificate: {e}"))?;
    Ok((cert.pem().into_bytes(), key.serialize_pem().into_bytes()))
}

/// Binds the HTTPS port and answers its address; serving goes on in the background until
/// the process ends.
pub async fn start(state: Arc<AppState>, config: &TlsConfig) -> Result<SocketAddr, String> {
    let rustls = match (&config.cert, &config.key) {
        (Some(cert), Some(key)) => RustlsConfig::from_pem_chain_file(cert, key).await,
        (None, None) => {
            let (cert, key) = self_signed()?;
            RustlsConfig::from_pem(cert, key).await
        }
        _ => return Err("--tls-cert and --tls-key go together".into()),
    }
    .map_err(|e| format!("loading the TLS certificate: {e}"))?;
    let listener = std::net::TcpListener::bind(config.addr).map_err(|e| format!("binding {}: {e}", config.addr))?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    let server = axum_server::from_tcp_rustls(listener, rustls).map_err(|e| e.to_string())?;
    // Requests that came over TLS say so, so that the URLs cognate writes for them (issuers,
    // redirects to its pages) are https ones.
    let router = crate::app(state).layer(axum::middleware::map_request(host_from_authority)).layer(
        tower_http::set_header::SetRequestHeaderLayer::overriding(
            axum::http::header::HeaderName::from_static("x-forwarded-proto"),
            axum::http::HeaderValue::from_static("https"),
        ),
    );
    tokio::spawn(async move {
        if let Err(e) = server.serve(router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await {
            tracing::error!("the HTTPS server stopped: {e}");
        }
    });
    Ok(local)
}

/// HTTP/2 names the host in `:authority`, which arrives in the URI, not as a `Host` header:
/// a browser speaking HTTP/2 over TLS still reaches the domain it asked for.
async fn host_from_authority(mut request: axum::extract::Request) -> axum::extract::Request {
    let authority = request.uri().authority().map(|a| a.as_str().to_string());
    if !request.headers().contains_key(axum::http::header::HOST)
        && let Some(value) = authority.and_then(|a| axum::http::HeaderValue::from_str(&a).ok())
    {
        request.headers_mut().insert(axum::http::header::HOST, value);
    }
    request
}
