//! The load generator's HTTP: one keep-alive connection (opened again when the server closes
//! it, as moto's does after every answer), a request written once as bytes and sent again and
//! again, and a response read only as far as its status and Content-Length.
//!
//! The load runs on the same two cores as the server it measures, so every microsecond the
//! generator spends is one the server cannot; a general client (ureq, then serde_json over the
//! tokens) cost about a quarter of the machine at full sign-in load. This does what wrk does
//! and no more, and still refuses any answer that is not a 200 carrying what was asked for.

use std::io::{Read, Write};
use std::net::TcpStream;

/// An AWS JSON 1.1 request, serialised once.
pub(crate) fn request(url: &str, target: &str, body: &str) -> Vec<u8> {
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    format!(
        "POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-amz-json-1.1\r\n\
         X-Amz-Target: {target}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

pub(crate) struct Conn {
    addr: String,
    /// `None` after a server said `Connection: close` (moto's does, after every answer).
    stream: Option<TcpStream>,
    buf: Vec<u8>,
}

impl Conn {
    pub(crate) fn open(url: &str) -> Result<Self, String> {
        let addr = url.trim_start_matches("http://").trim_end_matches('/').to_string();
        let mut conn = Self { addr, stream: None, buf: Vec::with_capacity(16 * 1024) };
        conn.connect()?;
        Ok(conn)
    }

    fn connect(&mut self) -> Result<&mut TcpStream, String> {
        let stream = TcpStream::connect(&self.addr).map_err(|e| format!("connecting to {}: {e}", self.addr))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        // A server that stops answering fails the run instead of hanging it.
        stream.set_read_timeout(Some(std::time::Duration::from_secs(30))).map_err(|e| e.to_string())?;
        Ok(self.stream.insert(stream))
    }

    /// Sends `request` and returns the response body when the status is 200.
    pub(crate) fn send(&mut self, request: &[u8]) -> Result<&[u8], String> {
        let stream = match self.stream.as_mut() {
            Some(s) => s,
            None => self.connect()?,
        };
        stream.write_all(request).map_err(|e| e.to_string())?;
        self.buf.clear();
        let head_end = loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                break i + 4;
            }
            self.fill()?;
        };
        let head = std::str::from_utf8(&self.buf[..head_end]).map_err(|e| e.to_string())?;
        let ok = head.get(9..12) == Some("200");
        let close = head.lines().any(|l| {
            l.split_once(':')
                .is_some_and(|(n, v)| n.eq_ignore_ascii_case("connection") && v.trim().eq_ignore_ascii_case("close"))
        });
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length").then(|| value.trim().parse().ok())?
            })
            .ok_or("a response without Content-Length")?;
        while self.buf.len() < head_end + length {
            self.fill()?;
        }
        if close {
            self.stream = None;
        }
        let body = &self.buf[head_end..head_end + length];
        if !ok {
            return Err(String::from_utf8_lossy(&self.buf).into_owned());
        }
        Ok(body)
    }

    fn fill(&mut self) -> Result<(), String> {
        let at = self.buf.len();
        self.buf.resize(at + 16 * 1024, 0);
        let stream = self.stream.as_mut().ok_or("the connection is closed")?;
        let n = stream.read(&mut self.buf[at..]).map_err(|e| e.to_string())?;
        self.buf.truncate(at + n);
        if n == 0 { Err("the server closed the connection".into()) } else { Ok(()) }
    }
}

pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
