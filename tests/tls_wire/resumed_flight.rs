//! The client's last flight of a resumed TLS 1.2 handshake (TLS 1.3's
//! client Finished, held the same way, is checked in tests/tls13.rs;
//! these peers are held at TLS 1.2). The server speaks
//! first there (ServerHello, ChangeCipherSpec, Finished); the client's
//! ChangeCipherSpec and Finished end the handshake, and the server has
//! nothing to answer them with, so it delays its ACK. Sent alone at the end
//! of `TLS_Connect`, they made the first `TLS_Send` wait ~40 ms under
//! Nagle. The library holds them instead and sends them in the same
//! `pxNetworkSend` call as the first record (application data, or the
//! close_notify of `TLS_Cleanup`), and always before the next receive.
//!
//! Against real peers (Python ssl and `openssl s_server`), counting the
//! transport callback calls; each resumption is the server's own verdict
//! too. The session cache is process-wide, so the tests take turns.
#![cfg(feature = "session-resumption")]

use crate::support;

use std::time::Duration;

use freertos_tls::ffi::{self, BaseType_t};
use support::{Client, EchoPeer, Io, Misbehaviour, PeerOptions, Pki, SServer, Versions};

/// The client's ChangeCipherSpec record (5 + 1) and its Finished under
/// AES-GCM (5 header + 8 nonce + 16 Finished message + 16 tag).
const FINAL_FLIGHT: usize = 6 + 45;
/// What an AES-GCM record adds to its content: 5 header + 8 nonce + 16 tag.
const GCM_OVERHEAD: usize = 29;
/// The encrypted close_notify alert: 2 bytes of content.
const CLOSE_NOTIFY: usize = 2 + GCM_OVERHEAD;
const TRANSPORT: BaseType_t = ffi::TLS_ERROR_TRANSPORT as BaseType_t;

fn turn() -> support::Serial {
    support::cache_turn()
}

/// A client over a socket with Nagle's algorithm on.
fn client(port: u16, pki: &Pki) -> Client {
    support::nagle_client(port, pki)
}

/// Sends and receives recorded from `from` on.
fn io_since(c: &Client, from: usize) -> Vec<Io> {
    c.transport.io[from..].to_vec()
}

/// A full handshake (its session goes into the cache, closed cleanly),
/// then a resumed one, returned connected. The server has not finished
/// its side yet: the client's Finished is held. With `report_close` the
/// peer's line for the first connection's close is read too.
fn resumed_python_client(peer: &EchoPeer, pki: &Pki, report_close: bool) -> Client {
    ffi::TLS_ClearSessionCache();
    let mut first = client(peer.port, pki);
    assert_eq!(first.connect(), 0);
    assert!(!first.resumed());
    assert_eq!(first.echo(b"first", Duration::from_secs(10)), b"first");
    assert!(!peer.next_reuse_verdict(), "the first connection is a full handshake");
    drop(first);
    if report_close {
        assert_eq!(peer.next_event(), "CLOSED close_notify");
    }
    let mut c = client(peer.port, pki);
    assert_eq!(c.connect(), 0, "{:?}", c.last_error().mbedtls_code);
    assert!(c.resumed(), "the library did not resume");
    // TLS_Connect's last transport call was a receive (the server's
    // Finished): the client's last flight did not leave on its own.
    assert!(matches!(c.transport.io.last(), Some(Io::Recv(_))), "{:?}", c.transport.io);
    c
}

fn reporting(report_close: bool) -> PeerOptions<'static> {
    PeerOptions { report_reuse: true, report_close, versions: Versions::Tls12Only, ..Default::default() }
}

#[test]
fn python_peer_first_send_after_a_resumed_connect_is_one_call_with_the_final_flight() {
    let _t = turn();
    let pki = Pki::new("held-flight-send");
    let peer = EchoPeer::start(&pki.localhost(), reporting(false));
    let mut c = resumed_python_client(&peer, &pki, false);
    let before = c.transport.io.len();
    let msg = support::payload(100, 3);
    assert_eq!(c.send(&msg), msg.len() as BaseType_t);
    assert_eq!(io_since(&c, before), [Io::Send(FINAL_FLIGHT + msg.len() + GCM_OVERHEAD)], "one call, both");
    assert_eq!(c.read_exactly(msg.len(), Duration::from_secs(10)), msg);
    assert!(peer.next_reuse_verdict(), "the server resumed too");
    // Later records go out alone, as before.
    let before = c.transport.io.len();
    assert_eq!(c.echo(b"again", Duration::from_secs(10)), b"again");
    assert_eq!(io_since(&c, before)[0], Io::Send(5 + GCM_OVERHEAD));
}

#[test]
fn python_peer_recv_first_after_a_resumed_connect_sends_the_final_flight_before_reading() {
    let _t = turn();
    let pki = Pki::new("held-flight-recv");
    let peer = EchoPeer::start(&pki.localhost(), reporting(false));
    let mut c = resumed_python_client(&peer, &pki, false);
    let before = c.transport.io.len();
    let mut buf = [0u8; 64];
    // Nothing to read (the echo peer speaks only when spoken to), but the
    // call still hands the held flight to the transport first.
    assert_eq!(c.recv(&mut buf), 0);
    assert_eq!(io_since(&c, before), [Io::Send(FINAL_FLIGHT)]);
    // The server has its Finished without any TLS_Send: it reports the
    // connection, resumed.
    let event = peer.event_within(Duration::from_secs(5)).expect("the server did not finish its handshake");
    assert!(event.ends_with(" reused=1"), "{event}");
    assert_eq!(c.echo(b"after recv", Duration::from_secs(10)), b"after recv");
}

#[test]
fn python_peer_zero_length_send_or_recv_sends_the_held_final_flight() {
    let _t = turn();
    let pki = Pki::new("held-flight-zero");
    let peer = EchoPeer::start(&pki.localhost(), reporting(false));
    for via_send in [true, false] {
        let mut c = resumed_python_client(&peer, &pki, false);
        let before = c.transport.io.len();
        // SAFETY: a live context; NULL with length 0 is allowed.
        let rc = unsafe {
            if via_send {
                ffi::TLS_Send(c.ctx, std::ptr::null(), 0)
            } else {
                ffi::TLS_Recv(c.ctx, std::ptr::null_mut(), 0)
            }
        };
        assert_eq!(rc, 0);
        assert_eq!(io_since(&c, before), [Io::Send(FINAL_FLIGHT)], "via TLS_Send: {via_send}");
        let event = peer.event_within(Duration::from_secs(5)).expect("the server did not finish its handshake");
        assert!(event.ends_with(" reused=1"), "{event}");
        assert_eq!(c.echo(b"zero first", Duration::from_secs(10)), b"zero first");
    }
}

#[test]
fn python_peer_cleanup_right_after_a_resumed_connect_sends_final_flight_and_close_notify() {
    let _t = turn();
    let pki = Pki::new("held-flight-cleanup");
    let peer = EchoPeer::start(&pki.localhost(), reporting(true));
    let mut c = resumed_python_client(&peer, &pki, true);
    let before = c.transport.io.len();
    c.cleanup();
    assert_eq!(io_since(&c, before), [Io::Send(FINAL_FLIGHT + CLOSE_NOTIFY)], "flight, then the alert, in one call");
    assert!(peer.next_reuse_verdict(), "the server finished its handshake, resumed");
    assert_eq!(peer.next_event(), "CLOSED close_notify", "a clean close");
}

#[test]
fn python_peer_transport_error_on_the_held_flight_surfaces_on_that_call_and_sticks() {
    let _t = turn();
    let pki = Pki::new("held-flight-fault");
    let peer = EchoPeer::start(&pki.localhost(), reporting(false));
    #[derive(Debug, Clone, Copy)]
    enum Trigger {
        Recv,
        EmptySend,
        Send,
    }
    for trigger in [Trigger::Recv, Trigger::EmptySend, Trigger::Send] {
        let mut c = resumed_python_client(&peer, &pki, false);
        c.transport.misbehaviour = Misbehaviour::SendReturns(-1);
        let mut buf = [0u8; 16];
        let rc = match trigger {
            Trigger::Recv => c.recv(&mut buf),
            // SAFETY: a live context; NULL with length 0 is allowed.
            Trigger::EmptySend => unsafe { ffi::TLS_Send(c.ctx, std::ptr::null(), 0) },
            Trigger::Send => c.send(b"request"),
        };
        assert_eq!(rc, TRANSPORT, "{trigger:?}: the call that sent the flight reports the failure");
        assert_eq!(c.last_error().code, TRANSPORT);
        // Sticky, on every later call, and the transport is left alone.
        c.transport.misbehaviour = Misbehaviour::None;
        let before = c.transport.io.len();
        assert_eq!(c.send(b"more"), TRANSPORT, "{trigger:?}");
        assert_eq!(c.recv(&mut buf), TRANSPORT, "{trigger:?}");
        // SAFETY: as above.
        assert_eq!(unsafe { ffi::TLS_Recv(c.ctx, std::ptr::null_mut(), 0) }, TRANSPORT, "{trigger:?}");
        c.cleanup();
        assert_eq!(io_since(&c, before), [], "{trigger:?}: nothing sent after the failure, no close_notify");
        drop(c);
        // The server never got the client's Finished.
        let event = peer.next_event();
        assert!(event.starts_with("HANDSHAKE_FAILED"), "{trigger:?}: {event}");
    }
}

fn s_server_answers_a_resumed_client_that_reads_first(extra: &[&str]) {
    let _t = turn();
    let pki = Pki::new("held-flight-s_server");
    let mut server = SServer::start_plain_with(&pki.localhost(), extra);
    let mut first = client(server.port, &pki);
    assert_eq!(first.connect(), 0);
    assert!(!first.resumed());
    // s_server prints "Reused session-id" before this line only for a
    // resumed session.
    let shown = server.lines_until("CIPHER is");
    assert!(!shown.iter().any(|l| l.contains("Reused session-id")), "{shown:?}");
    drop(first);
    server.lines_until("DONE");

    let mut c = client(server.port, &pki);
    assert_eq!(c.connect(), 0);
    assert!(c.resumed());
    assert!(matches!(c.transport.io.last(), Some(Io::Recv(_))), "{:?}", c.transport.io);
    // The server speaks first. It can only once it has the client's
    // Finished, which the client's first TLS_Recv sends before reading.
    let greeting = b"hello from s_server\n";
    server.write_to_client(greeting);
    let before = c.transport.io.len();
    assert_eq!(c.read_exactly(greeting.len(), Duration::from_secs(10)), greeting);
    assert_eq!(io_since(&c, before)[0], Io::Send(FINAL_FLIGHT), "the flight leaves before the first read");
    drop(c);
    let shown = server.lines_until("DONE");
    assert!(shown.iter().any(|l| l.contains("Reused session-id")), "the server did not resume: {shown:?}");
    assert!(shown.iter().any(|l| l.contains("CIPHER is")), "{shown:?}");
}

#[test]
fn openssl_s_server_with_tickets_answers_a_resumed_client_that_reads_first() {
    let _turn = support::serial();
    s_server_answers_a_resumed_client_that_reads_first(&[]);
}

#[test]
fn openssl_s_server_without_tickets_answers_a_resumed_client_that_reads_first() {
    let _turn = support::serial();
    s_server_answers_a_resumed_client_that_reads_first(&["-no_ticket"]);
}

#[test]
fn openssl_s_server_first_send_after_a_resumed_connect_is_one_call_with_the_final_flight() {
    let _t = turn();
    let pki = Pki::new("held-flight-www");
    let server = SServer::start_www(&pki.localhost(), &[]);
    let request = b"GET / HTTP/1.0\r\n\r\n";
    let mut first = client(server.port, &pki);
    assert_eq!(first.connect(), 0);
    assert_eq!(first.send(request), request.len() as BaseType_t);
    assert!(first.read_www_status_page().contains("\nNew, TLSv1.2"));
    drop(first);

    let mut c = client(server.port, &pki);
    assert_eq!(c.connect(), 0);
    assert!(c.resumed());
    assert!(matches!(c.transport.io.last(), Some(Io::Recv(_))), "{:?}", c.transport.io);
    let before = c.transport.io.len();
    assert_eq!(c.send(request), request.len() as BaseType_t);
    assert_eq!(io_since(&c, before), [Io::Send(FINAL_FLIGHT + request.len() + GCM_OVERHEAD)], "one call, both");
    let page = c.read_www_status_page();
    assert!(page.contains("\nReused, TLSv1.2"), "the server did not resume: {page}");
}
