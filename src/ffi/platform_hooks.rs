//! Extension entry points that fit the library to a device: time sources,
//! the log sink, the handshake deadline.

use core::ffi::c_void;
use core::num::NonZeroU32;

use super::on_context;
use super::types::{BaseType_t, DateIsInThePast_t, TLSLogHook_t, TLSUtcClock_t};
use crate::platform::{clock, log};
use crate::tls;

/// Extension: register the firmware's UTC clock (SNTP, RTC...), used to
/// check both validity dates of every server certificate. The function
/// returns seconds since 1970-01-01 UTC, or a negative value while the time
/// is not known yet. NULL removes it. Without a clock (and without `std` on
/// a host build) dates are not checked and each connection logs a warning
/// (see `TLS_SetLogHook`: without a hook it reaches only `vLoggingPrintf`,
/// in builds with `log-vloggingprintf`); builds with the `require-clock`
/// option refuse to connect instead.
#[no_mangle]
pub extern "C" fn TLS_SetUtcClock(pxClock: TLSUtcClock_t) {
    clock::set_utc_clock(pxClock);
}

/// Compatibility with the original library: register a function told the
/// day, month and year of each certificate's expiry date, returning
/// non-zero when that date is in the past (the certificate is then treated
/// as expired). NULL removes it. Works alongside `TLS_SetUtcClock`.
#[no_mangle]
pub extern "C" fn TLS_setDateIsInThePastFunction(DateIsInThePast: DateIsInThePast_t) {
    tls::set_date_is_in_the_past(DateIsInThePast);
}

/// Extension: send the library's log lines (connection failures with their
/// cause, bad arguments by name, clock warnings) to `pxHook(xLevel,
/// pcMessage)`; levels 1 error, 2 warning, 3 info, 4 debug. NULL removes
/// it. Without a hook, lines go to `vLoggingPrintf` in builds with the
/// `log-vloggingprintf` option, and nowhere otherwise (the default).
#[no_mangle]
pub extern "C" fn TLS_SetLogHook(pxHook: TLSLogHook_t) {
    log::set_hook(pxHook);
}

/// Extension: bound the time `TLS_Connect` may take (default 10000 ms,
/// measured on the tick count). Call between `TLS_Init` and `TLS_Connect`.
/// Returns 0, `TLS_ERROR_BAD_PARAMETER` (NULL context or 0 ms) or
/// `TLS_ERROR_INVALID_STATE` (already connecting or connected).
///
/// # Safety
/// `pvContext` must be NULL or a live context from `TLS_Init`.
#[no_mangle]
pub unsafe extern "C" fn TLS_SetHandshakeTimeout(pvContext: *mut c_void, ulTimeoutMs: u32) -> BaseType_t {
    // SAFETY: per the contract above.
    unsafe {
        on_context(pvContext, |conn| {
            // A connected context says so first, whatever the value.
            conn.configurable()?;
            let ms = NonZeroU32::new(ulTimeoutMs).ok_or_else(|| conn.reject(c"ulTimeoutMs: 0"))?;
            conn.set_handshake_timeout(ms).map(|()| 0)
        })
    }
}
