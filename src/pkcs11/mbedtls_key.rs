//! A key held in the token ([`TokenKey`]: its session, handle and the
//! signing itself), and the TLS 1.2 bridge that lets mbedTLS sign with it:
//! a custom `pk_info_t` per key type (`crate::mbedtls::pk_info`) whose
//! `sign_func` asks the module. The TLS 1.3 route (RSA-PSS needs it) is a
//! PSA opaque key instead (`super::psa_key`); this one serves
//! configurations without the token driver.
//!
//! In the client handshake mbedTLS reads only `can_do` (to pick the
//! signature algorithm) and `sign_func` (CertificateVerify) of the own key;
//! `get_bitlen` and `ctx_free_func` serve `pk_get_bitlen` and `pk_free`.

use core::ffi::{c_int, c_uchar, c_void};

use alloc::boxed::Box;
use mbedtls_sys as m;

use super::bindings::{
    CKG_MGF1_SHA224, CKG_MGF1_SHA256, CKG_MGF1_SHA384, CKG_MGF1_SHA512, CKM_ECDSA, CKM_RSA_PKCS, CKM_RSA_PKCS_PSS,
    CKM_SHA224, CKM_SHA256, CKM_SHA384, CKM_SHA512, CKR_OK, CKR_VENDOR_CONTRACT_BROKEN, CK_MECHANISM_TYPE,
    CK_OBJECT_HANDLE, CK_RSA_PKCS_MGF_TYPE, CK_RV,
};
use super::credential::KeyKind;
use super::session::{Rv, Session};
use super::sign::{digest_info, ecdsa_raw_to_der, MAX_DIGEST_INFO_LEN, MAX_ECDSA_RAW_LEN};
use crate::mbedtls::pk_info::{self, PkInfo, RngFn, StaticPkInfo};

/// Returned to mbedTLS when the module fails to sign.
const SIGN_FAILED: c_int = m::ERR_PLATFORM_HW_ACCEL_FAILED;

/// A token key as mbedTLS's `pk_ctx`: boxed, owned by the `pk_context`.
pub struct TokenKey {
    session: Session,
    key: CK_OBJECT_HANDLE,
    kind: KeyKind,
    bitlen: usize,
    /// Set when a signature failed: the module's `CK_RV` (or this crate's
    /// contract marker when the module's output was unusable).
    pub sign_failure: Option<CK_RV>,
}

impl TokenKey {
    pub fn new(session: Session, key: CK_OBJECT_HANDLE, kind: KeyKind, bitlen: usize) -> TokenKey {
        TokenKey { session, key, kind, bitlen, sign_failure: None }
    }

    /// Signature length the key produces: the modulus size for RSA, the
    /// two coordinates-sized halves r||s for ECDSA.
    fn raw_len(&self) -> usize {
        let bytes = self.bitlen.div_ceil(8);
        match self.kind {
            KeyKind::Rsa => bytes,
            KeyKind::Ec => 2 * bytes,
        }
    }

    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    pub fn bitlen(&self) -> usize {
        self.bitlen
    }

    /// Whether the token signs RSASSA-PSS with this key's session (TLS 1.3
    /// needs it for an RSA key).
    pub fn can_sign_pss(&self) -> bool {
        self.session.can_sign_with(CKM_RSA_PKCS_PSS)
    }

    /// Sign `hash` (made with `md`) in `scheme` into `out`: ECDSA as raw
    /// r||s, RSA as the modulus-sized signature; returns the length.
    /// Nothing here is secret (the hash is the handshake transcript's, the
    /// signature goes on the wire), so no scratch space needs wiping. A
    /// failure is also kept in `sign_failure`, for the connection's report.
    pub fn sign_raw(&mut self, scheme: Scheme, md: m::md_type_t, hash: &[u8], out: &mut [u8]) -> Result<usize, Rv> {
        let r = self.sign_raw_once(scheme, md, hash, out);
        if let Err(Rv(rv)) = r {
            self.sign_failure = Some(if rv == CKR_OK { CKR_VENDOR_CONTRACT_BROKEN } else { rv });
        }
        r
    }

    fn sign_raw_once(&self, scheme: Scheme, md: m::md_type_t, hash: &[u8], out: &mut [u8]) -> Result<usize, Rv> {
        let broken = Rv(CKR_VENDOR_CONTRACT_BROKEN);
        let expected = self.raw_len();
        let out = out.get_mut(..expected).ok_or(broken)?;
        let n = match (scheme, self.kind) {
            (Scheme::Ecdsa, KeyKind::Ec) => self.session.sign(CKM_ECDSA, self.key, hash, out)?,
            (Scheme::RsaPkcs1v15, KeyKind::Rsa) => {
                // The DigestInfo of the hash mbedTLS actually used.
                let mut input = [0u8; MAX_DIGEST_INFO_LEN];
                let n = digest_info(md, hash, &mut input).ok_or(broken)?;
                self.session.sign(CKM_RSA_PKCS, self.key, input.get(..n).ok_or(broken)?, out)?
            }
            (Scheme::RsaPss, KeyKind::Rsa) => {
                let (hash_mechanism, mgf) = pss_hash(md).ok_or(broken)?;
                self.session.sign_pss(hash_mechanism, mgf, self.key, hash, out)?
            }
            _ => return Err(broken),
        };
        if n != expected {
            return Err(broken);
        }
        Ok(n)
    }

    /// The signature mbedTLS's `sign_func` returns: DER for ECDSA.
    fn sign(&mut self, md: m::md_type_t, hash: &[u8], sig: &mut [u8]) -> Result<usize, Rv> {
        match self.kind {
            KeyKind::Rsa => self.sign_raw(Scheme::RsaPkcs1v15, md, hash, sig),
            KeyKind::Ec => {
                let mut raw = [0u8; MAX_ECDSA_RAW_LEN];
                let n = self.sign_raw(Scheme::Ecdsa, md, hash, &mut raw)?;
                let broken = Rv(CKR_VENDOR_CONTRACT_BROKEN);
                ecdsa_raw_to_der(raw.get(..n).ok_or(broken)?, sig).ok_or(broken)
            }
        }
    }
}

/// How a token key is asked to sign.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Ecdsa,
    RsaPkcs1v15,
    /// MGF1 with the same hash, a salt as long as the hash.
    RsaPss,
}

/// The PKCS#11 hash and MGF of RSASSA-PSS with `md`.
fn pss_hash(md: m::md_type_t) -> Option<(CK_MECHANISM_TYPE, CK_RSA_PKCS_MGF_TYPE)> {
    match md {
        m::MD_SHA256 => Some((CKM_SHA256, CKG_MGF1_SHA256)),
        m::MD_SHA384 => Some((CKM_SHA384, CKG_MGF1_SHA384)),
        m::MD_SHA512 => Some((CKM_SHA512, CKG_MGF1_SHA512)),
        m::MD_SHA224 => Some((CKM_SHA224, CKG_MGF1_SHA224)),
        _ => None,
    }
}

const fn info(type_: m::pk_type_t, name: &'static [u8], can_do: extern "C" fn(m::pk_type_t) -> c_int) -> StaticPkInfo {
    StaticPkInfo(PkInfo {
        type_,
        name: name.as_ptr().cast(),
        get_bitlen: Some(get_bitlen),
        can_do: Some(can_do),
        // Verification is done with the certificate's key, never this one.
        verify_func: None,
        sign_func: Some(sign_func),
        decrypt_func: None,
        encrypt_func: None,
        check_pair_func: None,
        // `pk_setup` is not used: `install` sets the context directly.
        ctx_alloc_func: None,
        ctx_free_func: Some(ctx_free),
        debug_func: None,
    })
}

// RSA_ALT/ECDSA types: mbedTLS never treats these contexts as its own
// rsa/ecp structures (`pk_rsa()`/`pk_ec()` are only for RSA/ECKEY types).
static RSA_INFO: StaticPkInfo = info(m::PK_RSA_ALT, b"PKCS11-RSA\0", can_do_rsa);
static EC_INFO: StaticPkInfo = info(m::PK_ECDSA, b"PKCS11-ECDSA\0", can_do_ecdsa);

// `can_do`: safe functions (they only compare a value), which coerce to
// the `unsafe extern "C" fn` pointer type mbedTLS declares.
extern "C" fn can_do_rsa(type_: m::pk_type_t) -> c_int {
    c_int::from(type_ == m::PK_RSA)
}

extern "C" fn can_do_ecdsa(type_: m::pk_type_t) -> c_int {
    c_int::from(type_ == m::PK_ECDSA)
}

/// `get_bitlen`: the key's size in bits.
///
/// # Safety
/// `pk` must be a live `pk_context` that [`install`] set up.
unsafe extern "C" fn get_bitlen(pk: *mut m::pk_context) -> usize {
    // SAFETY: mbedTLS passes the context `install` set up; its `pk_ctx`
    // is NULL or a live TokenKey.
    unsafe { pk_info::context(pk).cast::<TokenKey>().as_ref() }.map_or(0, |k| k.bitlen)
}

/// `ctx_free_func`: release the key (closing its session).
///
/// # Safety
/// `ctx` must be NULL or the `pk_ctx` that [`install`] set, not used after
/// this call (`pk_free` calls it once).
unsafe extern "C" fn ctx_free(ctx: *mut c_void) {
    if !ctx.is_null() {
        // SAFETY: `ctx` is the Box leaked by `install`; pk_free calls this once.
        drop(unsafe { Box::from_raw(ctx.cast::<TokenKey>()) });
    }
}

/// `sign_func`: sign `hash` with the token key.
///
/// # Safety
/// `pk` must be a live `pk_context` that [`install`] set up, with no other
/// reference to its key alive; `hash` NULL or readable for `hash_len`
/// bytes; `sig` NULL or writable for `sig_size` bytes; `sig_len` NULL or
/// writable. mbedTLS's handshake guarantees all of it.
#[allow(clippy::too_many_arguments)] // mbedTLS's signature
unsafe extern "C" fn sign_func(
    pk: *mut m::pk_context,
    md_alg: m::md_type_t,
    hash: *const c_uchar,
    hash_len: usize,
    sig: *mut c_uchar,
    sig_size: usize,
    sig_len: *mut usize,
    _f_rng: RngFn,
    _p_rng: *mut c_void,
) -> c_int {
    // SAFETY: `pk` is the context `install` set up: its `pk_ctx` is the
    // TokenKey; mbedTLS runs one handshake step at a time and no Rust
    // reference to it is alive now.
    let Some(key) = (unsafe { pk_info::context(pk).cast::<TokenKey>().as_mut() }) else {
        return m::ERR_PK_BAD_INPUT_DATA;
    };
    if hash.is_null() || sig.is_null() || sig_len.is_null() || hash_len > 64 {
        return m::ERR_PK_BAD_INPUT_DATA;
    }
    // SAFETY: mbedTLS passes `hash_len` readable bytes (its digest length).
    let hash = unsafe { core::slice::from_raw_parts(hash, hash_len) };
    // SAFETY: `sig` is writable for `sig_size` bytes and not aliased
    // during the call (the TLS client signs into its output record).
    let sig = unsafe { core::slice::from_raw_parts_mut(sig, sig_size) };
    match key.sign(md_alg, hash, sig) {
        Ok(n) => {
            // SAFETY: checked non-NULL above; mbedTLS's own local.
            unsafe { sig_len.write(n) };
            0
        }
        Err(_) => SIGN_FAILED,
    }
}

/// Make `pk` sign with `key`. `pk` must be freshly `pk_init`ed; it owns the
/// key afterwards and `pk_free` releases it (closing the session).
///
/// # Safety
/// `pk` points to a live, initialised, empty `pk_context` that does not move.
pub unsafe fn install(pk: *mut m::pk_context, key: TokenKey) -> Result<(), TokenKey> {
    let info = match key.kind {
        KeyKind::Rsa => &RSA_INFO,
        KeyKind::Ec => &EC_INFO,
    };
    let boxed = crate::fallible::try_box(key)?;
    // SAFETY: per the contract; `info`'s functions take a TokenKey context
    // and its ctx_free_func releases this Box.
    unsafe { pk_info::install(pk, info, Box::into_raw(boxed).cast()) };
    Ok(())
}

/// The token key installed on `pk`, if `pk` holds one.
///
/// # Safety
/// `pk` points to a live `pk_context`, and mbedTLS is not running on it.
pub unsafe fn installed<'a>(pk: *const m::pk_context) -> Option<&'a TokenKey> {
    // SAFETY: per the contract.
    let ctx = unsafe { pk_info::context_if(pk, &RSA_INFO).or_else(|| pk_info::context_if(pk, &EC_INFO)) }?;
    // SAFETY: our infos are only ever installed with a TokenKey context.
    unsafe { ctx.cast::<TokenKey>().as_ref() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infos_answer_what_mbedtls_asks() {
        assert_eq!(can_do_rsa(m::PK_RSA), 1);
        assert_eq!(can_do_rsa(m::PK_ECDSA), 0);
        assert_eq!(can_do_ecdsa(m::PK_ECDSA), 1);
        assert_eq!(can_do_ecdsa(m::PK_RSA), 0);
        assert_eq!(can_do_ecdsa(m::PK_ECKEY_DH), 0, "no ECDH with a signing-only key");
        for info in [&RSA_INFO.0, &EC_INFO.0] {
            assert!(info.sign_func.is_some() && info.can_do.is_some() && info.ctx_free_func.is_some());
            assert!(info.get_bitlen.is_some());
        }
    }

    #[test]
    fn installed_info_is_what_mbedtls_reads_through_pk_functions() {
        // SAFETY: a local pk_context, initialised and freed here; the fake
        // context pointer is never dereferenced because no function that
        // reaches the key's context is called, and it is detached before
        // pk_free.
        unsafe {
            let mut pk: m::pk_context = core::mem::zeroed();
            m::pk_init(&raw mut pk);
            pk_info::install(&raw mut pk, &EC_INFO, core::ptr::null_mut());
            assert_eq!(m::pk_can_do(&raw const pk, m::PK_ECDSA), 1);
            assert_eq!(m::pk_can_do(&raw const pk, m::PK_RSA), 0);
            assert_eq!(m::pk_get_type(&raw const pk), m::PK_ECDSA);
            let name = core::ffi::CStr::from_ptr(m::pk_get_name(&raw const pk));
            assert_eq!(name.to_bytes(), b"PKCS11-ECDSA");
            pk_info::install(&raw mut pk, &RSA_INFO, core::ptr::null_mut());
            assert_eq!(m::pk_can_do(&raw const pk, m::PK_RSA), 1);
            assert_eq!(m::pk_get_type(&raw const pk), m::PK_RSA_ALT);
            assert!(installed(&raw const pk).is_none(), "a NULL context is no key");
            pk = core::mem::zeroed();
            m::pk_free(&raw mut pk);
        }
    }
}
