//! The integration tests' one support module: real peers, throw-away
//! PKIs and SoftHSM2 tokens, and a client driven through the C ABI over a
//! TCP transport exactly as a firmware caller would drive it.
//!
//! - [`transport`]: the TCP transport behind `pvCallerContext` (records
//!   every callback call; can be told to break its contract).
//! - [`client`]: one TLS context made and driven through the C ABI.
//! - [`pki`]: certificates, made with rcgen ([`Pki`]) or, where the
//!   tests need RSA device keys and an intermediate CA, with the openssl
//!   CLI ([`DevicePki`]).
//! - [`peers`]: the Python echo peer and `openssl s_server`.
//! - [`pkcs11`]: the PKCS#11 module, PIN and labels, and SoftHSM2 tokens.
//! - [`serial`]: the one lock for process-wide state.
//! - [`session`]: a turn at the session cache, and a Nagle client.
//! - [`c_harness`]: builds the static library and links a C program
//!   (tests/c) against it.
//!
//! The interface facts the tests check are written down in docs/abi.md.
//! Each test binary uses only part of this module.
#![allow(dead_code, unused_imports)]

pub mod c_harness;
pub mod client;
pub mod peers;
pub mod pkcs11;
pub mod pki;
pub mod serial;
pub mod session;
pub mod transport;

pub use client::{blank_last_error, Client, ClientOptions, LastError};
pub use peers::{reversed, ClientCert, EchoPeer, PeerOptions, SServer, Versions};
pub use pkcs11::{ProvisionedDevice, Token, CERT_LABEL, JITP_LABEL, KEY_LABEL, PIN};
pub use pki::{DevicePki, Identity, KeyAlg, Pki, DAY};
pub use serial::{serial, Serial};
pub use session::{cache_turn, localhost_options, nagle_client};
pub use transport::{tcp_recv, tcp_send, Io, Misbehaviour, TcpTransport};

/// Poll `ready` (every few milliseconds) until it holds, for at most
/// `limit`: how long it took, or `None`. For state the library offers no
/// signal for; bounds, not exact times.
pub fn wait_for(limit: std::time::Duration, mut ready: impl FnMut() -> bool) -> Option<std::time::Duration> {
    let start = std::time::Instant::now();
    loop {
        if ready() {
            return Some(start.elapsed());
        }
        if start.elapsed() >= limit {
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Pseudo-random test payload (xorshift; content only needs to be varied).
pub fn payload(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}
