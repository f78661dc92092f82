//! End-to-end tests: the real binary, driven by the AWS SDK for Rust (and ureq where a test
//! needs a request no SDK would send).

mod auth;
mod clients;
mod devices;
mod groups;
mod jwt;
mod pools;
mod protocol;
mod selfservice;
mod state;
mod testkit;
mod users;
