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
mod session;
mod sign;
#[cfg(test)]
mod token_tests;

pub(crate) use credential::CredentialFailure;
pub(crate) use own_cert::{configure, handshake_failure};
