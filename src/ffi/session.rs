//! Extension entry points of transparent session resumption. Callers that
//! never call them get resumption with the defaults: 2 cached sessions,
//! each offered for at most a day or its ticket's lifetime.

use core::ffi::c_void;

use super::types::BaseType_t;
use super::{as_base_type, on_context, params, report, TLS_ERROR_INVALID_STATE};
use crate::tls::session_cache;

/// @brief Turn session resumption on or off for every later TLS_Connect
/// (extension).
///
/// Off wipes every cached session and stops asking servers for tickets. On
/// by default.
///
/// @param xEnable Non-zero for on, 0 for off.
///
/// @return 0, or TLS_ERROR_INVALID_STATE (nothing changes) when turning it
/// on in a build made without session resumption (cargo feature
/// session-resumption, CMake option FREERTOS_TLS_SESSION_RESUMPTION) or
/// without a monotonic clock.
///
/// Calling context: any task, never an interrupt. Does not block.
#[no_mangle]
pub extern "C" fn TLS_SetSessionResumption(xEnable: BaseType_t) -> BaseType_t {
    if session_cache::set_enabled(xEnable != 0) {
        0
    } else {
        as_base_type(TLS_ERROR_INVALID_STATE)
    }
}

/// @brief Keep at most ulEntries cached sessions (extension).
///
/// One session per destination, trust-anchor set and client identity; the
/// oldest goes first. Each entry holds about 150 bytes plus the ticket and
/// the server's certificate.
///
/// @param ulEntries 0 to 8 (default 2). Shrinking wipes the entries beyond
/// the new size.
///
/// @return 0, or TLS_ERROR_BAD_PARAMETER above 8.
///
/// Calling context: any task, never an interrupt. Does not block.
#[no_mangle]
pub extern "C" fn TLS_SetSessionCacheSize(ulEntries: u32) -> BaseType_t {
    match usize::try_from(ulEntries) {
        Ok(n) if session_cache::set_capacity(n) => 0,
        _ => report(params::CACHE_ENTRIES_OVER),
    }
}

/// @brief Offer a cached session at most ulSeconds after the handshake that
/// made it (extension).
///
/// A shorter ticket lifetime from the server still wins. A resumed session
/// skips the server certificate check, so this bounds how long one
/// verification is trusted.
///
/// @param ulSeconds At least 1 and at most half the tick counter's period
/// (default 86400).
///
/// @return 0, or TLS_ERROR_BAD_PARAMETER for 0 or beyond half the tick
/// counter's period.
///
/// Calling context: any task, never an interrupt. Does not block.
#[no_mangle]
pub extern "C" fn TLS_SetSessionMaxAge(ulSeconds: u32) -> BaseType_t {
    if session_cache::set_max_age(ulSeconds) {
        0
    } else {
        report(params::MAX_AGE_OUT_OF_RANGE)
    }
}

/// @brief Wipe every cached session, e.g. after changing credentials or on
/// a factory reset (extension).
///
/// Calling context: any task, never an interrupt. Does not block.
#[no_mangle]
pub extern "C" fn TLS_ClearSessionCache() {
    session_cache::clear();
}

/// @brief Whether the context's handshake resumed a cached session
/// (extension).
///
/// @param pvContext A context from TLS_Init, or NULL (refused).
///
/// @return 1 when TLS_Connect succeeded with a resumed session, 0 for a
/// full handshake (or before one has succeeded), or
/// TLS_ERROR_BAD_PARAMETER when pvContext is NULL.
///
/// Calling context: a task, never an interrupt; one call at a time per
/// context. Does not block.
#[no_mangle]
pub unsafe extern "C" fn TLS_IsSessionResumed(pvContext: *mut c_void) -> BaseType_t {
    // SAFETY: the pointer rules of the @param lines above.
    unsafe { on_context(pvContext, |conn| Ok(BaseType_t::from(conn.resumed()))) }
}
