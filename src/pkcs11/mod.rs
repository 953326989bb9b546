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

use alloc::boxed::Box;
use core::alloc::Layout;

/// `Box::new` that reports allocation failure instead of aborting.
fn try_box<T>(value: T) -> Result<Box<T>, T> {
    let layout = Layout::new::<T>();
    if layout.size() == 0 {
        return Ok(Box::new(value));
    }
    // SAFETY: non-zero size checked above.
    let p = unsafe { alloc::alloc::alloc(layout) }.cast::<T>();
    if p.is_null() {
        return Err(value);
    }
    // SAFETY: fresh allocation with T's layout, as Box expects.
    unsafe {
        p.write(value);
        Ok(Box::from_raw(p))
    }
}
