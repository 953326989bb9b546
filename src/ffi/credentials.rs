//! Extension: choosing the PKCS#11 PIN and object labels at run time.

use core::ffi::{c_char, CStr};

use super::c_str::bounded_cstr;
use super::status;
use super::types::BaseType_t;
use crate::error::{Error, Result};
use crate::pkcs11::labels::{self, Checked, MAX_TEXT_LEN};

// What a bad length is reported as, by the C argument's name.
const PIN_LENGTH: &CStr = c"pcPin: not 1..127 bytes";
const KEY_LABEL_LENGTH: &CStr = c"pcKeyLabel: not 1..127 bytes";
const CERT_LABEL_LENGTH: &CStr = c"pcCertLabel: not 1..127 bytes";
// The texts spell the limit out.
const _: () = assert!(MAX_TEXT_LEN == 127);

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
    let checked = || unsafe {
        // All three are checked before anything changes.
        Ok((text(pcPin, PIN_LENGTH)?, text(pcKeyLabel, KEY_LABEL_LENGTH)?, text(pcCertLabel, CERT_LABEL_LENGTH)?))
    };
    status(checked().map(|(pin, key, cert)| labels::set(pin, key, cert)))
}

/// `None` for NULL; the bytes before the NUL, or `what` as the bad
/// parameter when they are empty or more than `MAX_TEXT_LEN` (the scan
/// stops there). One copy for the three arguments.
///
/// # Safety
/// `p` is NULL or readable up to its NUL or `MAX_TEXT_LEN + 1` bytes.
#[inline(never)]
unsafe fn text<'a>(p: *const c_char, what: &'static CStr) -> Result<Option<Checked<'a>>> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: non-NULL here; readable as the caller promises.
    let bytes = unsafe { bounded_cstr(p, MAX_TEXT_LEN) }.ok_or(Error::BadParameter(what))?;
    Checked::new(bytes).map(Some).ok_or(Error::BadParameter(what))
}
