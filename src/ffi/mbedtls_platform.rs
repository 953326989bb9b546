//! C symbols that the mbedTLS build (`custom_gmtime_r`, `custom_printf`)
//! expects the platform to provide, over [`crate::platform::clock`].
//! None of them belongs in the header (see `mod.rs`).

use core::ffi::{c_char, c_int, c_longlong};
use mbedtls_sys::types::tm;

use crate::platform::clock;

/// `mbedtls_time`: current UTC seconds, or the epoch (0) while no clock
/// knows the time. mbedTLS then marks every certificate not yet valid;
/// `tls::validity` clears those date flags, because the dates are unknown,
/// not wrong, after `TLS_Connect` has logged that they go unchecked (or,
/// built with `require-clock`, has refused to connect).
#[no_mangle]
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
#[no_mangle]
pub extern "C" fn mbedtls_platform_gmtime_r(tt: *const c_longlong, tm_buf: *mut tm) -> *mut tm {
    if tt.is_null() || tm_buf.is_null() {
        return core::ptr::null_mut();
    }
    // SAFETY: both pointers are non-NULL and point to mbedTLS's own locals.
    let secs = unsafe { tt.read() };
    let Some(c) = clock::civil_from_unix(secs) else { return core::ptr::null_mut() };
    let fields = tm {
        tm_sec: c.second,
        tm_min: c.minute,
        tm_hour: c.hour,
        tm_mday: c.day,
        tm_mon: c.month,
        tm_year: c.year,
        tm_wday: c.weekday,
        tm_yday: c.yearday,
        tm_isdst: 0,
    };
    // SAFETY: see above; `tm` here is the 9-int layout this mbedTLS build uses.
    unsafe { tm_buf.write(fields) };
    tm_buf
}

/// `mbedtls_printf`: only mbedTLS's self-test routines call it, and this
/// library never runs them. Declared in C as variadic; reading only the
/// first (named) argument is compatible with the SysV and AAPCS calling
/// conventions. Output is dropped: nothing in this library prints.
#[no_mangle]
pub extern "C" fn mbedtls_printf(_format: *const c_char) -> c_int {
    0
}
