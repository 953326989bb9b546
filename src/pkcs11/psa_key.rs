//! Token keys as PSA opaque keys: the route mbedTLS 3.6 signs TLS 1.3's
//! RSA-PSS CertificateVerify through (and, in the same configuration,
//! every client signature). A volatile PSA key at the token driver's
//! location (`mbedtls-sys/shim/psa_token_driver.c`) stands for one
//! [`TokenKey`]; its slot number is the key's address, and the driver
//! hands every signature back to [`sign`] here.

use core::ffi::c_int;

use alloc::boxed::Box;
use mbedtls_sys as m;

use super::credential::KeyKind;
use super::mbedtls_key::{Scheme, TokenKey};

/// A token key and the PSA key that stands for it. Drop destroys the PSA
/// key first: no signature can reach the token key after that.
pub struct OpaqueKey {
    key: Box<TokenKey>,
    id: m::svc_key_id_t,
}

impl OpaqueKey {
    /// The PSA key for `key`, and `pk` set up to sign with it.
    ///
    /// # Safety
    /// `pk` points to a live, initialised, empty `pk_context` that is freed
    /// (`pk_free`) before the returned value is dropped.
    pub unsafe fn install(pk: *mut m::pk_context, key: TokenKey) -> Result<OpaqueKey, i32> {
        let key = crate::fallible::try_box(key).map_err(|_| m::FREERTOS_TLS_PSA_ERROR_INSUFFICIENT_MEMORY)?;
        let slot = core::ptr::from_ref::<TokenKey>(&key) as usize as u64;
        let mut id: m::svc_key_id_t = 0;
        let rsa = c_int::from(key.kind() == KeyKind::Rsa);
        // SAFETY: `id` is writable; the slot is the boxed key's address,
        // which stays valid until `Drop` destroys the PSA key.
        let status = unsafe { m::freertos_tls_psa_token_key(rsa, key.bitlen(), slot, &raw mut id) };
        if status != 0 {
            return Err(status);
        }
        let opaque = OpaqueKey { key, id };
        // SAFETY: `pk` is initialised and empty, per the contract.
        let rc = unsafe { m::pk_setup_opaque(pk, id) };
        if rc != 0 {
            return Err(rc);
        }
        Ok(opaque)
    }

    pub fn key(&self) -> &TokenKey {
        &self.key
    }
}

impl Drop for OpaqueKey {
    fn drop(&mut self) {
        // SAFETY: a key this value created; no pk context uses it any more
        // (the contract of `install`).
        let _ = unsafe { m::psa_destroy_key(self.id) };
    }
}

/// The token driver's signing function (`freertos_tls_token_sign_t`).
///
/// # Safety
/// `slot` is the address of a live [`TokenKey`] an [`OpaqueKey`] owns,
/// used by no one else now (one connection runs one handshake step at a
/// time); `hash` is readable for `hash_len` bytes; `sig` writable for
/// `sig_size` bytes; `sig_len` writable. PSA's driver dispatch guarantees
/// the buffers, the slot is only ever the one [`OpaqueKey::install`] chose.
pub unsafe extern "C" fn sign(
    slot: u64,
    scheme: c_int,
    md: m::md_type_t,
    hash: *const u8,
    hash_len: usize,
    sig: *mut u8,
    sig_size: usize,
    sig_len: *mut usize,
) -> m::psa_status_t {
    let scheme = match scheme as u32 {
        m::FREERTOS_TLS_SIGN_ECDSA => Scheme::Ecdsa,
        m::FREERTOS_TLS_SIGN_RSA_PKCS1V15 => Scheme::RsaPkcs1v15,
        m::FREERTOS_TLS_SIGN_RSA_PSS => Scheme::RsaPss,
        _ => return m::FREERTOS_TLS_PSA_ERROR_NOT_SUPPORTED,
    };
    // SAFETY: per the contract, the slot is a live TokenKey nobody else
    // references during this call.
    let Some(key) = (unsafe { (slot as usize as *mut TokenKey).as_mut() }) else {
        return m::FREERTOS_TLS_PSA_ERROR_INVALID_HANDLE;
    };
    if hash.is_null() || sig.is_null() || sig_len.is_null() || hash_len > 64 {
        return m::FREERTOS_TLS_PSA_ERROR_INVALID_ARGUMENT;
    }
    // SAFETY: per the contract.
    let (hash, out) =
        unsafe { (core::slice::from_raw_parts(hash, hash_len), core::slice::from_raw_parts_mut(sig, sig_size)) };
    match key.sign_raw(scheme, md, hash, out) {
        Ok(n) => {
            // SAFETY: checked non-NULL; PSA's own local.
            unsafe { sig_len.write(n) };
            m::FREERTOS_TLS_PSA_SUCCESS
        }
        Err(_) => m::FREERTOS_TLS_PSA_ERROR_HARDWARE_FAILURE,
    }
}
