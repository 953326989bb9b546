//! Configuring one connection's client certificate and key from the token,
//! and telling, after a failed handshake, whether the credential was why.

use core::ffi::c_int;

use mbedtls_sys as m;

use super::bindings::CKR_OK;
use super::credential::{ClientCredential, CredentialFailure, KeyKind};
use super::labels::{self, CredentialLabels};
use super::mbedtls_key::{install, installed, TokenKey};
#[cfg(mbedtls_token_driver)]
use super::psa_key::OpaqueKey;
use crate::error::Error;

/// Where a token key goes: the connection's slot for a PSA opaque key
/// (with the token driver), or nothing (the key lives in `pk` itself).
#[cfg(mbedtls_token_driver)]
pub type OpaqueSlot = Option<OpaqueKey>;
#[cfg(not(mbedtls_token_driver))]
pub type OpaqueSlot = ();

/// What the configured client key can do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OwnKey {
    /// It can sign a TLS 1.3 CertificateVerify: an EC key, or an RSA key
    /// whose token signs RSASSA-PSS, behind the token driver.
    pub tls13: bool,
}

/// Smallest RSA modulus accepted for a device key.
const MIN_RSA_BITS: usize = 2048;

/// Load the credential named by the current labels into `chain` and `pk`
/// and make `conf` present them. With the token driver (`token_driver`:
/// PSA started with it) the key becomes a PSA opaque key kept in `opaque`;
/// otherwise `pk` signs through the library's `pk_info`.
///
/// # Safety
/// `conf`, `chain` and `pk` point to live, initialised mbedTLS contexts that
/// do not move for as long as `conf` is used; `chain` and `pk` are empty.
/// `opaque` points to the connection's empty slot, dropped only after
/// `pk` is freed.
// Not inlined into `TLS_Connect`: measured smaller as one call.
#[inline(never)]
pub unsafe fn configure(
    conf: *mut m::ssl_config,
    chain: *mut m::x509_crt,
    pk: *mut m::pk_context,
    opaque: *mut OpaqueSlot,
    token_driver: bool,
) -> Result<OwnKey, CredentialFailure> {
    let cred = {
        // A local copy, never moved (not even into `drop`), so the PIN is
        // wiped in place when the block ends.
        let mut labels = CredentialLabels::empty();
        labels::copy_current(&mut labels);
        // SAFETY: `chain` is initialised, per the contract.
        unsafe { ClientCredential::load(&labels, chain) }
    };
    let cred = cred?;

    // The key must be of the certificate's kind, or the server's check of
    // the signature fails with a far less helpful error.
    let cert_kind = match cred.kind {
        KeyKind::Rsa => m::PK_RSA,
        KeyKind::Ec => m::PK_ECKEY,
    };
    // SAFETY: the first certificate of `chain` was parsed by `load`.
    let (matches, bitlen) =
        unsafe { (m::pk_can_do(&raw const (*chain).pk, cert_kind) == 1, m::pk_get_bitlen(&raw const (*chain).pk)) };
    if !matches || (cred.kind == KeyKind::Rsa && bitlen < MIN_RSA_BITS) {
        return Err(CredentialFailure::no_key(CKR_OK));
    }

    let ClientCredential { session, key, kind } = cred;
    let key = TokenKey::new(session, key, kind, bitlen);
    let no_memory = CredentialFailure { error: Error::NoMemory, rv: CKR_OK };
    let own = if token_driver {
        let tls13 = kind == KeyKind::Ec || key.can_sign_pss();
        #[cfg(mbedtls_token_driver)]
        {
            // SAFETY: `pk` is live, initialised, empty and pinned; the
            // connection frees it before it drops `opaque` (the contract).
            let key = unsafe { OpaqueKey::install(pk, key) }.map_err(|rc| match rc {
                m::FREERTOS_TLS_PSA_ERROR_INSUFFICIENT_MEMORY => no_memory,
                rc => CredentialFailure { error: Error::Mbedtls(rc), rv: CKR_OK },
            })?;
            // SAFETY: per the contract.
            unsafe { opaque.write(Some(key)) };
        }
        #[cfg(not(mbedtls_token_driver))]
        let _ = (opaque, key);
        OwnKey { tls13 }
    } else {
        // SAFETY: `pk` is live, initialised, empty and pinned, per the contract.
        unsafe { install(pk, key) }.map_err(|_| no_memory)?;
        OwnKey { tls13: false }
    };
    // SAFETY: `chain` and `pk` outlive `conf`'s use, per the contract.
    let rc: c_int = unsafe { m::ssl_conf_own_cert(conf, chain, pk) };
    match rc {
        0 => Ok(own),
        m::ERR_SSL_ALLOC_FAILED => Err(CredentialFailure { error: Error::NoMemory, rv: CKR_OK }),
        rc => Err(CredentialFailure { error: Error::Mbedtls(rc), rv: CKR_OK }),
    }
}

/// After a failed handshake: the credential problem that caused it, if
/// any. A failed signature always counts; a missing credential only when
/// the server asked for a certificate.
///
/// `asked`: the server sent a CertificateRequest.
///
/// # Safety
/// `pk` points to a live context; mbedTLS is not running on it.
pub unsafe fn handshake_failure(
    asked: bool,
    pk: *const m::pk_context,
    opaque: &OpaqueSlot,
    load_failure: Option<CredentialFailure>,
) -> Option<CredentialFailure> {
    #[cfg(mbedtls_token_driver)]
    let opaque_key = opaque.as_ref().map(OpaqueKey::key);
    #[cfg(not(mbedtls_token_driver))]
    let opaque_key = {
        let () = opaque;
        None
    };
    // SAFETY: per the contract.
    if let Some(rv) = opaque_key.or_else(|| unsafe { installed(pk) }).and_then(|k| k.sign_failure) {
        return Some(CredentialFailure { error: Error::Sign, rv });
    }
    load_failure.filter(|_| asked)
}
