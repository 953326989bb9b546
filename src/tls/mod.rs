//! One TLS 1.2 / 1.3 client connection over mbedTLS: configuration, handshake,
//! record I/O. Safe Rust API; the C boundary lives in `crate::ffi`.

mod aws_roots;
mod config;
mod connection;
mod mbed_state;
pub mod record_size;
mod server_name;
pub mod session_cache;
mod transport;
mod validity;

pub use config::{
    Name, TlsConfig, TlsVersion, TrustAnchors, VersionRange, VersionRangeError, DEFAULT_HANDSHAKE_TIMEOUT_MS,
    MAX_ALPN_PROTOCOLS, MAX_NAME_LEN,
};
pub use connection::Connection;
pub use transport::{Transport, TransportError};
pub use validity::set_date_is_in_the_past;
