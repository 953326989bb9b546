//! Extension entry points for the server's name: whether it goes into SNI,
//! and whether the server certificate must carry it.

use core::ffi::c_void;

use super::on_context;
use super::types::BaseType_t;

/// @brief Send pcDestination as the TLS Server Name Indication, or not
/// (extension).
///
/// An IP-literal destination (IPv4 dotted quad, IPv6 with or without
/// brackets) is never sent, as RFC 6066 section 3 requires. Turning SNI off
/// does not turn off the host-name check.
///
/// @param pvContext A context from TLS_Init, not yet connecting, or NULL
/// (refused).
/// @param xEnable Non-zero to send it (the default), 0 not to.
///
/// @return 0, or:
/// - TLS_ERROR_BAD_PARAMETER: pvContext NULL.
/// - TLS_ERROR_INVALID_STATE: TLS_Connect was already called.
///
/// Calling context: a task, never an interrupt; between TLS_Init and
/// TLS_Connect, one call at a time per context. Does not block.
#[no_mangle]
pub unsafe extern "C" fn TLS_SetServerNameIndication(pvContext: *mut c_void, xEnable: BaseType_t) -> BaseType_t {
    // SAFETY: the pointer rules of the @param lines above.
    unsafe { on_context(pvContext, |conn| conn.set_server_name_indication(xEnable != 0).map(|()| 0)) }
}

/// @brief Check that the server certificate was issued for pcDestination,
/// or not (extension).
///
/// A host name is matched against the certificate's DNS names (its CN when
/// it has none); an IP literal only against its iPAddress subject
/// alternative names. A mismatch fails TLS_Connect with
/// TLS_ERROR_HANDSHAKE_FAILED and the verify flag
/// MBEDTLS_X509_BADCERT_CN_MISMATCH (see TLS_GetLastError).
///
/// @param pvContext A context from TLS_Init, not yet connecting, or NULL
/// (refused).
/// @param xEnable Non-zero to check (the default); 0 accepts any
/// certificate that chains to the trust anchors. 0 is DANGEROUS: any server
/// holding such a certificate can impersonate the destination; every
/// connection logs a warning.
///
/// @return 0, or:
/// - TLS_ERROR_BAD_PARAMETER: pvContext NULL.
/// - TLS_ERROR_INVALID_STATE: TLS_Connect was already called.
///
/// Calling context: a task, never an interrupt; between TLS_Init and
/// TLS_Connect, one call at a time per context. Does not block.
#[no_mangle]
pub unsafe extern "C" fn TLS_SetHostnameVerification(pvContext: *mut c_void, xEnable: BaseType_t) -> BaseType_t {
    // SAFETY: the pointer rules of the @param lines above.
    unsafe { on_context(pvContext, |conn| conn.set_host_name_verification(xEnable != 0).map(|()| 0)) }
}
