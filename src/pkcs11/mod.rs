//! Client credentials from a PKCS#11 module, reached through the link-time
//! symbol `C_GetFunctionList`: session and login, finding the key and the
//! certificates by label, and signing the handshake inside the module.
//!
//! See `docs/pkcs11.md` for provisioning, labels and linking.

mod bindings;
mod credential;
pub mod labels;
mod mbedtls_key;
mod own_cert;
#[cfg(mbedtls_token_driver)]
mod psa_key;
mod session;
mod sign;
#[cfg(test)]
mod token_tests;

pub(crate) use credential::CredentialFailure;
pub(crate) use own_cert::{configure, handshake_failure, OpaqueSlot, OwnKey};

/// The token driver's signing function, for `crate::mbedtls::psa::start`.
#[cfg(mbedtls_token_driver)]
pub(crate) const TOKEN_SIGN: crate::mbedtls::psa::TokenSign = Some(psa_key::sign);
#[cfg(not(mbedtls_token_driver))]
pub(crate) const TOKEN_SIGN: crate::mbedtls::psa::TokenSign = None;

/// `CKR_MECHANISM_INVALID` as `LastError` reports it: TLS 1.3 is required
/// and the token cannot sign for it.
pub(crate) fn mechanism_invalid() -> u64 {
    CredentialFailure { error: crate::error::Error::Sign, rv: bindings::CKR_MECHANISM_INVALID }.rv_u64()
}
