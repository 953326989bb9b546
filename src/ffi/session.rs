//! Extension entry points of transparent session resumption. Callers that
//! never call them get resumption with the defaults: 2 cached sessions,
//! each offered for at most a day or its ticket's lifetime.

use core::ffi::c_void;

use super::types::BaseType_t;
use super::{as_base_type, on_context, report, TLS_ERROR_INVALID_STATE};
use crate::error::Error;
use crate::tls::session_cache;

/// Extension: turn session resumption on (`xEnable` non-zero) or off for
/// every later `TLS_Connect`. Off wipes every cached session and stops
/// asking servers for tickets. On by default. Returns 0, or
/// `TLS_ERROR_INVALID_STATE` when enabling a build made without it (the
/// `session-resumption` option off) or without a monotonic clock.
#[no_mangle]
pub extern "C" fn TLS_SetSessionResumption(xEnable: BaseType_t) -> BaseType_t {
    if session_cache::set_enabled(xEnable != 0) {
        0
    } else {
        as_base_type(TLS_ERROR_INVALID_STATE)
    }
}

/// Extension: keep at most `ulEntries` sessions (0 to 8; default 2), one
/// per destination, trust-anchor set and client identity; the oldest goes
/// first. Shrinking wipes the entries beyond the new size. Each entry
/// holds about 150 bytes plus the ticket and the server's certificate.
/// Returns 0, or `TLS_ERROR_BAD_PARAMETER` above 8.
#[no_mangle]
pub extern "C" fn TLS_SetSessionCacheSize(ulEntries: u32) -> BaseType_t {
    match usize::try_from(ulEntries) {
        Ok(n) if session_cache::set_capacity(n) => 0,
        _ => report(Error::BadParameter(c"ulEntries: over 8")),
    }
}

/// Extension: offer a cached session at most `ulSeconds` after the
/// handshake that made it (default 86400); a shorter ticket lifetime from
/// the server still wins. A resumed session skips the server certificate
/// check, so this bounds how long one verification is trusted. Returns 0,
/// or `TLS_ERROR_BAD_PARAMETER` for 0 or beyond half the tick counter's
/// period.
#[no_mangle]
pub extern "C" fn TLS_SetSessionMaxAge(ulSeconds: u32) -> BaseType_t {
    if session_cache::set_max_age(ulSeconds) {
        0
    } else {
        report(Error::BadParameter(c"ulSeconds: out of range"))
    }
}

/// Extension: wipe every cached session (e.g. after changing credentials
/// or on a factory reset).
#[no_mangle]
pub extern "C" fn TLS_ClearSessionCache() {
    session_cache::clear();
}

/// Extension: after `TLS_Connect` succeeded, 1 when the handshake resumed
/// a cached session, 0 when it was a full handshake. Returns
/// `TLS_ERROR_BAD_PARAMETER` for a NULL context.
///
/// # Safety
/// `pvContext` must be NULL or a live context from `TLS_Init`.
#[no_mangle]
pub unsafe extern "C" fn TLS_IsSessionResumed(pvContext: *mut c_void) -> BaseType_t {
    // SAFETY: per the contract above.
    unsafe { on_context(pvContext, |conn| Ok(BaseType_t::from(conn.resumed()))) }
}
