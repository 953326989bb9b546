//! Zeroization proof: after a mutual-TLS connection (device key in a
//! SoftHSM2 token behind a non-default PIN) and TLS_Cleanup, no block the
//! library freed still holds the PIN, the master secret or a session key.
//!
//! The secrets are known without making the library deterministic: the
//! peer (tests/peers/hostile_keylog_server.py, OpenSSL) reads the master
//! secret from its key log and derives the key block from it and the two
//! hello randoms. The heap watcher keeps a copy of every block freed
//! during the run (Rust allocations and mbedTLS's calloc/free), so blocks
//! freed inside the handshake, before the test learns the secrets, are
//! searched too. A control checks that the secrets really are in the
//! library's live memory while the connection is up.

mod heap_watch;
mod support;
mod tlslite;

use std::ffi::CString;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use freertos_tls::ffi::{self, BaseType_t};
use support::KeyAlg;
use support::{Client, ClientOptions, EchoPeer, Misbehaviour};

/// A PIN no certificate, label or key could contain by chance.
const SECRET_PIN: &str = "zeroize-pin-5f1c9a7e3b20d4";

/// What the peer revealed about one session.
#[derive(Debug, Clone, Copy)]
struct SessionSecrets {
    master: [u8; 48],
    client_key: [u8; 16],
    server_key: [u8; 16],
}

fn unhex<const N: usize>(line: &str, field: &str) -> [u8; N] {
    let start = line.find(&format!("{field}=")).unwrap_or_else(|| panic!("no {field} in {line}")) + field.len() + 1;
    let hex = &line.as_bytes()[start..start + 2 * N];
    let mut out = [0u8; N];
    for (i, b) in out.iter_mut().enumerate() {
        let digit = |c: u8| (c as char).to_digit(16).expect("hex digit") as u8;
        *b = digit(hex[2 * i]) << 4 | digit(hex[2 * i + 1]);
    }
    out
}

/// The peer's next "SECRETS ..." line (it also reports ended connections).
fn next_secrets(peer: &EchoPeer) -> String {
    loop {
        let line = peer.next_event();
        if line.starts_with("SECRETS ") {
            return line;
        }
    }
}

fn connect_and_echo(peer: &EchoPeer, ca: &[u8]) -> Client {
    let mut c = Client::init(peer.port, ClientOptions { host: "localhost", ca_pem: Some(ca.to_vec()), alpn: &[] });
    assert_eq!(c.connect(), 0, "mutual TLS with the key-log peer: {}", c.last_error().mbedtls_code);
    for i in 0..4u8 {
        let msg = [b'a' + i; 300];
        assert_eq!(c.echo(&msg, Duration::from_secs(5)), msg);
    }
    c
}

/// A token with a P-256 device key whose PIN is changed to [`SECRET_PIN`],
/// and the library told that PIN (so the PIN is a secret it holds).
fn device_behind_secret_pin(name: &str) -> support::ProvisionedDevice {
    let setup = support::ProvisionedDevice::new(name, KeyAlg::EcP256);
    // Panics with pkcs11-tool's output unless the PIN was changed.
    setup.token.tool_with_pin(support::PIN, &["--change-pin", "--new-pin", SECRET_PIN]);
    let pin = CString::new(SECRET_PIN).unwrap();
    // SAFETY: a NUL-terminated string; NULL keeps the labels.
    assert_eq!(unsafe { ffi::TLS_SetClientCredentialLabels(pin.as_ptr(), std::ptr::null(), std::ptr::null()) }, 0);
    setup
}

#[test]
fn no_freed_block_keeps_the_pin_master_secret_or_session_keys() {
    let setup = device_behind_secret_pin("zeroize-device");

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/hostile_keylog_server.py");
    let mut cmd = Command::new("python3");
    cmd.arg(script).arg("--cert").arg(&setup.pki.server.cert).arg("--key").arg(&setup.pki.server.key);
    cmd.arg("--client-ca").arg(&setup.pki.root.cert).arg("--keylog").arg(setup.pki.dir.path().join("keylog.txt"));
    let peer = EchoPeer::spawn(cmd);
    let ca = setup.pki.root_pem_with_nul();

    // One connection unwatched first: one-time set-up (entropy, PKCS#11
    // module) stays allocated by design and is not this test's subject.
    drop(connect_and_echo(&peer, &ca));
    next_secrets(&peer);

    check_one_connection(&peer, &ca, "after a clean session", |_| {});
    check_one_connection(&peer, &ca, "after a transport failure", |c| {
        c.transport.misbehaviour = Misbehaviour::RecvReturns(-1);
        let mut buf = [0u8; 8];
        assert_eq!(c.recv(&mut buf), ffi::TLS_ERROR_TRANSPORT as BaseType_t);
    });
    // Back to the build's PIN for any later test in this binary.
    let default_pin = CString::new(support::PIN).unwrap();
    // SAFETY: as above.
    assert_eq!(
        unsafe { ffi::TLS_SetClientCredentialLabels(default_pin.as_ptr(), std::ptr::null(), std::ptr::null()) },
        0
    );
}

/// One watched connection: connect, echo, `then`, TLS_Cleanup; then no
/// freed block may hold a secret.
fn check_one_connection(peer: &EchoPeer, ca: &[u8], what: &str, then: impl FnOnce(&mut Client)) {
    let ((secrets, live), report) = heap_watch::watch(|| {
        let mut c = connect_and_echo(peer, ca);
        let line = next_secrets(peer);
        let s = SessionSecrets {
            master: unhex(&line, "master"),
            client_key: unhex(&line, "client_key"),
            server_key: unhex(&line, "server_key"),
        };
        let live = [
            heap_watch::live_blocks_holding(&s.master),
            heap_watch::live_blocks_holding(&s.client_key),
            heap_watch::live_blocks_holding(&s.server_key),
        ];
        then(&mut c);
        drop(c); // TLS_Cleanup
        (s, live)
    });
    assert_eq!(report.live_blocks, 0, "{what}: leaked: {report:?}");
    // The control: while connected, the library's heap held each secret.
    assert!(live.iter().all(|&n| n > 0), "{what}: master/client key/server key in live blocks: {live:?}");
    let freed = heap_watch::freed_blocks();
    let holding = [
        ("PIN", heap_watch::freed_blocks_holding(SECRET_PIN.as_bytes())),
        ("master secret", heap_watch::freed_blocks_holding(&secrets.master)),
        ("client write key", heap_watch::freed_blocks_holding(&secrets.client_key)),
        ("server write key", heap_watch::freed_blocks_holding(&secrets.server_key)),
    ];
    eprintln!("{what}: {freed} blocks freed ({} recorded); still holding a secret: {holding:?}", report.recorded);
    // A control that the watcher saw mbedTLS's frees at all: a session
    // frees about 85 blocks on 3.6 (its session, transform, buffers,
    // certificate chain, key-exchange numbers).
    assert!(freed > 50, "{what}: the watcher kept only {freed} blocks");
    for (secret, n) in holding {
        assert_eq!(n, 0, "{what}: {n} freed blocks still hold the {secret}");
    }
}

// --- TLS 1.3 -------------------------------------------------------------
// Mutual TLS 1.3, the device key in the token behind the secret PIN. The peer (tests/peers/hostile_keylog_server13.py, tlslite-ng) reveals the
// handshake and application traffic secrets, the application write keys,
// the resumption master secret, and the PSK the client derives from the one
// NewSessionTicket it sends (with the ticket itself).
//
// The claim, precisely: after TLS_Cleanup no live block holds a traffic
// secret, a write key or the resumption master secret; the PSK and the
// ticket are then held by exactly one live block, the session cache's
// serialized session (kept on purpose for the next connection). After
// TLS_ClearSessionCache no live block holds any of them, and no block freed
// during the whole run (handshake, session, TLS_Cleanup, the cache's
// eviction) holds a secret. The ticket itself is public (sent in the
// clear) and is not wiped by mbedTLS when it frees its copy.

/// The secrets the peer names, in its order; the ticket is the longest.
const NAMES13: [&str; 9] = ["c_hs", "s_hs", "c_app", "s_app", "c_key", "s_key", "res_master", "psk", "ticket"];

/// The values of `NAMES13` from the peer's "SECRETS k=hex ..." line, in
/// fixed buffers (a watched run must return nothing it allocated).
fn secrets13(line: &str) -> [([u8; 256], usize); 9] {
    let mut out = [([0u8; 256], 0); 9];
    for (i, name) in NAMES13.iter().enumerate() {
        let start = line.find(&format!(" {name}=")).unwrap_or_else(|| panic!("no {name} in {line}")) + name.len() + 2;
        let hex = line[start..].split(' ').next().unwrap();
        for (j, b) in out[i].0.iter_mut().take(hex.len() / 2).enumerate() {
            *b = u8::from_str_radix(&hex[2 * j..2 * j + 2], 16).unwrap();
        }
        out[i].1 = hex.len() / 2;
    }
    out
}

#[test]
fn tls13_traffic_secrets_and_resumption_psk_are_wiped() {
    // Mutual TLS 1.3 with the device key in the token (ECDSA through PSA),
    // behind the secret PIN, as the TLS 1.2 check above.
    let setup = device_behind_secret_pin("zeroize13-device");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/hostile_keylog_server13.py");
    let mut cmd = Command::new(tlslite::tlslite_python());
    cmd.arg(script).arg("--cert").arg(&setup.pki.server.cert).arg("--key").arg(&setup.pki.server.key);
    cmd.arg("--require-client-cert");
    let peer = EchoPeer::spawn(cmd);
    let ca = setup.pki.root_pem_with_nul();
    assert_eq!(ffi::TLS_SetSessionResumption(1), 0);
    // One connection unwatched first (one-time set-up: the PKCS#11 module).
    drop(connect_and_echo(&peer, &ca));
    next_secrets(&peer);

    let ((secrets, live_before, live_after, cache_len), report) = heap_watch::watch(|| {
        ffi::TLS_ClearSessionCache();
        let mut c = Client::init(peer.port, ClientOptions { host: "localhost", ca_pem: Some(ca.clone()), alpn: &[] });
        assert_eq!(c.connect(), 0, "TLS 1.3 with the key-log peer: {:?}", c.last_error());
        // The first echo carries the client's Finished out and brings the
        // ticket in; the second makes sure the ticket was processed.
        for msg in [&b"first"[..], b"second"] {
            assert_eq!(c.echo(msg, Duration::from_secs(10)), msg);
        }
        let s = secrets13(&next_secrets(&peer));
        let holding = || s.map(|(v, n)| heap_watch::live_blocks_holding(&v[..n]));
        let live_before = holding();
        drop(c); // TLS_Cleanup
        let live_after = holding();
        let cache_len = freertos_tls::testing::session_cache_len();
        // watch() ends with TLS_ClearSessionCache (watched).
        (s, live_before, live_after, cache_len)
    });
    assert_eq!(report.live_blocks, 0, "leaked: {report:?}");
    eprintln!("while connected, live blocks holding {NAMES13:?}: {live_before:?}");
    eprintln!("after TLS_Cleanup (cache: {cache_len} entries): {live_after:?}");
    // The control: while connected, the library held each secret. The
    // handshake traffic secrets live only inside TLS_Connect, where this
    // test cannot look: for them only the freed blocks are searched.
    for (name, n) in NAMES13.iter().zip(live_before) {
        if !name.ends_with("_hs") {
            assert!(n > 0, "{name} was never in the library's live heap: the search is blind");
        }
    }
    // (Other tests of this binary may have cached their own sessions.)
    assert!(cache_len >= 1, "the session with the ticket was cached");
    for (name, n) in NAMES13.iter().zip(live_after) {
        let expected = usize::from(*name == "psk" || *name == "ticket");
        assert_eq!(n, expected, "after TLS_Cleanup, live blocks holding {name}");
    }
    let freed = heap_watch::freed_blocks();
    let freed_holding = secrets.map(|(v, n)| heap_watch::freed_blocks_holding(&v[..n]));
    let pin_freed = heap_watch::freed_blocks_holding(SECRET_PIN.as_bytes());
    // Back to the build's PIN for any later test in this binary.
    let default_pin = CString::new(support::PIN).unwrap();
    // SAFETY: as above.
    assert_eq!(
        unsafe { ffi::TLS_SetClientCredentialLabels(default_pin.as_ptr(), std::ptr::null(), std::ptr::null()) },
        0
    );
    assert_eq!(pin_freed, 0, "{pin_freed} freed blocks still hold the PIN");
    eprintln!("{freed} freed blocks (TLS_Cleanup, then TLS_ClearSessionCache) holding: {freed_holding:?}");
    assert!(freed > 50, "the watcher kept only {freed} blocks");
    // The ticket is no secret (it travels in the clear in every resumed
    // ClientHello): mbedTLS frees its copy without wiping it
    // (mbedtls_ssl_session_free), so freed blocks may hold it. Every other
    // value is a secret.
    for (name, n) in NAMES13.iter().zip(freed_holding).filter(|(name, _)| **name != "ticket") {
        assert_eq!(n, 0, "{n} freed blocks still hold {name}");
    }
}
