//! The slice of the PKCS#11 v2.40 C interface this crate uses.
//!
//! Written by hand rather than taken from `cryptoki-sys`: that crate
//! requires `libloading` (std, dynamic loading), while this library is
//! `no_std` and, like the original, reaches the module through the
//! link-time symbol `C_GetFunctionList`. Layouts follow the standard
//! headers on non-Windows platforms: `CK_ULONG` is C `unsigned long`,
//! structs use natural alignment.
#![allow(non_camel_case_types, non_snake_case)]

use core::ffi::{c_uchar, c_ulong, c_void};

pub type CK_ULONG = c_ulong;
pub type CK_RV = CK_ULONG;
pub type CK_FLAGS = CK_ULONG;
pub type CK_SLOT_ID = CK_ULONG;
pub type CK_SESSION_HANDLE = CK_ULONG;
pub type CK_OBJECT_HANDLE = CK_ULONG;
pub type CK_OBJECT_CLASS = CK_ULONG;
pub type CK_ATTRIBUTE_TYPE = CK_ULONG;
pub type CK_KEY_TYPE = CK_ULONG;
pub type CK_MECHANISM_TYPE = CK_ULONG;
pub type CK_USER_TYPE = CK_ULONG;
pub type CK_BBOOL = c_uchar;

pub const CK_TRUE: CK_BBOOL = 1;

pub const CKR_OK: CK_RV = 0x0000_0000;
pub const CKR_FUNCTION_FAILED: CK_RV = 0x0000_0006;
pub const CKR_CANT_LOCK: CK_RV = 0x0000_000A;
pub const CKR_MECHANISM_INVALID: CK_RV = 0x0000_0070;
pub const CKR_TOKEN_NOT_PRESENT: CK_RV = 0x0000_00E0;
pub const CKR_USER_ALREADY_LOGGED_IN: CK_RV = 0x0000_0100;
pub const CKR_BUFFER_TOO_SMALL: CK_RV = 0x0000_0150;
pub const CKR_CRYPTOKI_ALREADY_INITIALIZED: CK_RV = 0x0000_0191;
/// Not a module code: this crate's marker for a failure the module did not
/// report itself (no function list, impossible lengths, a signature of the
/// wrong size, a hash it cannot wrap). Lies in the vendor-defined range so
/// it never collides with a standard value.
pub const CKR_VENDOR_CONTRACT_BROKEN: CK_RV = 0x8000_0000 | 0x4654;

pub const CKF_TOKEN_INITIALIZED: CK_FLAGS = 0x0000_0400;
pub const CKF_RW_SESSION: CK_FLAGS = 0x0000_0002;
pub const CKF_SERIAL_SESSION: CK_FLAGS = 0x0000_0004;
pub const CKF_OS_LOCKING_OK: CK_FLAGS = 0x0000_0002;

pub const CKU_USER: CK_USER_TYPE = 1;

pub const CKO_CERTIFICATE: CK_OBJECT_CLASS = 0x0000_0001;
pub const CKO_PRIVATE_KEY: CK_OBJECT_CLASS = 0x0000_0003;

pub const CKA_CLASS: CK_ATTRIBUTE_TYPE = 0x0000_0000;
pub const CKA_LABEL: CK_ATTRIBUTE_TYPE = 0x0000_0003;
pub const CKA_VALUE: CK_ATTRIBUTE_TYPE = 0x0000_0011;
pub const CKA_KEY_TYPE: CK_ATTRIBUTE_TYPE = 0x0000_0100;

pub const CKK_RSA: CK_KEY_TYPE = 0x0000_0000;
pub const CKK_EC: CK_KEY_TYPE = 0x0000_0003;

pub const CKM_RSA_PKCS: CK_MECHANISM_TYPE = 0x0000_0001;
pub const CKM_ECDSA: CK_MECHANISM_TYPE = 0x0000_1041;
pub const CKM_RSA_PKCS_PSS: CK_MECHANISM_TYPE = 0x0000_000D;
pub const CKM_SHA256: CK_MECHANISM_TYPE = 0x0000_0250;
pub const CKM_SHA224: CK_MECHANISM_TYPE = 0x0000_0255;
pub const CKM_SHA384: CK_MECHANISM_TYPE = 0x0000_0260;
pub const CKM_SHA512: CK_MECHANISM_TYPE = 0x0000_0270;

pub type CK_RSA_PKCS_MGF_TYPE = CK_ULONG;
pub const CKG_MGF1_SHA256: CK_RSA_PKCS_MGF_TYPE = 0x0000_0002;
pub const CKG_MGF1_SHA384: CK_RSA_PKCS_MGF_TYPE = 0x0000_0003;
pub const CKG_MGF1_SHA512: CK_RSA_PKCS_MGF_TYPE = 0x0000_0004;
pub const CKG_MGF1_SHA224: CK_RSA_PKCS_MGF_TYPE = 0x0000_0005;

/// `CKF_SIGN` in `CK_MECHANISM_INFO.flags`.
pub const CKF_SIGN: CK_FLAGS = 0x0000_0800;

/// `CK_UNAVAILABLE_INFORMATION`: attribute length when a value cannot be read.
pub const CK_UNAVAILABLE_INFORMATION: CK_ULONG = !0;

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct CK_VERSION {
    pub major: c_uchar,
    pub minor: c_uchar,
}

#[repr(C)]
pub struct CK_ATTRIBUTE {
    pub type_: CK_ATTRIBUTE_TYPE,
    pub pValue: *mut c_void,
    pub ulValueLen: CK_ULONG,
}

/// Parameters of `CKM_RSA_PKCS_PSS`.
#[repr(C)]
pub struct CK_RSA_PKCS_PSS_PARAMS {
    pub hashAlg: CK_MECHANISM_TYPE,
    pub mgf: CK_RSA_PKCS_MGF_TYPE,
    pub sLen: CK_ULONG,
}

#[repr(C)]
#[derive(Default)]
pub struct CK_MECHANISM_INFO {
    pub ulMinKeySize: CK_ULONG,
    pub ulMaxKeySize: CK_ULONG,
    pub flags: CK_FLAGS,
}

#[repr(C)]
pub struct CK_MECHANISM {
    pub mechanism: CK_MECHANISM_TYPE,
    pub pParameter: *mut c_void,
    pub ulParameterLen: CK_ULONG,
}

/// Mutex callbacks are left NULL: with `CKF_OS_LOCKING_OK` the module uses
/// its own OS locking.
#[repr(C)]
pub struct CK_C_INITIALIZE_ARGS {
    pub CreateMutex: *mut c_void,
    pub DestroyMutex: *mut c_void,
    pub LockMutex: *mut c_void,
    pub UnlockMutex: *mut c_void,
    pub flags: CK_FLAGS,
    pub pReserved: *mut c_void,
}

#[repr(C)]
pub struct CK_TOKEN_INFO {
    pub label: [c_uchar; 32],
    pub manufacturerID: [c_uchar; 32],
    pub model: [c_uchar; 16],
    pub serialNumber: [c_uchar; 16],
    pub flags: CK_FLAGS,
    pub ulMaxSessionCount: CK_ULONG,
    pub ulSessionCount: CK_ULONG,
    pub ulMaxRwSessionCount: CK_ULONG,
    pub ulRwSessionCount: CK_ULONG,
    pub ulMaxPinLen: CK_ULONG,
    pub ulMinPinLen: CK_ULONG,
    pub ulTotalPublicMemory: CK_ULONG,
    pub ulFreePublicMemory: CK_ULONG,
    pub ulTotalPrivateMemory: CK_ULONG,
    pub ulFreePrivateMemory: CK_ULONG,
    pub hardwareVersion: CK_VERSION,
    pub firmwareVersion: CK_VERSION,
    pub utcTime: [c_uchar; 16],
}

/// An entry of the function list this crate never calls; only its size
/// (one function pointer) matters.
pub type Unused = Option<unsafe extern "C" fn()>;

type Notify = *mut c_void;

/// `CK_FUNCTION_LIST`: the version, then 68 function pointers in the order
/// of the standard's `pkcs11f.h`. Gaps hold the functions not used here.
#[repr(C)]
pub struct CK_FUNCTION_LIST {
    pub version: CK_VERSION,
    pub C_Initialize: Option<unsafe extern "C" fn(pInitArgs: *mut c_void) -> CK_RV>,
    pub C_Finalize: Option<unsafe extern "C" fn(pReserved: *mut c_void) -> CK_RV>,
    pub C_GetInfo: Unused,
    pub C_GetFunctionList: Option<unsafe extern "C" fn(ppFunctionList: *mut *mut CK_FUNCTION_LIST) -> CK_RV>,
    pub C_GetSlotList: Option<
        unsafe extern "C" fn(tokenPresent: CK_BBOOL, pSlotList: *mut CK_SLOT_ID, pulCount: *mut CK_ULONG) -> CK_RV,
    >,
    pub C_GetSlotInfo: Unused,
    pub C_GetTokenInfo: Option<unsafe extern "C" fn(slotID: CK_SLOT_ID, pInfo: *mut CK_TOKEN_INFO) -> CK_RV>,
    pub C_GetMechanismList: Unused,
    pub C_GetMechanismInfo: Option<
        unsafe extern "C" fn(slotID: CK_SLOT_ID, type_: CK_MECHANISM_TYPE, pInfo: *mut CK_MECHANISM_INFO) -> CK_RV,
    >,
    /// C_InitToken, C_InitPIN, C_SetPIN.
    pub _unused_9_11: [Unused; 3],
    pub C_OpenSession: Option<
        unsafe extern "C" fn(
            slotID: CK_SLOT_ID,
            flags: CK_FLAGS,
            pApplication: *mut c_void,
            Notify: Notify,
            phSession: *mut CK_SESSION_HANDLE,
        ) -> CK_RV,
    >,
    pub C_CloseSession: Option<unsafe extern "C" fn(hSession: CK_SESSION_HANDLE) -> CK_RV>,
    /// C_CloseAllSessions, C_GetSessionInfo, C_GetOperationState, C_SetOperationState.
    pub _unused_14_17: [Unused; 4],
    pub C_Login: Option<
        unsafe extern "C" fn(
            hSession: CK_SESSION_HANDLE,
            userType: CK_USER_TYPE,
            pPin: *const c_uchar,
            ulPinLen: CK_ULONG,
        ) -> CK_RV,
    >,
    /// C_Logout, C_CreateObject, C_CopyObject, C_DestroyObject, C_GetObjectSize.
    pub _unused_19_23: [Unused; 5],
    pub C_GetAttributeValue: Option<
        unsafe extern "C" fn(
            hSession: CK_SESSION_HANDLE,
            hObject: CK_OBJECT_HANDLE,
            pTemplate: *mut CK_ATTRIBUTE,
            ulCount: CK_ULONG,
        ) -> CK_RV,
    >,
    pub C_SetAttributeValue: Unused,
    pub C_FindObjectsInit: Option<
        unsafe extern "C" fn(hSession: CK_SESSION_HANDLE, pTemplate: *mut CK_ATTRIBUTE, ulCount: CK_ULONG) -> CK_RV,
    >,
    pub C_FindObjects: Option<
        unsafe extern "C" fn(
            hSession: CK_SESSION_HANDLE,
            phObject: *mut CK_OBJECT_HANDLE,
            ulMaxObjectCount: CK_ULONG,
            pulObjectCount: *mut CK_ULONG,
        ) -> CK_RV,
    >,
    pub C_FindObjectsFinal: Option<unsafe extern "C" fn(hSession: CK_SESSION_HANDLE) -> CK_RV>,
    /// Encrypt*, Decrypt*, Digest* (13 functions).
    pub _unused_29_41: [Unused; 13],
    pub C_SignInit: Option<
        unsafe extern "C" fn(
            hSession: CK_SESSION_HANDLE,
            pMechanism: *mut CK_MECHANISM,
            hKey: CK_OBJECT_HANDLE,
        ) -> CK_RV,
    >,
    pub C_Sign: Option<
        unsafe extern "C" fn(
            hSession: CK_SESSION_HANDLE,
            pData: *const c_uchar,
            ulDataLen: CK_ULONG,
            pSignature: *mut c_uchar,
            pulSignatureLen: *mut CK_ULONG,
        ) -> CK_RV,
    >,
    /// C_SignUpdate through C_WaitForSlotEvent (24 functions).
    pub _unused_44_67: [Unused; 24],
}

extern "C" {
    /// Provided by the PKCS#11 module the firmware links (SoftHSM2 on a host).
    pub fn C_GetFunctionList(ppFunctionList: *mut *mut CK_FUNCTION_LIST) -> CK_RV;
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{offset_of, size_of};

    #[test]
    fn function_list_has_the_standard_68_entries() {
        let ptr = size_of::<usize>();
        assert_eq!(offset_of!(CK_FUNCTION_LIST, C_Initialize), ptr);
        assert_eq!(offset_of!(CK_FUNCTION_LIST, C_OpenSession), ptr + 12 * ptr);
        assert_eq!(offset_of!(CK_FUNCTION_LIST, C_Login), ptr + 18 * ptr);
        assert_eq!(offset_of!(CK_FUNCTION_LIST, C_GetAttributeValue), ptr + 24 * ptr);
        assert_eq!(offset_of!(CK_FUNCTION_LIST, C_FindObjectsInit), ptr + 26 * ptr);
        assert_eq!(offset_of!(CK_FUNCTION_LIST, C_SignInit), ptr + 42 * ptr);
        assert_eq!(size_of::<CK_FUNCTION_LIST>(), ptr + 68 * ptr);
    }

    #[test]
    fn linked_module_function_list_points_back_at_its_own_entry_point() {
        let mut list: *mut CK_FUNCTION_LIST = core::ptr::null_mut();
        // SAFETY: the linked module fills in a pointer to its static list.
        let rv = unsafe { C_GetFunctionList(&raw mut list) };
        assert_eq!(rv, CKR_OK);
        // SAFETY: non-NULL on CKR_OK; the list is static in the module.
        let list = unsafe { list.as_ref() }.expect("function list");
        // If any gap above had the wrong width, this entry would be another function.
        let own = list.C_GetFunctionList.map(|f| f as *const () as usize);
        assert_eq!(own, Some(C_GetFunctionList as *const () as usize));
        assert_eq!(list.version.major, 2, "module reports PKCS#11 v2.x");
        // The last used entry must be a real function too.
        assert!(list.C_Sign.is_some() && list.C_SignInit.is_some());
    }
}
