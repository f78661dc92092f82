//! Core's behaviour, driven without HTTP: operations dispatched from request JSON, as the
//! server would, on a clock that moves only when told to and the real SQLite store (in
//! memory). The real clients' suites (crates/cli/tests, tests/python, tests/js) test the wire;
//! these pin what core decides, where time matters or no client can reach.

/// A provider's ID token checked on the manual clock.
mod federation;
/// The fixture every module here uses: a pool, an app client and a user.
mod fixture;
/// A pool's first keys, made outside any transaction.
mod keys;
/// MFA: the pool's settings, the user's choices, and every second-factor challenge, with TOTP
/// codes made on the manual clock.
mod mfa;
/// Sign-out and revocation within one second.
mod sign_out;
/// Sign-in's answers and refusals, case by case, with lockout and temporary passwords on the
/// manual clock.
mod signin;
