//! The `server_records` target: what a server sends inside the encrypted
//! channel. Blind mutation of a recorded flight cannot get there (changed
//! ciphertext fails authentication), so here a live deterministic server
//! (`server.rs`) completes the handshake with the client, in the same
//! thread, and then encrypts the records the input names: the client's
//! record layer, alerts, post-handshake handshake messages, empty and
//! odd-sized records, all through the C ABI.
//!
//! Format: byte 0 picks the server ([`SERVERS`]), byte 1 the `TLS_Recv`
//! size (as in `flight.rs`), then records, each a content-type byte, a
//! big-endian u16 length and the plaintext (cut at [`MAX_PAYLOAD`]). Type
//! bytes below 0xF0 map onto the four TLS types (20 + byte % 4); the rest
//! are sent as they are.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::ffi::{c_int, c_uchar, c_void};
use std::rc::Rc;

use freertos_tls::ffi::BaseType_t;
use mbedtls_sys as m;

use crate::client::{init_and_converse, Conversation, StandardParams};
use crate::flight::RECV_SIZES;
use crate::server::{Key, Server, ServerConfig};

/// Largest plaintext per record: the 4096-byte fragment the client asks for.
pub const MAX_PAYLOAD: usize = 4096;

/// The servers an input can pick: each record protection mbedTLS's client
/// decrypts differently (AEAD, stream AEAD, CBC MAC-then-encrypt and
/// encrypt-then-MAC, SHA-1 and SHA-256 MACs), and TLS 1.3 (AES-GCM,
/// ChaCha20-Poly1305).
pub const SERVERS: [ServerConfig; 7] = [
    ServerConfig { select_alpn: true, ..ServerConfig::new(Key::Ecdsa, m::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256) },
    ServerConfig {
        group: m::SSL_IANA_TLS_GROUP_X25519 as u16,
        ..ServerConfig::new(Key::Ecdsa, m::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256)
    },
    ServerConfig { etm: false, ..ServerConfig::new(Key::Ecdsa, m::TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256) },
    ServerConfig::new(Key::Rsa, m::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA),
    ServerConfig { etm: false, ..ServerConfig::new(Key::Rsa, m::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA) },
    // TLS 1.3 (AEAD over an inner content type; post-handshake messages).
    ServerConfig { ticket: true, ..ServerConfig::tls13(Key::Ecdsa, m::TLS1_3_AES_128_GCM_SHA256) },
    ServerConfig {
        group: m::SSL_IANA_TLS_GROUP_X25519 as u16,
        ..ServerConfig::tls13(Key::Rsa, m::TLS1_3_CHACHA20_POLY1305_SHA256)
    },
];

/// A parsed input.
pub struct RecordsInput<'a> {
    pub server: usize,
    pub recv_size: usize,
    pub records: Vec<(u8, &'a [u8])>,
}

impl<'a> RecordsInput<'a> {
    pub fn parse(input: &'a [u8]) -> RecordsInput<'a> {
        let server = usize::from(input.first().copied().unwrap_or(0)) % SERVERS.len();
        let recv_size = RECV_SIZES[usize::from(input.get(1).copied().unwrap_or(0)) % RECV_SIZES.len()];
        let mut rest = input.get(2..).unwrap_or(&[]);
        let mut records = Vec::new();
        while let [ty, tail @ ..] = rest {
            let content_type = if *ty < 0xF0 { 20 + ty % 4 } else { *ty };
            let len = match tail {
                [hi, lo, ..] => usize::from(u16::from_be_bytes([*hi, *lo])),
                _ => 0,
            };
            let body = &tail[tail.len().min(2)..];
            let take = len.min(body.len());
            records.push((content_type, &body[..take.min(MAX_PAYLOAD)]));
            rest = &body[take..];
        }
        RecordsInput { server, recv_size, records }
    }
}

/// Encode an input (the recorder's seeds): `records` are (type byte, payload).
pub fn encode(server: u8, recv_size_selector: u8, records: &[(u8, &[u8])]) -> Vec<u8> {
    let mut out = vec![server, recv_size_selector];
    for (ty, payload) in records {
        out.push(*ty);
        out.extend_from_slice(&u16::try_from(payload.len()).unwrap().to_be_bytes());
        out.extend_from_slice(payload);
    }
    out
}

/// Both directions between client and server, shared by the client's
/// callbacks and the server's BIO (which runs inside them).
#[derive(Default)]
struct Wire {
    to_server: RefCell<VecDeque<u8>>,
    to_client: RefCell<VecDeque<u8>>,
}

unsafe extern "C" fn server_send(ctx: *mut c_void, buf: *const c_uchar, len: usize) -> c_int {
    // SAFETY: ctx is the session's Wire (kept alive by its Rc); buf holds len bytes.
    let (wire, data) = unsafe { (&*ctx.cast::<Wire>(), std::slice::from_raw_parts(buf, len)) };
    wire.to_client.borrow_mut().extend(data);
    len as c_int
}

unsafe extern "C" fn server_recv(ctx: *mut c_void, buf: *mut c_uchar, len: usize) -> c_int {
    // SAFETY: as in server_send; buf is writable for len bytes.
    let (wire, buf) = unsafe { (&*ctx.cast::<Wire>(), std::slice::from_raw_parts_mut(buf, len)) };
    let mut q = wire.to_server.borrow_mut();
    if q.is_empty() {
        return m::ERR_SSL_WANT_READ;
    }
    let n = len.min(q.len());
    for (dst, src) in buf.iter_mut().zip(q.drain(..n)) {
        *dst = src;
    }
    n as c_int
}

/// The client's caller context: the server runs whenever the client waits.
struct Session<'a> {
    wire: Rc<Wire>,
    server: Box<Server>,
    handshake_done: bool,
    records: &'a [(u8, &'a [u8])],
    records_sent: bool,
}

impl Session<'_> {
    /// Let the server act on what the client sent.
    fn pump(&mut self) {
        crate::determinism::as_server(|| self.pump_here());
    }

    fn pump_here(&mut self) {
        if !self.handshake_done {
            // SAFETY: a set-up server context; its BIO is `self.wire`.
            match unsafe { m::ssl_handshake(self.server.ssl()) } {
                0 => self.handshake_done = true,
                _ => return, // waiting for the client, or failed: nothing more to send
            }
        }
        if !self.records_sent {
            self.records_sent = true;
            for (ty, payload) in self.records {
                if self.server.write_record(*ty, payload).is_err() {
                    break;
                }
            }
        }
    }
}

unsafe extern "C" fn client_recv(ctx: *mut c_void, buf: *mut u8, len: usize) -> BaseType_t {
    // SAFETY: ctx is the live Session of this run; buf holds len bytes.
    let (session, buf) = unsafe { (&mut *ctx.cast::<Session<'_>>(), std::slice::from_raw_parts_mut(buf, len)) };
    if session.wire.to_client.borrow().is_empty() {
        session.pump();
    }
    let mut q = session.wire.to_client.borrow_mut();
    if q.is_empty() {
        return -1; // the server has nothing more to say: the input is used up
    }
    let n = len.min(q.len());
    for (dst, src) in buf.iter_mut().zip(q.drain(..n)) {
        *dst = src;
    }
    n as BaseType_t
}

unsafe extern "C" fn client_send(ctx: *mut c_void, buf: *const u8, len: usize) -> BaseType_t {
    // SAFETY: as in client_recv.
    let (session, data) = unsafe { (&*ctx.cast::<Session<'_>>(), std::slice::from_raw_parts(buf, len)) };
    session.wire.to_server.borrow_mut().extend(data);
    len as BaseType_t
}

/// Run one input: handshake with the picked server, then its records.
pub fn run(input: &RecordsInput<'_>) -> Conversation {
    crate::determinism::start_run();
    let wire = Rc::new(Wire::default());
    let bio = Rc::as_ptr(&wire).cast_mut().cast::<c_void>();
    // SAFETY: `bio` is the Wire the callbacks expect; the session keeps its Rc
    // (and so the Wire) alive as long as the server.
    let server =
        unsafe { Server::new(&SERVERS[input.server], bio, server_send, server_recv) }.expect("fuzz server set-up");
    let mut session = Session { wire, server, handshake_done: false, records: &input.records, records_sent: false };
    let mut params = StandardParams::standard();
    let mut raw = params.raw(Some(client_recv), Some(client_send), (&mut session as *mut Session<'_>).cast());
    // SAFETY: `raw` points into `params`, its context at `session`; both
    // outlive the call. No wait depends on the clock (u32::MAX timeout; the
    // transport never answers "nothing now").
    unsafe { init_and_converse(&mut raw, input.recv_size, u32::MAX) }.expect("standard parameters are valid")
}
