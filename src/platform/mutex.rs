//! mbedTLS's mutexes (`MBEDTLS_THREADING_ALT`), which guard PSA's global
//! key slots and random generator when connections run in several tasks.
//!
//! No allocation and no kernel object: the mutex is a flag in mbedTLS's
//! own struct (`mbedtls-sys/config/threading_alt.h`), taken inside a
//! critical section. A task that finds it taken pauses (one tick on
//! FreeRTOS, so lower-priority holders run) and tries again, up to
//! [`LOCK_BOUND_MS`]; the holders keep it for one PSA operation.
//! Task context only, like every entry point of the library.

use core::ffi::c_int;

use mbedtls_sys as m;

use super::wait::retry_within;

/// Longest wait for a mutex before mbedTLS is told it failed: far above
/// any PSA operation (an RSA-4096 verification on a Cortex-M0 included).
const LOCK_BOUND_MS: u32 = 10_000;

/// Register the four functions with mbedTLS. Before PSA starts; once.
pub(crate) fn register() {
    // SAFETY: plain registration of functions that live for the program;
    // the caller runs it once, before any mutex is used.
    unsafe { m::threading_set_alt(Some(init), Some(free), Some(lock), Some(unlock)) };
}

/// `mutex_init`.
///
/// # Safety
/// `mutex` is NULL or points to a mutex mbedTLS owns.
unsafe extern "C" fn init(mutex: *mut m::threading_mutex_t) {
    // SAFETY: per the contract; no other task uses a mutex being initialised.
    if let Some(mutex) = unsafe { mutex.as_mut() } {
        mutex.locked = 0;
        mutex.valid = 1;
    }
}

/// `mutex_free`.
///
/// # Safety
/// As for [`init`].
unsafe extern "C" fn free(mutex: *mut m::threading_mutex_t) {
    // SAFETY: per the contract; no other task uses a mutex being freed.
    if let Some(mutex) = unsafe { mutex.as_mut() } {
        mutex.valid = 0;
    }
}

/// `mutex_lock`: 0, or `MBEDTLS_ERR_THREADING_BAD_INPUT_DATA` for an
/// invalid mutex, or `MBEDTLS_ERR_THREADING_MUTEX_ERROR` after
/// [`LOCK_BOUND_MS`].
///
/// # Safety
/// As for [`init`].
unsafe extern "C" fn lock(mutex: *mut m::threading_mutex_t) -> c_int {
    // `Some` with the answer, `None` while another task holds the mutex.
    let try_lock = || {
        // SAFETY: per the contract; every task touches the flag only
        // inside a critical section.
        critical_section::with(|_| unsafe {
            match mutex.as_mut() {
                Some(mx) if mx.valid == 1 && mx.locked == 0 => {
                    mx.locked = 1;
                    Some(0)
                }
                Some(mx) if mx.valid == 1 => None,
                _ => Some(m::ERR_THREADING_BAD_INPUT_DATA),
            }
        })
    };
    retry_within(LOCK_BOUND_MS, try_lock).unwrap_or(m::ERR_THREADING_MUTEX_ERROR)
}

/// `mutex_unlock`.
///
/// # Safety
/// As for [`init`].
unsafe extern "C" fn unlock(mutex: *mut m::threading_mutex_t) -> c_int {
    // SAFETY: per the contract; as in `lock`.
    critical_section::with(|_| unsafe {
        match mutex.as_mut() {
            Some(mx) if mx.valid == 1 && mx.locked == 1 => {
                mx.locked = 0;
                0
            }
            _ => m::ERR_THREADING_BAD_INPUT_DATA,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_mutex_is_refused_after_the_bound_and_free_after_unlock() {
        // SAFETY: a local mutex, used by this thread only.
        unsafe {
            let mut mx: m::threading_mutex_t = core::mem::zeroed();
            assert_eq!(lock(&raw mut mx), m::ERR_THREADING_BAD_INPUT_DATA, "not initialised");
            init(&raw mut mx);
            assert_eq!(lock(&raw mut mx), 0);
            assert_eq!(unlock(&raw mut mx), 0);
            assert_eq!(unlock(&raw mut mx), m::ERR_THREADING_BAD_INPUT_DATA, "not held");
            free(&raw mut mx);
            assert_eq!(lock(&raw mut mx), m::ERR_THREADING_BAD_INPUT_DATA, "freed");
        }
    }
}
