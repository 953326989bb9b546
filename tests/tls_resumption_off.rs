//! The build switch: without the `session-resumption` feature nothing is
//! cached or offered, no ticket is asked for, and the run-time switch
//! cannot turn it on. (scripts/test.sh builds this file without it:
//! `--no-default-features --features std,port-posix`.)
#![cfg(not(feature = "session-resumption"))]

mod support;

use std::time::Duration;

use freertos_tls::ffi;
use support::{Client, ClientOptions, EchoPeer, PeerOptions, Pki};

#[test]
fn built_without_resumption_every_connection_is_a_full_handshake() {
    assert_eq!(ffi::TLS_SetSessionResumption(1), ffi::TLS_ERROR_INVALID_STATE as ffi::BaseType_t);
    let pki = Pki::new("off");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions { report_reuse: true, ..Default::default() });
    for _ in 0..3 {
        let mut c = Client::init(
            peer.port,
            ClientOptions { host: "localhost", ca_pem: Some(pki.ca_pem_with_nul()), alpn: &[] },
        );
        assert_eq!(c.connect(), 0);
        assert!(!c.resumed());
        // A TLS 1.3 server reports once the client's Finished has arrived,
        // with its first record.
        assert_eq!(c.echo(b"ping", Duration::from_secs(5)), b"ping");
        assert!(peer.next_event().ends_with(" reused=0"), "the server resumed a session");
    }
}
