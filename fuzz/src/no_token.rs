//! The PKCS#11 module the library links against (`C_GetFunctionList`), as
//! a device without a token: every connection runs without a client
//! credential, the case for servers that do not ask for one. Client
//! authentication is not what these targets fuzz; a real module (SoftHSM2)
//! would add file-system state between runs and break exact replay.

use std::ffi::{c_ulong, c_void};

/// `CKR_TOKEN_NOT_PRESENT` from the PKCS#11 specification.
const CKR_TOKEN_NOT_PRESENT: c_ulong = 0xE0;

#[no_mangle]
pub extern "C" fn C_GetFunctionList(function_list: *mut *mut c_void) -> c_ulong {
    if !function_list.is_null() {
        // SAFETY: the library passes a pointer to its own pointer variable.
        unsafe { function_list.write(std::ptr::null_mut()) };
    }
    CKR_TOKEN_NOT_PRESENT
}
