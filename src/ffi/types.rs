//! C types of the `aws_tls.h` / `iot_tls.h` interface.
#![allow(non_camel_case_types, non_snake_case)]

use core::ffi::{c_char, c_uchar, c_ulong, c_void};

pub use crate::c_types::{BaseType_t, DateIsInThePast_t, TLSLogHook_t, TLSUtcClock_t};

/// Transport receive callback: bytes read, 0 if none now, negative on error.
pub type NetworkRecv_t = Option<
    unsafe extern "C" fn(
        pvCallerContext: *mut c_void,
        pucReceiveBuffer: *mut c_uchar,
        xReceiveLength: usize,
    ) -> BaseType_t,
>;

/// Transport send callback: bytes sent, negative on error.
pub type NetworkSend_t = Option<
    unsafe extern "C" fn(pvCallerContext: *mut c_void, pucData: *const c_uchar, xDataLength: usize) -> BaseType_t,
>;

/// Connection parameters (current layout, with ALPN).
#[repr(C)]
pub struct xTLS_PARAMS {
    /// `sizeof(TLSParams_t)` as the caller compiled it; selects the layout.
    pub ulSize: u32,
    /// Server host name, for SNI and certificate name verification.
    pub pcDestination: *const c_char,
    /// PEM trust anchor(s), or NULL for the built-in AWS IoT roots.
    pub pcServerCertificate: *const c_char,
    /// Length of `pcServerCertificate` in bytes, including its NUL.
    pub ulServerCertificateLength: u32,
    /// NULL-terminated list of ALPN protocol names, or NULL.
    pub ppcAlpnProtocols: *mut *const c_char,
    /// Number of names in `ppcAlpnProtocols`.
    pub ulAlpnProtocolsCount: u32,
    /// Transport receive callback.
    pub pxNetworkRecv: NetworkRecv_t,
    /// Transport send callback.
    pub pxNetworkSend: NetworkSend_t,
    /// Passed back to both callbacks.
    pub pvCallerContext: *mut c_void,
}

/// Connection parameters.
pub type TLSParams_t = xTLS_PARAMS;

/// The first published layout (1.0.0): no ALPN fields.
#[repr(C)]
pub(crate) struct TlsParamsV1 {
    pub ulSize: u32,
    pub pcDestination: *const c_char,
    pub pcServerCertificate: *const c_char,
    pub ulServerCertificateLength: u32,
    pub pxNetworkRecv: NetworkRecv_t,
    pub pxNetworkSend: NetworkSend_t,
    pub pvCallerContext: *mut c_void,
}

/// Detail of a context's most recent failure (see `TLS_GetLastError`).
#[repr(C)]
pub struct xTLS_LAST_ERROR {
    /// The code the failing call returned (0 when nothing failed yet).
    pub xCode: BaseType_t,
    /// The mbedTLS error code behind it, or 0.
    pub lMbedtlsCode: i32,
    /// `MBEDTLS_X509_BADCERT_*` flags of the server certificate check, or 0.
    pub ulVerifyFlags: u32,
    /// PKCS#11 `CK_RV` behind a credential failure, or 0 (`CKR_OK`).
    pub ulPkcs11ReturnValue: c_ulong,
    /// Which check failed, in words; while nothing has failed, which
    /// argument a call on this context last refused (static text; "" when
    /// neither happened).
    pub pcReason: *const c_char,
}

/// Detail of a context's most recent failure.
pub type TLSLastError_t = xTLS_LAST_ERROR;
