//! Mutual TLS with the device key in a real SoftHSM2 token, against a real
//! `openssl s_server` that asks for a client certificate. Everything goes
//! through the C ABI, as a firmware caller would use it.

use crate::support;

use freertos_tls::ffi::{TLS_ERROR_NO_CERTIFICATE, TLS_ERROR_NO_PRIVATE_KEY, TLS_ERROR_SIGN};
use support::*;

const CKR_OK: u64 = 0;
const CKR_BUFFER_TOO_SMALL: u64 = 0x150;

/// Connect, exchange two messages, check the server saw our certificate.
fn assert_mutual_tls(pki: &DevicePki, mode: ClientCert, extra: &[&str], device_cn: &str, hash: Option<&str>) {
    let server = SServer::start(pki, mode, extra);
    let mut client = Client::for_device_pki(server.port, pki);
    let rc = client.connect();
    assert_eq!(rc, 0, "TLS_Connect: {:?}; server said {:?}", client.last_error(), server.drain());
    for msg in ["hello from the device", "second record"] {
        assert_eq!(client.line_round_trip(msg), Ok(reversed(msg)));
    }
    drop(client);
    // s_server -brief reports the verified client certificate and the hash
    // of its CertificateVerify signature.
    let peer = format!("Peer certificate: CN = {device_cn}");
    let hash_used = hash.map(|h| format!("Hash used: {h}"));
    let mut expected = vec![peer.as_str(), "Verification: OK"];
    expected.extend(hash_used.as_deref());
    server.output_containing(&expected);
}

#[test]
fn ec_p256_device_connects_and_echoes() {
    let setup = ProvisionedDevice::new("device-ec", KeyAlg::EcP256);
    // The server trusts only the root: the intermediate must come from "JITP Cert".
    assert_mutual_tls(&setup.pki, ClientCert::Required, &[], "device-ec", Some("SHA256"));
}

#[test]
fn rsa_2048_device_connects_and_echoes() {
    let setup = ProvisionedDevice::new("device-rsa", KeyAlg::Rsa2048);
    assert_mutual_tls(&setup.pki, ClientCert::Required, &[], "device-rsa", Some("SHA256"));
}

#[test]
fn rsa_device_signs_the_sha384_digest_info_a_sha384_suite_asks_for() {
    // With a SHA-384 cipher suite mbedTLS signs CertificateVerify over
    // SHA-384: a hard-coded SHA-256 DigestInfo would be rejected here.
    let setup = ProvisionedDevice::new("device-rsa384", KeyAlg::Rsa2048);
    assert_mutual_tls(
        &setup.pki,
        ClientCert::Required,
        &["-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384"],
        "device-rsa384",
        Some("SHA384"),
    );
}

#[test]
fn ec_device_connects_when_the_server_only_asks_optionally() {
    let setup = ProvisionedDevice::new("device-opt", KeyAlg::EcP256);
    assert_mutual_tls(&setup.pki, ClientCert::Optional, &[], "device-opt", Some("SHA256"));
}

#[test]
fn device_under_a_ca_the_server_does_not_trust_fails_by_the_first_read() {
    let _turn = serial();
    let mut pki = DevicePki::new();
    let rogue_root = pki.issue("rogue-root", "Rogue Root CA", KeyAlg::EcP256, None, "ca_ext");
    let rogue_device = pki.issue("rogue-device", "rogue-device", KeyAlg::EcP256, Some(&rogue_root), "client_ext");
    let token = Token::new();
    token.put_key(&rogue_device.key, KEY_LABEL, "01");
    token.put_cert(&rogue_device.cert, CERT_LABEL, "01");

    let server = SServer::start(&pki, ClientCert::Required, &[]);
    let mut client = Client::for_device_pki(server.port, &pki);
    let rc = client.connect();
    let failed = if rc == 0 { client.line_round_trip("must not be answered").err() } else { Some(rc) };
    let code = failed.expect("a device the server does not trust must not get an answer");
    assert!(code < 0);
    // The credential itself was fine: this is the server's verdict, not ours.
    assert_ne!(code, TLS_ERROR_NO_CERTIFICATE as _);
    assert_ne!(code, TLS_ERROR_NO_PRIVATE_KEY as _);
    assert_ne!(code, TLS_ERROR_SIGN as _);
    // The client may see the failure before s_server has printed its
    // reason: wait for the line (bounded) rather than read what is there.
    // OpenSSL writes "verify error:..." or "...certificate verify failed".
    server.lines_until("verify");
}

#[test]
fn malformed_device_certificate_fails_cleanly_with_no_certificate() {
    let _turn = serial();
    let mut pki = DevicePki::new();
    let device = pki.device("device-bad", KeyAlg::EcP256);
    let token = Token::new();
    token.put_key(&device.key, KEY_LABEL, "01");
    // A DER SEQUENCE header claiming more than follows, then junk.
    let mut junk = vec![0x30, 0x82, 0x02, 0x00];
    junk.extend((0u8..200).map(|i| i.wrapping_mul(73)));
    token.put_raw_cert(&junk, CERT_LABEL);
    assert!(token.list().contains(CERT_LABEL));

    let server = SServer::start(&pki, ClientCert::Required, &[]);
    let mut client = Client::for_device_pki(server.port, &pki);
    assert_eq!(client.connect(), TLS_ERROR_NO_CERTIFICATE as _, "{:?}", client.last_error());
    assert_eq!(client.last_error().code, TLS_ERROR_NO_CERTIFICATE as _);
    // The failed context refuses I/O with the same code and cleans up.
    assert_eq!(client.line_round_trip("x"), Err(TLS_ERROR_NO_CERTIFICATE as _));
}

#[test]
fn empty_token_fails_with_no_private_key_when_the_server_requires_a_certificate() {
    let _turn = serial();
    let pki = DevicePki::new();
    let _token = Token::new();
    let server = SServer::start(&pki, ClientCert::Required, &[]);
    let mut client = Client::for_device_pki(server.port, &pki);
    assert_eq!(client.connect(), TLS_ERROR_NO_PRIVATE_KEY as _, "{:?}", client.last_error());
    let e = client.last_error();
    assert_eq!(e.code, TLS_ERROR_NO_PRIVATE_KEY as _);
    assert_eq!(e.pkcs11_rv, CKR_OK, "the module worked; the key is simply absent");
}

#[test]
fn empty_token_connects_when_the_server_only_asks_optionally() {
    let _turn = serial();
    let pki = DevicePki::new();
    let _token = Token::new();
    let server = SServer::start(&pki, ClientCert::Optional, &[]);
    let mut client = Client::for_device_pki(server.port, &pki);
    assert_eq!(client.connect(), 0, "{:?}", client.last_error());
    assert_eq!(client.line_round_trip("no certificate, still welcome"), Ok(reversed("no certificate, still welcome")));
}

#[test]
fn key_without_certificate_fails_with_no_certificate() {
    let _turn = serial();
    let mut pki = DevicePki::new();
    let device = pki.device("device-nocert", KeyAlg::EcP256);
    let token = Token::new();
    token.put_key(&device.key, KEY_LABEL, "01");
    let server = SServer::start(&pki, ClientCert::Required, &[]);
    let mut client = Client::for_device_pki(server.port, &pki);
    assert_eq!(client.connect(), TLS_ERROR_NO_CERTIFICATE as _, "{:?}", client.last_error());
}

#[test]
fn module_signature_longer_than_the_certificate_allows_is_a_sign_error_not_an_overflow() {
    // A P-384 key behind a P-256 certificate: the module's r||s is 96
    // bytes where 64 are expected. The library hands the module a 64-byte
    // buffer, so the module must refuse (CKR_BUFFER_TOO_SMALL) and the
    // handshake stops with TLS_ERROR_SIGN.
    let _turn = serial();
    let mut pki = DevicePki::new();
    let device = pki.device("device-p256", KeyAlg::EcP256);
    let other = pki.device("device-p384", KeyAlg::EcP384);
    let token = Token::new();
    token.put_key(&other.key, KEY_LABEL, "01");
    token.put_cert(&device.cert, CERT_LABEL, "01");
    token.put_cert(&pki.intermediate.cert, JITP_LABEL, "02");
    let server = SServer::start(&pki, ClientCert::Required, &[]);
    let mut client = Client::for_device_pki(server.port, &pki);
    assert_eq!(client.connect(), TLS_ERROR_SIGN as _, "{:?}", client.last_error());
    assert_eq!(client.last_error().pkcs11_rv, CKR_BUFFER_TOO_SMALL);
}

#[test]
fn rsa_key_below_2048_bits_is_refused_as_no_private_key() {
    let setup = ProvisionedDevice::new("device-rsa1024", KeyAlg::Rsa1024);
    let server = SServer::start(&setup.pki, ClientCert::Required, &[]);
    let mut client = Client::for_device_pki(server.port, &setup.pki);
    assert_eq!(client.connect(), TLS_ERROR_NO_PRIVATE_KEY as _, "{:?}", client.last_error());
}
