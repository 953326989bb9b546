//! Whatever record buffer profile this build has (default 16 KiB, or a
//! `record-buffer-*` feature with mbedTLS built to match), 1 MiB moves
//! both ways through a real OpenSSL peer (Python's ssl module). In a small
//! profile a record larger than the input buffer would end the connection,
//! so passing shows the server honoured the max-fragment-length request.
//! scripts/test.sh runs this file once per profile.

mod support;

use std::time::{Duration, Instant};

use freertos_tls::testing::RECORD_CONTENT_LEN;
use support::{Client, ClientOptions, EchoPeer, PeerOptions, Pki};

const MIB: usize = 1 << 20;

#[test]
fn one_mebibyte_each_way_in_this_profile() {
    let pki = Pki::new("profile");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions::default());
    let mut c =
        Client::init(peer.port, ClientOptions { host: "localhost", ca_pem: Some(pki.ca_pem_with_nul()), alpn: &[] });
    assert_eq!(c.connect(), 0, "TLS_Connect in the {RECORD_CONTENT_LEN}-byte profile");
    let data = support::payload(MIB, 42);
    let mut back = vec![0u8; MIB];
    let (mut sent, mut got) = (0, 0);
    let deadline = Instant::now() + Duration::from_secs(60);
    // Interleave: the peer echoes as it reads, so reading must keep up.
    while got < MIB {
        // At most 64 KiB in flight: far below what the socket buffers hold,
        // so a blocking send never waits on a peer that waits on us.
        if sent < MIB && sent - got < 64 * 1024 {
            let end = (sent + 16 * 1024).min(MIB);
            let n = c.send(&data[sent..end]);
            assert!(n >= 0, "TLS_Send: {n}");
            sent += n as usize;
        }
        // One record's worth: a larger buffer would wait for more than the
        // peer has sent yet (TLS_Recv fills what it is given).
        let end = (got + RECORD_CONTENT_LEN).min(sent);
        let n = c.recv(&mut back[got..end]);
        assert!(n >= 0, "TLS_Recv: {n} after {got} bytes");
        got += n as usize;
        assert!(Instant::now() < deadline, "1 MiB echo timed out: sent {sent}, got {got}");
    }
    assert!(back == data, "echoed bytes differ");
}

/// What TLS 1.3 does in this profile. 16 KiB: a TLS 1.3-only server gets
/// TLS 1.3, and its full-size records fit. Under 16 KiB the connection
/// offers TLS 1.2 only (TLS 1.3 has no max fragment length): such a server
/// refuses it at once; both versions at once are refused by the switch;
/// TLS 1.3 required connects, and the server's first record larger than
/// the buffer ends the connection with a protocol error, not a hang.
#[test]
fn a_tls13_only_server_in_this_profile() {
    use freertos_tls::ffi::{self, BaseType_t};
    let pki = Pki::new("profile13");
    // One 16 KiB record from the server right after the handshake.
    let options = PeerOptions { versions: support::Versions::Tls13Only, greet: 16 * 1024, ..Default::default() };
    let peer = EchoPeer::start(&pki.localhost(), options);
    let opts = || ClientOptions { host: "localhost", ca_pem: Some(pki.ca_pem_with_nul()), alpn: &[] };
    let (v12, v13) = (ffi::TLS_PROTOCOL_VERSION_1_2, ffi::TLS_PROTOCOL_VERSION_1_3);
    let mut c = Client::init(peer.port, opts());
    if RECORD_CONTENT_LEN >= 16384 {
        assert_eq!(c.connect(), 0);
        assert_eq!(c.version(), v13 as BaseType_t);
        assert_eq!(c.read_exactly(16 * 1024, Duration::from_secs(10)), vec![b'G'; 16 * 1024]);
        return;
    }
    assert_eq!(c.connect(), ffi::TLS_ERROR_HANDSHAKE_FAILED as BaseType_t, "TLS 1.2 only by default");
    let mut c = Client::init(peer.port, opts());
    assert_eq!(c.set_versions(v12, v13), ffi::TLS_ERROR_BAD_PARAMETER as BaseType_t);
    assert_eq!(c.set_versions(v13, v13), 0);
    assert_eq!(c.connect(), 0, "TLS 1.3 required: {:?}", c.last_error());
    let start = Instant::now();
    let mut buf = vec![0u8; 16 * 1024];
    let rc = loop {
        let n = c.recv(&mut buf);
        if n != 0 {
            break n;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "no error within 10 s");
    };
    assert_eq!(rc, ffi::TLS_ERROR_PROTOCOL as BaseType_t, "{:?}", c.last_error());
}
