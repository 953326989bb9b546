//! Configuring one connection's client certificate and key from the token,
//! and telling, after a failed handshake, whether the credential was why.

use core::ffi::c_int;

use mbedtls_sys as m;

use super::bindings::CKR_OK;
use super::credential::{ClientCredential, CredentialFailure, KeyKind};
use super::labels::{self, CredentialLabels};
use super::mbedtls_key::{install, installed, TokenKey};
use crate::error::Error;

/// Smallest RSA modulus accepted for a device key.
const MIN_RSA_BITS: usize = 2048;

/// Load the credential named by the current labels into `chain` and `pk`
/// and make `conf` present them.
///
/// # Safety
/// `conf`, `chain` and `pk` point to live, initialised mbedTLS contexts that
/// do not move for as long as `conf` is used; `chain` and `pk` are empty.
// Not inlined into `TLS_Connect`: measured smaller as one call.
#[inline(never)]
pub unsafe fn configure(
    conf: *mut m::ssl_config,
    chain: *mut m::x509_crt,
    pk: *mut m::pk_context,
) -> Result<(), CredentialFailure> {
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
    // SAFETY: `pk` is live, initialised, empty and pinned, per the contract.
    unsafe { install(pk, TokenKey::new(session, key, kind, bitlen)) }
        .map_err(|_| CredentialFailure { error: Error::NoMemory, rv: CKR_OK })?;
    // SAFETY: `chain` and `pk` outlive `conf`'s use, per the contract.
    let rc: c_int = unsafe { m::ssl_conf_own_cert(conf, chain, pk) };
    match rc {
        0 => Ok(()),
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
    load_failure: Option<CredentialFailure>,
) -> Option<CredentialFailure> {
    // SAFETY: per the contract.
    if let Some(rv) = unsafe { installed(pk) }.and_then(|k| k.sign_failure) {
        return Some(CredentialFailure { error: Error::Sign, rv });
    }
    load_failure.filter(|_| asked)
}
