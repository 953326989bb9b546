//! Reading the caller's C strings without trusting them to end.

use core::ffi::c_char;

/// The bytes of a C string of at most `max` bytes, without its NUL;
/// `None` when there is no NUL within `max + 1` bytes (the scan stops).
///
/// # Safety
/// `p` must be non-NULL and readable up to its NUL or `max + 1` bytes.
pub(super) unsafe fn bounded_cstr<'a>(p: *const c_char, max: usize) -> Option<&'a [u8]> {
    let p = p.cast::<u8>();
    // A `while`: an inclusive range loop compiles larger.
    let mut len = 0;
    while len <= max {
        // SAFETY: within the readable range promised by the caller.
        if unsafe { p.add(len).read() } == 0 {
            // SAFETY: `p` is non-NULL and the `len` bytes before the NUL
            // were just read.
            return unsafe { super::slice::bytes(p, len) };
        }
        len += 1;
    }
    None
}
