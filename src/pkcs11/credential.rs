//! Finding the device's client credential in the token: the private key
//! (by label, never read out) and the certificate chain (DER, handed to
//! mbedTLS).

use mbedtls_sys as m;

use super::bindings::*;
use super::labels::CredentialLabels;
use super::session::{Module, Rv, Session};
use crate::error::Error;

/// Largest certificate read from the token.
const MAX_CERT_LEN: usize = 16 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    Rsa,
    Ec,
}

/// Why no credential could be used: the error the caller will see if the
/// server asks for a certificate, and the module's `CK_RV` (0 if none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CredentialFailure {
    pub error: Error,
    pub rv: CK_RV,
}

impl CredentialFailure {
    pub fn no_key(rv: CK_RV) -> Self {
        CredentialFailure { error: Error::NoPrivateKey, rv }
    }
    pub fn no_cert(rv: CK_RV) -> Self {
        CredentialFailure { error: Error::NoCertificate, rv }
    }

    /// The `CK_RV` widened for `LastError` (`CK_RV` is 32 bits on some targets).
    #[allow(clippy::useless_conversion)]
    pub fn rv_u64(&self) -> u64 {
        u64::from(self.rv)
    }
}

/// A device key in the token (its certificates go to mbedTLS's chain).
pub struct ClientCredential {
    pub session: Session,
    pub key: CK_OBJECT_HANDLE,
    pub kind: KeyKind,
}

impl ClientCredential {
    /// Log in with the configured PIN, find the key, and append the device
    /// certificate and then the optional issuer certificate to `chain`.
    /// Anything before the key is found reports as "no private key".
    ///
    /// # Safety
    /// `chain` points to a live, initialised `x509_crt`.
    pub unsafe fn load(
        labels: &CredentialLabels,
        chain: *mut m::x509_crt,
    ) -> Result<ClientCredential, CredentialFailure> {
        let (session, key, kind) = find_key(labels).map_err(|Rv(rv)| CredentialFailure::no_key(rv))?;
        // SAFETY: per the contract.
        unsafe { add_certificate(&session, labels.cert_label.as_bytes(), chain) }
            .map_err(|Rv(rv)| CredentialFailure::no_cert(rv))?;
        // Optional: any trouble with it just leaves it out of the chain.
        // SAFETY: per the contract.
        let _ = unsafe { add_certificate(&session, labels.jitp_label.as_bytes(), chain) };
        Ok(ClientCredential { session, key, kind })
    }
}

/// The logged-in session and the device key in it. `Rv(CKR_OK)`: no key
/// with the label, or one of a type this library cannot sign with.
fn find_key(labels: &CredentialLabels) -> Result<(Session, CK_OBJECT_HANDLE, KeyKind), Rv> {
    let session = Session::open(Module::acquire()?, labels.pin.as_bytes())?;
    let key = session.find(CKO_PRIVATE_KEY, labels.key_label.as_bytes())?.ok_or(Rv(CKR_OK))?;
    let kind = match session.attribute_ulong(key, CKA_KEY_TYPE)? {
        CKK_RSA => KeyKind::Rsa,
        CKK_EC => KeyKind::Ec,
        // A key type this library cannot sign with is as good as none.
        _ => return Err(Rv(CKR_OK)),
    };
    Ok((session, key, kind))
}

/// Append the certificate labelled `label` to `chain`; its DER copy is
/// freed before the next one is read. `Rv(CKR_OK)`: none, or it does not
/// parse (a failed parse leaves the chain as it was).
///
/// # Safety
/// `chain` points to a live, initialised `x509_crt`.
unsafe fn add_certificate(session: &Session, label: &[u8], chain: *mut m::x509_crt) -> Result<(), Rv> {
    let cert = session.find(CKO_CERTIFICATE, label)?.ok_or(Rv(CKR_OK))?;
    let der = session.attribute_bytes(cert, CKA_VALUE, MAX_CERT_LEN)?;
    // SAFETY: `chain` is initialised, per the contract; mbedTLS copies the bytes.
    if unsafe { m::x509_crt_parse_der(chain, der.as_ptr(), der.len()) } != 0 {
        return Err(Rv(CKR_OK));
    }
    Ok(())
}
