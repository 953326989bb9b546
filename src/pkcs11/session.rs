//! The PKCS#11 module and one logged-in session on it.
//!
//! Several connections may share the module at once. `C_Initialize` is
//! called by the first user; `C_Finalize` only when the last user leaves and
//! only if this crate's call was the one that initialised the module (a
//! firmware that initialised it itself keeps it).

use core::cell::Cell;
use core::ptr;

use alloc::vec::Vec;
use critical_section::Mutex;

use super::bindings::*;
use crate::platform::wait::retry_within;

/// Failure of a module call, with the module's `CK_RV`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rv(pub CK_RV);

pub type RvResult<T> = core::result::Result<T, Rv>;

fn check(rv: CK_RV) -> RvResult<()> {
    if rv == CKR_OK {
        Ok(())
    } else {
        Err(Rv(rv))
    }
}

const BROKEN: Rv = Rv(CKR_VENDOR_CONTRACT_BROKEN);
/// Another connection's `C_Initialize`/`C_Finalize` did not end in time.
const LIFECYCLE_BUSY: Rv = Rv(CKR_FUNCTION_FAILED);

#[derive(Clone, Copy)]
struct Lifecycle {
    users: u32,
    we_initialized: bool,
    /// Someone is inside `C_Initialize`/`C_Finalize`.
    busy: bool,
}

static LIFECYCLE: Mutex<Cell<Lifecycle>> =
    Mutex::new(Cell::new(Lifecycle { users: 0, we_initialized: false, busy: false }));

/// How long a connection waits for another one's `C_Initialize` or
/// `C_Finalize` (one module call) before it gives up.
const LIFECYCLE_BOUND_MS: u32 = 10_000;

/// Run `f` with the lifecycle to itself; `None` when another connection
/// held it for longer than [`LIFECYCLE_BOUND_MS`]. The critical section is
/// held only to flip `busy`, never across a module call (module calls may
/// block).
fn with_lifecycle<T>(f: impl FnOnce(&mut Lifecycle) -> T) -> Option<T> {
    let mut state = claim_lifecycle()?;
    let out = f(&mut state);
    state.busy = false;
    critical_section::with(|cs| LIFECYCLE.borrow(cs).set(state));
    Some(out)
}

/// Wait until no one else holds the lifecycle, then mark it held and
/// return it; `None` after [`LIFECYCLE_BOUND_MS`]. One copy for `acquire`
/// and `drop` (not generic).
#[inline(never)]
fn claim_lifecycle() -> Option<Lifecycle> {
    // Another connection may be inside C_Initialize/C_Finalize: one module
    // call. Give the CPU away (the holder may have a lower priority) and
    // look again, within the bound.
    retry_within(LIFECYCLE_BOUND_MS, || {
        critical_section::with(|cs| {
            let cell = LIFECYCLE.borrow(cs);
            let mut state = cell.get();
            if state.busy {
                return None;
            }
            state.busy = true;
            cell.set(state);
            Some(state)
        })
    })
}

/// One counted use of the module; dropping it may finalise the module.
pub struct Module {
    list: &'static CK_FUNCTION_LIST,
}

// SAFETY: the function list is immutable static data of the module, and the
// module is initialised for OS locking (or the firmware serialises it).
unsafe impl Send for Module {}

impl Module {
    pub fn acquire() -> RvResult<Module> {
        let mut list: *mut CK_FUNCTION_LIST = ptr::null_mut();
        // SAFETY: the module writes one pointer to its static function list.
        check(unsafe { C_GetFunctionList(&raw mut list) })?;
        // SAFETY: on CKR_OK the pointer is NULL or the module's static list.
        let list: &'static CK_FUNCTION_LIST = unsafe { list.as_ref() }.ok_or(BROKEN)?;
        with_lifecycle(|state| {
            if state.users == 0 {
                state.we_initialized = initialize(list)?;
            }
            state.users += 1;
            Ok(Module { list })
        })
        .unwrap_or(Err(LIFECYCLE_BUSY))
    }

    fn list(&self) -> &'static CK_FUNCTION_LIST {
        self.list
    }
}

/// `C_Initialize`; true when this call initialised the module.
fn initialize(list: &CK_FUNCTION_LIST) -> RvResult<bool> {
    let init = list.C_Initialize.ok_or(BROKEN)?;
    let mut args = CK_C_INITIALIZE_ARGS {
        CreateMutex: ptr::null_mut(),
        DestroyMutex: ptr::null_mut(),
        LockMutex: ptr::null_mut(),
        UnlockMutex: ptr::null_mut(),
        flags: CKF_OS_LOCKING_OK,
        pReserved: ptr::null_mut(),
    };
    // SAFETY: `args` is a valid CK_C_INITIALIZE_ARGS for the call's duration.
    let mut rv = unsafe { init((&raw mut args).cast()) };
    if rv == CKR_CANT_LOCK {
        // A module without OS locking: the firmware must serialise access,
        // as with the original, which passed no arguments.
        // SAFETY: NULL is the documented "no arguments" value.
        rv = unsafe { init(ptr::null_mut()) };
    }
    match rv {
        CKR_OK => Ok(true),
        CKR_CRYPTOKI_ALREADY_INITIALIZED => Ok(false),
        rv => Err(Rv(rv)),
    }
}

impl Drop for Module {
    fn drop(&mut self) {
        let list = self.list;
        // Past the bound this use stays counted: the module is then never
        // finalised by this crate, which leaves it initialised, not broken.
        let _ = with_lifecycle(|state| {
            state.users = state.users.saturating_sub(1);
            if state.users == 0 && state.we_initialized {
                state.we_initialized = false;
                if let Some(finalize) = list.C_Finalize {
                    // SAFETY: no user of the module is left; NULL is required.
                    // Nothing useful can be done with a failure at this point.
                    let _ = unsafe { finalize(ptr::null_mut()) };
                }
            }
        });
    }
}

/// A logged-in session on the first slot with an initialised token.
pub struct Session {
    handle: CK_SESSION_HANDLE,
    slot: CK_SLOT_ID,
    // Dropped after the session is closed (field order).
    module: Module,
}

impl Session {
    /// Open a session and log in as the user with `pin`.
    pub fn open(module: Module, pin: &[u8]) -> RvResult<Session> {
        let list = module.list();
        let slot = first_initialized_slot(list)?;
        let open = list.C_OpenSession.ok_or(BROKEN)?;
        let mut handle: CK_SESSION_HANDLE = 0;
        // SAFETY: `handle` is writable; no application callback is used.
        check(unsafe {
            open(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, ptr::null_mut(), ptr::null_mut(), &raw mut handle)
        })?;
        let session = Session { handle, slot, module };
        let login = list.C_Login.ok_or(BROKEN)?;
        // SAFETY: the PIN is valid for `pin.len()` bytes; the module copies it.
        let rv = unsafe { login(handle, CKU_USER, pin.as_ptr(), pin.len() as CK_ULONG) };
        // Login state is per application: another connection may already have it.
        if rv != CKR_USER_ALREADY_LOGGED_IN {
            check(rv)?;
        }
        Ok(session)
    }

    fn list(&self) -> &'static CK_FUNCTION_LIST {
        self.module.list()
    }

    /// The first object of `class` labelled `label`, if any.
    pub fn find(&self, class: CK_OBJECT_CLASS, label: &[u8]) -> RvResult<Option<CK_OBJECT_HANDLE>> {
        let list = self.list();
        let (init, find, fin) = (
            list.C_FindObjectsInit.ok_or(BROKEN)?,
            list.C_FindObjects.ok_or(BROKEN)?,
            list.C_FindObjectsFinal.ok_or(BROKEN)?,
        );
        let mut class = class;
        let mut template = [
            CK_ATTRIBUTE {
                type_: CKA_CLASS,
                pValue: (&raw mut class).cast(),
                ulValueLen: core::mem::size_of::<CK_OBJECT_CLASS>() as CK_ULONG,
            },
            // The module only reads the template.
            CK_ATTRIBUTE {
                type_: CKA_LABEL,
                pValue: label.as_ptr().cast_mut().cast(),
                ulValueLen: label.len() as CK_ULONG,
            },
        ];
        // SAFETY: the template and the values it points to outlive the call.
        check(unsafe { init(self.handle, template.as_mut_ptr(), template.len() as CK_ULONG) })?;
        let mut object: CK_OBJECT_HANDLE = 0;
        let mut count: CK_ULONG = 0;
        // SAFETY: room for exactly one handle, as the count says.
        let found = check(unsafe { find(self.handle, &raw mut object, 1, &raw mut count) });
        // SAFETY: ends the search begun above, whatever C_FindObjects said.
        let finished = check(unsafe { fin(self.handle) });
        found?;
        finished?;
        Ok((count == 1).then_some(object))
    }

    /// A `CK_ULONG`-valued attribute (e.g. `CKA_KEY_TYPE`).
    pub fn attribute_ulong(&self, object: CK_OBJECT_HANDLE, attribute: CK_ATTRIBUTE_TYPE) -> RvResult<CK_ULONG> {
        let get = self.list().C_GetAttributeValue.ok_or(BROKEN)?;
        let mut value: CK_ULONG = 0;
        let size = core::mem::size_of::<CK_ULONG>() as CK_ULONG;
        let mut attr = CK_ATTRIBUTE { type_: attribute, pValue: (&raw mut value).cast(), ulValueLen: size };
        // SAFETY: `attr` describes `size` writable bytes at `value`.
        check(unsafe { get(self.handle, object, &raw mut attr, 1) })?;
        if attr.ulValueLen != size {
            return Err(BROKEN);
        }
        Ok(value)
    }

    /// A byte-string attribute (e.g. a certificate's `CKA_VALUE`) of at
    /// most `max_len` bytes.
    pub fn attribute_bytes(
        &self,
        object: CK_OBJECT_HANDLE,
        attribute: CK_ATTRIBUTE_TYPE,
        max_len: usize,
    ) -> RvResult<Vec<u8>> {
        let get = self.list().C_GetAttributeValue.ok_or(BROKEN)?;
        let mut attr = CK_ATTRIBUTE { type_: attribute, pValue: ptr::null_mut(), ulValueLen: 0 };
        // SAFETY: a NULL value pointer asks only for the length.
        check(unsafe { get(self.handle, object, &raw mut attr, 1) })?;
        let len = attr.ulValueLen;
        if len == CK_UNAVAILABLE_INFORMATION || len as usize > max_len {
            return Err(Rv(CKR_BUFFER_TOO_SMALL));
        }
        let mut value: Vec<u8> = Vec::new();
        value.try_reserve_exact(len as usize).map_err(|_| BROKEN)?;
        // The module fills the reserved space (no zeroing pass first).
        attr.pValue = value.as_mut_ptr().cast();
        attr.ulValueLen = len;
        // SAFETY: `attr` describes `len` writable bytes, reserved above.
        check(unsafe { get(self.handle, object, &raw mut attr, 1) })?;
        // Never trust a length larger than the buffer the module was given.
        if attr.ulValueLen > len {
            return Err(BROKEN);
        }
        // SAFETY: the module wrote `ulValueLen` <= `len` (the capacity) bytes.
        unsafe { value.set_len(attr.ulValueLen as usize) };
        Ok(value)
    }

    /// Sign `data` with `key` using a parameterless `mechanism`; returns
    /// the number of signature bytes written to the front of `out`.
    pub fn sign(
        &self,
        mechanism: CK_MECHANISM_TYPE,
        key: CK_OBJECT_HANDLE,
        data: &[u8],
        out: &mut [u8],
    ) -> RvResult<usize> {
        self.sign_with(CK_MECHANISM { mechanism, pParameter: ptr::null_mut(), ulParameterLen: 0 }, key, data, out)
    }

    /// RSASSA-PSS of the hash `data` made with `hash`: MGF1 with the same
    /// hash, a salt as long as the hash (what TLS 1.3 requires).
    pub fn sign_pss(
        &self,
        hash: CK_MECHANISM_TYPE,
        mgf: CK_RSA_PKCS_MGF_TYPE,
        key: CK_OBJECT_HANDLE,
        data: &[u8],
        out: &mut [u8],
    ) -> RvResult<usize> {
        let mut params = CK_RSA_PKCS_PSS_PARAMS { hashAlg: hash, mgf, sLen: data.len() as CK_ULONG };
        let mechanism = CK_MECHANISM {
            mechanism: CKM_RSA_PKCS_PSS,
            pParameter: (&raw mut params).cast(),
            ulParameterLen: core::mem::size_of::<CK_RSA_PKCS_PSS_PARAMS>() as CK_ULONG,
        };
        self.sign_with(mechanism, key, data, out)
    }

    /// Whether the token signs with `mechanism` (`C_GetMechanismInfo`).
    pub fn can_sign_with(&self, mechanism: CK_MECHANISM_TYPE) -> bool {
        let Some(info_of) = self.list().C_GetMechanismInfo else { return false };
        let mut info = CK_MECHANISM_INFO::default();
        // SAFETY: `info` is writable; the slot is the session's.
        let rv = unsafe { info_of(self.slot, mechanism, &raw mut info) };
        rv == CKR_OK && info.flags & CKF_SIGN != 0
    }

    fn sign_with(&self, mut mech: CK_MECHANISM, key: CK_OBJECT_HANDLE, data: &[u8], out: &mut [u8]) -> RvResult<usize> {
        let list = self.list();
        let (init, sign) = (list.C_SignInit.ok_or(BROKEN)?, list.C_Sign.ok_or(BROKEN)?);
        // SAFETY: `mech` is valid for the call; the key handle is the module's.
        check(unsafe { init(self.handle, &raw mut mech, key) })?;
        let mut len = out.len() as CK_ULONG;
        // SAFETY: the module reads `data.len()` bytes and writes at most `len`.
        check(unsafe { sign(self.handle, data.as_ptr(), data.len() as CK_ULONG, out.as_mut_ptr(), &raw mut len) })?;
        if len as usize > out.len() {
            return Err(BROKEN);
        }
        Ok(len as usize)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(close) = self.list().C_CloseSession {
            // SAFETY: the handle came from C_OpenSession and is closed once.
            let _ = unsafe { close(self.handle) };
        }
    }
}

// Not inlined into `Session::open`'s caller: measured 58 B smaller alone.
#[inline(never)]
fn first_initialized_slot(list: &CK_FUNCTION_LIST) -> RvResult<CK_SLOT_ID> {
    let slots_of = list.C_GetSlotList.ok_or(BROKEN)?;
    let token_info = list.C_GetTokenInfo.ok_or(BROKEN)?;
    let mut count: CK_ULONG = 0;
    // SAFETY: NULL list asks for the count only.
    check(unsafe { slots_of(CK_TRUE, ptr::null_mut(), &raw mut count) })?;
    let mut slots: Vec<CK_SLOT_ID> = Vec::new();
    // A module reporting an absurd slot count is broken, not busy.
    if count > 1024 {
        return Err(BROKEN);
    }
    slots.try_reserve_exact(count as usize).map_err(|_| BROKEN)?;
    let room = count;
    // SAFETY: room for `count` slot ids, reserved above; the module fills them.
    check(unsafe { slots_of(CK_TRUE, slots.as_mut_ptr(), &raw mut count) })?;
    // SAFETY: the module wrote `count` slot ids; never more than the room
    // it was given (the capacity) are taken.
    unsafe { slots.set_len(count.min(room) as usize) };
    let initialized = |&slot: &CK_SLOT_ID| {
        // SAFETY: CK_TOKEN_INFO is plain C data; all-zero is a valid value.
        let mut info: CK_TOKEN_INFO = unsafe { core::mem::zeroed() };
        // SAFETY: `info` is writable for the call.
        let rv = unsafe { token_info(slot, &raw mut info) };
        rv == CKR_OK && info.flags & CKF_TOKEN_INITIALIZED != 0
    };
    slots.into_iter().find(initialized).ok_or(Rv(CKR_TOKEN_NOT_PRESENT))
}
