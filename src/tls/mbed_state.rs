//! The mbedTLS contexts of one connection, in one heap block that never
//! moves: mbedTLS keeps raw pointers between them (ssl -> conf -> drbg,
//! CA chain) and to the BIO. Rust reaches the block only through the raw
//! pointer, so no `&mut` ever aliases what mbedTLS holds.

use core::alloc::Layout;
use core::ptr::NonNull;

use alloc::alloc::{alloc_zeroed, dealloc};
use alloc::boxed::Box;
use mbedtls_sys as m;

use super::server_name::ServerNameCheck;
use super::transport::{Bio, Transport};
use crate::error::{Error, Result};
use crate::pkcs11::{CredentialFailure, OpaqueSlot};

pub(crate) struct MbedState {
    pub(crate) ssl: m::ssl_context,
    pub(crate) conf: m::ssl_config,
    pub(crate) drbg: m::ctr_drbg_context,
    pub(crate) ca_chain: m::x509_crt,
    /// Client certificate chain and the token key behind it (pkcs11).
    pub(crate) own_chain: m::x509_crt,
    pub(crate) own_key: m::pk_context,
    /// The PSA key `own_key` stands for, with the token driver; dropped
    /// after `own_key` is freed.
    pub(crate) opaque_key: OpaqueSlot,
    /// Why no client credential was configured, if so: reported only if the
    /// server asks for a certificate.
    pub(crate) credential_failure: Option<CredentialFailure>,
    /// The server sent a CertificateRequest (seen by the handshake loop).
    pub(crate) certificate_asked: bool,
    /// The handshake reached the server's Certificate (a full handshake;
    /// a resumed one, in TLS 1.2 or 1.3, skips it).
    pub(crate) server_certificate_step: bool,
    pub(crate) bio: Bio,
    /// What the verify callback checks the server certificate's name against.
    pub(crate) name_check: ServerNameCheck,
}

/// Owner of one `MbedState` allocation.
pub(crate) struct MbedBox(NonNull<MbedState>);

// SAFETY: the block is owned exclusively by one `Connection`; mbedTLS
// contexts carry no thread affinity and the transport is `Send`.
unsafe impl Send for MbedBox {}

impl MbedBox {
    /// Allocate and `*_init` every context. Fails cleanly on OOM.
    pub(crate) fn new(transport: Box<dyn Transport + Send>) -> Result<Self> {
        crate::mbedtls::psa::register_mutexes();
        let layout = Layout::new::<MbedState>();
        // SAFETY: the layout has non-zero size.
        let p = unsafe { alloc_zeroed(layout) }.cast::<MbedState>();
        let p = NonNull::new(p).ok_or(Error::NoMemory)?;
        let s = p.as_ptr();
        // SAFETY: `s` is a fresh, properly aligned, zeroed allocation of
        // MbedState. The mbedTLS structs are plain C data for which all-zero
        // is a valid value; each `*_init` then sets its documented initial
        // state, after which the matching `*_free` in Drop is always valid.
        // The Rust fields are written before anything reads them.
        unsafe {
            (&raw mut (*s).credential_failure).write(None);
            (&raw mut (*s).certificate_asked).write(false);
            (&raw mut (*s).server_certificate_step).write(false);
            (&raw mut (*s).opaque_key).write(Default::default());
            (&raw mut (*s).bio).write(Bio::new(transport));
            (&raw mut (*s).name_check).write(ServerNameCheck::unset());
            m::ssl_init(&raw mut (*s).ssl);
            m::ssl_config_init(&raw mut (*s).conf);
            m::ctr_drbg_init(&raw mut (*s).drbg);
            m::x509_crt_init(&raw mut (*s).ca_chain);
            m::x509_crt_init(&raw mut (*s).own_chain);
            m::pk_init(&raw mut (*s).own_key);
        }
        Ok(MbedBox(p))
    }

    pub(crate) fn ptr(&self) -> *mut MbedState {
        self.0.as_ptr()
    }

    /// After a failed handshake: the client-credential problem behind it.
    ///
    /// # Safety
    /// mbedTLS must not be running on this block.
    pub(crate) unsafe fn credential_cause(&self) -> Option<CredentialFailure> {
        let s = self.0.as_ptr();
        // SAFETY: the block is live; per the contract nothing else uses it.
        unsafe {
            crate::pkcs11::handshake_failure(
                (*s).certificate_asked,
                &raw const (*s).own_key,
                &(*s).opaque_key,
                (*s).credential_failure,
            )
        }
    }
}

impl Drop for MbedBox {
    fn drop(&mut self) {
        let s = self.0.as_ptr();
        // SAFETY: `s` was initialised in `new` and is freed exactly once
        // here. The `*_free` functions zeroize key material (session keys,
        // DRBG state) before releasing it. The SSL context goes first since
        // it points into the others.
        unsafe {
            m::ssl_free(&raw mut (*s).ssl);
            m::ssl_config_free(&raw mut (*s).conf);
            m::ctr_drbg_free(&raw mut (*s).drbg);
            m::x509_crt_free(&raw mut (*s).ca_chain);
            // Frees the token key: closes its PKCS#11 session.
            m::pk_free(&raw mut (*s).own_key);
            // The PSA key behind an opaque `own_key`, and its token session.
            core::ptr::drop_in_place(&raw mut (*s).opaque_key);
            m::x509_crt_free(&raw mut (*s).own_chain);
            core::ptr::drop_in_place(&raw mut (*s).bio);
            dealloc(s.cast(), Layout::new::<MbedState>());
        }
    }
}
