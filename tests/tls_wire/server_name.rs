//! SNI and host-name checks against the Python ssl (OpenSSL) echo peer,
//! which reports the SNI it received. An IP-literal destination sends no
//! SNI (RFC 6066 §3) and must match an iPAddress SAN of the server
//! certificate; the two switches work independently; host names behave
//! as before.

use crate::support;

use std::ffi::{c_char, CStr};
use std::sync::Mutex;
use std::time::Duration;

use freertos_tls::ffi::{
    self, BaseType_t, TLS_ERROR_BAD_PARAMETER, TLS_ERROR_HANDSHAKE_FAILED, TLS_ERROR_INVALID_STATE,
};
use support::*;

const BADCERT_CN_MISMATCH: u32 = 0x04;
const BADCERT_NOT_TRUSTED: u32 = 0x08;
const ERR_X509_CERT_VERIFY_FAILED: i32 = -0x2700;

fn client(peer: &EchoPeer, pki: &Pki, host: &str) -> Client {
    Client::init(peer.port, ClientOptions { host, ca_pem: Some(pki.ca_pem_with_nul()), alpn: &[] })
}

fn assert_connects(c: &mut Client, peer: &EchoPeer, expected_sni: &str) {
    assert_eq!(c.connect(), 0, "verify flags 0x{:x}", c.last_error().verify_flags);
    // Echo first: a resumed connection is reported once the client's
    // Finished has left, with its first record.
    assert_eq!(c.echo(b"who are you", Duration::from_secs(10)), b"who are you");
    assert_eq!(peer.next_event(), format!("CONN sni={expected_sni} alpn=- version=TLSv1.3"));
}

fn assert_name_mismatch(c: &mut Client) {
    assert_eq!(c.connect(), TLS_ERROR_HANDSHAKE_FAILED as BaseType_t);
    let e = c.last_error();
    assert_eq!(e.mbedtls_code, ERR_X509_CERT_VERIFY_FAILED);
    assert_eq!(e.verify_flags, BADCERT_CN_MISMATCH, "only the name may be wrong: 0x{:x}", e.verify_flags);
}

#[test]
fn ipv4_destination_matching_an_ip_san_connects_without_sni() {
    let _turn = support::serial();
    let pki = Pki::new("ip4");
    let peer = EchoPeer::start(&pki.server_with_sans("ip4", "broker", &["127.0.0.1"]), PeerOptions::default());
    let mut c = client(&peer, &pki, "127.0.0.1");
    assert_connects(&mut c, &peer, "-");
}

#[test]
fn ipv4_destination_not_among_the_ip_sans_fails_with_a_name_mismatch() {
    let _turn = support::serial();
    // Neither another address, nor a DNS SAN, nor the CN spelling the
    // address counts: only an iPAddress SAN with these four bytes.
    let pki = Pki::new("ip4-other");
    let id = pki.server_with_sans("ip4-other", "127.0.0.1", &["127.0.0.2", "localhost", "::ffff:127.0.0.1"]);
    let peer = EchoPeer::start(&id, PeerOptions::default());
    let mut c = client(&peer, &pki, "127.0.0.1");
    assert_name_mismatch(&mut c);
    // The fatal alert reaches the server at once (not only at cleanup).
    let event = peer.next_event();
    assert!(event.starts_with("HANDSHAKE_FAILED") && event.contains("ALERT"), "{event}");
}

#[test]
fn ipv6_destinations_in_every_spelling_match_an_ipv6_san() {
    let _turn = support::serial();
    // TCP still goes to 127.0.0.1: the destination string is only the name.
    let pki = Pki::new("ip6");
    let peer = EchoPeer::start(&pki.server_with_sans("ip6", "broker", &["2001:db8::7"]), PeerOptions::default());
    for host in ["2001:db8::7", "[2001:db8::7]", "2001:0db8:0:0:0:0:0:7"] {
        let mut c = client(&peer, &pki, host);
        assert_connects(&mut c, &peer, "-");
    }
    let mut c = client(&peer, &pki, "2001:db8::8");
    assert_name_mismatch(&mut c);
}

#[test]
fn a_host_name_does_not_match_an_ip_san() {
    let _turn = support::serial();
    let pki = Pki::new("dns-vs-ip");
    let peer = EchoPeer::start(&pki.server_with_sans("dns-vs-ip", "broker", &["127.0.0.1"]), PeerOptions::default());
    let mut c = client(&peer, &pki, "localhost");
    assert_name_mismatch(&mut c);
}

#[test]
fn sni_off_sends_no_name_but_still_checks_it() {
    let _turn = support::serial();
    let pki = Pki::new("sni-off");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions::default());
    let mut c = client(&peer, &pki, "localhost");
    // SAFETY: a live context from TLS_Init.
    assert_eq!(unsafe { ffi::TLS_SetServerNameIndication(c.ctx, 0) }, 0);
    assert_connects(&mut c, &peer, "-");

    let mut c = client(&peer, &pki, "other.example");
    // SAFETY: as above.
    assert_eq!(unsafe { ffi::TLS_SetServerNameIndication(c.ctx, 0) }, 0);
    assert_name_mismatch(&mut c);
}

static LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());

extern "C" fn record_log(level: BaseType_t, message: *const c_char) {
    // SAFETY: the library passes a NUL-terminated line.
    let text = unsafe { CStr::from_ptr(message) }.to_string_lossy().into_owned();
    LOG.lock().unwrap().push(format!("{level}:{text}"));
}

#[test]
fn host_name_verification_off_accepts_another_name_loudly_and_keeps_sni() {
    let _turn = support::serial();
    let pki = Pki::new("verify-off");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions::default());
    ffi::TLS_SetLogHook(Some(record_log));
    let mut c = client(&peer, &pki, "other.example");
    // SAFETY: a live context from TLS_Init.
    assert_eq!(unsafe { ffi::TLS_SetHostnameVerification(c.ctx, 0) }, 0);
    assert_connects(&mut c, &peer, "other.example");
    ffi::TLS_SetLogHook(None);
    let log = LOG.lock().unwrap().clone();
    assert!(
        log.iter().any(|l| l.starts_with("2:") && l.contains("host-name verification is OFF for other.example")),
        "{log:?}"
    );
}

#[test]
fn host_name_verification_off_still_requires_a_trusted_chain() {
    let _turn = support::serial();
    let pki = Pki::new("verify-off-trust");
    let other = Pki::new("stranger");
    let peer = EchoPeer::start(&other.localhost(), PeerOptions::default());
    let mut c = client(&peer, &pki, "127.0.0.1");
    // SAFETY: a live context from TLS_Init.
    assert_eq!(unsafe { ffi::TLS_SetHostnameVerification(c.ctx, 0) }, 0);
    assert_eq!(c.connect(), TLS_ERROR_HANDSHAKE_FAILED as BaseType_t);
    let flags = c.last_error().verify_flags;
    assert_ne!(flags & BADCERT_NOT_TRUSTED, 0, "0x{flags:x}");
    assert_eq!(flags & BADCERT_CN_MISMATCH, 0, "the name check is off: 0x{flags:x}");
}

#[test]
fn switches_are_refused_after_connect_and_for_null() {
    let _turn = support::serial();
    let pki = Pki::new("switch-state");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions::default());
    let mut c = client(&peer, &pki, "localhost");
    assert_eq!(c.connect(), 0);
    // SAFETY: a live context; NULL is accepted and refused.
    unsafe {
        assert_eq!(ffi::TLS_SetServerNameIndication(c.ctx, 0), TLS_ERROR_INVALID_STATE as BaseType_t);
        assert_eq!(ffi::TLS_SetHostnameVerification(c.ctx, 0), TLS_ERROR_INVALID_STATE as BaseType_t);
        assert_eq!(ffi::TLS_SetServerNameIndication(std::ptr::null_mut(), 1), TLS_ERROR_BAD_PARAMETER as BaseType_t);
        assert_eq!(ffi::TLS_SetHostnameVerification(std::ptr::null_mut(), 1), TLS_ERROR_BAD_PARAMETER as BaseType_t);
    }
    // Refused switches changed nothing: the connection still works.
    assert_eq!(c.echo(b"still fine", Duration::from_secs(10)), b"still fine");
}
