//! Extension entry points for the server's name: whether it goes into SNI,
//! and whether the server certificate must carry it.

use core::ffi::c_void;

use super::on_context;
use super::types::BaseType_t;

/// Extension: send `pcDestination` as the TLS Server Name Indication
/// (`xEnable` non-zero, the default) or not (0). An IP-literal destination
/// (IPv4 dotted quad, IPv6 with or without brackets) is never sent, as
/// RFC 6066 §3 requires. Turning SNI off does not turn off the host-name
/// check. Call between `TLS_Init` and `TLS_Connect`. Returns 0,
/// `TLS_ERROR_BAD_PARAMETER` (NULL context) or `TLS_ERROR_INVALID_STATE`
/// (already connecting or connected).
///
/// # Safety
/// `pvContext` must be NULL or a live context from `TLS_Init`.
#[no_mangle]
pub unsafe extern "C" fn TLS_SetServerNameIndication(pvContext: *mut c_void, xEnable: BaseType_t) -> BaseType_t {
    // SAFETY: per the contract above.
    unsafe { on_context(pvContext, |conn| conn.set_server_name_indication(xEnable != 0).map(|()| 0)) }
}

/// Extension: check that the server certificate was issued for
/// `pcDestination` (`xEnable` non-zero, the default), or accept any
/// certificate that chains to the trust anchors (0: DANGEROUS, any server
/// holding such a certificate can impersonate the destination; every
/// connection logs a warning). A host name is matched against the
/// certificate's DNS names (its CN when it has none); an IP literal only
/// against its iPAddress subject alternative names. A mismatch fails
/// `TLS_Connect` with `TLS_ERROR_HANDSHAKE_FAILED` and the verify flag
/// `MBEDTLS_X509_BADCERT_CN_MISMATCH` (see `TLS_GetLastError`). Call
/// between `TLS_Init` and `TLS_Connect`. Returns 0,
/// `TLS_ERROR_BAD_PARAMETER` (NULL context) or `TLS_ERROR_INVALID_STATE`.
///
/// # Safety
/// `pvContext` must be NULL or a live context from `TLS_Init`.
#[no_mangle]
pub unsafe extern "C" fn TLS_SetHostnameVerification(pvContext: *mut c_void, xEnable: BaseType_t) -> BaseType_t {
    // SAFETY: per the contract above.
    unsafe { on_context(pvContext, |conn| conn.set_host_name_verification(xEnable != 0).map(|()| 0)) }
}
