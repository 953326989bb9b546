//! The random number generator mbedTLS passes with each operation
//! (`f_rng`, `p_rng`).

use core::ffi::{c_int, c_uchar, c_void};

use super::EcpResult;

/// mbedTLS's RNG callback: fill `len` bytes at `buf`, 0 on success.
pub type RngCallback = unsafe extern "C" fn(state: *mut c_void, buf: *mut c_uchar, len: usize) -> c_int;

/// The caller's RNG, for the length of one operation.
pub struct Rng {
    callback: RngCallback,
    state: *mut c_void,
}

impl Rng {
    /// # Safety
    /// `callback(state, buf, len)` must be safe to call for any `len`
    /// writable bytes at `buf`, as long as this value exists (mbedTLS's
    /// contract for `f_rng` and `p_rng`).
    pub unsafe fn new(callback: RngCallback, state: *mut c_void) -> Self {
        Self { callback, state }
    }

    /// Fills `buf` with random bytes, or returns the RNG's error.
    pub fn fill(&mut self, buf: &mut [u8]) -> EcpResult {
        // SAFETY: `buf` is `buf.len()` writable bytes; `new`'s contract
        // covers the callback and its state.
        let rc = unsafe { (self.callback)(self.state, buf.as_mut_ptr(), buf.len()) };
        if rc == 0 {
            Ok(())
        } else {
            Err(rc)
        }
    }

    /// The callback and state, to hand on to an mbedTLS function.
    pub fn as_raw(&mut self) -> (Option<RngCallback>, *mut c_void) {
        (Some(self.callback), self.state)
    }
}
