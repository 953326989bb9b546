//! The client through the C ABI, as a firmware caller drives it. One test
//! binary (one link of mbedTLS and the library instead of two), a module
//! each:
//!
//! - [`server_auth`]: the TLS core against a real OpenSSL peer: server
//!   authentication, certificate dates, names, closes, deadlines.
//! - [`bad_input`]: every entry point given bad input.
//!
//! Neither touches process-wide state beyond the session cache, which no
//! test here counts on: they run in parallel.

#[path = "../support/mod.rs"]
mod support;

mod bad_input;
mod server_auth;
