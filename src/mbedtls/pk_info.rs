//! `mbedtls_pk_info_t`, the table of functions behind a `pk_context`.
//! mbedTLS 3.6 keeps its definition in `library/pk_wrap.h`, not in the
//! public headers, so bindgen sees it as opaque: this is its layout,
//! written from that header for configurations without
//! `MBEDTLS_ECP_RESTARTABLE` (the build refuses that option), and checked
//! against the C compiler's view of the same header by `tests/layout.rs`.
//!
//! The token keys of `pkcs11::mbedtls_key` install one of these so that
//! mbedTLS's signing reaches the PKCS#11 module.

use core::ffi::{c_char, c_int, c_uchar, c_void};

use mbedtls_sys as m;

/// The RNG callback mbedTLS passes to key operations.
pub(crate) type RngFn = Option<unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int>;

/// `sign_func`: (pk, md_alg, hash, hash_len, sig, sig_size, sig_len, f_rng, p_rng).
pub(crate) type SignFn = unsafe extern "C" fn(
    *mut m::pk_context,
    m::md_type_t,
    *const c_uchar,
    usize,
    *mut c_uchar,
    usize,
    *mut usize,
    RngFn,
    *mut c_void,
) -> c_int;

/// A slot this library leaves empty; only its size matters.
type Unused = Option<unsafe extern "C" fn()>;

#[repr(C)]
pub(crate) struct PkInfo {
    pub type_: m::pk_type_t,
    pub name: *const c_char,
    pub get_bitlen: Option<unsafe extern "C" fn(*mut m::pk_context) -> usize>,
    pub can_do: Option<extern "C" fn(m::pk_type_t) -> c_int>,
    pub verify_func: Unused,
    pub sign_func: Option<SignFn>,
    pub decrypt_func: Unused,
    pub encrypt_func: Unused,
    pub check_pair_func: Unused,
    pub ctx_alloc_func: Unused,
    pub ctx_free_func: Option<unsafe extern "C" fn(*mut c_void)>,
    pub debug_func: Unused,
}

/// The C-side layout this mirror must match: (size, offset of sign_func,
/// offset of ctx_free_func), for tests/layout.rs.
pub const LAYOUT: (usize, usize, usize) = (
    core::mem::size_of::<PkInfo>(),
    core::mem::offset_of!(PkInfo, sign_func),
    core::mem::offset_of!(PkInfo, ctx_free_func),
);

/// A `PkInfo` in a static: it holds raw pointers, but is never mutated.
pub(crate) struct StaticPkInfo(pub PkInfo);
// SAFETY: immutable after construction; the name points to a static string.
unsafe impl Sync for StaticPkInfo {}

/// Point `pk` at `info` with `ctx` as its key context (what `pk_setup`
/// does, minus its allocation, which would need a per-key `ctx_alloc_func`).
///
/// # Safety
/// `pk` points to a live, freshly `pk_init`ed context; `ctx` is what
/// `info`'s functions expect, and `info.ctx_free_func` releases it.
pub(crate) unsafe fn install(pk: *mut m::pk_context, info: &'static StaticPkInfo, ctx: *mut c_void) {
    // SAFETY: per the contract; two plain pointer fields.
    unsafe {
        (*pk).private_pk_info = (&raw const info.0).cast();
        (*pk).private_pk_ctx = ctx;
    }
}

/// The key context of `pk` if `info` is what it runs on.
///
/// # Safety
/// `pk` points to a live `pk_context`.
pub(crate) unsafe fn context_if(pk: *const m::pk_context, info: &'static StaticPkInfo) -> Option<*mut c_void> {
    // SAFETY: per the contract; two plain pointer fields.
    let (i, ctx) = unsafe { ((*pk).private_pk_info, (*pk).private_pk_ctx) };
    core::ptr::eq(i.cast::<PkInfo>(), &raw const info.0).then_some(ctx)
}

/// The key context of `pk` (NULL when none is set).
///
/// # Safety
/// `pk` points to a live `pk_context`.
pub(crate) unsafe fn context(pk: *const m::pk_context) -> *mut c_void {
    // SAFETY: per the contract; a plain pointer field.
    unsafe { (*pk).private_pk_ctx }
}
