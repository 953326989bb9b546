//! Hostile peers: scripted servers on 127.0.0.1 (tests/peers/hostile_server.py,
//! tlslite-ng for real sessions it then breaks, raw record bytes for the
//! handshake) and lying transport callbacks. Every case must end with a
//! documented code within a bounded time, the code must stay (sticky) for
//! later calls, and nothing the peer sends after a close_notify or a bad
//! record may ever reach the caller.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use freertos_tls::ffi::{self, BaseType_t};
use support::*;

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

/// The Python with tlslite-ng: `HOSTILE_PYTHON`, or a venv under
/// `build/hostile-venv` made (once) from the system's python3.
fn tlslite_python() -> &'static Path {
    static PY: OnceLock<PathBuf> = OnceLock::new();
    PY.get_or_init(|| {
        if let Ok(p) = std::env::var("HOSTILE_PYTHON") {
            return PathBuf::from(p);
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let venv = root.join("build/hostile-venv");
        let py = venv.join("bin/python3");
        let ok = |py: &Path| Command::new(py).args(["-c", "import tlslite"]).status().is_ok_and(|s| s.success());
        if !ok(&py) {
            let base = if Path::new("/usr/bin/python3").exists() { "/usr/bin/python3" } else { "python3" };
            let made = Command::new(base).args(["-m", "venv"]).arg(&venv).status().expect("python3 -m venv");
            assert!(made.success(), "python3 -m venv failed (Debian: apt-get install python3-venv)");
            let pip = Command::new(venv.join("bin/pip"))
                .args(["install", "--quiet", "--disable-pip-version-check", "tlslite-ng==0.8.2"])
                .status()
                .expect("pip");
            assert!(pip.success(), "pip install tlslite-ng failed");
            assert!(ok(&py), "tlslite-ng not importable after install");
        }
        py
    })
}

/// One hostile server process running `case`.
fn hostile(pki: &Pki, case: &str) -> EchoPeer {
    let id = pki.localhost();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/hostile_server.py");
    let mut cmd = Command::new(tlslite_python());
    cmd.arg(script).arg("--cert").arg(&id.cert).arg("--key").arg(&id.key).arg("--case").arg(case);
    EchoPeer::spawn(cmd)
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
    Ending { data, code, mbedtls_code: c.last_error().lMbedtlsCode, took: start.elapsed(), slowest_call }
}

/// The error is sticky: TLS_Recv and TLS_Send return it again, and
/// TLS_GetLastError reports it.
fn assert_sticky(c: &mut Client, code: BaseType_t) {
    let mut buf = [0u8; 16];
    for _ in 0..3 {
        assert_eq!(c.recv(&mut buf), code, "TLS_Recv after the error");
        assert_eq!(c.send(b"more"), code, "TLS_Send after the error");
    }
    assert_eq!(c.last_error().xCode, code);
}

/// A session the server breaks after the client's first message.
fn session(case: &str) -> (Client, EchoPeer, Pki) {
    let pki = Pki::new(case);
    let peer = hostile(&pki, case);
    let mut c = client(&pki, peer.port, 10_000);
    let rc = c.connect();
    assert_eq!(
        rc,
        0,
        "{case}: handshake with the tlslite-ng peer: {:?} {:?}",
        c.last_error().lMbedtlsCode,
        peer.event_within(Duration::from_secs(2))
    );
    assert_eq!(c.send(b"ping"), 4);
    assert_eq!(peer.next_event(), "SAW request ping", "{case}");
    (c, peer, pki)
}

/// The client's records the peer saw after it injected its bad record.
fn client_records(peer: &EchoPeer) -> Vec<String> {
    let line = peer.event_within(Duration::from_secs(10)).expect("peer reports the client's records");
    let list = line.strip_prefix("SAW client_records ").unwrap_or_else(|| panic!("unexpected peer line {line}"));
    list.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect()
}

#[test]
fn data_and_close_notify_in_one_segment_then_silence() {
    let (mut c, _peer, _pki) = session("data_close_notify_silent");
    let end = read_to_end(&mut c, Duration::from_secs(5));
    assert_eq!(end.data, b"hello");
    assert_eq!(end.code, CLOSED, "{end:?}");
    assert!(end.took < Duration::from_secs(2), "{end:?}");
    assert_sticky(&mut c, CLOSED);
}

#[test]
fn data_and_close_notify_in_one_segment_then_tcp_close() {
    let (mut c, _peer, _pki) = session("data_close_notify_fin");
    let end = read_to_end(&mut c, Duration::from_secs(5));
    assert_eq!(end.data, b"hello");
    assert_eq!(end.code, CLOSED, "the close_notify, not the TCP close, is reported: {end:?}");
    assert_sticky(&mut c, CLOSED);
}

#[test]
fn nothing_after_close_notify_is_parsed() {
    let (mut c, _peer, _pki) = session("data_close_notify_garbage");
    let end = read_to_end(&mut c, Duration::from_secs(5));
    assert_eq!(end.data, b"hello", "the record after close_notify must not be delivered");
    assert_eq!(end.code, CLOSED, "{end:?}");
    assert_eq!(end.mbedtls_code, 0);
    assert_sticky(&mut c, CLOSED);
}

#[test]
fn data_then_bad_mac_in_one_segment_is_fatal() {
    let (mut c, peer, _pki) = session("data_bad_mac");
    let end = read_to_end(&mut c, Duration::from_secs(5));
    assert_eq!(end.data, b"hello", "the genuine record sent later must not be delivered: {end:?}");
    assert_eq!(end.code, PROTOCOL, "{end:?}");
    assert_eq!(end.mbedtls_code, MBEDTLS_INVALID_MAC);
    assert_sticky(&mut c, PROTOCOL);
    // The client sent its fatal alert, and no application data after it.
    assert_eq!(client_records(&peer), [ALERT_RECORD]);
}

#[test]
fn data_then_fatal_alert_in_one_segment_is_fatal() {
    let (mut c, peer, _pki) = session("data_fatal_alert");
    let end = read_to_end(&mut c, Duration::from_secs(5));
    assert_eq!(end.data, b"hello");
    assert_eq!(end.code, PROTOCOL, "{end:?}");
    assert_eq!(end.mbedtls_code, MBEDTLS_FATAL_ALERT);
    assert_sticky(&mut c, PROTOCOL);
    let records = client_records(&peer);
    assert!(!records.iter().any(|t| t == APPDATA_RECORD), "application data after a fatal alert: {records:?}");
}

#[test]
fn transport_failure_in_the_middle_of_a_large_send_is_reported() {
    let (mut c, peer, _pki) = session("sink");
    c.transport.misbehaviour = Misbehaviour::SendFailsAfter(5000);
    let big = payload(64 * 1024, 7);
    let rc = c.send(&big);
    assert_eq!(rc, TRANSPORT, "a send that fails part-way reports the failure, not a short count");
    assert_sticky(&mut c, TRANSPORT);
    drop(c);
    let end = peer.event_within(Duration::from_secs(10)).unwrap_or_default();
    assert!(end.starts_with("SAW sink_"), "{end}");
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
        let (mut c, _peer, _pki) = session(case);
        let end = read_to_end(&mut c, Duration::from_secs(5));
        assert_eq!(end.code, code, "{case}: {end:?}");
        if let Some(d) = detail {
            assert_eq!(end.mbedtls_code, d, "{case}: {end:?}");
        }
        assert!(end.took < Duration::from_secs(3), "{case}: {end:?}");
        assert_sticky(&mut c, code);
        eprintln!("{case}: {code} (mbedTLS -0x{:04X}) after {:?}", end.mbedtls_code.unsigned_abs(), end.took);
    }
}

/// Silence, a record cut short, a record one byte every 50 ms: TLS_Recv
/// returns 0 ("nothing now") promptly each call, never blocks, and a
/// dribbled record still arrives whole.
#[test]
fn stalls_and_dribbles_after_the_handshake() {
    for case in ["stall_after_handshake", "truncated_record_then_stall"] {
        let (mut c, _peer, _pki) = session(case);
        let end = read_to_end(&mut c, Duration::from_secs(2));
        assert_eq!((end.code, end.data.len()), (0, 0), "{case}: {end:?}");
        assert!(end.slowest_call < Duration::from_millis(500), "{case}: {end:?}");
    }
    let (mut c, _peer, _pki) = session("dribble_record");
    let start = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 16];
    while got.len() < 8 && start.elapsed() < Duration::from_secs(10) {
        let n = c.recv(&mut buf);
        assert!(n >= 0, "dribble: {n}");
        got.extend_from_slice(&buf[..n as usize]);
    }
    assert_eq!(got, b"dribbled");
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
        let mut c = client(&pki, peer.port, timeout_ms);
        let start = Instant::now();
        let rc = c.connect();
        let took = start.elapsed();
        let e = c.last_error();
        assert_eq!(rc, code, "{case}: mbedTLS {}", e.lMbedtlsCode);
        assert!(took < Duration::from_millis(u64::from(timeout_ms) + 1_000), "{case}: took {took:?}");
        assert_sticky(&mut c, code);
        eprintln!("{case}: {rc} (mbedTLS -0x{:04X}) after {took:?}", e.lMbedtlsCode.unsigned_abs());
    }
}
