//! The real clock and the random generator, for production.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use cognate_core::env::{Clock, KeySource, Random};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// The wall clock, plus an offset that tests may move forward (`POST /_cognate/clock`) to
/// see codes, sessions, tokens and lockouts expire without waiting.
#[derive(Default)]
pub struct SystemClock {
    offset_millis: std::sync::atomic::AtomicI64,
}

impl SystemClock {
    pub fn advance(&self, millis: i64) {
        self.offset_millis.fetch_add(millis, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for SystemClock {
    fn now_millis(&self) -> i64 {
        let wall = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        wall + self.offset_millis.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// rand's thread-local CSPRNG (ChaCha12, reseeded from the OS every 64 KiB). A sign-in takes
/// seven ids and nonces; one `getrandom` system call for each was the most frequent system
/// call a sign-in made.
pub struct ThreadRandom;

impl Random for ThreadRandom {
    fn fill(&self, buf: &mut [u8]) {
        rand::Rng::fill_bytes(&mut rand::rng(), buf);
    }
}

/// RSA keys made ahead of time on a background thread, so CreateUserPool does not wait the
/// hundred-odd milliseconds a key takes. When the reserve is empty, a key is made on the spot.
pub struct KeyReserve {
    ready: Mutex<Ready>,
}

/// The keys made so far, and one taken out while its pair was not ready yet.
struct Ready {
    made: Receiver<Vec<u8>>,
    spare: Option<Vec<u8>>,
}

fn generate() -> Vec<u8> {
    let key = KeyPair::generate(KeySize::Rsa2048).expect("RSA key generation works");
    key.as_der().expect("a fresh key encodes").as_ref().to_vec()
}

impl KeyReserve {
    /// Keeps up to `size` keys ready.
    pub fn new(size: usize) -> Self {
        let (tx, rx): (SyncSender<Vec<u8>>, _) = sync_channel(size);
        std::thread::Builder::new()
            .name("key-reserve".into())
            .spawn(move || while tx.send(generate()).is_ok() {})
            .expect("the key reserve thread starts");
        Self { ready: Mutex::new(Ready { made: rx, spare: None }) }
    }
}

impl KeySource for KeyReserve {
    fn rsa_2048_pkcs8(&self) -> Vec<u8> {
        let mut ready = self.ready.lock().unwrap_or_else(|e| e.into_inner());
        let Ready { made: rx, spare } = &mut *ready;
        // A key made on the spot takes over a hundred milliseconds.
        spare.take().or_else(|| rx.try_recv().ok()).unwrap_or_else(|| crate::blocking(generate))
    }

    fn ready_pair(&self) -> Option<(Vec<u8>, Vec<u8>)> {
        let mut ready = self.ready.lock().unwrap_or_else(|e| e.into_inner());
        let Ready { made: rx, spare } = &mut *ready;
        let first = spare.take().or_else(|| rx.try_recv().ok())?;
        match rx.try_recv() {
            Ok(second) => Some((first, second)),
            Err(_) => {
                *spare = Some(first);
                None
            }
        }
    }
}
