//! The client's last flight of a resumed handshake. The server speaks
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
#![cfg(not(feature = "no-session-resumption"))]

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use freertos_tls::ffi::{self, BaseType_t};
use support::{Client, ClientOptions, EchoPeer, Io, Misbehaviour, PeerOptions, Pki, ServerIdentity, TcpTransport};

/// The client's ChangeCipherSpec record (5 + 1) and its Finished under
/// AES-GCM (5 header + 8 nonce + 16 Finished message + 16 tag).
const FINAL_FLIGHT: usize = 6 + 45;
/// What an AES-GCM record adds to its content: 5 header + 8 nonce + 16 tag.
const GCM_OVERHEAD: usize = 29;
/// The encrypted close_notify alert: 2 bytes of content.
const CLOSE_NOTIFY: usize = 2 + GCM_OVERHEAD;
const TRANSPORT: BaseType_t = ffi::TLS_ERROR_TRANSPORT as BaseType_t;

static TURN: Mutex<()> = Mutex::new(());

fn turn() -> MutexGuard<'static, ()> {
    let guard = TURN.lock().unwrap_or_else(|p| p.into_inner());
    assert_eq!(ffi::TLS_SetSessionResumption(1), 0);
    ffi::TLS_ClearSessionCache();
    guard
}

fn opts(pki: &Pki) -> ClientOptions<'static> {
    ClientOptions { host: "localhost", ca_pem: Some(pki.ca_pem_with_nul()), alpn: &[] }
}

/// A client over a socket with Nagle's algorithm on.
fn client(port: u16, pki: &Pki) -> Client {
    let (c, rc) = Client::try_init_over(TcpTransport::connect_with(port, false), opts(pki));
    assert_eq!(rc, 0, "TLS_Init");
    c
}

/// Sends and receives recorded from `from` on.
fn io_since(c: &Client, from: usize) -> Vec<Io> {
    c.transport.io[from..].to_vec()
}

/// Read exactly `len` bytes within 10 s.
fn read_exactly(c: &mut Client, len: usize) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut out = vec![0u8; len];
    let mut got = 0;
    while got < len {
        let n = c.recv(&mut out[got..]);
        assert!(n >= 0, "TLS_Recv: {n}");
        got += n as usize;
        assert!(Instant::now() < deadline, "read {got} of {len} bytes");
    }
    out
}

/// The Python peer's reuse verdict from its next CONN line.
fn server_reused(peer: &EchoPeer) -> bool {
    let event = peer.next_event();
    match event.rsplit_once(" reused=") {
        Some((_, "1")) => true,
        Some((_, "0")) => false,
        _ => panic!("peer line without a reuse verdict: {event}"),
    }
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
    assert!(!server_reused(peer), "the first connection is a full handshake");
    drop(first);
    if report_close {
        assert_eq!(peer.next_event(), "CLOSED close_notify");
    }
    let mut c = client(peer.port, pki);
    assert_eq!(c.connect(), 0, "{:?}", c.last_error().lMbedtlsCode);
    assert!(c.resumed(), "the library did not resume");
    // TLS_Connect's last transport call was a receive (the server's
    // Finished): the client's last flight did not leave on its own.
    assert!(matches!(c.transport.io.last(), Some(Io::Recv(_))), "{:?}", c.transport.io);
    c
}

fn reporting(report_close: bool) -> PeerOptions<'static> {
    PeerOptions { report_reuse: true, report_close, ..Default::default() }
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
    assert_eq!(read_exactly(&mut c, msg.len()), msg);
    assert!(server_reused(&peer), "the server resumed too");
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
    assert!(server_reused(&peer), "the server finished its handshake, resumed");
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
        assert_eq!(c.last_error().xCode, TRANSPORT);
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

/// `openssl s_server` in its interactive mode: what is written to its
/// stdin goes to the connected client; it serves one client after another.
struct InteractiveServer {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    port: u16,
}

impl InteractiveServer {
    fn start(id: &ServerIdentity, extra: &[&str]) -> InteractiveServer {
        let mut child = Command::new("openssl")
            .args(["s_server", "-accept", "127.0.0.1:0", "-tls1_2", "-cert"])
            .arg(&id.cert)
            .arg("-key")
            .arg(&id.key)
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl must be installed");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let port = loop {
            let line = lines.recv_timeout(Duration::from_secs(20)).expect("s_server did not start");
            if let Some(addr) = line.strip_prefix("ACCEPT ") {
                break addr.rsplit(':').next().unwrap().parse().unwrap();
            }
        };
        InteractiveServer { child, stdin, lines, port }
    }

    /// s_server's output lines up to the first that contains `what`.
    fn lines_until(&self, what: &str) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut shown = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(line) = self.lines.recv_timeout(left) else {
                panic!("s_server never printed {what:?}: {shown:?}");
            };
            let done = line.contains(what);
            shown.push(line);
            if done {
                return shown;
            }
        }
    }
}

impl Drop for InteractiveServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn s_server_answers_a_resumed_client_that_reads_first(extra: &[&str]) {
    let _t = turn();
    let pki = Pki::new("held-flight-s_server");
    let mut server = InteractiveServer::start(&pki.localhost(), extra);
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
    server.stdin.write_all(greeting).unwrap();
    server.stdin.flush().unwrap();
    let before = c.transport.io.len();
    assert_eq!(read_exactly(&mut c, greeting.len()), greeting);
    assert_eq!(io_since(&c, before)[0], Io::Send(FINAL_FLIGHT), "the flight leaves before the first read");
    drop(c);
    let shown = server.lines_until("DONE");
    assert!(shown.iter().any(|l| l.contains("Reused session-id")), "the server did not resume: {shown:?}");
    assert!(shown.iter().any(|l| l.contains("CIPHER is")), "{shown:?}");
}

#[test]
fn openssl_s_server_with_tickets_answers_a_resumed_client_that_reads_first() {
    s_server_answers_a_resumed_client_that_reads_first(&[]);
}

#[test]
fn openssl_s_server_without_tickets_answers_a_resumed_client_that_reads_first() {
    s_server_answers_a_resumed_client_that_reads_first(&["-no_ticket"]);
}

/// One request to `s_server -www`: the status page, which says "New, " or
/// "Reused, " for the session.
fn www_page(c: &mut Client) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut page = Vec::new();
    while !page.ends_with(b"</HTML>\r\n\r\n") {
        let mut buf = [0u8; 4096];
        let n = c.recv(&mut buf);
        assert!(n >= 0, "TLS_Recv: {n} after {} bytes of the page", page.len());
        page.extend_from_slice(&buf[..n as usize]);
        assert!(Instant::now() < deadline, "no status page: {}", String::from_utf8_lossy(&page));
    }
    String::from_utf8_lossy(&page).into_owned()
}

#[test]
fn openssl_s_server_first_send_after_a_resumed_connect_is_one_call_with_the_final_flight() {
    let _t = turn();
    let pki = Pki::new("held-flight-www");
    let server = InteractiveServer::start(&pki.localhost(), &["-www"]);
    let request = b"GET / HTTP/1.0\r\n\r\n";
    let mut first = client(server.port, &pki);
    assert_eq!(first.connect(), 0);
    assert_eq!(first.send(request), request.len() as BaseType_t);
    assert!(www_page(&mut first).contains("\nNew, TLSv1.2"));
    drop(first);

    let mut c = client(server.port, &pki);
    assert_eq!(c.connect(), 0);
    assert!(c.resumed());
    assert!(matches!(c.transport.io.last(), Some(Io::Recv(_))), "{:?}", c.transport.io);
    let before = c.transport.io.len();
    assert_eq!(c.send(request), request.len() as BaseType_t);
    assert_eq!(io_since(&c, before), [Io::Send(FINAL_FLIGHT + request.len() + GCM_OVERHEAD)], "one call, both");
    let page = www_page(&mut c);
    assert!(page.contains("\nReused, TLSv1.2"), "the server did not resume: {page}");
}
