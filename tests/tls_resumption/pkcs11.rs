//! Session resumption is bound to the client identity: with mutual TLS
//! (device keys in SoftHSM2 tokens, Python's ssl requiring a client
//! certificate), a session made as one device is never offered as
//! another. The server reports each reuse itself.
#![cfg(feature = "session-resumption")]

use crate::support;

use support::{Client, DevicePki, EchoPeer, KeyAlg, PeerOptions, Token};

/// Connect as whatever the current token holds, echo a line, and return
/// the server's verdict on session reuse (reported once the server has the
/// client's Finished: after a resumed handshake, with the first record).
fn connect_once(peer: &EchoPeer, pki: &DevicePki) -> bool {
    let mut c = Client::for_device_pki(peer.port, pki);
    assert_eq!(c.connect(), 0, "TLS_Connect: {:?}", c.last_error());
    assert_eq!(c.line_round_trip("ping").expect("echo"), "ping");
    peer.next_reuse_verdict()
}

fn other_identity_is_not_resumed(no_tickets: bool) {
    let _turn = super::turn();
    let mut pki = DevicePki::new();
    let device_a = pki.device("device-a", KeyAlg::EcP256);
    let device_b = pki.device("device-b", KeyAlg::EcP256);
    let peer = EchoPeer::start(
        &pki.server,
        PeerOptions { client_ca: Some(&pki.root.cert), no_tickets, report_reuse: true, ..Default::default() },
    );

    let token_a = Token::new();
    token_a.provision(&pki, &device_a);
    assert!(!connect_once(&peer, &pki), "first connection as device A: full handshake");
    assert!(connect_once(&peer, &pki), "device A again: resumed");

    // Same destination, same anchors, another device certificate.
    let token_b = Token::new();
    token_b.provision(&pki, &device_b);
    assert!(!connect_once(&peer, &pki), "device B must not be offered device A's session");
    assert!(connect_once(&peer, &pki), "device B again: its own session resumes");
    drop((token_a, token_b));
}

#[test]
fn another_client_identity_gets_no_resumption_with_tickets() {
    other_identity_is_not_resumed(false);
}

#[test]
fn another_client_identity_gets_no_resumption_with_session_ids() {
    other_identity_is_not_resumed(true);
}
