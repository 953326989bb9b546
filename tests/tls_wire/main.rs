//! The wire, against real peers: the records and flights the library
//! writes, and what the destination name does. One test binary (one link
//! of mbedTLS and the library instead of four), a module each:
//!
//! - [`close`]: close_notify on `TLS_Cleanup`, and nothing when there is
//!   nothing to close.
//! - [`flights`]: each flight in one `pxNetworkSend` call.
//! - [`resumed_flight`]: the last flight of a resumed handshake rides with
//!   the first record.
//! - [`server_name`]: SNI and host-name checks.
//!
//! Every connection may leave a session in the process-wide cache, which
//! the resumed-flight tests count on, and `server_name` registers the log
//! hook: every test here takes its turn ([`support::serial`]).

#[path = "../support/mod.rs"]
mod support;

mod close;
mod flights;
mod resumed_flight;
mod server_name;
