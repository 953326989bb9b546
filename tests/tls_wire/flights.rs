//! Flight coalescing: with Nagle's algorithm on (lwIP's default and a plain
//! socket's), every flight the client writes must reach `pxNetworkSend` as
//! one call, or the second small send waits ~40 ms for the peer's delayed
//! ACK. The transport here counts the callback calls, against real peers:
//! Python ssl (OpenSSL) and `openssl s_server`, server-authenticated and
//! mutual TLS with the device key in a SoftHSM2 token. These peers are held
//! at TLS 1.2; TLS 1.3's single flight is checked in tests/tls13.rs.

use crate::support;

use std::time::Duration;

use support::{Client, ClientOptions, EchoPeer, PeerOptions, TcpTransport, Versions};

/// A full TLS 1.2 handshake: ClientHello, then the client's second flight
/// (Certificate, ClientKeyExchange, CertificateVerify, ChangeCipherSpec,
/// Finished as it applies), each in exactly one send.
fn assert_two_single_send_flights(flights: &[Vec<usize>]) {
    assert_eq!(flights.len(), 2, "expected ClientHello and the second flight: {flights:?}");
    for flight in flights {
        assert_eq!(flight.len(), 1, "a flight took more than one pxNetworkSend call: {flights:?}");
    }
}

#[test]
fn python_peer_under_nagle_sees_one_send_per_flight_and_per_tls_send() {
    let _turn = support::serial();
    let pki = support::Pki::new("flights");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions { versions: Versions::Tls12Only, ..Default::default() });
    let opts = ClientOptions { host: "localhost", ca_pem: Some(pki.ca_pem_with_nul()), alpn: &["mqtt"] };
    let (mut c, rc) = Client::try_init_over(TcpTransport::connect_with(peer.port, false), opts);
    assert_eq!(rc, 0);
    assert_eq!(c.connect(), 0, "{:?}", c.last_error().mbedtls_code);
    let handshake = c.transport.flights();
    assert_two_single_send_flights(&handshake);
    // ClientKeyExchange (ECDHE), ChangeCipherSpec and Finished: three
    // records in that one send.
    assert!(handshake[1][0] > 5 + 6 + 5, "second flight too short for three records: {handshake:?}");

    // After the handshake a record goes out as it is written: one TLS_Send
    // of one record is one transport call, and nothing is left behind (the
    // echo comes back without a further send).
    let before = c.transport.io.len();
    let msg = support::payload(1000, 7);
    assert_eq!(c.echo(&msg, Duration::from_secs(10)), msg);
    let sends: Vec<_> =
        c.transport.io[before..].iter().filter(|io| matches!(io, support::Io::Send(_))).copied().collect();
    assert_eq!(sends, [support::Io::Send(1000 + 29)], "AES-GCM record: 5 header + 8 nonce + 16 tag");
}

#[test]
fn records_larger_than_the_flight_buffer_go_straight_through_intact() {
    let _turn = support::serial();
    // 20 000 bytes are records of the profile's size (in the 4 KiB profile
    // the peer accepts the max fragment length the client asks for), full
    // ones larger than the 4 KB flight buffer once sealed: each goes to the
    // transport directly, whole and in order.
    let pki = support::Pki::new("bulk-flights");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions { versions: Versions::Tls12Only, ..Default::default() });
    let opts = ClientOptions { host: "localhost", ca_pem: Some(pki.ca_pem_with_nul()), alpn: &[] };
    let (mut c, rc) = Client::try_init_over(TcpTransport::connect_with(peer.port, false), opts);
    assert_eq!(rc, 0);
    assert_eq!(c.connect(), 0);
    let before = c.transport.io.len();
    let data = support::payload(20_000, 11);
    assert_eq!(c.echo(&data, Duration::from_secs(10)), data);
    let sends: Vec<usize> = c.transport.io[before..]
        .iter()
        .filter_map(|io| match io {
            support::Io::Send(n) => Some(*n),
            _ => None,
        })
        .collect();
    // Records as large as this build's record buffer profile allows (16 KiB
    // by default, the max fragment length asked for in the small profiles).
    let record = freertos_tls::testing::RECORD_CONTENT_LEN;
    let expected: Vec<usize> = data.chunks(record).map(|c| c.len() + 5 + 8 + 16).collect();
    assert_eq!(sends, expected, "one AES-GCM record per call: 5 + 8 + 16 bytes each");
}

#[test]
fn openssl_s_server_under_nagle_server_auth_one_send_per_flight() {
    let _turn = support::serial();
    let pki = support::DevicePki::new();
    let server = support::SServer::start(&pki, support::ClientCert::NotAsked, &[]);
    let mut c = support::Client::for_device_pki_with_nodelay(server.port, &pki, false);
    assert_eq!(c.connect(), 0, "{:?}; server said {:?}", c.last_error(), server.drain());
    assert_two_single_send_flights(&c.flights());
    assert_eq!(c.line_round_trip("over s_server"), Ok(support::reversed("over s_server")));
}

#[test]
fn openssl_s_server_under_nagle_mutual_tls_one_send_per_flight() {
    let _turn = support::serial();
    // The second flight carries the device certificate and its
    // intermediate ("JITP Cert") and a token-made CertificateVerify.
    let setup = support::ProvisionedDevice::new("device-flights", support::KeyAlg::EcP256);
    let server = support::SServer::start(&setup.pki, support::ClientCert::Required, &[]);
    let mut c = support::Client::for_device_pki_with_nodelay(server.port, &setup.pki, false);
    assert_eq!(c.connect(), 0, "{:?}; server said {:?}", c.last_error(), server.drain());
    let flights = c.flights();
    assert_two_single_send_flights(&flights);
    assert!(flights[1][0] > 1000, "second flight should carry two certificates: {flights:?}");
    assert_eq!(c.line_round_trip("mutual"), Ok(support::reversed("mutual")));
    server.output_containing(&["Peer certificate: CN = device-flights"]);
}
