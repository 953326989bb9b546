//! The byte transport under TLS (a TCP socket, usually), and its bridge to
//! mbedTLS's BIO callbacks.
//!
//! Outgoing records are collected in a small flight buffer and handed to
//! the transport together: mbedTLS writes a flight (ClientKeyExchange,
//! ChangeCipherSpec, Finished) as separate records, and a TCP stack with
//! Nagle's algorithm on holds the second small send until the first is
//! acknowledged, which a delayed-ACK peer does only after ~40 ms. One send
//! per flight removes that stall. The buffer is flushed before every
//! receive: the peer cannot answer what it has not seen.
//!
//! The handshake's last flight is not flushed when `TLS_Connect` returns.
//! When the client speaks last (a resumed handshake: the server's
//! ChangeCipherSpec and Finished come first), the peer has nothing to
//! answer it with, so it delays its ACK, and under Nagle the caller's first
//! record would wait ~40 ms for it. Held instead, the flight leaves in the
//! same transport call as the first record written after the handshake
//! (application data, or the close_notify of `TLS_Cleanup`), and before
//! anything is read. (After a full handshake the server speaks last, and
//! reading its Finished has already flushed the client's flight.)
//!
//! After the handshake records go straight to the transport again: one
//! `TLS_Send` record is one call anyway, and the count `TLS_Send` returns
//! must mean bytes the transport took (with a non-blocking transport the
//! caller sends the rest later, under mbedTLS's own "call again with the
//! same data" contract for a record it holds). A record sent behind a held
//! flight keeps that meaning: it is appended for the one call only, and
//! mbedTLS is told how many of its own bytes the transport took.

use core::ffi::{c_int, c_uchar};

use alloc::vec::Vec;
use core::ffi::c_void;

/// The transport failed or broke its contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportError {
    /// The transport reported an error (negative return).
    Failed,
    /// The transport claimed more bytes than it was given room for.
    Overrun,
}

/// A non-blocking or blocking byte stream. `Ok(0)` means "nothing now".
pub trait Transport {
    fn recv(&mut self, buf: &mut [u8]) -> Result<usize, TransportError>;
    fn send(&mut self, buf: &[u8]) -> Result<usize, TransportError>;
}

/// Most bytes the flight buffer holds. Every server-authenticated client
/// flight fits (measured: ClientHello ~150 bytes; key exchange,
/// ChangeCipherSpec and Finished ~100-130), and so does a mutual-TLS flight
/// with an EC device certificate and its intermediate (~1 KB; RSA-2048
/// ones about twice that). A larger flight (long RSA chains) leaves in more
/// than one send: the buffer is flushed when the next record does not fit,
/// and a record larger than the whole buffer goes to the transport
/// directly. 4 KB is also the record size the client asks for (max
/// fragment length).
pub(crate) const FLIGHT_BUFFER_MAX: usize = 4096;

/// Smallest allocation of the buffer, so that a flight of small records
/// does not reallocate for each of them.
const FLIGHT_BUFFER_MIN_ALLOC: usize = 512;

/// Whether everything queued has reached the transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flushed {
    /// Nothing is queued any more.
    All,
    /// The transport took no more for now (returned 0); the rest stays queued.
    Blocked,
}

/// Records accepted from mbedTLS that have not reached the transport yet.
/// Grows on demand (fallibly) up to [`FLIGHT_BUFFER_MAX`].
struct FlightBuffer {
    bytes: Vec<u8>,
    /// How many of `bytes` the transport has already taken.
    sent: usize,
}

impl FlightBuffer {
    const fn new() -> Self {
        FlightBuffer { bytes: Vec::new(), sent: 0 }
    }

    fn queued(&self) -> usize {
        self.bytes.len() - self.sent
    }

    /// Append `record` if it fits within the bound and memory allows.
    fn try_append(&mut self, record: &[u8]) -> bool {
        let needed = self.bytes.len() + record.len();
        if needed > FLIGHT_BUFFER_MAX {
            return false;
        }
        if needed > self.bytes.capacity() {
            let target = (self.bytes.capacity() * 2).max(needed).clamp(FLIGHT_BUFFER_MIN_ALLOC, FLIGHT_BUFFER_MAX);
            if self.bytes.try_reserve_exact(target - self.bytes.len()).is_err() {
                return false;
            }
        }
        self.bytes.extend_from_slice(record);
        true
    }

    /// Forget the sent flight and free its memory: kept, the buffer would
    /// sit in the heap while mbedTLS computes the key exchange, the
    /// handshake's heap peak (the next flight allocates again).
    fn clear(&mut self) {
        self.bytes = Vec::new();
        self.sent = 0;
    }
}

/// What mbedTLS's `p_bio` points at: the transport, its first fault, and
/// the records waiting to be sent.
pub(crate) struct Bio {
    pub(crate) transport: alloc::boxed::Box<dyn Transport + Send>,
    pub(crate) fault: Option<TransportError>,
    flight: FlightBuffer,
    /// Queue records (during the handshake) or pass them through (after).
    coalesce: bool,
    /// Records mbedTLS has handed over (wrapping): tells whether a
    /// handshake step wrote one.
    pub(crate) records_written: u32,
}

impl Bio {
    pub(crate) fn new(transport: alloc::boxed::Box<dyn Transport + Send>) -> Self {
        Bio { transport, fault: None, flight: FlightBuffer::new(), coalesce: true, records_written: 0 }
    }

    /// The count a transport call returned for `asked` bytes, if it kept
    /// its contract; otherwise its fault, recorded (the first one stays).
    fn taken(&mut self, r: Result<usize, TransportError>, asked: usize) -> Result<usize, TransportError> {
        let fault = match r {
            Ok(n) if n <= asked => return Ok(n),
            Ok(_) => TransportError::Overrun,
            Err(e) => e,
        };
        Err(*self.fault.get_or_insert(fault))
    }

    fn record(&mut self, r: Result<usize, TransportError>, want: c_int, failed: c_int, asked: usize) -> c_int {
        match self.taken(r, asked) {
            Ok(0) => want,
            Ok(n) => c_int::try_from(n).unwrap_or(failed),
            Err(_) => failed,
        }
    }

    /// Hand the queued bytes to the transport, as one call when it takes
    /// them all. A short count keeps the unsent tail for the next flush.
    pub(crate) fn flush(&mut self) -> Result<Flushed, TransportError> {
        if let Some(fault) = self.fault {
            return Err(fault); // a broken transport is not called again
        }
        while self.flight.queued() > 0 {
            let rest = self.flight.bytes.get(self.flight.sent..).unwrap_or_default();
            let asked = rest.len();
            let r = self.transport.send(rest);
            match self.taken(r, asked)? {
                0 => return Ok(Flushed::Blocked),
                n => self.flight.sent += n,
            }
        }
        self.flight.clear();
        Ok(Flushed::All)
    }

    /// After the handshake, with its last flight still queued: hand the
    /// flight and `record` to the transport in one call. `record` is
    /// appended for that call only (mbedTLS keeps it until told it left),
    /// and the return value counts only `record`'s bytes the transport
    /// took: WANT_WRITE when it took none of them. `None` when `record`
    /// cannot be appended (bound or memory): the caller sends it apart.
    fn send_behind_flight(&mut self, record: &[u8], want: c_int, failed: c_int) -> Option<c_int> {
        let flight_end = self.flight.bytes.len();
        if !self.flight.try_append(record) {
            return None;
        }
        let pending = flight_end - self.flight.sent;
        let both = self.flight.bytes.get(self.flight.sent..).unwrap_or_default();
        let asked = both.len();
        let r = self.transport.send(both);
        self.flight.bytes.truncate(flight_end);
        let rc = match self.taken(r, asked) {
            Ok(n) => {
                self.flight.sent += n.min(pending);
                match n.saturating_sub(pending) {
                    0 => want,
                    // At most FLIGHT_BUFFER_MAX bytes: fits a c_int.
                    taken => c_int::try_from(taken).unwrap_or(failed),
                }
            }
            Err(_) => failed,
        };
        if self.flight.queued() == 0 {
            self.flight.clear();
        }
        Some(rc)
    }

    /// At the end of the handshake: records pass straight through from now
    /// on. What is still queued (the client's last flight, when it spoke
    /// last) stays, to leave with the next record or before the next
    /// receive; once it is gone the buffer's memory goes back to the heap.
    pub(crate) fn end_coalescing(&mut self) {
        self.coalesce = false;
        self.release_when_sent();
    }

    /// Whether handshake bytes are still waiting for the transport.
    pub(crate) fn holds_flight(&self) -> bool {
        self.flight.queued() > 0
    }

    /// After the handshake, an empty buffer is freed (a mutual-TLS flight
    /// may have grown it to 4 KB).
    fn release_when_sent(&mut self) {
        if !self.coalesce && self.flight.queued() == 0 {
            self.flight.clear();
        }
    }

    /// `f_send`: queue the record, or send it when it cannot be queued.
    fn send_record(&mut self, record: &[u8]) -> c_int {
        const WANT: c_int = mbedtls_sys::ERR_SSL_WANT_WRITE;
        const FAILED: c_int = mbedtls_sys::ERR_NET_SEND_FAILED;
        if self.flight.queued() + record.len() > FLIGHT_BUFFER_MAX {
            // Make room. mbedTLS offers the same record again after WANT_WRITE.
            match self.flush() {
                Ok(Flushed::All) => {}
                Ok(Flushed::Blocked) => return WANT,
                Err(_) => return FAILED,
            }
        }
        if self.coalesce && self.flight.try_append(record) {
            // At most FLIGHT_BUFFER_MAX bytes: fits a c_int.
            return c_int::try_from(record.len()).unwrap_or(FAILED);
        }
        if !self.coalesce && self.flight.queued() > 0 && self.fault.is_none() {
            if let Some(rc) = self.send_behind_flight(record, WANT, FAILED) {
                return rc;
            }
        }
        // After the handshake, larger than the buffer, or no memory for it:
        // straight through, after whatever is queued, so the order stays.
        match self.flush() {
            Ok(Flushed::All) => {}
            Ok(Flushed::Blocked) => return WANT,
            Err(_) => return FAILED,
        }
        let r = self.transport.send(record);
        self.record(r, WANT, FAILED, record.len())
    }

    /// `f_recv`: flush first, then read.
    fn recv_record(&mut self, buf: &mut [u8]) -> c_int {
        // A transport that cannot take the rest now is still read: a peer
        // that is itself blocked sending to us must not deadlock both sides.
        if self.flush().is_err() {
            return mbedtls_sys::ERR_NET_SEND_FAILED;
        }
        let r = self.transport.recv(buf);
        self.record(r, mbedtls_sys::ERR_SSL_WANT_READ, mbedtls_sys::ERR_NET_RECV_FAILED, buf.len())
    }
}

/// Flush the connection's flight buffer.
///
/// # Safety
/// `bio` must point to the live `Bio` of a connection, and mbedTLS must not
/// be running on that connection.
pub(crate) unsafe fn flush_bio(bio: *mut Bio) -> Result<Flushed, TransportError> {
    // SAFETY: per the contract, nothing else reaches the Bio now.
    unsafe { (*bio).flush() }
}

/// mbedTLS `f_send`.
///
/// # Safety
/// `ctx` must be NULL or the connection's live `Bio` (registered with
/// `ssl_set_bio`), reached by nothing else while mbedTLS runs; `buf` NULL
/// or readable for `len` bytes.
pub(crate) unsafe extern "C" fn bio_send(ctx: *mut c_void, buf: *const c_uchar, len: usize) -> c_int {
    if ctx.is_null() || buf.is_null() {
        return mbedtls_sys::ERR_NET_SEND_FAILED;
    }
    // SAFETY: `ctx` is the `Bio` that `Connection` registered with
    // `ssl_set_bio`; it outlives the SSL context and nothing else touches it
    // while mbedTLS runs. `buf` is mbedTLS's own output buffer of `len` bytes.
    let (bio, data) = unsafe { (&mut *ctx.cast::<Bio>(), core::slice::from_raw_parts(buf, len)) };
    bio.records_written = bio.records_written.wrapping_add(1);
    bio.send_record(data)
}

/// mbedTLS `f_recv`.
///
/// # Safety
/// As for [`bio_send`], with `buf` NULL or writable for `len` bytes.
pub(crate) unsafe extern "C" fn bio_recv(ctx: *mut c_void, buf: *mut c_uchar, len: usize) -> c_int {
    if ctx.is_null() || buf.is_null() {
        return mbedtls_sys::ERR_NET_RECV_FAILED;
    }
    // SAFETY: as in `bio_send`; `buf` is mbedTLS's input buffer of `len` bytes.
    let (bio, data) = unsafe { (&mut *ctx.cast::<Bio>(), core::slice::from_raw_parts_mut(buf, len)) };
    bio.recv_record(data)
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use alloc::boxed::Box;
    use alloc::sync::Arc;
    use core::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;

    /// A transport that takes at most `window` bytes per call (0 = blocked)
    /// and records what it was handed.
    struct Scripted {
        window: Arc<AtomicUsize>,
        wire: Arc<Mutex<Vec<u8>>>,
        calls: Arc<AtomicUsize>,
        fail: bool,
    }

    impl Transport for Scripted {
        fn recv(&mut self, _buf: &mut [u8]) -> Result<usize, TransportError> {
            Ok(0)
        }
        fn send(&mut self, buf: &[u8]) -> Result<usize, TransportError> {
            self.calls.fetch_add(1, Ordering::Relaxed);
            if self.fail {
                return Err(TransportError::Failed);
            }
            let n = buf.len().min(self.window.load(Ordering::Relaxed));
            self.wire.lock().unwrap().extend_from_slice(&buf[..n]);
            Ok(n)
        }
    }

    struct Rig {
        bio: Bio,
        window: Arc<AtomicUsize>,
        wire: Arc<Mutex<Vec<u8>>>,
        calls: Arc<AtomicUsize>,
    }

    fn rig(window: usize, fail: bool) -> Rig {
        let window = Arc::new(AtomicUsize::new(window));
        let wire = Arc::new(Mutex::new(Vec::new()));
        let calls = Arc::new(AtomicUsize::new(0));
        let t = Scripted { window: window.clone(), wire: wire.clone(), calls: calls.clone(), fail };
        Rig { bio: Bio::new(Box::new(t)), window, wire, calls }
    }

    /// mbedTLS's side of the contract: offer the rest of a record until it
    /// has all been accepted.
    fn offer(bio: &mut Bio, record: &[u8]) -> c_int {
        let mut off = 0;
        while off < record.len() {
            let rc = bio.send_record(&record[off..]);
            if rc <= 0 {
                return rc;
            }
            off += rc as usize;
        }
        record.len() as c_int
    }

    #[test]
    fn a_flight_of_records_is_one_send() {
        let mut r = rig(usize::MAX, false);
        for rec in [&b"client key exchange"[..], b"ccs", b"finished"] {
            assert_eq!(offer(&mut r.bio, rec), rec.len() as c_int);
        }
        assert_eq!(r.calls.load(Ordering::Relaxed), 0, "nothing leaves before the flush");
        assert_eq!(r.bio.flush(), Ok(Flushed::All));
        assert_eq!(r.calls.load(Ordering::Relaxed), 1);
        assert_eq!(&r.wire.lock().unwrap()[..], b"client key exchangeccsfinished");
    }

    #[test]
    fn partial_sends_keep_the_tail_in_order_without_duplicates() {
        let mut r = rig(3, false);
        let data: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
        for chunk in data.chunks(700) {
            assert_eq!(offer(&mut r.bio, chunk), chunk.len() as c_int);
        }
        r.window.store(0, Ordering::Relaxed);
        assert_eq!(r.bio.flush(), Ok(Flushed::Blocked));
        r.window.store(7, Ordering::Relaxed);
        let mut rounds = 0;
        while r.bio.flush() == Ok(Flushed::Blocked) {
            rounds += 1;
            assert!(rounds < 10_000);
            // 0 from time to time, as a non-blocking socket would.
            r.window.store(if rounds % 5 == 0 { 0 } else { 7 }, Ordering::Relaxed);
        }
        assert_eq!(&r.wire.lock().unwrap()[..], &data[..]);
    }

    #[test]
    fn a_full_buffer_is_flushed_and_a_blocked_transport_gives_want_write() {
        let mut r = rig(0, false);
        let big = [0xAB; FLIGHT_BUFFER_MAX - 10];
        assert_eq!(offer(&mut r.bio, &big), big.len() as c_int);
        // The next record does not fit and the transport is blocked.
        assert_eq!(r.bio.send_record(&[1; 20]), mbedtls_sys::ERR_SSL_WANT_WRITE);
        r.window.store(usize::MAX, Ordering::Relaxed);
        assert_eq!(r.bio.send_record(&[1; 20]), 20);
        assert_eq!(r.bio.flush(), Ok(Flushed::All));
        let wire = r.wire.lock().unwrap();
        assert_eq!(wire.len(), big.len() + 20);
        assert!(wire[..big.len()].iter().all(|&b| b == 0xAB) && wire[big.len()..].iter().all(|&b| b == 1));
    }

    /// After `head` (queued, or held as the final flight), a record of
    /// `big_len` bytes is sent in a call of its own, behind `head`.
    fn assert_big_record_follows(head: &[u8], held: bool, big_len: usize) {
        let mut r = rig(usize::MAX, false);
        assert_eq!(offer(&mut r.bio, head), head.len() as c_int);
        if held {
            r.bio.end_coalescing();
        }
        let big = alloc::vec![7u8; big_len];
        assert_eq!(offer(&mut r.bio, &big), big.len() as c_int);
        assert_eq!(r.calls.load(Ordering::Relaxed), 2);
        let wire = r.wire.lock().unwrap();
        assert_eq!(&wire[..head.len()], head);
        assert_eq!(wire.len(), head.len() + big.len());
    }

    #[test]
    fn a_record_larger_than_the_buffer_goes_straight_through_after_the_queue() {
        assert_big_record_follows(b"head", false, FLIGHT_BUFFER_MAX + 1);
    }

    #[test]
    fn after_the_handshake_records_pass_straight_through() {
        let mut r = rig(usize::MAX, false);
        assert_eq!(offer(&mut r.bio, b"finished"), 8);
        assert_eq!(r.bio.flush(), Ok(Flushed::All));
        r.bio.end_coalescing();
        assert_eq!(offer(&mut r.bio, b"app"), 3);
        assert_eq!(r.calls.load(Ordering::Relaxed), 2, "sent at once, not queued");
        // A transport with no room: mbedTLS is told WANT_WRITE and keeps
        // the record, so TLS_Send reports only what the transport took.
        r.window.store(0, Ordering::Relaxed);
        assert_eq!(r.bio.send_record(b"more"), mbedtls_sys::ERR_SSL_WANT_WRITE);
        assert_eq!(&r.wire.lock().unwrap()[..], b"finishedapp");
    }

    #[test]
    fn a_held_final_flight_leaves_with_the_first_record_in_one_call() {
        let mut r = rig(usize::MAX, false);
        for rec in [&b"ccs"[..], b"finished"] {
            assert_eq!(offer(&mut r.bio, rec), rec.len() as c_int);
        }
        r.bio.end_coalescing();
        assert!(r.bio.holds_flight(), "the handshake's last flight waits for the first record");
        assert_eq!(r.calls.load(Ordering::Relaxed), 0);
        assert_eq!(offer(&mut r.bio, b"first app record"), 16);
        assert_eq!(r.calls.load(Ordering::Relaxed), 1, "flight and record in one call");
        assert_eq!(&r.wire.lock().unwrap()[..], b"ccsfinishedfirst app record");
        assert!(!r.bio.holds_flight());
        assert_eq!(r.bio.flight.bytes.capacity(), 0, "the buffer goes back to the heap");
        assert_eq!(offer(&mut r.bio, b"next"), 4);
        assert_eq!(r.calls.load(Ordering::Relaxed), 2, "later records go straight through");
    }

    #[test]
    fn a_short_send_behind_the_held_flight_counts_only_the_record_bytes_taken() {
        let mut r = rig(0, false);
        assert_eq!(offer(&mut r.bio, b"finished"), 8);
        r.bio.end_coalescing();
        // Blocked: the record is not taken (mbedTLS keeps it), the flight stays.
        assert_eq!(r.bio.send_record(b"record"), mbedtls_sys::ERR_SSL_WANT_WRITE);
        assert!(r.bio.holds_flight());
        // Part of the flight only: still none of the record.
        r.window.store(5, Ordering::Relaxed);
        assert_eq!(r.bio.send_record(b"record"), mbedtls_sys::ERR_SSL_WANT_WRITE);
        // The rest of the flight and 2 bytes of the record: 2.
        assert_eq!(r.bio.send_record(b"record"), 2);
        assert!(!r.bio.holds_flight());
        r.window.store(usize::MAX, Ordering::Relaxed);
        assert_eq!(r.bio.send_record(b"cord"), 4);
        assert_eq!(&r.wire.lock().unwrap()[..], b"finishedrecord", "in order, nothing twice");
    }

    #[test]
    fn a_record_too_large_to_join_the_held_flight_follows_it() {
        assert_big_record_follows(b"finished", true, FLIGHT_BUFFER_MAX);
    }

    #[test]
    fn a_failure_behind_the_held_flight_is_a_sticky_fault() {
        let mut r = rig(usize::MAX, true);
        assert_eq!(offer(&mut r.bio, b"finished"), 8);
        r.bio.end_coalescing();
        assert_eq!(r.bio.send_record(b"record"), mbedtls_sys::ERR_NET_SEND_FAILED);
        assert_eq!(r.bio.fault, Some(TransportError::Failed));
        assert_eq!(r.bio.send_record(b"record"), mbedtls_sys::ERR_NET_SEND_FAILED);
        assert_eq!(r.calls.load(Ordering::Relaxed), 1, "not called again after the fault");
    }

    #[test]
    fn a_failing_transport_is_a_sticky_fault() {
        let mut r = rig(usize::MAX, true);
        assert_eq!(offer(&mut r.bio, b"rec"), 3);
        assert_eq!(r.bio.flush(), Err(TransportError::Failed));
        assert_eq!(r.bio.fault, Some(TransportError::Failed));
        let mut buf = [0u8; 4];
        assert_eq!(r.bio.recv_record(&mut buf), mbedtls_sys::ERR_NET_SEND_FAILED);
        assert_eq!(r.calls.load(Ordering::Relaxed), 1, "not called again after the fault");
    }

    #[test]
    fn receive_flushes_first() {
        let mut r = rig(usize::MAX, false);
        assert_eq!(offer(&mut r.bio, b"hello"), 5);
        let mut buf = [0u8; 4];
        assert_eq!(r.bio.recv_record(&mut buf), mbedtls_sys::ERR_SSL_WANT_READ);
        assert_eq!(&r.wire.lock().unwrap()[..], b"hello");
    }
}
