//! The byte transport under TLS (a TCP socket, usually), and its bridge to
//! mbedTLS's BIO callbacks.

use core::ffi::{c_int, c_uchar};

use mbedtls_sys::types::raw_types::c_void;

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

/// What mbedTLS's `p_bio` points at: the transport and its first fault.
pub(crate) struct Bio {
    pub(crate) transport: alloc::boxed::Box<dyn Transport + Send>,
    pub(crate) fault: Option<TransportError>,
}

impl Bio {
    fn record(&mut self, r: Result<usize, TransportError>, want: c_int, failed: c_int, asked: usize) -> c_int {
        match r {
            Ok(0) => want,
            Ok(n) if n <= asked => c_int::try_from(n).unwrap_or(failed),
            Ok(_) => {
                self.fault.get_or_insert(TransportError::Overrun);
                failed
            }
            Err(e) => {
                self.fault.get_or_insert(e);
                failed
            }
        }
    }
}

/// mbedTLS `f_send`.
pub(crate) unsafe extern "C" fn bio_send(ctx: *mut c_void, buf: *const c_uchar, len: usize) -> c_int {
    if ctx.is_null() || buf.is_null() {
        return mbedtls_sys::ERR_NET_SEND_FAILED;
    }
    // SAFETY: `ctx` is the `Bio` that `Connection` registered with
    // `ssl_set_bio`; it outlives the SSL context and nothing else touches it
    // while mbedTLS runs. `buf` is mbedTLS's own output buffer of `len` bytes.
    let (bio, data) = unsafe { (&mut *ctx.cast::<Bio>(), core::slice::from_raw_parts(buf, len)) };
    let r = bio.transport.send(data);
    bio.record(r, mbedtls_sys::ERR_SSL_WANT_WRITE, mbedtls_sys::ERR_NET_SEND_FAILED, len)
}

/// mbedTLS `f_recv`.
pub(crate) unsafe extern "C" fn bio_recv(ctx: *mut c_void, buf: *mut c_uchar, len: usize) -> c_int {
    if ctx.is_null() || buf.is_null() {
        return mbedtls_sys::ERR_NET_RECV_FAILED;
    }
    // SAFETY: as in `bio_send`; `buf` is mbedTLS's input buffer of `len` bytes.
    let (bio, data) = unsafe { (&mut *ctx.cast::<Bio>(), core::slice::from_raw_parts_mut(buf, len)) };
    let r = bio.transport.recv(data);
    bio.record(r, mbedtls_sys::ERR_SSL_WANT_READ, mbedtls_sys::ERR_NET_RECV_FAILED, len)
}
