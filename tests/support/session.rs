//! What the tests of resumption and TLS 1.3 share: a turn at the
//! process-wide session cache, and a client for the "localhost" identity
//! of a [`Pki`] over a socket with Nagle's algorithm on.

use freertos_tls::ffi;

use super::{serial, Client, ClientOptions, Pki, Serial, TcpTransport};

/// The session cache is process-wide: a test binary's tests that use it
/// take turns ([`serial`]), each starting with resumption on and an empty
/// cache.
pub fn cache_turn() -> Serial {
    let guard = serial();
    assert_eq!(ffi::TLS_SetSessionResumption(1), 0);
    ffi::TLS_ClearSessionCache();
    guard
}

/// Options for "localhost" trusting `pki`'s CA, no ALPN.
pub fn localhost_options(pki: &Pki) -> ClientOptions<'static> {
    ClientOptions { host: "localhost", ca_pem: Some(pki.ca_pem_with_nul()), alpn: &[] }
}

/// A client for [`localhost_options`] over a socket with Nagle's algorithm
/// on (its transport counts the calls).
pub fn nagle_client(port: u16, pki: &Pki) -> Client {
    let (c, rc) = Client::try_init_over(TcpTransport::connect_with(port, false), localhost_options(pki));
    assert_eq!(rc, 0, "TLS_Init");
    c
}
