//! TLS 1.3 against real servers: `openssl s_server -tls1_3` and Python's
//! ssl held at 1.3, with server authentication, mutual TLS with EC and RSA
//! device keys in a SoftHSM2 token (RSA signs RSASSA-PSS in the token),
//! ticket resumption (the server's own verdict), a HelloRetryRequest, the
//! fallback to TLS 1.2, the version switch, and the one round trip with
//! the client's Finished riding on its first record.

mod support;

use std::time::Duration;

use freertos_tls::ffi::{self, BaseType_t};
use support::{
    localhost_options, nagle_client, Client, ClientCert, DevicePki, EchoPeer, Io, KeyAlg, PeerOptions, Pki,
    ProvisionedDevice, SServer, Versions,
};

const TLS12: u16 = ffi::TLS_PROTOCOL_VERSION_1_2;
const TLS13: u16 = ffi::TLS_PROTOCOL_VERSION_1_3;
const BAD_PARAMETER: BaseType_t = ffi::TLS_ERROR_BAD_PARAMETER as BaseType_t;
const INVALID_STATE: BaseType_t = ffi::TLS_ERROR_INVALID_STATE as BaseType_t;
const HANDSHAKE_FAILED: BaseType_t = ffi::TLS_ERROR_HANDSHAKE_FAILED as BaseType_t;

/// Every test of this file touches the process-wide session cache (each
/// connection may leave a session): they take turns. The one turn covers
/// the SoftHSM2 token too.
fn turn() -> support::Serial {
    support::cache_turn()
}

#[test]
fn openssl_s_server_tls13_server_authentication() {
    let _turn = turn();
    let pki = DevicePki::new();
    let server = SServer::start_versions(&pki, ClientCert::NotAsked, Versions::Tls13Only, &[]);
    let mut c = Client::for_device_pki(server.port, &pki);
    assert_eq!(c.connect(), 0, "{:?}; server said {:?}", c.last_error(), server.drain());
    assert_eq!(c.version(), TLS13 as BaseType_t);
    assert_eq!(c.line_round_trip("over TLS 1.3"), Ok(support::reversed("over TLS 1.3")));
    server.output_containing(&["Protocol version: TLSv1.3"]);
}

#[test]
fn tls13_server_requiring_a_certificate_the_token_lacks_is_reported_at_the_first_read() {
    // In TLS 1.3 the client's handshake ends before the server judges the
    // (empty) client Certificate: TLS_Connect succeeds, and the server's
    // alert comes with the first read, reported as the credential problem.
    let _turn = turn();
    let pki = DevicePki::new();
    let _token = support::Token::new();
    let server = SServer::start_versions(&pki, ClientCert::Required, Versions::Tls13Only, &[]);
    let mut c = Client::for_device_pki(server.port, &pki);
    assert_eq!(c.connect(), 0, "{:?}", c.last_error());
    let no_key = ffi::TLS_ERROR_NO_PRIVATE_KEY as BaseType_t;
    assert_eq!(c.line_round_trip("anyone there?"), Err(no_key));
    let e = c.last_error();
    assert_eq!((e.code, e.reason.as_str()), (no_key, "no private key in token"));
    assert_eq!(c.recv(&mut [0u8; 8]), no_key, "sticky");
}

#[test]
fn tls13_server_asking_optionally_takes_an_empty_certificate() {
    let _turn = turn();
    let pki = DevicePki::new();
    let _token = support::Token::new();
    let server = SServer::start_versions(&pki, ClientCert::Optional, Versions::Tls13Only, &[]);
    let mut c = Client::for_device_pki(server.port, &pki);
    assert_eq!(c.connect(), 0, "{:?}", c.last_error());
    assert_eq!(
        c.line_round_trip("no certificate, still welcome"),
        Ok(support::reversed("no certificate, still welcome"))
    );
}

#[test]
fn rsa_server_signs_tls13_with_pss_and_the_client_checks_it() {
    let _turn = turn();
    // An RSA server certificate: TLS 1.3 allows only RSASSA-PSS for its
    // CertificateVerify, which the client must verify.
    let mut pki = DevicePki::new();
    let root = pki.root.clone();
    pki.server = pki.issue("rsa-server", "localhost", KeyAlg::Rsa2048, Some(&root), "server_ext");
    let server = SServer::start_versions(&pki, ClientCert::NotAsked, Versions::Tls13Only, &[]);
    let mut c = Client::for_device_pki(server.port, &pki);
    assert_eq!(c.connect(), 0, "{:?}; server said {:?}", c.last_error(), server.drain());
    assert_eq!(c.version(), TLS13 as BaseType_t);
    assert_eq!(c.line_round_trip("pss"), Ok(support::reversed("pss")));
}

fn mutual_tls13_with_token_key(alg: KeyAlg, signature: &str) {
    let setup = ProvisionedDevice::new("device-13", alg);
    let server = SServer::start_versions(&setup.pki, ClientCert::Required, Versions::Tls13Only, &[]);
    let mut c = Client::for_device_pki(server.port, &setup.pki);
    assert_eq!(c.connect(), 0, "{:?}; server said {:?}", c.last_error(), server.drain());
    assert_eq!(c.version(), TLS13 as BaseType_t);
    assert_eq!(c.line_round_trip("mutual 1.3"), Ok(support::reversed("mutual 1.3")));
    // The server checked the token-made CertificateVerify of this key type.
    server.output_containing(&[
        "Protocol version: TLSv1.3",
        "Peer certificate: CN = device-13",
        &format!("Signature type: {signature}"),
        "Verification: OK",
    ]);
}

#[test]
fn mutual_tls13_with_an_ec_key_in_the_token() {
    let _turn = turn();
    mutual_tls13_with_token_key(KeyAlg::EcP256, "ECDSA");
}

#[test]
fn mutual_tls13_with_an_rsa_key_in_the_token_signs_pss() {
    let _turn = turn();
    mutual_tls13_with_token_key(KeyAlg::Rsa2048, "RSA-PSS");
}

#[test]
fn python_tls13_only_server_resumes_with_a_ticket() {
    let _turn = turn();
    let pki = Pki::new("resume13");
    let options = PeerOptions { report_reuse: true, versions: Versions::Tls13Only, ..Default::default() };
    let peer = EchoPeer::start(&pki.localhost(), options);
    for (i, expected) in [false, true, true].into_iter().enumerate() {
        let mut c = Client::init(peer.port, localhost_options(&pki));
        assert_eq!(c.connect(), 0, "connection {i}: {:?}", c.last_error());
        assert_eq!(c.version(), TLS13 as BaseType_t);
        // The echo reads the server's tickets, which arrive after the
        // handshake: the session is kept only then.
        assert_eq!(c.echo(b"ticket", Duration::from_secs(10)), b"ticket");
        assert_eq!(peer.next_reuse_verdict(), expected, "connection {i}: the server's verdict");
        assert_eq!(c.resumed(), expected, "connection {i}: the library's verdict");
    }
}

#[test]
fn a_tls13_connection_closed_before_any_ticket_arrived_leaves_nothing_to_resume() {
    let _turn = turn();
    // No read after the handshake: no NewSessionTicket was processed, so
    // no session may be cached (never a half-built one).
    let pki = Pki::new("noticket13");
    let options = PeerOptions { report_reuse: true, versions: Versions::Tls13Only, ..Default::default() };
    let peer = EchoPeer::start(&pki.localhost(), options);
    let mut c = Client::init(peer.port, localhost_options(&pki));
    assert_eq!(c.connect(), 0);
    assert_eq!(c.send(b"x"), 1);
    drop(c);
    assert_eq!(freertos_tls::testing::session_cache_len(), 0, "a session without a ticket was cached");
    assert!(!peer.next_reuse_verdict());
}

#[test]
fn hello_retry_request_for_another_group_is_answered() {
    let _turn = turn();
    // The client sends a P-256 key share first; a server that only takes
    // X25519 asks again (HelloRetryRequest), and the client sends a second
    // ClientHello with an X25519 share.
    let pki = DevicePki::new();
    let server = SServer::start_versions(&pki, ClientCert::NotAsked, Versions::Tls13Only, &["-groups", "X25519"]);
    let mut c = Client::for_device_pki_with_nodelay(server.port, &pki, false);
    assert_eq!(c.connect(), 0, "{:?}; server said {:?}", c.last_error(), server.drain());
    assert_eq!(c.version(), TLS13 as BaseType_t);
    let flights = c.flights();
    assert_eq!(flights.len(), 2, "ClientHello, then the second ClientHello: {flights:?}");
    assert_eq!(c.line_round_trip("retried"), Ok(support::reversed("retried")));
    server.output_containing(&["Protocol version: TLSv1.3"]);
}

#[test]
fn no_retry_when_the_first_key_share_is_taken() {
    let _turn = turn();
    // The same count with a server that takes P-256: one ClientHello.
    let pki = DevicePki::new();
    let server = SServer::start_versions(&pki, ClientCert::NotAsked, Versions::Tls13Only, &["-groups", "P-256"]);
    let mut c = Client::for_device_pki_with_nodelay(server.port, &pki, false);
    assert_eq!(c.connect(), 0, "{:?}; server said {:?}", c.last_error(), server.drain());
    assert_eq!(c.flights().len(), 1, "{:?}", c.flights());
}

#[test]
fn tls12_only_server_gets_tls12() {
    let _turn = turn();
    let pki = Pki::new("fallback");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions { versions: Versions::Tls12Only, ..Default::default() });
    let mut c = Client::init(peer.port, localhost_options(&pki));
    assert_eq!(c.connect(), 0, "{:?}", c.last_error());
    assert_eq!(c.version(), TLS12 as BaseType_t);
    assert_eq!(c.echo(b"one two", Duration::from_secs(10)), b"one two");
    assert!(peer.next_event().ends_with("version=TLSv1.2"));
}

#[test]
fn requiring_tls13_refuses_a_tls12_server() {
    let _turn = turn();
    let pki = Pki::new("require13");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions { versions: Versions::Tls12Only, ..Default::default() });
    let mut c = Client::init(peer.port, localhost_options(&pki));
    assert_eq!(c.set_versions(TLS13, TLS13), 0);
    assert_eq!(c.connect(), HANDSHAKE_FAILED);
    assert!(peer.next_event().starts_with("HANDSHAKE_FAILED"));
}

#[test]
fn capping_at_tls12_gets_tls12_from_a_tls13_server() {
    let _turn = turn();
    let pki = Pki::new("cap12");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions::default());
    let mut c = Client::init(peer.port, localhost_options(&pki));
    assert_eq!(c.set_versions(TLS12, TLS12), 0);
    assert_eq!(c.connect(), 0);
    assert_eq!(c.version(), TLS12 as BaseType_t);
    assert_eq!(c.echo(b"capped", Duration::from_secs(10)), b"capped");
    assert!(peer.next_event().ends_with("version=TLSv1.2"));
}

#[test]
fn crypto_start_registers_the_token_driver_once() {
    let _turn = turn();
    // Before or after the first connection: PSA runs with the driver, and
    // later calls report what the first found.
    assert_eq!(ffi::TLS_InitCrypto(), 0);
    assert_eq!(ffi::TLS_InitCrypto(), 0);
}

#[test]
fn version_switch_checks_its_arguments_and_its_moment() {
    let _turn = turn();
    let pki = Pki::new("versions");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions::default());
    let mut c = Client::init(peer.port, localhost_options(&pki));
    assert_eq!(c.version(), INVALID_STATE, "no version before TLS_Connect");
    assert_eq!(c.set_versions(0x0302, TLS13), BAD_PARAMETER, "TLS 1.1 is not offered");
    assert_eq!(c.last_error().reason, "usMinVersion: not a TLS version");
    assert_eq!(c.set_versions(TLS12, 0x0305), BAD_PARAMETER);
    assert_eq!(c.last_error().reason, "usMaxVersion: not a TLS version");
    assert_eq!(c.set_versions(TLS13, TLS12), BAD_PARAMETER);
    assert_eq!(c.last_error().reason, "usMinVersion: above usMaxVersion");
    // SAFETY: NULL is a documented input.
    assert_eq!(unsafe { ffi::TLS_SetProtocolVersions(std::ptr::null_mut(), TLS12, TLS13) }, BAD_PARAMETER);
    // SAFETY: as above.
    assert_eq!(unsafe { ffi::TLS_GetProtocolVersion(std::ptr::null_mut()) }, BAD_PARAMETER);
    assert_eq!(c.set_versions(TLS12, TLS13), 0);
    assert_eq!(c.connect(), 0);
    assert_eq!(c.set_versions(TLS12, TLS12), INVALID_STATE, "after TLS_Connect");
    assert_eq!(c.version(), TLS13 as BaseType_t);
}

/// TLS 1.3's single round trip: the ClientHello is the only flight
/// `TLS_Connect` sends, and the client's Finished leaves in the same
/// transport call as the first record.
fn one_flight_then_finished_with_the_first_record(c: &mut Client) {
    let handshake = c.flights();
    assert_eq!(handshake.len(), 1, "TLS_Connect sent more than the ClientHello: {handshake:?}");
    assert_eq!(handshake[0].len(), 1, "{handshake:?}");
    assert!(matches!(c.transport.io.last(), Some(Io::Recv(_))), "the Finished left on its own");
    let before = c.transport.io.len();
    let msg = support::payload(1000, 3);
    assert_eq!(c.echo(&msg, Duration::from_secs(10)), msg);
    let sends: Vec<_> = c.transport.io[before..].iter().filter(|io| matches!(io, Io::Send(_))).copied().collect();
    // One call, holding the Finished record and the data record. mbedTLS
    // pads a TLS 1.3 record's content and type to a multiple of 16: the
    // Finished (4 + 32 or 48 bytes, by the suite's hash) makes 5 + 48 + 16
    // or 5 + 64 + 16, the data 5 + 1008 + 16.
    assert_eq!(sends.len(), 1, "Finished and the first record in one call: {sends:?}");
    let Io::Send(n) = sends[0] else { unreachable!() };
    assert!([69 + 1029, 85 + 1029].contains(&n), "the Finished and the data record: {n}");
}

#[test]
fn tls13_full_handshake_is_one_round_trip_and_the_finished_rides_with_the_first_record() {
    let _turn = turn();
    let pki = Pki::new("one-rtt");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions { versions: Versions::Tls13Only, ..Default::default() });
    let mut c = nagle_client(peer.port, &pki);
    assert_eq!(c.connect(), 0, "{:?}", c.last_error());
    one_flight_then_finished_with_the_first_record(&mut c);
}

#[test]
fn tls13_resumed_handshake_is_one_round_trip_too() {
    let _turn = turn();
    let pki = Pki::new("one-rtt-resumed");
    let options = PeerOptions { report_reuse: true, versions: Versions::Tls13Only, ..Default::default() };
    let peer = EchoPeer::start(&pki.localhost(), options);
    let mut first = Client::init(peer.port, localhost_options(&pki));
    assert_eq!(first.connect(), 0);
    assert_eq!(first.echo(b"ticket please", Duration::from_secs(10)), b"ticket please");
    assert!(!peer.next_reuse_verdict());
    drop(first);
    let mut c = nagle_client(peer.port, &pki);
    assert_eq!(c.connect(), 0, "{:?}", c.last_error());
    assert!(c.resumed());
    one_flight_then_finished_with_the_first_record(&mut c);
    assert!(peer.next_reuse_verdict(), "the server resumed");
}
