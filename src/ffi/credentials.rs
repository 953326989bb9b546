//! Extension: choosing the PKCS#11 PIN and object labels at run time.

use core::ffi::c_char;

use super::types::BaseType_t;
use super::{params, status};
use crate::pkcs11::labels;

/// @brief Set the PKCS#11 user PIN and the labels of the device private key
/// and device certificate used by every later TLS_Connect (extension).
///
/// Defaults (build-time, overridable through FREERTOS_TLS_PKCS11_* when
/// building): PIN "0000", key label "Device Priv TLS Key", certificate
/// label "Device Cert". The optional issuer certificate "JITP Cert" keeps
/// its label. The strings are copied; the library wipes its PIN copy when
/// it is replaced. A program that never calls this behaves like the
/// original.
///
/// @param pcPin The user PIN: a NUL-terminated string of 1 to 127 bytes, or
/// NULL to keep the current one.
/// @param pcKeyLabel The private key's label: as pcPin.
/// @param pcCertLabel The device certificate's label: as pcPin.
///
/// @return 0, or TLS_ERROR_BAD_PARAMETER (and nothing changes) when a
/// string is empty or longer than 127 bytes.
///
/// Calling context: any task, never an interrupt; the values apply to the
/// TLS_Connect calls that start after it returns. Does not block.
#[no_mangle]
pub unsafe extern "C" fn TLS_SetClientCredentialLabels(
    pcPin: *const c_char,
    pcKeyLabel: *const c_char,
    pcCertLabel: *const c_char,
) -> BaseType_t {
    // SAFETY: each is NULL or a C string (the @param lines above).
    let checked = unsafe { params::credential_labels(pcPin, pcKeyLabel, pcCertLabel) };
    status(checked.map(|(pin, key, cert)| labels::set(pin, key, cert)))
}
