//! Client metadata documents fetched over HTTPS for core's CIMD clients, as the draft asks:
//! one GET, no redirect followed (a 3xx is answered as it is, and core refuses it), a short
//! timeout and a bounded body.

use cognate_core::env::{Fetched, MAX_DOCUMENT_BYTES, MetadataFetcher};
use std::io::Read;
use std::time::Duration;

pub struct HttpMetadata;

impl MetadataFetcher for HttpMetadata {
    fn fetch(&self, url: &str) -> Result<Fetched, String> {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(5)))
            .build()
            .new_agent();
        let response = agent.get(url).header("Accept", "application/json").call().map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let cache_control = response.headers().get("cache-control").and_then(|v| v.to_str().ok()).map(str::to_string);
        let mut body = Vec::new();
        // One byte past the cap is enough to know the document is too large.
        response
            .into_body()
            .into_reader()
            .take(MAX_DOCUMENT_BYTES as u64 + 1)
            .read_to_end(&mut body)
            .map_err(|e| e.to_string())?;
        Ok(Fetched { status, cache_control, body })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::TcpListener;

    /// A server answering each connection with the next of `answers`, raw.
    fn serve(answers: Vec<String>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for answer in answers {
                let (mut stream, _) = listener.accept().unwrap();
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request);
                stream.write_all(answer.as_bytes()).unwrap();
            }
        });
        format!("http://{address}")
    }

    #[test]
    fn a_document_comes_back_with_its_status_and_cache_control() {
        let body = r#"{"client_id":"x"}"#;
        let base = serve(vec![format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: max-age=90000\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )]);
        let fetched = HttpMetadata.fetch(&format!("{base}/client.json")).unwrap();
        assert_eq!(fetched.status, 200);
        assert_eq!(fetched.cache_control.as_deref(), Some("max-age=90000"));
        assert_eq!(fetched.body, body.as_bytes());
    }

    #[test]
    fn a_redirect_is_not_followed() {
        let base = serve(vec![
            "HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into(),
        ]);
        let fetched = HttpMetadata.fetch(&format!("{base}/client.json")).unwrap();
        assert_eq!(fetched.status, 302);
    }

    #[test]
    fn a_large_body_is_read_only_past_the_cap() {
        let body = "x".repeat(MAX_DOCUMENT_BYTES * 3);
        let base = serve(vec![format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )]);
        let fetched = HttpMetadata.fetch(&format!("{base}/client.json")).unwrap();
        assert_eq!(fetched.body.len(), MAX_DOCUMENT_BYTES + 1);
    }
}
