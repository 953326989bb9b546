//! The caller's `NetworkRecv_t`/`NetworkSend_t` pair as a [`Transport`].

use core::ffi::c_void;

use super::types::BaseType_t;
use crate::tls::{Transport, TransportError};

type RecvFn = unsafe extern "C" fn(*mut c_void, *mut u8, usize) -> BaseType_t;
type SendFn = unsafe extern "C" fn(*mut c_void, *const u8, usize) -> BaseType_t;

pub(crate) struct CTransport {
    pub(crate) recv: RecvFn,
    pub(crate) send: SendFn,
    pub(crate) caller_context: *mut c_void,
}

// SAFETY: the caller context is owned by the C caller, which drives one
// connection from one task at a time, as the original interface required.
unsafe impl Send for CTransport {}

fn checked(rc: BaseType_t, asked: usize) -> Result<usize, TransportError> {
    match usize::try_from(rc) {
        Err(_) => Err(TransportError::Failed),
        Ok(n) if n > asked => Err(TransportError::Overrun),
        Ok(n) => Ok(n),
    }
}

impl Transport for CTransport {
    fn recv(&mut self, buf: &mut [u8]) -> Result<usize, TransportError> {
        // SAFETY: the callback and its context were supplied by the caller
        // of TLS_Init for exactly this use; `buf` is valid for its length.
        let rc = unsafe { (self.recv)(self.caller_context, buf.as_mut_ptr(), buf.len()) };
        checked(rc, buf.len())
    }

    fn send(&mut self, buf: &[u8]) -> Result<usize, TransportError> {
        // SAFETY: as in `recv`.
        let rc = unsafe { (self.send)(self.caller_context, buf.as_ptr(), buf.len()) };
        checked(rc, buf.len())
    }
}
