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
    TlsConfig, TlsVersion, TrustAnchors, ALPN_NAME_LENGTH, ALPN_TOO_MANY, DEFAULT_HANDSHAKE_TIMEOUT_MS,
    DESTINATION_TOO_LONG, MAX_ALPN_PROTOCOLS,
};
pub use connection::Connection;
pub use transport::{Transport, TransportError};
pub use validity::set_date_is_in_the_past;
