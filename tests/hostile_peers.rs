//! Hostile peers: scripted servers on 127.0.0.1 (tests/peers/hostile_server.py,
//! tlslite-ng for real sessions it then breaks, raw record bytes for the
//! handshake; tests/peers/hostile_server13.py the same for TLS 1.3: raw
//! HelloRetryRequest and ServerHello records, tlslite-ng 1.3 sessions with a
//! corrupted server message, post-handshake messages, hostile tickets) and
//! lying transport callbacks. Every case must end with a
//! documented code within a bounded time, the code must stay (sticky) for
//! later calls, and nothing the peer sends after a close_notify or a bad
//! record may ever reach the caller.

mod heap_watch;
mod support;
mod tlslite;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use freertos_tls::ffi::{self, BaseType_t};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose, SanType};
use support::*;
use time::OffsetDateTime;
use tlslite::tlslite_python;

const CLOSED: BaseType_t = ffi::TLS_ERROR_CONNECTION_CLOSED as BaseType_t;
const PROTOCOL: BaseType_t = ffi::TLS_ERROR_PROTOCOL as BaseType_t;
const TRANSPORT: BaseType_t = ffi::TLS_ERROR_TRANSPORT as BaseType_t;
const HANDSHAKE: BaseType_t = ffi::TLS_ERROR_HANDSHAKE_FAILED as BaseType_t;

// mbedTLS error codes (ssl.h facts) the detail must carry.
const MBEDTLS_INVALID_MAC: i32 = -0x7180;
const MBEDTLS_INVALID_RECORD: i32 = -0x7200;
const MBEDTLS_FATAL_ALERT: i32 = -0x7780;
const MBEDTLS_UNEXPECTED_MESSAGE: i32 = -0x7700;

// TLS content types, as the peer reports the client's records.
const ALERT_RECORD: &str = "21";
const APPDATA_RECORD: &str = "23";

/// One hostile server process running `case`.
fn hostile(pki: &Pki, case: &str) -> EchoPeer {
    hostile_as(&pki.localhost(), case)
}

/// One hostile server process presenting `id` and running `case`.
fn hostile_as(id: &Identity, case: &str) -> EchoPeer {
    spawn_hostile("hostile_server.py", id, case)
}

/// `script` (in tests/peers/, on tlslite-ng) presenting `id` and running `case`.
fn spawn_hostile(script: &str, id: &Identity, case: &str) -> EchoPeer {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers").join(script);
    let mut cmd = Command::new(tlslite_python());
    cmd.arg(script).arg("--cert").arg(&id.cert).arg("--key").arg(&id.key).arg("--case").arg(case);
    EchoPeer::spawn(cmd)
}

/// `TLS_Connect` to `port` with a handshake bound of `timeout_ms`, watched
/// for leaks: the code, the mbedTLS detail and how long it took. `check`
/// runs on the client before it is freed (inside the watch).
fn timed_connect(
    case: &str,
    pki: &Pki,
    port: u16,
    timeout_ms: u32,
    check: impl FnOnce(&mut Client, BaseType_t),
) -> (BaseType_t, i32, Duration) {
    heap_watch::assert_no_leak(case, || {
        let mut c = client(pki, port, timeout_ms);
        let start = Instant::now();
        let rc = c.connect();
        let took = start.elapsed();
        let mbedtls = c.last_error().mbedtls_code;
        check(&mut c, rc);
        (rc, mbedtls, took)
    })
}

fn client(pki: &Pki, port: u16, handshake_ms: u32) -> Client {
    let c = Client::init(port, ClientOptions { host: "localhost", ca_pem: Some(pki.ca_pem_with_nul()), alpn: &[] });
    // SAFETY: c.ctx is a live context from TLS_Init.
    assert_eq!(unsafe { ffi::TLS_SetHandshakeTimeout(c.ctx, handshake_ms) }, 0);
    c
}

/// How a connection ended, as the caller saw it.
#[derive(Debug)]
struct Ending {
    /// Every byte TLS_Recv returned, in order.
    data: Vec<u8>,
    /// The first negative TLS_Recv result (0 if none before the deadline).
    code: BaseType_t,
    mbedtls_code: i32,
    /// From the start of the read loop to `code`.
    took: Duration,
    /// The slowest single TLS_Recv call.
    slowest_call: Duration,
}

/// Call TLS_Recv until it fails or `deadline` passes.
fn read_to_end(c: &mut Client, deadline: Duration) -> Ending {
    let start = Instant::now();
    let mut data = Vec::new();
    let mut slowest_call = Duration::ZERO;
    let mut buf = [0u8; 64];
    let code = loop {
        let t = Instant::now();
        let n = c.recv(&mut buf);
        slowest_call = slowest_call.max(t.elapsed());
        if n < 0 {
            break n;
        }
        data.extend_from_slice(&buf[..n as usize]);
        if start.elapsed() > deadline {
            break 0;
        }
    };
    Ending { data, code, mbedtls_code: c.last_error().mbedtls_code, took: start.elapsed(), slowest_call }
}

/// The error is sticky: TLS_Recv and TLS_Send return it again, and
/// TLS_GetLastError reports it.
fn assert_sticky(c: &mut Client, code: BaseType_t) {
    let mut buf = [0u8; 16];
    for _ in 0..3 {
        assert_eq!(c.recv(&mut buf), code, "TLS_Recv after the error");
        assert_eq!(c.send(b"more"), code, "TLS_Send after the error");
    }
    assert_eq!(c.last_error().code, code);
}

/// Run `body` on a session that the server, running `case`, breaks after
/// the client's first message. The whole client side, from TLS_Init to
/// TLS_Cleanup, is watched: it must leave no block allocated.
fn with_session<T>(case: &str, body: impl FnOnce(&mut Client, &EchoPeer) -> T) -> T {
    let pki = Pki::new(case);
    let peer = hostile(&pki, case);
    heap_watch::assert_no_leak(case, || {
        let mut c = client(&pki, peer.port, 10_000);
        let rc = c.connect();
        assert_eq!(
            rc,
            0,
            "{case}: handshake with the tlslite-ng peer: {:?} {:?}",
            c.last_error().mbedtls_code,
            peer.event_within(Duration::from_secs(2))
        );
        assert_eq!(c.send(b"ping"), 4);
        assert_eq!(peer.next_event(), "SAW request ping", "{case}");
        body(&mut c, &peer)
    })
}

/// The client's records the peer saw after it injected its bad record.
fn client_records(peer: &EchoPeer) -> Vec<String> {
    let line = peer.event_within(Duration::from_secs(10)).expect("peer reports the client's records");
    let list = line.strip_prefix("SAW client_records ").unwrap_or_else(|| panic!("unexpected peer line {line}"));
    list.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect()
}

#[test]
fn data_and_close_notify_in_one_segment_then_silence() {
    with_session("data_close_notify_silent", |c, _peer| {
        let end = read_to_end(c, Duration::from_secs(5));
        assert_eq!(end.data, b"hello");
        assert_eq!(end.code, CLOSED, "{end:?}");
        assert!(end.took < Duration::from_secs(2), "{end:?}");
        assert_sticky(c, CLOSED);
    });
}

#[test]
fn data_and_close_notify_in_one_segment_then_tcp_close() {
    with_session("data_close_notify_fin", |c, _peer| {
        let end = read_to_end(c, Duration::from_secs(5));
        assert_eq!(end.data, b"hello");
        assert_eq!(end.code, CLOSED, "the close_notify, not the TCP close, is reported: {end:?}");
        assert_sticky(c, CLOSED);
    });
}

#[test]
fn nothing_after_close_notify_is_parsed() {
    with_session("data_close_notify_garbage", |c, _peer| {
        let end = read_to_end(c, Duration::from_secs(5));
        assert_eq!(end.data, b"hello", "the record after close_notify must not be delivered");
        assert_eq!(end.code, CLOSED, "{end:?}");
        assert_eq!(end.mbedtls_code, 0);
        assert_sticky(c, CLOSED);
    });
}

#[test]
fn empty_application_data_records_are_not_a_close() {
    with_session("empty_records_then_data", |c, _peer| {
        let mut got = Vec::new();
        let mut buf = [0u8; 16];
        let until = std::time::Instant::now() + Duration::from_secs(5);
        while got.len() < 3 && std::time::Instant::now() < until {
            let n = c.recv(&mut buf);
            assert!(
                n >= 0,
                "empty records reported as error {n} (mbedTLS {:#x}) after {got:?}",
                c.last_error().mbedtls_code
            );
            // No pause on 0: each receive already waits up to the
            // transport's read timeout for the peer's next bytes.
            got.extend_from_slice(&buf[..n as usize]);
        }
        assert_eq!(got, b"xyz");
        assert_eq!(c.send(b"still up"), 8);
    });
}

#[test]
fn data_then_bad_mac_in_one_segment_is_fatal() {
    with_session("data_bad_mac", |c, peer| {
        let end = read_to_end(c, Duration::from_secs(5));
        assert_eq!(end.data, b"hello", "the genuine record sent later must not be delivered: {end:?}");
        assert_eq!(end.code, PROTOCOL, "{end:?}");
        assert_eq!(end.mbedtls_code, MBEDTLS_INVALID_MAC);
        assert_sticky(c, PROTOCOL);
        // The client sent its fatal alert, and no application data after it.
        assert_eq!(client_records(peer), [ALERT_RECORD]);
    });
}

#[test]
fn data_then_fatal_alert_in_one_segment_is_fatal() {
    with_session("data_fatal_alert", |c, peer| {
        let end = read_to_end(c, Duration::from_secs(5));
        assert_eq!(end.data, b"hello");
        assert_eq!(end.code, PROTOCOL, "{end:?}");
        assert_eq!(end.mbedtls_code, MBEDTLS_FATAL_ALERT);
        assert_sticky(c, PROTOCOL);
        let records = client_records(peer);
        assert!(!records.iter().any(|t| t == APPDATA_RECORD), "application data after a fatal alert: {records:?}");
    });
}

#[test]
fn transport_failure_in_the_middle_of_a_large_send_is_reported() {
    with_session("sink", |c, peer| {
        c.transport.misbehaviour = Misbehaviour::SendFailsAfter(5000);
        let big = payload(64 * 1024, 7);
        let rc = c.send(&big);
        assert_eq!(rc, TRANSPORT, "a send that fails part-way reports the failure, not a short count");
        assert_sticky(c, TRANSPORT);
        // SAFETY: the live context; the Client's own cleanup then sees NULL.
        unsafe { ffi::TLS_Cleanup(std::mem::replace(&mut c.ctx, std::ptr::null_mut())) };
        c.transport.stream.shutdown(std::net::Shutdown::Both).unwrap();
        let end = peer.event_within(Duration::from_secs(10)).unwrap_or_default();
        assert!(end.starts_with("SAW sink_"), "{end}");
    });
}

/// After the handshake, one bad record and nothing before it: a documented
/// code, the mbedTLS detail, within a bound.
#[test]
fn bad_records_after_the_handshake() {
    // (case, code, mbedTLS detail or None when any is fine)
    let rows: [(&str, BaseType_t, Option<i32>); 8] = [
        ("bit_flip", PROTOCOL, Some(MBEDTLS_INVALID_MAC)),
        ("ciphertext_flip", PROTOCOL, Some(MBEDTLS_INVALID_MAC)),
        ("oversized_record", PROTOCOL, None),
        ("zero_length_record", PROTOCOL, Some(MBEDTLS_INVALID_RECORD)),
        ("plaintext_alert_after_handshake", PROTOCOL, None),
        ("unexpected_handshake_after", PROTOCOL, Some(MBEDTLS_UNEXPECTED_MESSAGE)),
        ("truncated_record_then_close", TRANSPORT, None),
        ("data_close_notify_fin", CLOSED, Some(0)),
    ];
    for (case, code, detail) in rows {
        let (mbedtls, took) = with_session(case, |c, _peer| {
            let end = read_to_end(c, Duration::from_secs(5));
            assert_eq!(end.code, code, "{case}: {end:?}");
            if let Some(d) = detail {
                assert_eq!(end.mbedtls_code, d, "{case}: {end:?}");
            }
            assert!(end.took < Duration::from_secs(3), "{case}: {end:?}");
            assert_sticky(c, code);
            (end.mbedtls_code, end.took)
        });
        eprintln!("{case}: {code} (mbedTLS -0x{:04X}) after {took:?}", mbedtls.unsigned_abs());
    }
}

/// Silence, a record cut short, a record one byte every 50 ms: TLS_Recv
/// returns 0 ("nothing now") promptly each call, never blocks, and a
/// dribbled record still arrives whole.
#[test]
fn stalls_and_dribbles_after_the_handshake() {
    for case in ["stall_after_handshake", "truncated_record_then_stall"] {
        with_session(case, |c, _peer| {
            let end = read_to_end(c, Duration::from_secs(2));
            assert_eq!((end.code, end.data.len()), (0, 0), "{case}: {end:?}");
            assert!(end.slowest_call < Duration::from_millis(500), "{case}: {end:?}");
        });
    }
    with_session("dribble_record", |c, _peer| {
        let start = Instant::now();
        let mut got = Vec::new();
        let mut buf = [0u8; 16];
        while got.len() < 8 && start.elapsed() < Duration::from_secs(10) {
            let n = c.recv(&mut buf);
            assert!(n >= 0, "dribble: {n}");
            got.extend_from_slice(&buf[..n as usize]);
        }
        assert_eq!(got, b"dribbled");
    });
}

/// The handshake itself is hostile: raw records from the peer.
#[test]
fn hostile_handshakes() {
    // (case, code, handshake timeout in ms)
    let rows: [(&str, BaseType_t, u32); 14] = [
        ("hs_fatal_alert", HANDSHAKE, 10_000),
        ("hs_fatal_alert_after_hello", HANDSHAKE, 10_000),
        ("hs_truncated_then_close", TRANSPORT, 10_000),
        ("hs_truncated_then_stall", HANDSHAKE, 1_500),
        ("hs_oversized", HANDSHAKE, 10_000),
        ("hs_zero_length", HANDSHAKE, 10_000),
        ("hs_unexpected_message", HANDSHAKE, 10_000),
        ("hs_version_tls10", HANDSHAKE, 10_000),
        ("hs_version_ssl3", HANDSHAKE, 10_000),
        ("hs_suite_not_offered", HANDSHAKE, 10_000),
        ("hs_suite_null", HANDSHAKE, 10_000),
        ("hs_not_tls", HANDSHAKE, 10_000),
        ("hs_stall", HANDSHAKE, 1_500),
        ("hs_dribble", HANDSHAKE, 3_000),
    ];
    for (case, code, timeout_ms) in rows {
        let pki = Pki::new(case);
        let peer = hostile(&pki, case);
        let (rc, mbedtls, took) = timed_connect(case, &pki, peer.port, timeout_ms, |c, rc| {
            assert_eq!(rc, code, "{case}: mbedTLS {}", c.last_error().mbedtls_code);
            assert_sticky(c, code);
        });
        assert!(took < Duration::from_millis(u64::from(timeout_ms) + 1_000), "{case}: took {took:?}");
        eprintln!("{case}: {rc} (mbedTLS -0x{:04X}) after {took:?}", mbedtls.unsigned_abs());
    }
}

/// A HelloRequest after the handshake: renegotiation stays refused, and the
/// session goes on.
#[test]
fn hello_request_is_refused_and_the_connection_still_works() {
    with_session("hello_request", |c, peer| {
        let end = read_to_end(c, Duration::from_millis(600));
        assert_eq!((end.code, end.data.len()), (0, 0), "{end:?}");
        // An alert record (21): warning (01) no_renegotiation (100 = 0x64).
        assert_eq!(peer.next_event(), "SAW reply_to_hello_request type=21 body=0164");
        assert_eq!(c.echo(b"again", Duration::from_secs(5)), b"again");
        assert_eq!(peer.next_event(), "SAW after_hello_request again");
    });
}

fn echo_session(pki: &Pki, peer: &EchoPeer) -> Client {
    let mut c = client(pki, peer.port, 10_000);
    assert_eq!(c.connect(), 0);
    assert_eq!(c.echo(b"warm", Duration::from_secs(5)), b"warm");
    c
}

/// Transport callbacks that lie, after a good handshake with a real
/// OpenSSL peer: each ends with TLS_ERROR_TRANSPORT (never a code the
/// callback made up), or keeps returning 0 promptly when it has nothing.
#[test]
fn lying_transport_callbacks() {
    let pki = Pki::new("lying");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions::default());
    let fake_mbedtls = -0x7200;
    let fake_ours = ffi::TLS_ERROR_CONNECTION_CLOSED as BaseType_t;
    let recv_rows = [
        Misbehaviour::RecvMoreThanAsked,
        Misbehaviour::RecvReturns(-2),
        Misbehaviour::RecvReturns(BaseType_t::MIN),
        Misbehaviour::RecvReturns(fake_mbedtls),
        Misbehaviour::RecvReturns(fake_ours),
    ];
    for m in recv_rows {
        heap_watch::assert_no_leak(&format!("{m:?}"), || {
            let mut c = echo_session(&pki, &peer);
            assert_eq!(c.send(b"x"), 1);
            assert!(c.transport.wait_readable(Duration::from_secs(5)), "{m:?}: the echo did not arrive");
            c.transport.misbehaviour = m;
            let end = read_to_end(&mut c, Duration::from_secs(2));
            assert_eq!(end.code, TRANSPORT, "{m:?}: {end:?}");
            assert_sticky(&mut c, TRANSPORT);
        });
        eprintln!("{m:?}: {TRANSPORT}");
    }
    let send_rows = [
        Misbehaviour::SendMoreThanAsked,
        Misbehaviour::SendReturns(-5),
        Misbehaviour::SendReturns(BaseType_t::MIN),
        Misbehaviour::SendReturns(fake_mbedtls),
    ];
    for m in send_rows {
        heap_watch::assert_no_leak(&format!("{m:?}"), || {
            let mut c = echo_session(&pki, &peer);
            c.transport.misbehaviour = m;
            assert_eq!(c.send(b"lie"), TRANSPORT, "{m:?}");
            assert_sticky(&mut c, TRANSPORT);
        });
        eprintln!("{m:?}: {TRANSPORT}");
    }
    // 0 forever: "nothing now" for as long as it lasts, promptly each call.
    heap_watch::assert_no_leak("0 forever", || zero_forever(&pki, &peer));
    // During the handshake: 0 forever ends with the handshake deadline,
    // a lie ends with TLS_ERROR_TRANSPORT.
    for (m, code) in [
        (Misbehaviour::RecvReturns(0), HANDSHAKE),
        (Misbehaviour::RecvMoreThanAsked, TRANSPORT),
        (Misbehaviour::RecvReturns(-3), TRANSPORT),
        (Misbehaviour::SendMoreThanAsked, TRANSPORT),
    ] {
        heap_watch::assert_no_leak(&format!("handshake {m:?}"), || {
            let mut c = client(&pki, peer.port, 1_000);
            c.transport.misbehaviour = m;
            let start = Instant::now();
            assert_eq!(c.connect(), code, "handshake with {m:?}");
            assert!(start.elapsed() < Duration::from_secs(2), "{m:?}");
            assert_sticky(&mut c, code);
        });
        eprintln!("handshake {m:?}: {code}");
    }
}

fn zero_forever(pki: &Pki, peer: &EchoPeer) {
    let mut c = echo_session(pki, peer);
    c.transport.misbehaviour = Misbehaviour::RecvReturns(0);
    let end = read_to_end(&mut c, Duration::from_secs(1));
    assert_eq!((end.code, end.data.len()), (0, 0), "{end:?}");
    assert!(end.slowest_call < Duration::from_millis(100), "{end:?}");
    c.transport.misbehaviour = Misbehaviour::SendReturns(0);
    let start = Instant::now();
    assert_eq!(c.send(b"stuck"), 0, "a transport that takes nothing: nothing sent yet");
    assert!(start.elapsed() < Duration::from_millis(100));
    // The transport recovers: the held record goes out, the echo comes back.
    c.transport.misbehaviour = Misbehaviour::None;
    assert_eq!(c.echo(b"stuck", Duration::from_secs(5)), b"stuck");
}

// --- TLS 1.3 ---------------------------------------------------------------
// tests/peers/hostile_server13.py: raw HelloRetryRequest / ServerHello
// records, tlslite-ng TLS 1.3 sessions with a corrupted server message, and
// misbehaviour after a TLS 1.3 handshake. The client offers 1.2 and 1.3 (the
// default); every peer here speaks 1.3 unless the case is a downgrade.

const MBEDTLS_ILLEGAL_PARAMETER: i32 = -0x6600;
const MBEDTLS_UNSUPPORTED_EXTENSION: i32 = -0x7500;
const MBEDTLS_BAD_INPUT_DATA: i32 = -0x7100;

/// One TLS 1.3 hostile server process running `case`.
fn hostile13(pki: &Pki, case: &str) -> EchoPeer {
    spawn_hostile("hostile_server13.py", &pki.localhost(), case)
}

/// The peer's next line that starts with `prefix` (others are skipped),
/// without the prefix.
fn peer_line(peer: &EchoPeer, prefix: &str) -> String {
    let until = Instant::now() + Duration::from_secs(15);
    while let Some(line) = peer.event_within(until.saturating_duration_since(Instant::now())) {
        if let Some(rest) = line.strip_prefix(prefix) {
            return rest.to_string();
        }
    }
    panic!("the peer printed no line starting with {prefix:?}")
}

/// Connect to a TLS 1.3 hostile peer running `case`, watched for leaks: the
/// code, the mbedTLS detail, how long TLS_Connect took, and the alert the
/// peer saw from the client.
fn connect13(case: &str, timeout_ms: u32) -> (BaseType_t, i32, Duration, String) {
    let pki = Pki::new(case);
    let peer = hostile13(&pki, case);
    let (rc, mbedtls, took) = timed_connect(case, &pki, peer.port, timeout_ms, |c, rc| {
        if rc != 0 {
            assert_sticky(c, rc);
        }
    });
    // A client that connected sent no alert (and the peer waits for data).
    let alert = if rc == 0 { "none (connected)".to_string() } else { peer_line(&peer, "SAW client_alert ") };
    eprintln!("{case}: {rc} (mbedTLS -0x{:04X}) after {took:?}, client alert {alert}", mbedtls.unsigned_abs());
    (rc, mbedtls, took, alert)
}

/// HelloRetryRequest, ServerHello and the server's signed and MACed
/// handshake messages, each wrong in one way: TLS_ERROR_HANDSHAKE_FAILED,
/// the mbedTLS detail, the alert RFC 8446 asks for, well within the
/// handshake timeout. Each row has a control that differs only in the
/// wrong part and gets further.
#[test]
fn tls13_hostile_handshakes() {
    // (case, mbedTLS detail, the client's alert)
    let rows: [(&str, i32, &str); 8] = [
        // An HRR for a group the client never offered (CVE-2026-25832).
        ("hs13_hrr_unoffered_group", MBEDTLS_ILLEGAL_PARAMETER, "illegal_parameter"),
        // An HRR for the group the client already sent a key share for.
        ("hs13_hrr_group_already_shared", MBEDTLS_ILLEGAL_PARAMETER, "illegal_parameter"),
        // A second HRR, after the client's second ClientHello.
        ("hs13_second_hrr", MBEDTLS_UNEXPECTED_MESSAGE, "unexpected_message"),
        // TLS 1.2 negotiated by a server whose random says it speaks 1.3.
        ("hs13_downgrade_tls12", MBEDTLS_ILLEGAL_PARAMETER, "illegal_parameter"),
        ("hs13_downgrade_tls11", MBEDTLS_ILLEGAL_PARAMETER, "illegal_parameter"),
        // A ServerHello selecting a PSK the client never offered.
        ("hs13_psk_not_offered", MBEDTLS_UNSUPPORTED_EXTENSION, "unsupported_extension"),
        // A CertificateVerify whose signature does not verify.
        ("cv13_bad_signature", 0, "decrypt_error"),
        // A server Finished whose verify_data is one bit off.
        ("cv13_bad_finished", 0, "decrypt_error"),
    ];
    for (case, detail, alert) in rows {
        let (rc, mbedtls, took, seen) = connect13(case, 10_000);
        assert_eq!(rc, HANDSHAKE, "{case}");
        if detail != 0 {
            assert_eq!(mbedtls, detail, "{case}");
        }
        assert_eq!(seen, alert, "{case}: the client's alert");
        assert!(took < Duration::from_secs(3), "{case}: took {took:?}");
    }
}

/// The controls of `tls13_hostile_handshakes`: the same records without
/// the wrong part get the client further (a second ClientHello, or a wait
/// for the next message that ends with the handshake timeout, no alert).
#[test]
fn tls13_hostile_handshake_controls() {
    for case in ["hs13_hrr_offered_group", "hs13_tls12_no_marker", "hs13_psk_control"] {
        let (rc, _, took, seen) = connect13(case, 1_000);
        assert_eq!(rc, HANDSHAKE, "{case}");
        assert_eq!(seen, "none", "{case}: no alert before the deadline");
        assert!(took >= Duration::from_millis(900), "{case}: the deadline ended it, not the records: {took:?}");
        assert!(took < Duration::from_millis(2_500), "{case}: {took:?}");
    }
    // The tlslite-ng server that corrupts nothing: a TLS 1.3 session.
    let pki = Pki::new("cv13_control");
    let peer = hostile13(&pki, "cv13_control");
    heap_watch::assert_no_leak("cv13_control", || {
        let mut c = client(&pki, peer.port, 10_000);
        assert_eq!(c.connect(), 0, "{:?}", c.last_error());
        assert_eq!(c.echo(b"ping", Duration::from_secs(5)), b"ping");
    });
    assert_eq!(peer_line(&peer, "SAW request "), "ping");
}

/// An `Ending` that owns no heap (a watched run may return it): whether
/// the data read was exactly "hello".
#[derive(Debug, Clone, Copy)]
struct Outcome {
    hello: bool,
    nothing: bool,
    code: BaseType_t,
    mbedtls_code: i32,
    took: Duration,
    slowest_call: Duration,
}

impl Outcome {
    fn of(end: Ending) -> Outcome {
        let hello = end.data == b"hello";
        if !hello {
            eprintln!("read {:?}", String::from_utf8_lossy(&end.data));
        }
        Outcome {
            hello,
            nothing: end.data.is_empty(),
            code: end.code,
            mbedtls_code: end.mbedtls_code,
            took: end.took,
            slowest_call: end.slowest_call,
        }
    }
}

/// A TLS 1.3 session with the peer running `case`: connect, "ping", then
/// `body`, then TLS_Cleanup (the caller watches for leaks).
fn session13<T>(pki: &Pki, peer: &EchoPeer, case: &str, body: impl FnOnce(&mut Client) -> T) -> T {
    let mut c = client(pki, peer.port, 10_000);
    assert_eq!(c.connect(), 0, "{case}: TLS 1.3 handshake with the tlslite-ng peer: {:?}", c.last_error());
    assert_eq!(c.send(b"ping"), 4);
    assert_eq!(peer_line(peer, "SAW request "), "ping", "{case}");
    body(&mut c)
}

/// A thousand KeyUpdate messages after the handshake, each asking for one
/// back. mbedTLS 3.6 implements no KeyUpdate: the first one ends the
/// session (unexpected_message) with TLS_ERROR_PROTOCOL, promptly, and
/// nothing sent under the updated keys reaches the caller.
#[test]
fn tls13_keyupdate_storm() {
    let case = "post13_keyupdate_storm";
    let pki = Pki::new(case);
    let peer = hostile13(&pki, case);
    let end = heap_watch::assert_no_leak(case, || {
        session13(&pki, &peer, case, |c| {
            let end = read_to_end(c, Duration::from_secs(5));
            assert_sticky(c, PROTOCOL);
            Outcome::of(end)
        })
    });
    eprintln!("{case}: {end:?}");
    assert!(end.hello, "{end:?}");
    assert_eq!(end.code, PROTOCOL, "{end:?}");
    assert_eq!(end.mbedtls_code, MBEDTLS_UNEXPECTED_MESSAGE, "{end:?}");
    assert!(end.took < Duration::from_secs(3), "{end:?}");
}

/// A hostile NewSessionTicket on the first connection, after "hello":
/// either the session goes on (the ticket is dropped) or it ends with a
/// documented code; in both cases the library stores no ticket it could
/// not use, and the next connection to the same server is a full
/// handshake that works. The genuine ticket is the control: the next
/// connection offers it and resumes.
#[test]
fn tls13_hostile_session_tickets() {
    // The session cache is process-wide; each watched run empties it at its
    // end (heap_watch), and watched runs take turns.
    assert_eq!(ffi::TLS_SetSessionResumption(1), 0);
    assert_eq!(ffi::TLS_SetSessionCacheSize(8), 0);
    // (case, code of the first connection's reads, mbedTLS detail, offered next time)
    let rows: [(&str, BaseType_t, i32, bool); 6] = [
        ("nst13_genuine", 0, 0, true),
        ("nst13_lifetime_zero", 0, 0, false),
        ("nst13_lifetime_over_7_days", PROTOCOL, MBEDTLS_ILLEGAL_PARAMETER, false),
        ("nst13_lifetime_max", PROTOCOL, MBEDTLS_ILLEGAL_PARAMETER, false),
        ("nst13_ticket_empty", 0, 0, false),
        ("nst13_ticket_64k", PROTOCOL, MBEDTLS_BAD_INPUT_DATA, false),
    ];
    for (case, code, detail, offered) in rows {
        let pki = Pki::new(case);
        let peer = hostile13(&pki, case);
        let (end, resumed, kept) = heap_watch::assert_no_leak(case, || {
            let end = session13(&pki, &peer, case, |c| {
                let end = read_to_end(c, Duration::from_millis(700));
                if end.code != 0 {
                    assert_sticky(c, end.code);
                }
                Outcome::of(end)
            });
            // What the cache kept (no other test connects while this one
            // is watched, and the last watched run emptied it).
            let kept = freertos_tls::testing::session_cache_len();
            // The next connection to the same server.
            let mut c = client(&pki, peer.port, 10_000);
            assert_eq!(c.connect(), 0, "{case}: the connection after: {:?}", c.last_error());
            assert_eq!(c.echo(b"next", Duration::from_secs(5)), b"next", "{case}");
            let resumed = c.resumed();
            (end, resumed, kept)
        });
        let hello = peer_line(&peer, "SAW hello ");
        eprintln!(
            "{case}: {} (mbedTLS -0x{:04X}) after {:?}; next: {hello}",
            end.code,
            end.mbedtls_code.unsigned_abs(),
            end.took
        );
        // The ticket comes before "hello": a ticket that ends the session
        // lets nothing after it through.
        assert!(if code == 0 { end.hello } else { end.nothing }, "{case}: {end:?}");
        assert_eq!(end.code, code, "{case}: {end:?}");
        assert_eq!(end.mbedtls_code, detail, "{case}: {end:?}");
        assert!(end.slowest_call < Duration::from_secs(1), "{case}: {end:?}");
        assert_eq!(kept, usize::from(offered), "{case}: sessions cached after the first connection");
        let want = if offered { "psk=1 resumed=1" } else { "psk=0 resumed=0" };
        assert_eq!(hello, want, "{case}: the next ClientHello");
        assert_eq!(resumed, offered, "{case}: TLS_IsSessionResumed");
    }
}

/// A resumption where the server selects a PSK the client never offered:
/// identity 1 of a one-identity list. TLS_ERROR_HANDSHAKE_FAILED with
/// illegal_parameter; the offered session was taken out of the cache, so
/// the next connection is a full handshake that works.
#[test]
fn tls13_server_selects_a_psk_identity_never_offered() {
    let case = "psk13_wrong_identity";
    assert_eq!(ffi::TLS_SetSessionResumption(1), 0);
    assert_eq!(ffi::TLS_SetSessionCacheSize(8), 0);
    let pki = Pki::new(case);
    let peer = hostile13(&pki, case);
    let (rc, mbedtls, took) = heap_watch::assert_no_leak(case, || {
        let mut c = client(&pki, peer.port, 10_000);
        assert_eq!(c.connect(), 0, "{:?}", c.last_error());
        assert_eq!(c.echo(b"ticket", Duration::from_secs(5)), b"ticket");
        drop(c);
        let mut c = client(&pki, peer.port, 10_000);
        let start = Instant::now();
        let rc = c.connect();
        let took = start.elapsed();
        let mbedtls = c.last_error().mbedtls_code;
        if rc != 0 {
            assert_sticky(&mut c, rc);
        }
        drop(c);
        let mut c = client(&pki, peer.port, 10_000);
        assert_eq!(c.connect(), 0, "the connection after: {:?}", c.last_error());
        assert_eq!(c.echo(b"after", Duration::from_secs(5)), b"after");
        assert!(!c.resumed());
        (rc, mbedtls, took)
    });
    assert_eq!(peer_line(&peer, "SAW hello "), "psk=0 resumed=0", "the first connection");
    assert_eq!(peer_line(&peer, "SAW client_hello "), "psk=1", "the second connection offers the ticket");
    let alert = peer_line(&peer, "SAW client_alert ");
    eprintln!("{case}: {rc} (mbedTLS -0x{:04X}) after {took:?}, client alert {alert}", mbedtls.unsigned_abs());
    assert_eq!((rc, mbedtls, alert.as_str()), (HANDSHAKE, MBEDTLS_ILLEGAL_PARAMETER, "illegal_parameter"));
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert_eq!(peer_line(&peer, "SAW hello "), "psk=0 resumed=0", "the third connection: nothing cached");
}

/// A well-formed ticket too large for the client's own ClientHello: the
/// ticket fits the server's record (16 KiB) but, as a PSK identity, not the
/// client's output buffer (`OUT_CONTENT_LEN`) next to the rest of the
/// ClientHello. The library must not keep a session it cannot offer: the
/// next connection to that server must work (a full handshake). Sizes
/// around the limit, and one well below it as the control (offered, and
/// refused by the server, which cannot decrypt it: a full handshake).
#[test]
fn tls13_ticket_too_large_to_offer_is_not_kept() {
    let out = freertos_tls::testing::OUT_CONTENT_LEN;
    assert_eq!(ffi::TLS_SetSessionResumption(1), 0);
    assert_eq!(ffi::TLS_SetSessionCacheSize(8), 0);
    // (ticket bytes, offered next time). The tickets are random bytes, which
    // the server cannot decrypt: an offered one ends in a full handshake.
    // Measured on the default profile (OUT_CONTENT_LEN 16,384): tickets up
    // to 16,100 bytes are offered and work; from 16,150 on the ClientHello
    // does not fit and mbedTLS fails it (BUFFER_TOO_SMALL) before sending.
    let largest_record_ticket = 16_366;
    let rows = [(1_000, true), (out - 600, true), (out.min(largest_record_ticket), false)];
    for (bytes, offered) in rows {
        let case = format!("nst13_ticket_bytes_{bytes}");
        let pki = Pki::new(&case);
        let peer = hostile13(&pki, &case);
        let (first, second, resumed) = heap_watch::assert_no_leak(&case, || {
            let end = session13(&pki, &peer, &case, |c| Outcome::of(read_to_end(c, Duration::from_millis(700))));
            let mut c = client(&pki, peer.port, 10_000);
            let rc = c.connect();
            let second = (rc, c.last_error().mbedtls_code);
            let resumed = rc == 0 && c.echo(b"next", Duration::from_secs(5)) == b"next" && c.resumed();
            (end, second, resumed)
        });
        eprintln!("{case}: first {first:?}; next connection {second:?}");
        assert!(first.hello && first.code == 0, "{case}: the ticket is well-formed: {first:?}");
        assert_eq!(
            second.0,
            0,
            "{case}: the connection after the ticket failed (mbedTLS -0x{:04X})",
            second.1.unsigned_abs()
        );
        let hello = peer_line(&peer, "SAW hello ");
        let want = if offered { "psk=1 resumed=0" } else { "psk=0 resumed=0" };
        assert_eq!((hello.as_str(), resumed), (want, false), "{case}");
    }
}

/// The same in TLS 1.2: a NewSessionTicket (inside the handshake) whose
/// ticket fits the server's record but not the client's next ClientHello.
/// Control: a 1,000-byte ticket is offered next time.
#[test]
fn tls12_ticket_too_large_to_offer_is_not_kept() {
    let out = freertos_tls::testing::OUT_CONTENT_LEN;
    assert_eq!(ffi::TLS_SetSessionResumption(1), 0);
    assert_eq!(ffi::TLS_SetSessionCacheSize(8), 0);
    for (bytes, offered) in [(1_000, true), (out.min(16_300), false)] {
        let case = format!("tkt12_bytes_{bytes}");
        let pki = Pki::new(&case);
        let peer = hostile13(&pki, &case);
        let second = heap_watch::assert_no_leak(&case, || {
            let mut c = client(&pki, peer.port, 10_000);
            assert_eq!(c.connect(), 0, "{case}: {:?}", c.last_error());
            assert_eq!(c.echo(b"first", Duration::from_secs(5)), b"first");
            drop(c);
            let mut c = client(&pki, peer.port, 10_000);
            let rc = c.connect();
            let second = (rc, c.last_error().mbedtls_code);
            if rc == 0 {
                assert_eq!(c.echo(b"next", Duration::from_secs(5)), b"next");
            }
            second
        });
        eprintln!("{case}: next connection {second:?}");
        assert_eq!(peer_line(&peer, "SAW hello12 "), "ticket=0", "{case}: the first ClientHello");
        assert_eq!(
            second.0,
            0,
            "{case}: the connection after the ticket failed (mbedTLS -0x{:04X})",
            second.1.unsigned_abs()
        );
        let want = if offered { "ticket=1" } else { "ticket=0" };
        assert_eq!(peer_line(&peer, "SAW hello12 "), want, "{case}: the next ClientHello");
    }
}

// --- hostile certificates -----------------------------------------------
// A 20-deep chain, 10 kB subject and SAN, a NUL inside the CN or a SAN,
// wildcard names: each is refused with TLS_ERROR_HANDSHAKE_FAILED and the
// verify flags say why, or accepted and then carries data.

// X.509 verification flags (mbedTLS x509.h facts).
const BADCERT_CN_MISMATCH: u32 = 0x04;

fn ca_params(name: &str) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, name);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = OffsetDateTime::now_utc() - DAY;
    p.not_after = OffsetDateTime::now_utc() + 30 * DAY;
    p
}

fn leaf_params() -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.not_before = OffsetDateTime::now_utc() - DAY;
    p.not_after = OffsetDateTime::now_utc() + 30 * DAY;
    p
}

/// A root, `depth - 1` intermediates below it, and a leaf from `leaf`;
/// the server presents the leaf and every intermediate.
struct Chain {
    dir: tempfile::TempDir,
    root_pem: Vec<u8>,
    id: Identity,
}

fn chain(depth: usize, leaf: CertificateParams) -> Chain {
    let root = CertifiedIssuer::self_signed(ca_params("hostile root"), KeyPair::generate().unwrap()).unwrap();
    let mut root_pem = root.pem().into_bytes();
    root_pem.push(0);
    let mut issuers = vec![root];
    for i in 1..depth {
        let ca = CertifiedIssuer::signed_by(
            ca_params(&format!("hostile intermediate {i}")),
            KeyPair::generate().unwrap(),
            issuers.last().unwrap(),
        )
        .unwrap();
        issuers.push(ca);
    }
    let key = KeyPair::generate().unwrap();
    let cert = leaf.signed_by(&key, issuers.last().unwrap()).unwrap();
    let mut pem = cert.pem();
    for ca in issuers.iter().skip(1).rev() {
        pem.push_str(&ca.pem());
    }
    let dir = tempfile::tempdir().unwrap();
    let id = Identity::write(dir.path(), "server", &pem, &key.serialize_pem());
    Chain { dir, root_pem, id }
}

/// Connect as `host` to a tlslite-ng peer presenting `chain` (it ignores
/// the max-fragment-length request, so large chains arrive in full-size
/// records); on success, echo.
fn connect(chain: &Chain, host: &str) -> (BaseType_t, u32, i32) {
    let peer = hostile_as(&chain.id, "echo");
    let (rc, flags, mbedtls) = heap_watch::assert_no_leak(host, || connect_to(&peer, chain, host));
    eprintln!("{host}: {rc} (mbedTLS -0x{:04X}, flags 0x{flags:x})", mbedtls.unsigned_abs());
    (rc, flags, mbedtls)
}

fn connect_to(peer: &EchoPeer, chain: &Chain, host: &str) -> (BaseType_t, u32, i32) {
    let mut c = Client::init(peer.port, ClientOptions { host, ca_pem: Some(chain.root_pem.clone()), alpn: &[] });
    let start = Instant::now();
    let rc = c.connect();
    assert!(start.elapsed() < Duration::from_secs(10));
    let e = c.last_error();
    if rc == 0 {
        assert_eq!(c.echo(b"ping", Duration::from_secs(5)), b"ping");
    } else {
        let mut buf = [0u8; 4];
        assert_eq!(c.recv(&mut buf), rc, "sticky");
    }
    let _ = &chain.dir;
    (rc, e.verify_flags, e.mbedtls_code)
}

fn with_dns(mut p: CertificateParams, names: &[&str]) -> CertificateParams {
    p.subject_alt_names = names.iter().map(|n| SanType::DnsName((*n).try_into().unwrap())).collect();
    p
}

#[test]
fn twenty_deep_chain_is_refused() {
    let c = chain(20, with_dns(leaf_params(), &["localhost"]));
    let (rc, _, mbedtls) = connect(&c, "localhost");
    assert_eq!(rc, HANDSHAKE);
    assert_eq!(mbedtls, -0x3000, "MBEDTLS_ERR_X509_FATAL_ERROR: longer than the verify chain limit");
    // The same names under a short chain connect: the depth is the reason.
    let (rc, _, _) = connect(&chain(3, with_dns(leaf_params(), &["localhost"])), "localhost");
    assert_eq!(rc, 0);
}

/// A Certificate message larger than one record (here over 17 kB, more
/// than the 16 KiB default and than any max-fragment-length the small
/// record buffer profiles ask for) comes in several records. mbedTLS 3.6
/// reassembles handshake messages split over records, but not one larger
/// than its input buffer: refused, with the documented code and
/// MBEDTLS_ERR_SSL_BAD_INPUT_DATA.
#[test]
fn certificate_message_split_over_records_is_refused_cleanly() {
    let mut p = with_dns(leaf_params(), &["localhost"]);
    p.distinguished_name.push(DnType::OrganizationName, "o".repeat(17 * 1024));
    p.distinguished_name.push(DnType::CommonName, "localhost");
    let c = chain(2, p);
    let peer = EchoPeer::start(&c.id, PeerOptions::default());
    let mut cl =
        Client::init(peer.port, ClientOptions { host: "localhost", ca_pem: Some(c.root_pem.clone()), alpn: &[] });
    assert_eq!(cl.connect(), HANDSHAKE);
    assert_eq!(cl.last_error().mbedtls_code, -0x7100);
    assert_sticky(&mut cl, HANDSHAKE);
}

#[test]
fn ten_kilobyte_subject_and_san() {
    let mut p = with_dns(leaf_params(), &["localhost"]);
    p.distinguished_name.push(DnType::OrganizationName, "o".repeat(10 * 1024));
    p.distinguished_name.push(DnType::CommonName, "localhost");
    assert_eq!(connect(&chain(2, p), "localhost").0, 0, "a 10 kB subject is parsed, the SAN matches");

    let filler: Vec<String> = (0..400).map(|i| format!("filler-{i:04}.{}.example", "x".repeat(8))).collect();
    let mut names: Vec<&str> = filler.iter().map(String::as_str).collect();
    names.push("localhost");
    let total: usize = names.iter().map(|n| n.len()).sum();
    assert!(total > 10 * 1024, "{total}");
    assert_eq!(connect(&chain(2, with_dns(leaf_params(), &names)), "localhost").0, 0, "the last of 401 SANs matches");
    let (rc, flags, _) = connect(&chain(2, with_dns(leaf_params(), &names[..400])), "localhost");
    assert_eq!(rc, HANDSHAKE, "none of 400 SANs matches");
    assert_ne!(flags & BADCERT_CN_MISMATCH, 0);
}

#[test]
fn nul_inside_a_name_never_matches_its_prefix() {
    // CN only (no SAN): mbedTLS falls back to the CN.
    let mut p = leaf_params();
    p.distinguished_name.push(DnType::CommonName, "localhost\0.attacker.example");
    let (rc, flags, _) = connect(&chain(2, p), "localhost");
    assert_eq!(rc, HANDSHAKE);
    assert_ne!(flags & BADCERT_CN_MISMATCH, 0, "flags 0x{flags:x}");
    // Control: the same certificate without the NUL tail connects.
    let mut p = leaf_params();
    p.distinguished_name.push(DnType::CommonName, "localhost");
    assert_eq!(connect(&chain(2, p), "localhost").0, 0);
    // A NUL inside a SAN.
    let (rc, flags, _) = connect(&chain(2, with_dns(leaf_params(), &["localhost\0.attacker.example"])), "localhost");
    assert_eq!(rc, HANDSHAKE);
    assert_ne!(flags & BADCERT_CN_MISMATCH, 0, "flags 0x{flags:x}");
}

#[test]
fn wildcard_names_match_one_label_only() {
    let c = chain(2, with_dns(leaf_params(), &["*.devices.example"]));
    assert_eq!(connect(&c, "thing1.devices.example").0, 0);
    for host in ["devices.example", "a.b.devices.example", "thing1.devices.example.attacker", "devices.examplex"] {
        let (rc, flags, _) = connect(&c, host);
        assert_eq!(rc, HANDSHAKE, "{host}");
        assert_ne!(flags & BADCERT_CN_MISMATCH, 0, "{host}: flags 0x{flags:x}");
    }
    // A wildcard that is not the whole left-most label is not a wildcard.
    let c = chain(2, with_dns(leaf_params(), &["thing*.devices.example"]));
    assert_eq!(connect(&c, "thing1.devices.example").0, HANDSHAKE);
}

// --- the watcher itself ----------------------------------------------------

/// The leak check can fail: a leaked Rust block and a leaked mbedTLS block
/// (calloc from C) are both seen, and a freed block holding a registered
/// secret is found.
#[test]
fn heap_watch_sees_rust_and_mbedtls_leaks_and_freed_secrets() {
    let ((), r) = heap_watch::watch(|| std::mem::forget(vec![7u8; 100]));
    assert_eq!((r.live_blocks, r.live_bytes), (1, 100));

    let pki = Pki::new("watch");
    let pem = pki.ca_pem_with_nul();
    let mut crt = std::mem::MaybeUninit::<mbedtls_sys::x509_crt>::uninit();
    let ((), r) = heap_watch::watch(|| {
        // SAFETY: init then parse a NUL-terminated PEM into our own struct.
        unsafe {
            mbedtls_sys::x509_crt_init(crt.as_mut_ptr());
            assert_eq!(mbedtls_sys::x509_crt_parse(crt.as_mut_ptr(), pem.as_ptr(), pem.len()), 0);
        }
    });
    assert!(r.live_blocks >= 1, "mbedTLS's calloc is not watched: {r:?}");
    // SAFETY: the certificate parsed above, freed once.
    unsafe { mbedtls_sys::x509_crt_free(crt.as_mut_ptr()) };

    let secret = *b"0123456789abcdef-not-wiped";
    let ((), _) = heap_watch::watch(|| drop(secret.to_vec()));
    assert_eq!(heap_watch::freed_blocks_holding(&secret), 1);
    let ((), _) = heap_watch::watch(|| {
        let mut v = secret.to_vec();
        zeroize::Zeroize::zeroize(&mut v);
    });
    assert_eq!(heap_watch::freed_blocks(), 1);
    assert_eq!(heap_watch::freed_blocks_holding(&secret), 0, "a wiped block is not reported");
}
