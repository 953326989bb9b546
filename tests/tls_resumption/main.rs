//! Transparent session resumption against real servers: Python's ssl
//! (OpenSSL) and `openssl s_server`, with session tickets and with session
//! IDs only. Every verdict "resumed" is the server's own, cross-checked
//! with the library's `TLS_IsSessionResumed`.
//!
//! The cache and its switches are process-wide, so the tests take turns.
#![cfg(feature = "session-resumption")]

#[path = "../support/mod.rs"]
mod support;
// Sessions bound to the client identity (device keys in SoftHSM2 tokens).
mod pkcs11;

use std::time::{Duration, Instant};

use freertos_tls::ffi;
use freertos_tls::testing::session_cache_len;
use support::{Client, ClientOptions, EchoPeer, PeerOptions, Pki, SServer};

/// The test's turn, with the cache in its default state and empty.
fn turn() -> support::Serial {
    let guard = support::cache_turn();
    assert_eq!(ffi::TLS_SetSessionCacheSize(2), 0);
    guard
}

fn opts(pki: &Pki) -> ClientOptions<'static> {
    ClientOptions { host: "localhost", ca_pem: Some(pki.ca_pem_with_nul()), alpn: &[] }
}

fn reporting(no_tickets: bool) -> PeerOptions<'static> {
    PeerOptions { no_tickets, report_reuse: true, ..Default::default() }
}

/// Connect, echo, close; the server's verdict and the library's. The echo
/// comes first: after a resumed handshake the client's Finished leaves with
/// its first record, so the server reports the connection only then.
fn connect_once(peer: &EchoPeer, options: ClientOptions<'_>) -> (bool, bool) {
    let mut c = Client::init(peer.port, options);
    assert_eq!(c.connect(), 0, "TLS_Connect: {:?}", c.last_error());
    let data = support::payload(3000, 7);
    assert_eq!(c.echo(&data, Duration::from_secs(10)), data);
    (peer.next_reuse_verdict(), c.resumed())
}

fn second_connection_resumes(no_tickets: bool) {
    let _t = turn();
    let pki = Pki::new("resume");
    let peer = EchoPeer::start(&pki.localhost(), reporting(no_tickets));
    assert_eq!(connect_once(&peer, opts(&pki)), (false, false), "first connection is a full handshake");
    assert_eq!(connect_once(&peer, opts(&pki)), (true, true), "second connection resumes");
    assert_eq!(connect_once(&peer, opts(&pki)), (true, true), "and the one after");
}

#[test]
fn python_ssl_with_tickets_resumes_the_second_connection() {
    second_connection_resumes(false);
}

#[test]
fn python_ssl_without_tickets_resumes_by_session_id() {
    second_connection_resumes(true);
}

fn rejected_session_falls_back_to_a_full_handshake(no_tickets: bool) {
    let _t = turn();
    let pki = Pki::new("reject");
    let id = pki.localhost();
    let first = EchoPeer::start(&id, reporting(no_tickets));
    assert_eq!(connect_once(&first, opts(&pki)), (false, false));
    drop(first);
    // A new server process: new ticket keys, empty session cache. It
    // rejects the offered session; the handshake must still succeed.
    let second = EchoPeer::start(&id, reporting(no_tickets));
    assert_eq!(connect_once(&second, opts(&pki)), (false, false), "rejected session: full handshake");
    assert_eq!(connect_once(&second, opts(&pki)), (true, true), "the new session is the one kept");
}

#[test]
fn python_ssl_with_tickets_rejecting_the_session_gives_a_full_handshake() {
    rejected_session_falls_back_to_a_full_handshake(false);
}

#[test]
fn python_ssl_without_tickets_rejecting_the_session_gives_a_full_handshake() {
    rejected_session_falls_back_to_a_full_handshake(true);
}

#[test]
fn different_trust_anchor_set_gives_no_resumption() {
    let _t = turn();
    let pki = Pki::new("anchors");
    let other = Pki::new("other");
    let peer = EchoPeer::start(&pki.localhost(), reporting(false));
    assert_eq!(connect_once(&peer, opts(&pki)), (false, false));
    // The same server still verifies under this set (its CA is in it),
    // but the set differs: the session must not be offered.
    let mut both = std::fs::read(other.ca_pem_path()).unwrap();
    both.extend(pki.ca_pem_with_nul());
    let wider = || ClientOptions { ca_pem: Some(both.clone()), ..opts(&pki) };
    assert_eq!(connect_once(&peer, wider()), (false, false), "another anchor set: full handshake");
    assert_eq!(connect_once(&peer, wider()), (true, true), "its own session resumes");
    assert_eq!(connect_once(&peer, opts(&pki)), (true, true), "each set keeps its own entry");
}

#[test]
fn different_destination_gives_no_resumption() {
    let _t = turn();
    let pki = Pki::new("names");
    // One server, two names (the certificate holds both).
    let id = pki.server_with_sans("two-names", "localhost", &["localhost", "device.test"]);
    let peer = EchoPeer::start(&id, reporting(false));
    assert_eq!(connect_once(&peer, opts(&pki)), (false, false));
    let other = || ClientOptions { host: "device.test", ..opts(&pki) };
    assert_eq!(connect_once(&peer, other()), (false, false), "another destination: full handshake");
    assert_eq!(connect_once(&peer, other()), (true, true));
}

#[test]
fn run_time_switch_and_zero_entries_turn_resumption_off() {
    let _t = turn();
    let pki = Pki::new("switch");
    let peer = EchoPeer::start(&pki.localhost(), reporting(false));
    assert_eq!(ffi::TLS_SetSessionResumption(0), 0);
    assert_eq!(connect_once(&peer, opts(&pki)), (false, false));
    assert_eq!(connect_once(&peer, opts(&pki)), (false, false), "off: no resumption");
    assert_eq!(ffi::TLS_SetSessionResumption(1), 0);
    assert_eq!(ffi::TLS_SetSessionCacheSize(0), 0);
    assert_eq!(connect_once(&peer, opts(&pki)), (false, false));
    assert_eq!(connect_once(&peer, opts(&pki)), (false, false), "0 entries: no resumption");
    assert_eq!(ffi::TLS_SetSessionCacheSize(9), ffi::TLS_ERROR_BAD_PARAMETER as ffi::BaseType_t);
    assert_eq!(ffi::TLS_SetSessionMaxAge(0), ffi::TLS_ERROR_BAD_PARAMETER as ffi::BaseType_t);
    assert_eq!(ffi::TLS_SetSessionCacheSize(2), 0);
    assert_eq!(connect_once(&peer, opts(&pki)), (false, false));
    assert_eq!(connect_once(&peer, opts(&pki)), (true, true), "back on");
    ffi::TLS_ClearSessionCache();
    assert_eq!(connect_once(&peer, opts(&pki)), (false, false), "cleared: full handshake");
}

#[test]
fn max_age_expires_entries() {
    let _t = turn();
    let pki = Pki::new("age");
    let peer = EchoPeer::start(&pki.localhost(), reporting(false));
    assert_eq!(ffi::TLS_SetSessionMaxAge(1), 0);
    let before = Instant::now();
    assert_eq!(connect_once(&peer, opts(&pki)), (false, false));
    assert_eq!(session_cache_len(), 1, "the session is kept");
    // The entry goes once it is 1 s old: not before (it was made after
    // `before`), and within a bound.
    let gone = support::wait_for(Duration::from_secs(10), || session_cache_len() == 0)
        .map(|_| before.elapsed())
        .expect("the entry outlived its maximum age by far");
    assert!(gone >= Duration::from_secs(1), "expired after {gone:?}, before its maximum age of 1 s");
    assert_eq!(connect_once(&peer, opts(&pki)), (false, false), "expired: full handshake");
    assert_eq!(ffi::TLS_SetSessionMaxAge(86_400), 0);
    assert_eq!(connect_once(&peer, opts(&pki)), (true, true));
}

/// One connection to an `openssl s_server -www` (its status page says
/// "New, " or "Reused, "): the server's verdict, the library's verdict.
fn www_connect_once(server: &SServer, pki: &Pki) -> (bool, bool) {
    let mut c = Client::init(server.port, opts(pki));
    assert_eq!(c.connect(), 0, "TLS_Connect: {:?}", c.last_error());
    let resumed = c.resumed();
    let req = b"GET / HTTP/1.0\r\n\r\n";
    assert_eq!(c.send(req), req.len() as ffi::BaseType_t);
    let page = c.read_www_status_page();
    let server_says = if page.contains("\nReused, TLSv1.2") {
        true
    } else {
        assert!(page.contains("\nNew, TLSv1.2"), "unexpected status page: {page}");
        false
    };
    (server_says, resumed)
}

fn s_server_resumes(extra: &[&str]) {
    let _t = turn();
    let pki = Pki::new("s_server");
    let id = pki.localhost();
    let server = SServer::start_www(&id, extra);
    assert_eq!(www_connect_once(&server, &pki), (false, false));
    assert_eq!(www_connect_once(&server, &pki), (true, true), "second connection resumes");
    drop(server);
    let restarted = SServer::start_www(&id, extra);
    assert_eq!(www_connect_once(&restarted, &pki), (false, false), "restarted server rejects: full handshake");
    assert_eq!(www_connect_once(&restarted, &pki), (true, true));
}

#[test]
fn openssl_s_server_with_tickets_resumes() {
    s_server_resumes(&[]);
}

#[test]
fn openssl_s_server_without_tickets_resumes_by_session_id() {
    s_server_resumes(&["-no_ticket"]);
}
