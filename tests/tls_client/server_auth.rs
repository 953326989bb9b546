//! TLS core against a real OpenSSL peer (Python ssl) on 127.0.0.1, driven
//! through the C ABI exactly as a firmware caller would.

use crate::support;

use std::time::{Duration, Instant};

use freertos_tls::ffi::{self, TLS_ERROR_CONNECTION_CLOSED, TLS_ERROR_HANDSHAKE_FAILED, TLS_ERROR_TRANSPORT};
use support::*;
use time::OffsetDateTime;

// X.509 verification flags (mbedTLS x509.h facts).
const BADCERT_EXPIRED: u32 = 0x01;
const BADCERT_CN_MISMATCH: u32 = 0x04;
const BADCERT_NOT_TRUSTED: u32 = 0x08;
const BADCERT_FUTURE: u32 = 0x200;

fn opts<'a>(pki: &Pki, host: &'a str) -> ClientOptions<'a> {
    ClientOptions { host, ca_pem: Some(pki.ca_pem_with_nul()), alpn: &[] }
}

#[test]
fn handshake_and_echo() {
    let pki = Pki::new("echo");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions::default());
    let mut c = Client::init(peer.port, opts(&pki, "localhost"));
    assert_eq!(c.connect(), 0, "{:?}", c.last_error().mbedtls_code);
    let msg = b"hello over TLS through aws_tls.h";
    assert_eq!(c.echo(msg, Duration::from_secs(10)), msg);
    // A current server (TLS 1.2 and 1.3) gets TLS 1.3. It finishes its
    // side when the client's Finished arrives, with the first record.
    assert_eq!(c.version(), ffi::TLS_PROTOCOL_VERSION_1_3 as _);
    assert!(peer.next_event().ends_with(" version=TLSv1.3"));
}

#[test]
fn one_mib_echo_keeps_every_byte() {
    let pki = Pki::new("bulk");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions::default());
    let mut c = Client::init(peer.port, opts(&pki, "localhost"));
    assert_eq!(c.connect(), 0);
    let data = payload(1 << 20, 0x5eed);
    let mut back = Vec::with_capacity(data.len());
    // Chunks keep both TCP directions flowing without a deadlock.
    for chunk in data.chunks(16 * 1024 + 7) {
        back.extend(c.echo(chunk, Duration::from_secs(30)));
    }
    assert_eq!(back.len(), data.len());
    assert!(back == data, "echoed data differs");
}

fn assert_verify_failure(pki: &Pki, id: &Identity, host: &str, expected_flag: u32) {
    let peer = EchoPeer::start(id, PeerOptions::default());
    let mut c = Client::init(peer.port, opts(pki, host));
    assert_eq!(c.connect(), TLS_ERROR_HANDSHAKE_FAILED as _);
    let e = c.last_error();
    assert_eq!(e.code, TLS_ERROR_HANDSHAKE_FAILED as _);
    assert_eq!(e.mbedtls_code, -0x2700, "expected MBEDTLS_ERR_X509_CERT_VERIFY_FAILED");
    assert_ne!(e.verify_flags & expected_flag, 0, "verify flags 0x{:x}", e.verify_flags);
    // A failed context refuses I/O with the same error, and cleans up fine.
    let mut buf = [0u8; 8];
    assert_eq!(c.send(b"x"), TLS_ERROR_HANDSHAKE_FAILED as _);
    assert_eq!(c.recv(&mut buf), TLS_ERROR_HANDSHAKE_FAILED as _);
    assert_eq!(c.connect(), ffi::TLS_ERROR_INVALID_STATE as _);
}

#[test]
fn wrong_host_name_fails_at_connect() {
    let pki = Pki::new("name");
    assert_verify_failure(&pki, &pki.localhost(), "not-localhost.example", BADCERT_CN_MISMATCH);
}

#[test]
fn untrusted_ca_fails_at_connect() {
    let pki = Pki::new("trusted");
    let other = Pki::new("other");
    // The server presents a chain from `other`; the client trusts only `pki`.
    assert_verify_failure(&pki, &other.localhost(), "localhost", BADCERT_NOT_TRUSTED);
}

#[test]
fn expired_certificate_fails_at_connect() {
    let pki = Pki::new("expired");
    let now = OffsetDateTime::now_utc();
    let id = pki.server("expired", "localhost", now - 30 * DAY, now - DAY);
    assert_verify_failure(&pki, &id, "localhost", BADCERT_EXPIRED);
}

#[test]
fn not_yet_valid_certificate_fails_at_connect() {
    let pki = Pki::new("future");
    let now = OffsetDateTime::now_utc();
    let id = pki.server("future", "localhost", now + DAY, now + 30 * DAY);
    assert_verify_failure(&pki, &id, "localhost", BADCERT_FUTURE);
}

#[test]
fn built_in_roots_are_used_when_no_ca_is_given() {
    // Our test CA is not an AWS IoT root: with pcServerCertificate = NULL the
    // server must be rejected, proving verification uses the built-in set.
    let pki = Pki::new("aws");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions::default());
    let mut c = Client::init(peer.port, ClientOptions { host: "localhost", ca_pem: None, alpn: &[] });
    assert_eq!(c.connect(), TLS_ERROR_HANDSHAKE_FAILED as _);
    assert_ne!(c.last_error().verify_flags & BADCERT_NOT_TRUSTED, 0);
}

#[test]
fn server_sees_sni_and_alpn() {
    let pki = Pki::new("alpn");
    let peer =
        EchoPeer::start(&pki.localhost(), PeerOptions { alpn: &["x-amzn-mqtt-ca", "mqtt"], ..Default::default() });
    let mut c = Client::init(peer.port, ClientOptions { alpn: &["mqtt", "http/1.1"], ..opts(&pki, "localhost") });
    assert_eq!(c.connect(), 0);
    assert_eq!(c.echo(b"x", Duration::from_secs(10)), b"x");
    assert_eq!(peer.next_event(), "CONN sni=localhost alpn=mqtt version=TLSv1.3");
}

#[test]
fn peer_dropping_tcp_mid_stream_gives_an_error_not_a_hang() {
    let pki = Pki::new("drop");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions { drop_after: Some(1000), ..Default::default() });
    let mut c = Client::init(peer.port, opts(&pki, "localhost"));
    assert_eq!(c.connect(), 0);
    assert_eq!(c.echo(&[7u8; 500], Duration::from_secs(10)).len(), 500);
    // This send crosses the drop threshold: the peer resets the TCP stream.
    assert_eq!(c.send(&[9u8; 600]), 600);
    let start = Instant::now();
    let mut buf = [0u8; 4096];
    let rc = loop {
        let rc = c.recv(&mut buf);
        if rc != 0 {
            break rc;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "TLS_Recv kept returning 0 after the peer died");
    };
    assert!(rc == TLS_ERROR_TRANSPORT as _ || rc == TLS_ERROR_CONNECTION_CLOSED as _, "got {rc}");
    // Once failed, the context keeps failing and cleanup (on drop) is fine.
    assert!(c.send(b"more") < 0);
    assert!(c.recv(&mut buf) < 0);
}

#[test]
fn first_published_struct_layout_still_works() {
    /// `TLSParams_t` as version 1.0.0 declared it: no ALPN fields.
    #[repr(C)]
    struct TlsParamsV1 {
        ul_size: u32,
        destination: *const std::ffi::c_char,
        server_certificate: *const std::ffi::c_char,
        server_certificate_length: u32,
        recv: ffi::NetworkRecv_t,
        send: ffi::NetworkSend_t,
        caller_context: *mut std::ffi::c_void,
    }
    let pki = Pki::new("v1");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions::default());
    let mut transport = TcpTransport::connect(peer.port);
    let ca = pki.ca_pem_with_nul();
    let mut params = TlsParamsV1 {
        ul_size: std::mem::size_of::<TlsParamsV1>() as u32,
        destination: c"localhost".as_ptr(),
        server_certificate: ca.as_ptr().cast(),
        server_certificate_length: ca.len() as u32,
        recv: Some(tcp_recv),
        send: Some(tcp_send),
        caller_context: (&mut *transport as *mut TcpTransport).cast(),
    };
    assert_ne!(std::mem::size_of::<TlsParamsV1>(), std::mem::size_of::<ffi::TLSParams_t>());
    let mut ctx = std::ptr::null_mut();
    // SAFETY: a C caller compiled against 1.0.0 passes exactly this struct.
    unsafe {
        assert_eq!(ffi::TLS_Init(&mut ctx, (&mut params as *mut TlsParamsV1).cast()), 0);
        assert_eq!(ffi::TLS_Connect(ctx), 0);
        let msg = b"v1 layout";
        assert_eq!(ffi::TLS_Send(ctx, msg.as_ptr(), msg.len()), msg.len() as _);
        let mut buf = [0u8; 9];
        let mut got = 0;
        let start = Instant::now();
        while got < buf.len() && start.elapsed() < Duration::from_secs(10) {
            let n = ffi::TLS_Recv(ctx, buf[got..].as_mut_ptr(), buf.len() - got);
            assert!(n >= 0);
            got += n as usize;
        }
        assert_eq!(&buf, msg);
        ffi::TLS_Cleanup(ctx);
    }
}

#[test]
fn eight_connections_from_eight_threads() {
    let pki = Pki::new("many");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions::default());
    let ca = pki.ca_pem_with_nul();
    let port = peer.port;
    let threads: Vec<_> = (0..8u64)
        .map(|i| {
            let ca = ca.clone();
            std::thread::spawn(move || {
                let mut c = Client::init(port, ClientOptions { host: "localhost", ca_pem: Some(ca), alpn: &[] });
                assert_eq!(c.connect(), 0, "thread {i}");
                let data = payload(64 * 1024, i + 1);
                for chunk in data.chunks(8 * 1024) {
                    assert_eq!(c.echo(chunk, Duration::from_secs(30)), chunk, "thread {i}");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("a connection thread failed");
    }
}

#[test]
fn handshake_gives_up_on_a_silent_peer() {
    let pki = Pki::new("silent");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions { silent: true, ..Default::default() });
    let mut c = Client::init(peer.port, opts(&pki, "localhost"));
    let start = Instant::now();
    assert_eq!(c.connect(), TLS_ERROR_HANDSHAKE_FAILED as _);
    let took = start.elapsed();
    let limit = Duration::from_millis(u64::from(freertos_tls::testing::DEFAULT_HANDSHAKE_TIMEOUT_MS));
    assert!(took >= limit && took < limit + Duration::from_secs(1), "took {took:?}");
}
