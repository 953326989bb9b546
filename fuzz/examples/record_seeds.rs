//! Records the seed corpora of the fuzz targets.
//!
//! `server_stream` seeds are real handshakes: the library's client (through
//! the C ABI, with the fuzz harness's fixed entropy and clock) talks to an
//! in-process mbedTLS server whose DRBG has a fixed seed too, so the server
//! bytes are exactly those the client's deterministic ClientHello gets.
//! Each scenario is then replayed from memory through the fuzz harness and
//! must end the same way, with the same client bytes: the proof that a
//! seed replays (and so reaches past the server's signature into record
//! decryption under the fuzzer).
//!
//! Usage: cargo run --release --example record_seeds -- <fuzz dir> [--check]
//! With --check nothing is written: every seed must equal the committed file.

use std::collections::VecDeque;
use std::ffi::{c_int, c_uchar, c_void};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use freertos_tls::ffi::BaseType_t;
use fuzz_harness::client::{init_and_converse, run_flight, Conversation, StandardParams, REQUEST};
use fuzz_harness::determinism::start_run;
use fuzz_harness::flight::{self, Flight};
use fuzz_harness::params_input::ParamsSeed;
use fuzz_harness::records;
use fuzz_harness::server::{check, Key, Server, ServerConfig};
use mbedtls_sys as m;

/// One direction of the in-process wire; reads block (bounded).
#[derive(Default)]
struct Pipe {
    state: Mutex<(VecDeque<u8>, bool)>,
    ready: Condvar,
}

impl Pipe {
    fn write(&self, data: &[u8]) {
        self.state.lock().unwrap().0.extend(data);
        self.ready.notify_all();
    }

    fn close(&self) {
        self.state.lock().unwrap().1 = true;
        self.ready.notify_all();
    }

    /// Some bytes, or None once closed and drained (or after 20 s of silence).
    fn read(&self, buf: &mut [u8]) -> Option<usize> {
        let guard = self.state.lock().unwrap();
        let (mut guard, _) = self
            .ready
            .wait_timeout_while(guard, Duration::from_secs(20), |(bytes, closed)| bytes.is_empty() && !*closed)
            .unwrap();
        let n = buf.len().min(guard.0.len());
        if n == 0 {
            return None;
        }
        for (dst, src) in buf.iter_mut().zip(guard.0.drain(..n)) {
            *dst = src;
        }
        Some(n)
    }
}

#[derive(Default)]
struct Wire {
    to_server: Pipe,
    to_client: Pipe,
    client_sent: Mutex<Vec<u8>>,
    server_sent: Mutex<Vec<u8>>,
}

unsafe extern "C" fn client_recv(ctx: *mut c_void, buf: *mut u8, len: usize) -> BaseType_t {
    // SAFETY: ctx is the Wire of this recording; buf holds len bytes.
    let (wire, buf) = unsafe { (&*ctx.cast::<Wire>(), std::slice::from_raw_parts_mut(buf, len)) };
    wire.to_client.read(buf).map_or(-1, |n| n as BaseType_t)
}

unsafe extern "C" fn client_send(ctx: *mut c_void, buf: *const u8, len: usize) -> BaseType_t {
    // SAFETY: as in client_recv.
    let (wire, data) = unsafe { (&*ctx.cast::<Wire>(), std::slice::from_raw_parts(buf, len)) };
    wire.client_sent.lock().unwrap().extend_from_slice(data);
    wire.to_server.write(data);
    len as BaseType_t
}

unsafe extern "C" fn server_recv(ctx: *mut c_void, buf: *mut c_uchar, len: usize) -> c_int {
    // SAFETY: ctx is the Wire of this recording; buf holds len bytes.
    let (wire, buf) = unsafe { (&*ctx.cast::<Wire>(), std::slice::from_raw_parts_mut(buf, len)) };
    wire.to_server.read(buf).map_or(m::ERR_NET_CONN_RESET, |n| n as c_int)
}

unsafe extern "C" fn server_send(ctx: *mut c_void, buf: *const c_uchar, len: usize) -> c_int {
    // SAFETY: as in server_recv.
    let (wire, data) = unsafe { (&*ctx.cast::<Wire>(), std::slice::from_raw_parts(buf, len)) };
    wire.server_sent.lock().unwrap().extend_from_slice(data);
    wire.to_client.write(data);
    len as c_int
}

#[derive(Clone, Copy)]
struct Scenario {
    name: &'static str,
    config: ServerConfig,
    /// Plaintext sizes of the server's application-data writes.
    app_data: &'static [usize],
    close_notify: bool,
    /// First flight byte: which TLS_Recv buffer size the client uses.
    recv_selector: u8,
}

const fn scenario(name: &'static str, config: ServerConfig) -> Scenario {
    Scenario { name, config, app_data: &[5, 1, 1000], close_notify: true, recv_selector: 4 }
}

fn scenarios() -> Vec<Scenario> {
    use Key::*;
    let cfg = ServerConfig::new;
    let tls13 = ServerConfig::tls13;
    vec![
        Scenario {
            app_data: &[5, 1, 1000, 4096],
            ..scenario(
                "ecdsa-aes128gcm-alpn",
                ServerConfig { select_alpn: true, ..cfg(Ecdsa, m::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256) },
            )
        },
        Scenario {
            app_data: &[64, 3000],
            recv_selector: 6,
            ..scenario(
                "ecdsa-aes256gcm-sha384-p384",
                ServerConfig {
                    group: m::SSL_IANA_TLS_GROUP_SECP384R1 as u16,
                    ..cfg(Ecdsa, m::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384)
                },
            )
        },
        Scenario {
            app_data: &[100, 2],
            recv_selector: 2,
            ..scenario(
                "ecdsa-chacha20-x25519",
                ServerConfig {
                    group: m::SSL_IANA_TLS_GROUP_X25519 as u16,
                    ..cfg(Ecdsa, m::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256)
                },
            )
        },
        Scenario {
            app_data: &[17, 4096],
            recv_selector: 3,
            ..scenario("ecdsa-aes128cbc-sha256-etm", cfg(Ecdsa, m::TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256))
        },
        Scenario {
            app_data: &[16, 31, 2048],
            recv_selector: 1,
            ..scenario(
                "ecdsa-aes128cbc-sha256-mac-then-encrypt",
                ServerConfig { etm: false, ..cfg(Ecdsa, m::TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256) },
            )
        },
        Scenario {
            app_data: &[1, 40],
            recv_selector: 0,
            ..scenario(
                "rsa-aes128cbc-sha1-mac-then-encrypt",
                ServerConfig { etm: false, ..cfg(Rsa, m::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA) },
            )
        },
        Scenario {
            app_data: &[4096, 4096],
            close_notify: false,
            recv_selector: 7,
            ..scenario("rsa-aes256gcm-sha384-no-close-notify", cfg(Rsa, m::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384))
        },
        Scenario {
            app_data: &[300],
            recv_selector: 5,
            ..scenario(
                "rsa-aes256cbc-sha1-etm-p521",
                ServerConfig {
                    group: m::SSL_IANA_TLS_GROUP_SECP521R1 as u16,
                    ..cfg(Rsa, m::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA)
                },
            )
        },
        Scenario {
            app_data: &[32],
            ..scenario(
                "ecdsa-aes128gcm-session-ticket",
                ServerConfig { ticket: true, ..cfg(Ecdsa, m::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256) },
            )
        },
        Scenario {
            app_data: &[10],
            ..scenario(
                "ecdsa-aes128gcm-certificate-request",
                ServerConfig { cert_request: true, ..cfg(Ecdsa, m::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256) },
            )
        },
        // TLS 1.3: the client offers 1.2 and 1.3, these servers only 1.3.
        Scenario {
            app_data: &[5, 1, 1000, 4096],
            ..scenario("tls13-ecdsa-aes128gcm", tls13(Ecdsa, m::TLS1_3_AES_128_GCM_SHA256))
        },
        Scenario {
            app_data: &[64, 3000],
            close_notify: false,
            recv_selector: 6,
            ..scenario("tls13-rsa-pss-aes256gcm-sha384-no-close-notify", tls13(Rsa, m::TLS1_3_AES_256_GCM_SHA384))
        },
        Scenario {
            app_data: &[100, 2],
            recv_selector: 2,
            ..scenario(
                "tls13-ecdsa-chacha20-x25519",
                ServerConfig {
                    group: m::SSL_IANA_TLS_GROUP_X25519 as u16,
                    ..tls13(Ecdsa, m::TLS1_3_CHACHA20_POLY1305_SHA256)
                },
            )
        },
        // The client's key share is for another group: a HelloRetryRequest.
        Scenario {
            app_data: &[17, 300],
            recv_selector: 3,
            ..scenario(
                "tls13-ecdsa-hello-retry-p384",
                ServerConfig {
                    group: m::SSL_IANA_TLS_GROUP_SECP384R1 as u16,
                    ..tls13(Ecdsa, m::TLS1_3_AES_128_GCM_SHA256)
                },
            )
        },
        Scenario {
            app_data: &[32],
            ..scenario(
                "tls13-ecdsa-session-ticket",
                ServerConfig { ticket: true, ..tls13(Ecdsa, m::TLS1_3_AES_128_GCM_SHA256) },
            )
        },
        Scenario {
            app_data: &[10],
            ..scenario(
                "tls13-ecdsa-certificate-request",
                ServerConfig { cert_request: true, ..tls13(Ecdsa, m::TLS1_3_AES_128_GCM_SHA256) },
            )
        },
    ]
}

/// Serve one connection of `sc` over `wire`; returns the negotiated suite.
fn serve(sc: &Scenario, wire: &Wire) -> Result<String, String> {
    let bio = (wire as *const Wire).cast_mut().cast::<c_void>();
    // SAFETY: `bio` is the Wire the callbacks expect; it outlives the server.
    let mut server = unsafe { Server::new(&sc.config, bio, server_send, server_recv) }?;
    let ssl = server.ssl();
    // SAFETY: a set-up server context whose BIO, `wire`, outlives it;
    // buffers are live slices of the lengths passed.
    unsafe {
        check("handshake", m::ssl_handshake(ssl))?;
        let mut request = vec![0u8; REQUEST.len()];
        let mut got = 0;
        while got < request.len() {
            let rc = m::ssl_read(ssl, request[got..].as_mut_ptr(), request.len() - got);
            if rc <= 0 {
                return Err(format!("reading the request: -0x{:04X}", rc.unsigned_abs()));
            }
            got += rc as usize;
        }
        if request != REQUEST {
            return Err("the client's request differs".into());
        }
        for (i, &len) in sc.app_data.iter().enumerate() {
            let payload: Vec<u8> = (0..len).map(|j| b'a' + ((i * 7 + j) % 26) as u8).collect();
            let mut off = 0;
            while off < len {
                let rc = m::ssl_write(ssl, payload[off..].as_ptr(), len - off);
                if rc <= 0 {
                    return Err(format!("writing: -0x{:04X}", rc.unsigned_abs()));
                }
                off += rc as usize;
            }
        }
        if sc.close_notify {
            check("close_notify", m::ssl_close_notify(ssl))?;
        }
    }
    Ok(server.suite())
}

/// Record `sc`: returns the seed and how the client's conversation went.
fn record(sc: &Scenario) -> Result<(Vec<u8>, Conversation, Vec<u8>, String), String> {
    let wire = Arc::new(Wire::default());
    let server = {
        let wire = Arc::clone(&wire);
        let sc = *sc;
        std::thread::spawn(move || {
            let r = fuzz_harness::determinism::as_server(|| serve(&sc, &wire));
            wire.to_client.close();
            r
        })
    };
    start_run();
    let mut params = StandardParams::standard();
    let wire_ptr = Arc::as_ptr(&wire).cast_mut().cast::<c_void>();
    let mut raw = params.raw(Some(client_recv), Some(client_send), wire_ptr);
    let recv_size = flight::RECV_SIZES[usize::from(sc.recv_selector)];
    // SAFETY: raw points into params; the wire outlives the call.
    let conversation =
        unsafe { init_and_converse(&mut raw, recv_size, u32::MAX) }.map_err(|rc| format!("TLS_Init: {rc}"))?;
    wire.to_server.close();
    let suite = server.join().map_err(|_| "server thread panicked".to_string())??;
    let server_bytes = std::mem::take(&mut *wire.server_sent.lock().unwrap());
    let client_bytes = std::mem::take(&mut *wire.client_sent.lock().unwrap());
    let seed = flight::encode(sc.recv_selector, &flight::split_records(&server_bytes));
    Ok((seed, conversation, client_bytes, suite))
}

fn write_or_check(path: &Path, bytes: &[u8], check_only: bool, stale: &mut Vec<PathBuf>) {
    if check_only {
        if std::fs::read(path).ok().as_deref() != Some(bytes) {
            stale.push(path.to_path_buf());
        }
    } else {
        std::fs::write(path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let fuzz_dir = PathBuf::from(args.next().expect("usage: record_seeds <fuzz dir> [--check]"));
    let check_only = args.next().as_deref() == Some("--check");
    let corpus = fuzz_dir.join("corpus");
    let mut stale = Vec::new();
    let mut failed = false;

    println!("{:<44} {:>6} {:>7} {:>8} {:>9}  suite", "server_stream seed", "bytes", "records", "app data", "replayed");
    for sc in scenarios() {
        let (seed, recorded, client_bytes, suite) = match record(&sc) {
            Ok(r) => r,
            Err(e) => {
                println!("{:<44} recording failed: {e}", sc.name);
                failed = true;
                continue;
            }
        };
        let expected: usize = sc.app_data.iter().sum();
        let records = Flight::parse(&seed).chunks().len();
        // Replay from memory, exactly as the fuzz target does.
        let (replayed, replay_client_bytes) = run_flight(&Flight::parse(&seed), true);
        let same = replayed == recorded && replay_client_bytes == client_bytes;
        let complete = recorded.connect_rc == 0 && recorded.received.len() == expected;
        println!(
            "{:<44} {:>6} {:>7} {:>8} {:>9}  {suite}",
            sc.name,
            seed.len(),
            records,
            recorded.received.len(),
            if same { "same" } else { "DIFFERS" }
        );
        if !same || !complete {
            println!(
                "  recorded {recorded:?}\n  replayed {replayed:?}",
                recorded = Short(&recorded),
                replayed = Short(&replayed)
            );
            failed = true;
        }
        write_or_check(&corpus.join("server_stream").join(sc.name), &seed, check_only, &mut stale);
    }

    for (name, bytes) in pem_seeds(&fuzz_dir) {
        write_or_check(&corpus.join("trust_anchor_pem").join(name), &bytes, check_only, &mut stale);
    }
    for (name, bytes) in records_seeds() {
        let conversation = records::run(&records::RecordsInput::parse(&bytes));
        println!("server_records seed {name:<28} {:?}", Short(&conversation));
        if conversation.connect_rc != 0 {
            println!("server_records seed {name}: the live handshake failed ({:?})", Short(&conversation));
            failed = true;
        }
        write_or_check(&corpus.join("server_records").join(&name), &bytes, check_only, &mut stale);
    }
    for (name, bytes) in params_seeds() {
        write_or_check(&corpus.join("tls_params").join(name), &bytes, check_only, &mut stale);
    }
    // The PEM and params targets connect to the reference flight: with the
    // standard parameters it must complete.
    let (reference, _) = run_flight(&Flight::parse(fuzz_harness::REFERENCE_FLIGHT), false);
    if reference.connect_rc != 0 {
        println!("the reference flight (fuzz/src/lib.rs) no longer connects: {:?}", Short(&reference));
        failed = true;
    }
    for path in &stale {
        println!("stale seed (re-run scripts/fuzz.sh --record-seeds): {}", path.display());
    }
    if failed || !stale.is_empty() {
        std::process::exit(1);
    }
}

/// A conversation without the bulk of its data, for messages.
struct Short<'a>(&'a Conversation);

impl std::fmt::Debug for Short<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "connect {} received {} bytes, final TLS_Recv {}",
            self.0.connect_rc,
            self.0.received.len(),
            self.0.final_recv_rc
        )
    }
}

/// Trust-anchor seeds: the fuzz CA, the library's built-in roots, both as
/// one bundle, and the CA with its base64 cut short.
fn pem_seeds(fuzz_dir: &Path) -> Vec<(&'static str, Vec<u8>)> {
    let ca = std::fs::read(fuzz_dir.join("pki/fuzz-test-ca.crt")).unwrap();
    let roots = std::fs::read(fuzz_dir.join("../certs/aws-iot-roots.pem")).unwrap();
    let mut bundle = roots.clone();
    bundle.extend_from_slice(&ca);
    let text = String::from_utf8(ca.clone()).unwrap();
    let cut = text.len() / 2;
    let truncated = format!("{}\n-----END CERTIFICATE-----\n", &text[..cut]);
    vec![
        ("fuzz-test-ca", ca),
        ("aws-iot-roots", roots),
        ("roots-and-fuzz-ca", bundle),
        ("fuzz-ca-truncated", truncated.into_bytes()),
    ]
}

/// `TLSParams_t` seeds: the standard parameters (connecting), the 1.0.0
/// layout, built-in roots, and a few of each field's edges.
fn params_seeds() -> Vec<(&'static str, Vec<u8>)> {
    let host = fuzz_harness::SERVER_NAME.as_bytes();
    let mut ca = fuzz_harness::FUZZ_CA_PEM.as_bytes().to_vec();
    ca.push(0);
    let cert_len = ca.len() as u16;
    let alpn: Vec<&[u8]> = fuzz_harness::CLIENT_ALPN.iter().map(|s| s.as_bytes()).collect();
    let base =
        ParamsSeed { flags: 0x80, alpn_count: 0, size: 0, timeout_ms: 10_000, cert_len, host, cert: &ca, alpn: &[] };
    let h2: &[&[u8]] = &[b"h2"];
    vec![
        ("standard-connects", ParamsSeed { alpn_count: 2, alpn: &alpn, ..base }),
        ("v1-layout-connects", ParamsSeed { flags: 0x81, ..base }),
        ("built-in-roots", ParamsSeed { flags: 0x88, cert_len: 0, cert: &[], ..base }),
        ("alpn-not-offered", ParamsSeed { alpn_count: 1, timeout_ms: 1, alpn: h2, ..base }),
        ("alpn-count-past-names", ParamsSeed { alpn_count: 5, alpn: &alpn, ..base }),
        ("certificate-without-nul", ParamsSeed { cert_len: cert_len - 1, ..base }),
        ("wrong-size", ParamsSeed { flags: 0x82, size: 40, ..base }),
        ("zero-timeout", ParamsSeed { timeout_ms: 0, ..base }),
        ("other-host", ParamsSeed { host: b"other.server.test", ..base }),
    ]
    .into_iter()
    .map(|(name, seed)| (name, seed.encode()))
    .collect()
}

/// One record of a `server_records` input: type byte and plaintext.
type Record<'a> = (u8, &'a [u8]);

/// `server_records` seeds: for each server, application data of a few sizes
/// (one empty), then one record each of the other kinds the client must
/// handle inside the channel. Type bytes 0..3 are change_cipher_spec,
/// alert, handshake, application_data (records.rs).
fn records_seeds() -> Vec<(String, Vec<u8>)> {
    const CCS: u8 = 0;
    const ALERT: u8 = 1;
    const HANDSHAKE: u8 = 2;
    const DATA: u8 = 3;
    let big = vec![b'x'; records::MAX_PAYLOAD];
    let mut out = Vec::new();
    for server in 0..records::SERVERS.len() as u8 {
        let data: Vec<Record<'_>> = vec![(DATA, b"hello"), (DATA, b""), (DATA, &big), (ALERT, &[1, 0])];
        out.push((format!("s{server}-data-close-notify"), records::encode(server, 4, &data)));
    }
    let kinds: [(&str, Vec<Record<'_>>); 7] = [
        ("hello-request", vec![(HANDSHAKE, &[0, 0, 0, 0]), (DATA, b"after")]),
        ("new-session-ticket", vec![(HANDSHAKE, &[4, 0, 0, 6, 0, 0, 0, 60, 0, 0]), (DATA, b"after")]),
        ("warning-alert", vec![(ALERT, &[1, 90]), (DATA, b"after")]),
        ("fatal-alert", vec![(ALERT, &[2, 40])]),
        ("change-cipher-spec", vec![(CCS, &[1]), (DATA, b"after")]),
        ("empty-records", vec![(DATA, b""), (DATA, b""), (DATA, b""), (DATA, b"x")]),
        ("unknown-type", vec![(0xFF, b"what"), (DATA, b"after")]),
    ];
    // The TLS 1.2 servers (0..5) take turns.
    for (i, (name, records)) in kinds.iter().enumerate() {
        let server = (i % 5) as u8;
        out.push((format!("s{server}-{name}"), records::encode(server, i as u8 % 8, records)));
    }
    // TLS 1.3 (servers 5 and 6): post-handshake messages, a change_cipher_spec
    // inside the encrypted channel (refused), empty records.
    let nst13: &[u8] = &[4, 0, 0, 16, 0, 0, 0x0e, 0x10, 1, 2, 3, 4, 1, 0, 0, 2, 0xab, 0xcd, 0, 0];
    let kinds13: [(&str, Vec<Record<'_>>); 5] = [
        ("tls13-new-session-ticket", vec![(HANDSHAKE, nst13), (DATA, b"after")]),
        ("tls13-key-update", vec![(HANDSHAKE, &[24, 0, 0, 1, 0]), (DATA, b"after")]),
        ("tls13-hello-request", vec![(HANDSHAKE, &[0, 0, 0, 0]), (DATA, b"after")]),
        ("tls13-change-cipher-spec", vec![(CCS, &[1]), (DATA, b"after")]),
        ("tls13-empty-records", vec![(DATA, b""), (DATA, b""), (DATA, b""), (DATA, b"x")]),
    ];
    for (i, (name, records)) in kinds13.iter().enumerate() {
        let server = 5 + (i % 2) as u8;
        out.push((format!("s{server}-{name}"), records::encode(server, i as u8 % 8, records)));
    }
    out
}
