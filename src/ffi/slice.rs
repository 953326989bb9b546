//! A C caller's `(pointer, length)` pair as a slice: the one place that
//! turns one into the other.
//!
//! C passes "no bytes" as a length of 0 with any pointer, NULL included;
//! a NULL pointer with a non-zero length is the caller's bug and is
//! refused (`None`), never read.

/// The `len` bytes at `ptr`: empty when `len` is 0 (whatever `ptr` is),
/// `None` when `ptr` is NULL and `len` is not 0.
///
/// # Safety
/// Unless `len` is 0 or `ptr` is NULL, `ptr` must be valid for reads of
/// `len` bytes for `'a`, and nothing may write them meanwhile.
pub(super) unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Option<&'a [u8]> {
    if len == 0 {
        return Some(&[]);
    }
    if ptr.is_null() {
        return None;
    }
    // SAFETY: `ptr` is non-NULL and, per this function's contract, valid
    // for `len` bytes that nothing writes for `'a`; a byte has no
    // alignment, and a buffer the caller really has fits in `isize`.
    Some(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// The `len` writable bytes at `ptr`, as [`bytes`] reads them.
///
/// # Safety
/// Unless `len` is 0 or `ptr` is NULL, `ptr` must be valid for reads and
/// writes of `len` bytes for `'a`, and nothing else may access them
/// meanwhile.
pub(super) unsafe fn bytes_mut<'a>(ptr: *mut u8, len: usize) -> Option<&'a mut [u8]> {
    if len == 0 {
        return Some(&mut []);
    }
    if ptr.is_null() {
        return None;
    }
    // SAFETY: as in `bytes`, with the access exclusive for `'a`.
    Some(unsafe { core::slice::from_raw_parts_mut(ptr, len) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_is_only_accepted_for_no_bytes() {
        // SAFETY: NULL pointers and a live local array.
        unsafe {
            assert_eq!(bytes(core::ptr::null(), 0), Some(&[][..]));
            assert_eq!(bytes(core::ptr::null(), 1), None);
            assert_eq!(bytes_mut(core::ptr::null_mut(), 0).map(|b| b.len()), Some(0));
            assert!(bytes_mut(core::ptr::null_mut(), 3).is_none());
            let mut data = [1u8, 2, 3];
            assert_eq!(bytes(data.as_ptr(), 2), Some(&[1, 2][..]));
            bytes_mut(data.as_mut_ptr(), 3).unwrap()[2] = 9;
            assert_eq!(data, [1, 2, 9]);
        }
    }
}
