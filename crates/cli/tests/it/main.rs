//! End-to-end tests: the real binary, driven by the AWS SDK for Rust (and ureq where a test
//! needs a request no SDK would send).

// Sign-in, tokens and their claims, challenges, refresh, revocation and lockout.
mod auth;
// Choice-based sign-in (USER_AUTH) and passkey settings.
mod choice;
// App clients: ids, secrets, defaults, settings checks, update, list and delete.
mod clients;
// Devices: tracking, confirmation, remembered status, listing and forgetting.
mod devices;
// Groups and membership.
mod groups;
// Identity pools with aws-sdk-cognitoidentity: guests, signed-in users, roles, refusals.
mod identity;
// cognate-jwt against a live server: the JWKS fetcher, issuer forms, `cognate verify`, axum.
mod jwt;
// User pools: defaults, schema and policies, updates, deletion, listing, tags and keys.
mod pools;
// The AWS JSON protocol: targets, content types, malformed input, error shapes and CORS.
mod protocol;
// MFA: pool and user settings, authenticator apps, the second-factor challenges and refusals.
mod mfa;
mod newer_ops;
// Self-service: sign-up, confirmation codes, password reset and profile operations.
mod selfservice;
// State that outlives a request: persistence, the seed file and reset.
mod state;
// The server under test and the SDK helpers the other modules share.
mod testkit;
// Users as administrators manage them: create, attributes, status, passwords and listing.
mod users;
