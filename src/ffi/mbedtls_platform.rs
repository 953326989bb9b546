//! C symbols that mbedTLS, configured as this project's profiles do
//! (`MBEDTLS_PLATFORM_TIME_MACRO mbedtls_time`,
//! `MBEDTLS_PLATFORM_GMTIME_R_ALT`, `MBEDTLS_PLATFORM_MS_TIME_ALT`),
//! expects the platform to provide, over [`crate::platform::clock`].
//! None of them belongs in the header (see `mod.rs`).

use core::ffi::c_longlong;
use mbedtls_sys::tm;

use crate::platform::clock;

/// `mbedtls_time` (configured with `MBEDTLS_PLATFORM_TIME_MACRO
/// mbedtls_time`, as the project's profiles are): current UTC seconds, or
/// the epoch (0) while no clock
/// knows the time. mbedTLS then marks every certificate not yet valid;
/// `tls::validity` clears those date flags, because the dates are unknown,
/// not wrong, after `TLS_Connect` has logged that they go unchecked (or,
/// built with `require-clock`, has refused to connect).
#[cfg(mbedtls_time_macro)]
#[cfg_attr(not(mbedtls_private), no_mangle)]
#[cfg_attr(mbedtls_private, export_name = "freertos_tls_mbedtls_time")]
pub extern "C" fn mbedtls_time(out: *mut c_longlong) -> c_longlong {
    let now = clock::utc_now().unwrap_or(0);
    if !out.is_null() {
        // SAFETY: mbedTLS passes either NULL or a pointer to its own time_t.
        unsafe { out.write(now) };
    }
    now
}

/// `mbedtls_platform_gmtime_r`: UTC calendar fields for `tt`; NULL (which
/// mbedTLS treats as a clock failure) more than 2.9 million years from 1970.
#[cfg_attr(not(mbedtls_private), no_mangle)]
#[cfg_attr(mbedtls_private, export_name = "freertos_tls_mbedtls_platform_gmtime_r")]
pub extern "C" fn mbedtls_platform_gmtime_r(tt: *const c_longlong, tm_buf: *mut tm) -> *mut tm {
    if tt.is_null() || tm_buf.is_null() {
        return core::ptr::null_mut();
    }
    // SAFETY: both pointers are non-NULL and point to mbedTLS's own locals.
    let secs = unsafe { tt.read() };
    let Some(c) = clock::civil_from_unix(secs) else { return core::ptr::null_mut() };
    // SAFETY: `tm` is plain C data (ints, and on glibc an offset and a
    // zone name pointer): all-zero is a valid value, NULL zone included.
    let mut fields: tm = unsafe { core::mem::zeroed() };
    fields.tm_sec = c.second;
    fields.tm_min = c.minute;
    fields.tm_hour = c.hour;
    fields.tm_mday = c.day;
    fields.tm_mon = c.month;
    fields.tm_year = c.year;
    fields.tm_wday = c.weekday;
    fields.tm_yday = c.yearday;
    // SAFETY: see above; `tm` is the C library's, as mbedTLS was built with.
    unsafe { tm_buf.write(fields) };
    tm_buf
}

/// `mbedtls_ms_time` (configured with `MBEDTLS_PLATFORM_MS_TIME_ALT`):
/// a monotonic millisecond count for mbedTLS's timers and ticket ages.
#[cfg(mbedtls_ms_time_alt)]
#[cfg_attr(not(mbedtls_private), no_mangle)]
#[cfg_attr(mbedtls_private, export_name = "freertos_tls_mbedtls_ms_time")]
pub extern "C" fn mbedtls_ms_time() -> i64 {
    crate::platform::wait::monotonic_ms()
}
