//! What the fuzz targets (fuzz_targets/) and the seed recorder
//! (examples/record_seeds.rs) share: a process set up so that every input
//! replays exactly, a server flight played back from memory through the C
//! ABI's transport callbacks, and one client conversation driven through
//! `TLS_Init` ... `TLS_Cleanup`.
//!
//! Replay needs three things fixed: the entropy (a fixed-seed generator
//! behind the library's `port-rand-core` adapter, restarted before every
//! run), the clock (`TLS_SetUtcClock`), and the transport (it never says
//! "nothing now" unless the input asks, and reports an error when the input
//! is used up, so no run waits on the handshake deadline).

pub mod client;
pub mod determinism;
pub mod flight;
mod no_token;
pub mod params_input;
pub mod records;
pub mod sections;
pub mod server;

/// The host name the client asks for; the fuzz server certificates carry it.
pub const SERVER_NAME: &str = "fuzz.server.test";

/// ALPN names the client offers; some recorded servers select the second.
pub const CLIENT_ALPN: [&str; 2] = ["fuzz/1", "fuzz/2"];

/// Trust anchor of the fuzz-only PKI (fuzz/pki/README.md): never trust it elsewhere.
pub const FUZZ_CA_PEM: &str = include_str!("../pki/fuzz-test-ca.crt");

/// The recorded flight the PEM and params targets connect to: ECDHE-ECDSA,
/// AES-128-GCM, the server selecting ALPN "fuzz/2".
pub const REFERENCE_FLIGHT: &[u8] = include_bytes!("../corpus/server_stream/ecdsa-aes128gcm-alpn");
