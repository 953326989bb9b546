//! Extension: choosing the PKCS#11 PIN and object labels at run time.

use core::ffi::c_char;

use super::status;
use super::types::BaseType_t;
use crate::error::Error;
use crate::pkcs11::labels::{self, MAX_TEXT_LEN};

/// Extension: set the PKCS#11 user PIN and the labels of the device private
/// key and device certificate used by every later `TLS_Connect`.
///
/// Each argument is a NUL-terminated string of 1 to 127 bytes, or NULL to
/// keep the current value. Defaults (build-time, overridable through
/// `FREERTOS_TLS_PKCS11_*` when building): PIN `"0000"`, key label
/// `"Device Priv TLS Key"`, certificate label `"Device Cert"`. The optional
/// issuer certificate `"JITP Cert"` keeps its label. The strings are
/// copied; the library wipes its PIN copy when it is replaced.
///
/// Returns 0, or `TLS_ERROR_BAD_PARAMETER` (nothing changed) when a string
/// is empty or longer than 127 bytes. A program that never calls this
/// behaves like the original.
///
/// # Safety
/// Each non-NULL argument must point to a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn TLS_SetClientCredentialLabels(
    pcPin: *const c_char,
    pcKeyLabel: *const c_char,
    pcCertLabel: *const c_char,
) -> BaseType_t {
    // SAFETY: each is NULL or a C string, per the contract above.
    let (pin, key, cert) = unsafe { (text(pcPin), text(pcKeyLabel), text(pcCertLabel)) };
    status(match (pin, key, cert) {
        (Some(Err(())), ..) => Err(Error::BadParameter(labels::PIN_LENGTH)),
        (_, Some(Err(())), _) => Err(Error::BadParameter(labels::KEY_LABEL_LENGTH)),
        (.., Some(Err(()))) => Err(Error::BadParameter(labels::CERT_LABEL_LENGTH)),
        (pin, key, cert) => labels::set(pin.and_then(Result::ok), key.and_then(Result::ok), cert.and_then(Result::ok)),
    })
}

/// `None` for NULL; the bytes before the NUL, or `Err` when there are more
/// than `MAX_TEXT_LEN` (the scan stops there).
///
/// # Safety
/// `p` is NULL or readable up to its NUL or `MAX_TEXT_LEN + 1` bytes.
unsafe fn text<'a>(p: *const c_char) -> Option<Result<&'a [u8], ()>> {
    if p.is_null() {
        return None;
    }
    let p = p.cast::<u8>();
    for len in 0..=MAX_TEXT_LEN {
        // SAFETY: within the readable range promised by the caller.
        if unsafe { p.add(len).read() } == 0 {
            // SAFETY: the `len` bytes before the NUL were just read.
            return Some(Ok(unsafe { core::slice::from_raw_parts(p, len) }));
        }
    }
    Some(Err(()))
}
