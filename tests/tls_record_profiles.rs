//! Whatever record buffer profile this build has (default 16 KiB, or a
//! `record-buffer-*` feature with mbedTLS built to match), 1 MiB moves
//! both ways through a real OpenSSL peer (Python's ssl module). In a small
//! profile a record larger than the input buffer would end the connection,
//! so passing shows the server honoured the max-fragment-length request.
//! scripts/test.sh runs this file once per profile.

mod support;

use std::time::{Duration, Instant};

use freertos_tls::tls::record_size::RECORD_CONTENT_LEN;
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
