//! Cognito's behaviour, with no IO of its own.
//!
//! [`idp::UserPools`] implements the user-pool API (the generated
//! [`cognate_proto::idp::CognitoIdentityProvider`] trait), and [`identity::IdentityPools`]
//! the identity-pool API beside it, over three inputs they are handed:
//! a [`store::Store`] for state, a [`env::Clock`] for time and a [`env::Random`] for
//! randomness. Nothing here reads the wall clock, the OS RNG, a socket or a file, so tests
//! drive it with a fixed clock and a seeded generator and get the same answer every time.

#![forbid(unsafe_code)]

pub mod env;
pub mod identity;
pub mod idp;
pub mod password;
/// The store is a crate of its own, the seam to every backend; re-exported so that
/// `crate::store::…` names it here.
pub use cognate_store as store;
pub mod tokens;
pub mod totp;
pub mod triggers;
pub mod webauthn;
