//! Entropy: the active hardware port, shared by every connection's DRBG and
//! by C code calling `mbedtls_hardware_poll` (exported by `ffi::entropy`).
//!
//! Each connection seeds its CTR_DRBG through [`drbg_entropy_callback`],
//! which reads the port directly (no `mbedtls_entropy_context` in between);
//! mbedTLS's own entropy collector (PSA's generator, a firmware's DRBGs)
//! reaches the same port through `mbedtls_hardware_poll` when configured
//! with `MBEDTLS_ENTROPY_HARDWARE_ALT`, as the project's profiles are.
//!
//! Every port's samples pass the SP 800-90B health tests first
//! ([`freertos_rng_ports::HealthTested`]); a failure latches, so a device
//! whose RNG got stuck makes no more keys (`TLS_Connect` returns
//! `TLS_ERROR_RNG`, `mbedtls_hardware_poll` `MBEDTLS_ERR_ENTROPY_SOURCE_FAILED`).

#[cfg(feature = "port-rand-core")]
mod registered;

use freertos_rng_ports::EntropyError;

#[cfg(feature = "port-rand-core")]
pub use registered::register_source;

/// The port chosen at compile time: the ports crate selects it from its
/// cargo feature (`port-<name>` here forwards to it).
#[cfg(not(feature = "port-rand-core"))]
mod compiled {
    use core::cell::RefCell;
    use critical_section::Mutex;
    use freertos_rng_ports::active::{active_port, ActivePort};
    use freertos_rng_ports::EntropyError;

    // SAFETY: the one call, made here; this static is then the only driver
    // of the selected peripheral.
    pub(super) static PORT: Mutex<RefCell<ActivePort>> = Mutex::new(RefCell::new(unsafe { active_port() }));

    pub(super) fn fill(out: &mut [u8]) -> Result<(), EntropyError> {
        super::fill_in_sections(out, ActivePort::SECTION_BYTES, |chunk, start_up_budget| {
            // Already borrowed: only a call against the rules gets here,
            // nested inside a section (the section nests on one task) or
            // from an interrupt handler. The port is busy: an error, not
            // a panic.
            critical_section::with(|cs| match PORT.borrow(cs).try_borrow_mut() {
                Ok(mut port) => port.fill_section(chunk, start_up_budget),
                Err(_) => Err(EntropyError::Unavailable),
            })
        })
    }
}

/// Start-up samples per critical section.
const START_UP_SAMPLES_PER_SECTION: u32 = 32;

/// Ports are not reentrant, so every access happens inside a critical
/// section. Callers are tasks (never interrupt handlers: the section is
/// FreeRTOS's task-level `taskENTER_CRITICAL`). On a single core a section
/// masks interrupts up to the kernel's syscall priority, so the work is cut
/// into short sections, keeping interrupt latency low: `section` (one
/// critical section) runs at most [`START_UP_SAMPLES_PER_SECTION`] samples
/// of the 1024-sample start-up test and returns `false`, or, once that is
/// complete, fills one chunk of at most `section_bytes` (the port's
/// `BYTES_PER_SECTION`) and returns `true`. A 4 KiB request in one section
/// would keep interrupts off for the whole time a slow RNG (e.g. ~120 µs
/// per byte on nRF52) needs. Concurrent callers may interleave sections;
/// each still gets bytes no one else got. An empty request still goes
/// through the start-up test. On error all of `out` is wiped.
fn fill_in_sections(
    out: &mut [u8],
    section_bytes: usize,
    mut section: impl FnMut(&mut [u8], u32) -> Result<bool, EntropyError>,
) -> Result<(), EntropyError> {
    let result = (|| {
        let mut rest = &mut *out;
        loop {
            // At most `section_bytes`, at least one byte while any is left.
            let len = section_bytes.max(1).min(rest.len());
            if section(&mut rest[..len], START_UP_SAMPLES_PER_SECTION)? {
                rest = &mut core::mem::take(&mut rest)[len..];
                if rest.is_empty() {
                    return Ok(());
                }
            }
        }
    })();
    if result.is_err() {
        zeroize::Zeroize::zeroize(out);
    }
    result
}

/// Fill all of `out` from the active entropy port, or fail.
#[cfg(not(feature = "port-rand-core"))]
pub(crate) fn fill(out: &mut [u8]) -> Result<(), EntropyError> {
    compiled::fill(out)
}

/// Fill all of `out` from the source the firmware registered, or fail.
#[cfg(feature = "port-rand-core")]
pub(crate) fn fill(out: &mut [u8]) -> Result<(), EntropyError> {
    registered::fill(out)
}

/// `f_entropy` for `mbedtls_ctr_drbg_seed`: same signature mbedTLS expects.
///
/// # Safety
/// `output` must be NULL or writable for `len` bytes (mbedTLS passes its
/// own seed buffer); `_state` is not used.
pub(crate) unsafe extern "C" fn drbg_entropy_callback(
    _state: *mut core::ffi::c_void,
    output: *mut u8,
    len: usize,
) -> core::ffi::c_int {
    if output.is_null() {
        return mbedtls_sys::ERR_ENTROPY_SOURCE_FAILED;
    }
    // SAFETY: mbedTLS hands us its own seed buffer of exactly `len` bytes.
    let buf = unsafe { core::slice::from_raw_parts_mut(output, len) };
    match fill(buf) {
        Ok(()) => 0,
        Err(_) => mbedtls_sys::ERR_ENTROPY_SOURCE_FAILED,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    #[test]
    fn work_is_cut_into_short_sections() {
        let mut start_up_left = 1024u32;
        let mut steps = Vec::new();
        let mut sections = Vec::new();
        let mut out = vec![0u8; 4097];
        fill_in_sections(&mut out, 32, |chunk, n| {
            if start_up_left > 0 {
                steps.push(n);
                start_up_left = start_up_left.saturating_sub(n);
                return Ok(false);
            }
            sections.push(chunk.len());
            chunk.fill(1);
            Ok(true)
        })
        .unwrap();
        assert_eq!(steps.len(), 1024 / 32);
        assert!(steps.iter().all(|&n| n == START_UP_SAMPLES_PER_SECTION));
        assert_eq!(sections.len(), 129);
        assert!(sections.iter().all(|&len| len <= 32));
        assert_eq!(sections.iter().sum::<usize>(), 4097);
        assert!(out.iter().all(|&b| b == 1));
    }

    #[test]
    fn a_failing_section_wipes_everything_already_written() {
        let mut out = vec![0u8; 200];
        let mut calls = 0;
        let r = fill_in_sections(&mut out, 32, |chunk, _| {
            calls += 1;
            chunk.fill(0xEE);
            if calls == 4 {
                Err(EntropyError::HealthTestFailed)
            } else {
                Ok(true)
            }
        });
        assert_eq!(r, Err(EntropyError::HealthTestFailed));
        assert_eq!(calls, 4, "no section after the failure");
        assert!(out.iter().all(|&b| b == 0));
    }

    #[cfg(not(feature = "port-rand-core"))]
    #[test]
    fn a_call_while_the_port_is_in_use_fails_without_panicking() {
        let mut out = [0x77u8; 16];
        // A call made while the port is in use, from inside a section
        // (the std implementation of critical-section lets the same
        // thread nest, as FreeRTOS's lets the same task).
        critical_section::with(|cs| {
            let _in_use = compiled::PORT.borrow(cs).borrow_mut();
            assert_eq!(fill(&mut out), Err(EntropyError::Unavailable));
        });
        assert!(out.iter().all(|&b| b == 0));
        fill(&mut out).unwrap();
    }

    #[test]
    fn a_failing_start_up_produces_nothing() {
        let mut out = vec![0x77u8; 16];
        let r = fill_in_sections(&mut out, 32, |_, _| Err(EntropyError::HealthTestFailed));
        assert_eq!(r, Err(EntropyError::HealthTestFailed));
        assert!(out.iter().all(|&b| b == 0));
        let r = fill_in_sections(&mut [], 32, |_, _| Err(EntropyError::HealthTestFailed));
        assert_eq!(r, Err(EntropyError::HealthTestFailed), "an empty request still reports the failure");
    }
}
