//! The server's bytes as a fuzz input, played back to the client through
//! the C ABI's `NetworkRecv_t`/`NetworkSend_t`.
//!
//! Format: one byte choosing the client's `TLS_Recv` buffer size, then
//! chunks, each a big-endian u16 length and that many bytes (a cut-off last
//! chunk keeps what is there). A chunk is one delivery: a receive call gets
//! at most the rest of the current chunk, so libFuzzer can change one TLS
//! record without shifting the others. A zero-length chunk is one "nothing
//! now" (0) from the transport, at most [`MAX_IDLE_REPLIES`] per input
//! (each costs the handshake a pause). After the last chunk every receive
//! fails, so no run waits on a deadline.

use std::ffi::c_void;

use freertos_tls::ffi::BaseType_t;

/// `TLS_Recv` buffer sizes the first input byte selects from: byte-at-a-
/// time, odd sizes across record boundaries, one full 16 KiB record.
pub const RECV_SIZES: [usize; 8] = [1, 7, 64, 300, 1024, 4096, 4500, 16_384];

/// "Nothing now" replies an input may ask for.
pub const MAX_IDLE_REPLIES: u32 = 2;

/// Most client bytes kept for replay comparison.
const MAX_CAPTURE: usize = 1 << 20;

/// A parsed flight: the receive size and the chunks, in order.
pub struct Flight<'a> {
    pub recv_size: usize,
    chunks: Vec<&'a [u8]>,
}

impl<'a> Flight<'a> {
    pub fn parse(input: &'a [u8]) -> Flight<'a> {
        let Some((&selector, rest)) = input.split_first() else {
            return Flight { recv_size: RECV_SIZES[0], chunks: Vec::new() };
        };
        let chunks = crate::sections::split(rest);
        Flight { recv_size: RECV_SIZES[usize::from(selector) % RECV_SIZES.len()], chunks }
    }

    pub fn chunks(&self) -> &[&'a [u8]] {
        &self.chunks
    }
}

/// Encode chunks as a flight input (the recorder's inverse of [`Flight::parse`]).
pub fn encode(recv_size_selector: u8, chunks: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![recv_size_selector];
    for c in chunks {
        let len = u16::try_from(c.len()).expect("a chunk is one TLS record, at most 16 KiB + 2 KiB");
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(c);
    }
    out
}

/// Split a byte stream into TLS records (header + body); a trailing partial
/// record stays one chunk.
pub fn split_records(stream: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = stream;
    while !rest.is_empty() {
        let len = match rest {
            [_, _, _, hi, lo, ..] => (5 + usize::from(u16::from_be_bytes([*hi, *lo]))).min(rest.len()),
            _ => rest.len(),
        };
        out.push(rest[..len].to_vec());
        rest = &rest[len..];
    }
    out
}

/// The caller context behind `pvCallerContext` while a flight plays.
pub struct Playback<'a> {
    chunks: std::slice::Iter<'a, &'a [u8]>,
    current: &'a [u8],
    idle_left: u32,
    capture: bool,
    /// What the client sent (when capturing), for replay comparison.
    pub client_bytes: Vec<u8>,
}

impl<'a> Playback<'a> {
    pub fn new(flight: &'a Flight<'a>, capture: bool) -> Playback<'a> {
        Playback {
            chunks: flight.chunks.iter(),
            current: &[],
            idle_left: MAX_IDLE_REPLIES,
            capture,
            client_bytes: Vec::new(),
        }
    }

    fn recv(&mut self, buf: &mut [u8]) -> BaseType_t {
        while self.current.is_empty() {
            match self.chunks.next() {
                None => return -1,
                Some(c) if c.is_empty() && self.idle_left > 0 => {
                    self.idle_left -= 1;
                    return 0;
                }
                Some(c) => self.current = c,
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        self.current = &self.current[n..];
        n as BaseType_t
    }

    fn send(&mut self, data: &[u8]) -> BaseType_t {
        if self.capture && self.client_bytes.len() + data.len() <= MAX_CAPTURE {
            self.client_bytes.extend_from_slice(data);
        }
        data.len() as BaseType_t
    }
}

/// `NetworkRecv_t` over a [`Playback`].
///
/// # Safety
/// `ctx` must be a live `Playback` used by nothing else during the call;
/// `buf` must be writable for `len` bytes.
pub unsafe extern "C" fn playback_recv(ctx: *mut c_void, buf: *mut u8, len: usize) -> BaseType_t {
    // SAFETY: per the contract above (the library keeps it).
    let (p, buf) = unsafe { (&mut *ctx.cast::<Playback<'_>>(), std::slice::from_raw_parts_mut(buf, len)) };
    p.recv(buf)
}

/// `NetworkSend_t` over a [`Playback`].
///
/// # Safety
/// As [`playback_recv`]; `buf` must be readable for `len` bytes.
pub unsafe extern "C" fn playback_send(ctx: *mut c_void, buf: *const u8, len: usize) -> BaseType_t {
    // SAFETY: per the contract above.
    let (p, data) = unsafe { (&mut *ctx.cast::<Playback<'_>>(), std::slice::from_raw_parts(buf, len)) };
    p.send(data)
}
