//! Clean close: `TLS_Cleanup` on a connected context sends close_notify
//! (servers drop a session that was not closed cleanly from their cache),
//! and sends nothing for a context that never connected or has failed.

use crate::support;

use std::time::Duration;

use support::{Client, ClientOptions, EchoPeer, Io, PeerOptions, Versions};

fn opts(pki: &support::Pki) -> ClientOptions<'static> {
    ClientOptions { host: "localhost", ca_pem: Some(pki.ca_pem_with_nul()), alpn: &[] }
}

fn peer_receives_close_notify_from_cleanup(versions: Versions, alert_record: usize) {
    let pki = support::Pki::new("close");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions { report_close: true, versions, ..Default::default() });
    let mut c = Client::init(peer.port, opts(&pki));
    assert_eq!(c.connect(), 0);
    assert_eq!(c.echo(b"bye soon", Duration::from_secs(10)), b"bye soon");
    assert!(peer.next_event().starts_with("CONN "));
    let before = c.transport.io.len();
    c.cleanup();
    // One send: the encrypted alert record.
    assert_eq!(c.transport.io[before..], [Io::Send(alert_record)]);
    assert_eq!(peer.next_event(), "CLOSED close_notify");
}

#[test]
fn python_peer_receives_close_notify_from_cleanup_tls12() {
    let _turn = support::serial();
    // AES-GCM in TLS 1.2: header 5, explicit nonce 8, alert 2, tag 16.
    peer_receives_close_notify_from_cleanup(Versions::Tls12Only, 31);
}

#[test]
fn python_peer_receives_close_notify_from_cleanup_tls13() {
    let _turn = support::serial();
    // TLS 1.3: header 5; alert 2 and inner content type 1, padded to 16
    // (mbedTLS's MBEDTLS_SSL_CID_TLS1_3_PADDING_GRANULARITY); tag 16.
    peer_receives_close_notify_from_cleanup(Versions::Tls13Only, 37);
}

#[test]
fn python_peer_tells_a_close_without_close_notify_apart() {
    let _turn = support::serial();
    // The TCP stream ends under a live context: proves the test above can fail.
    let pki = support::Pki::new("close-eof");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions { report_close: true, ..Default::default() });
    let mut c = Client::init(peer.port, opts(&pki));
    assert_eq!(c.connect(), 0);
    assert_eq!(c.echo(b"then gone", Duration::from_secs(10)), b"then gone");
    assert!(peer.next_event().starts_with("CONN "));
    c.transport.stream.shutdown(std::net::Shutdown::Both).unwrap();
    assert_eq!(peer.next_event(), "CLOSED eof");
}

#[test]
fn a_context_whose_handshake_failed_writes_nothing_at_cleanup() {
    let _turn = support::serial();
    let pki = support::Pki::new("close-none");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions { report_close: true, ..Default::default() });
    let mut c = Client::init(peer.port, ClientOptions { host: "wrong.example", ..opts(&pki) });
    assert_eq!(c.connect(), freertos_tls::ffi::TLS_ERROR_HANDSHAKE_FAILED as _);
    let before = c.transport.io.len();
    c.cleanup();
    assert_eq!(c.transport.io[before..], [], "a failed context must not write at cleanup");
}

/// Connect to plain `s_server`, send a line, and end the connection with
/// `end`; returns the server's verdict line ("DONE" or "ERROR").
fn s_server_verdict(end: fn(&mut support::Client)) -> String {
    let _turn = support::serial();
    let pki = support::DevicePki::new();
    let server = support::SServer::start_plain(&pki);
    let mut c = support::Client::for_device_pki(server.port, &pki);
    assert_eq!(c.connect(), 0, "{:?}", server.drain());
    c.send_all(b"last words\n").unwrap();
    assert!(server.wait_for_line(&["last words"], Duration::from_secs(10)).is_some(), "{:?}", server.drain());
    end(&mut c);
    server.wait_for_line(&["DONE", "ERROR"], Duration::from_secs(10)).expect("s_server gave no verdict")
}

#[test]
fn openssl_s_server_receives_close_notify_from_cleanup() {
    let _turn = support::serial();
    assert_eq!(s_server_verdict(support::Client::cleanup), "DONE");
}

#[test]
fn openssl_s_server_tells_a_close_without_close_notify_apart() {
    let _turn = support::serial();
    // The TCP stream ends under a live context: proves the test above can fail.
    assert_eq!(s_server_verdict(support::Client::shutdown_tcp), "ERROR");
}
