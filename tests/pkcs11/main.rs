//! The device key in a real SoftHSM2 token, through the C ABI as a
//! firmware caller would use it. One test binary (one link of mbedTLS and
//! the library instead of three), a module each:
//!
//! - [`client_auth`]: mutual TLS against `openssl s_server`.
//! - [`labels`]: PIN and labels chosen at run time.
//! - [`sharing`]: two connections sharing one token, and a module the
//!   firmware initialised.
//!
//! The token (`SOFTHSM2_CONF`) and the labels are process-wide: the tests
//! take turns ([`support::serial`]).

#[path = "../support/mod.rs"]
mod support;

mod client_auth;
mod labels;
mod sharing;
