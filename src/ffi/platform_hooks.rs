//! Extension entry points that fit the library to a device: time sources,
//! the log sink, the handshake deadline.

use core::ffi::c_void;
use core::num::NonZeroU32;

use super::on_context;
use super::types::{BaseType_t, DateIsInThePast_t, TLSLogHook_t, TLSUtcClock_t};
use crate::platform::{clock, log};
use crate::tls;

/// @brief Register the firmware's UTC clock (SNTP, RTC...), used to check
/// both validity dates of every server certificate (extension).
///
/// Without a clock (and without the std option on a host build) dates are
/// not checked and each connection logs a warning (see TLS_SetLogHook:
/// without a hook it reaches only vLoggingPrintf, in builds with the
/// log-vloggingprintf option); builds with the require-clock option refuse
/// to connect instead.
///
/// @param pxClock Returns seconds since 1970-01-01 UTC, or a negative value
/// while the time is not known yet; NULL removes the clock. It is called
/// from the task running TLS_Connect and must not block for long.
///
/// Calling context: any task, at any time; never from an interrupt. Does
/// not block.
#[no_mangle]
pub extern "C" fn TLS_SetUtcClock(pxClock: TLSUtcClock_t) {
    clock::set_utc_clock(pxClock);
}

/// @brief Register the original library's certificate expiry check
/// (compatibility).
///
/// Works alongside TLS_SetUtcClock.
///
/// @param DateIsInThePast Told the day, month and year of each
/// certificate's expiry date, returns non-zero when that date is in the
/// past (the certificate is then treated as expired); NULL removes it. It
/// is called from the task running TLS_Connect.
///
/// Calling context: any task, at any time; never from an interrupt. Does
/// not block.
#[no_mangle]
pub extern "C" fn TLS_setDateIsInThePastFunction(DateIsInThePast: DateIsInThePast_t) {
    tls::set_date_is_in_the_past(DateIsInThePast);
}

/// @brief Send the library's log lines (connection failures with their
/// cause, bad arguments by name, clock warnings) to a function of the
/// firmware's (extension).
///
/// Without a hook, lines go to vLoggingPrintf in builds with the
/// log-vloggingprintf option, and nowhere otherwise (the default).
///
/// @param pxHook Called as pxHook( xLevel, pcMessage ) with level 1 error,
/// 2 warning, 3 info or 4 debug and a NUL-terminated line, from the task
/// whose call logs; NULL removes it. It should return promptly and must
/// not use the context whose call is logging.
///
/// Calling context: any task, at any time; never from an interrupt. Does
/// not block.
#[no_mangle]
pub extern "C" fn TLS_SetLogHook(pxHook: TLSLogHook_t) {
    log::set_hook(pxHook);
}

/// @brief Bound the time TLS_Connect waits for the server (extension).
///
/// Measured on the tick count; the default is 10000 ms.
///
/// @param pvContext A context from TLS_Init, not yet connecting, or NULL
/// (refused).
/// @param ulTimeoutMs The bound in milliseconds, at least 1.
///
/// @return 0, or:
/// - TLS_ERROR_BAD_PARAMETER: pvContext NULL, or ulTimeoutMs 0.
/// - TLS_ERROR_INVALID_STATE: TLS_Connect was already called.
///
/// Calling context: a task, never an interrupt; between TLS_Init and
/// TLS_Connect, one call at a time per context. Does not block.
#[no_mangle]
pub unsafe extern "C" fn TLS_SetHandshakeTimeout(pvContext: *mut c_void, ulTimeoutMs: u32) -> BaseType_t {
    // SAFETY: the pointer rules of the @param lines above.
    unsafe {
        on_context(pvContext, |conn| {
            // A connected context says so first, whatever the value.
            conn.configurable()?;
            let ms = NonZeroU32::new(ulTimeoutMs).ok_or_else(|| conn.reject(super::params::TIMEOUT_ZERO))?;
            conn.set_handshake_timeout(ms).map(|()| 0)
        })
    }
}
