//! `mbedtls_hardware_poll`, for firmware C code that builds its own mbedTLS
//! entropy context: pointer checks over [`crate::entropy::fill`].

use core::ffi::{c_int, c_uchar, c_void};
use freertos_rng_ports::EntropyError;

use crate::entropy;

/// @brief mbedTLS's entropy hook (MBEDTLS_ENTROPY_HARDWARE_ALT): fill
/// output with len bytes from the board's RNG port, selected at build time.
///
/// Never reports success without writing every byte; on failure the bytes
/// written so far are wiped.
///
/// @param data Unused (mbedTLS's callback argument).
/// @param output Where the bytes go: len writable bytes; may be NULL only
/// when len is 0.
/// @param len How many bytes to write.
/// @param olen Where the count written is stored: len on success, 0 on
/// failure (when olen is not NULL).
///
/// @return 0, or MBEDTLS_ERR_ENTROPY_SOURCE_FAILED when the port fails or
/// output or olen is NULL.
///
/// Calling context: called by mbedTLS's entropy collector, in the task that
/// runs mbedTLS (TLS_Connect, TLS_InitCrypto, or the firmware's own use of
/// mbedTLS); never from an interrupt. Blocks as long as the RNG port takes
/// to deliver len bytes.
#[no_mangle]
pub unsafe extern "C" fn mbedtls_hardware_poll(
    data: *mut c_void,
    output: *mut c_uchar,
    len: usize,
    olen: *mut usize,
) -> c_int {
    // `data` is the original's board context; ports need none.
    let _ = data;
    // Callers are tasks, never interrupt handlers: the port is read inside
    // the platform's critical section, on FreeRTOS `taskENTER_CRITICAL`,
    // which is for task context only (crate::entropy::fill_in_sections).
    // SAFETY: forwarded from this function's contract.
    unsafe { poll_with(entropy::fill, output, len, olen) }
}

/// The body of [`mbedtls_hardware_poll`] over any fill function, so the
/// failure paths are testable without a failing port in the build.
///
/// # Safety
/// As for [`mbedtls_hardware_poll`].
unsafe fn poll_with(
    fill: impl FnOnce(&mut [u8]) -> Result<(), EntropyError>,
    output: *mut c_uchar,
    len: usize,
    olen: *mut usize,
) -> c_int {
    if olen.is_null() {
        return mbedtls_sys::ERR_ENTROPY_SOURCE_FAILED;
    }
    // SAFETY: checked non-NULL above; the caller owns the size_t.
    unsafe { olen.write(0) };
    // SAFETY: the caller guarantees `len` writable bytes, not used
    // elsewhere during the call.
    let Some(buf) = (unsafe { super::slice::bytes_mut(output, len) }) else {
        return mbedtls_sys::ERR_ENTROPY_SOURCE_FAILED;
    };
    if buf.is_empty() {
        return 0;
    }
    match fill(buf) {
        Ok(()) => {
            // SAFETY: as above.
            unsafe { olen.write(len) };
            0
        }
        Err(_) => {
            // Never leave partial entropy behind for a caller that ignores errors.
            zeroize::Zeroize::zeroize(buf);
            mbedtls_sys::ERR_ENTROPY_SOURCE_FAILED
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use core::ptr::null_mut;

    const FAILED: c_int = -0x003C;

    fn poll(fill: impl FnOnce(&mut [u8]) -> Result<(), EntropyError>, out: &mut [u8], olen: &mut usize) -> c_int {
        // SAFETY: `out` and `olen` are live, exclusive references.
        unsafe { poll_with(fill, out.as_mut_ptr(), out.len(), olen) }
    }

    #[test]
    fn error_code_is_mbedtls_entropy_source_failed() {
        assert_eq!(mbedtls_sys::ERR_ENTROPY_SOURCE_FAILED, FAILED);
    }

    #[test]
    fn success_reports_every_byte_for_odd_lengths() {
        for len in [1usize, 3, 5, 4097] {
            let mut out = vec![0u8; len];
            let mut olen = 12345;
            assert_eq!(
                poll(
                    |b| {
                        b.fill(0xA7);
                        Ok(())
                    },
                    &mut out,
                    &mut olen
                ),
                0
            );
            assert_eq!(olen, len);
            assert!(out.iter().all(|&b| b == 0xA7));
        }
    }

    #[test]
    fn failure_reports_zero_bytes_and_wipes_partial_output() {
        for err in
            [EntropyError::HealthTestFailed, EntropyError::Timeout, EntropyError::SeedError, EntropyError::NoSource]
        {
            let mut out = vec![0u8; 64];
            let mut olen = 99;
            let rc = poll(
                |b| {
                    b[..32].fill(0x5A);
                    Err(err)
                },
                &mut out,
                &mut olen,
            );
            assert_eq!((rc, olen), (FAILED, 0), "{err:?}");
            assert!(out.iter().all(|&b| b == 0), "{err:?}: partial output left behind");
        }
    }

    #[test]
    fn bad_pointers_are_refused_and_olen_zeroed() {
        let mut olen = 7;
        // SAFETY: NULL output is the case under test; olen is valid.
        let rc = unsafe { poll_with(|_| Ok(()), null_mut(), 4, &raw mut olen) };
        assert_eq!((rc, olen), (FAILED, 0));
        let mut out = [0u8; 4];
        // SAFETY: NULL olen is the case under test.
        let rc = unsafe { poll_with(|_| Ok(()), out.as_mut_ptr(), 4, null_mut()) };
        assert_eq!(rc, FAILED);
        let mut olen = 7;
        // SAFETY: zero length with NULL output is allowed.
        let rc = unsafe { poll_with(|_| panic!("no fill for len 0"), null_mut(), 0, &raw mut olen) };
        assert_eq!((rc, olen), (0, 0));
    }

    #[cfg(feature = "port-posix")]
    #[test]
    fn exported_symbol_fills_from_the_posix_port() {
        let mut a = [0u8; 48];
        let mut b = [0u8; 48];
        let (mut la, mut lb) = (0, 0);
        // SAFETY: valid buffers and olen.
        unsafe {
            assert_eq!(mbedtls_hardware_poll(null_mut(), a.as_mut_ptr(), a.len(), &raw mut la), 0);
            assert_eq!(mbedtls_hardware_poll(null_mut(), b.as_mut_ptr(), b.len(), &raw mut lb), 0);
        }
        assert_eq!((la, lb), (48, 48));
        assert_ne!(a, b);
    }
}
