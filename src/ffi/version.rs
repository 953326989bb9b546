//! Extension entry points for TLS 1.3: limiting the versions a connection
//! may negotiate, asking what it did, and starting PSA crypto (which TLS
//! 1.3 and the token keys run on) at a moment the firmware chooses.

use core::ffi::c_void;

use super::types::BaseType_t;
use super::{on_context, params};
use crate::tls::{TlsVersion, VersionRange};

/// TLS 1.2, by the protocol's own version number.
pub const TLS_PROTOCOL_VERSION_1_2: u16 = 0x0303;
/// TLS 1.3, by the protocol's own version number.
pub const TLS_PROTOCOL_VERSION_1_3: u16 = 0x0304;

/// @brief Choose the TLS versions the connection may negotiate (extension).
///
/// By default a connection offers TLS 1.2 and TLS 1.3 and takes what the
/// server picks (with the protocol's downgrade protection), unless the
/// build has no TLS 1.3 or a record buffer under 16 KiB (then TLS 1.2
/// only: see the documentation on record buffers). Both 1.2: cap the
/// connection at TLS 1.2. Both 1.3: require TLS 1.3 (a TLS 1.2 server, or
/// a client key that cannot sign TLS 1.3, fails TLS_Connect). With a record
/// buffer under 16 KiB only one version can be chosen: TLS 1.2 with its max
/// fragment length, or TLS 1.3, where a server record larger than the
/// buffer fails the connection (TLS_ERROR_PROTOCOL).
///
/// @param pvContext A context from TLS_Init, not yet connecting, or NULL
/// (refused).
/// @param usMinVersion The lowest version: TLS_PROTOCOL_VERSION_1_2 or
/// TLS_PROTOCOL_VERSION_1_3.
/// @param usMaxVersion The highest version: as usMinVersion, and not below
/// it.
///
/// @return 0, or:
/// - TLS_ERROR_BAD_PARAMETER: pvContext NULL; a value that is not one of
///   the two; usMinVersion above usMaxVersion; TLS 1.3 when the build has
///   none; both versions in a build with a record buffer under 16 KiB.
/// - TLS_ERROR_INVALID_STATE: TLS_Connect was already called.
///
/// Calling context: a task, never an interrupt; between TLS_Init and
/// TLS_Connect, one call at a time per context. Does not block.
#[no_mangle]
pub unsafe extern "C" fn TLS_SetProtocolVersions(
    pvContext: *mut c_void,
    usMinVersion: u16,
    usMaxVersion: u16,
) -> BaseType_t {
    // SAFETY: the pointer rules of the @param lines above.
    unsafe {
        on_context(pvContext, |conn| {
            let (min, max) = params::versions(usMinVersion, usMaxVersion).map_err(|bad| conn.reject(bad))?;
            // A connected context says so first, whatever the range.
            conn.configurable()?;
            let range = VersionRange::new(min, max).map_err(|why| conn.reject(params::version_range_refused(why)))?;
            conn.set_versions(range).map(|()| 0)
        })
    }
}

/// @brief The TLS version the connection negotiated (extension).
///
/// @param pvContext A context from TLS_Init, or NULL (refused).
///
/// @return TLS_PROTOCOL_VERSION_1_2 or TLS_PROTOCOL_VERSION_1_3 after
/// TLS_Connect succeeded, or:
/// - TLS_ERROR_INVALID_STATE: before a successful TLS_Connect.
/// - TLS_ERROR_BAD_PARAMETER: pvContext NULL.
/// - the code of the connection's failure, once it has failed.
///
/// Calling context: a task, never an interrupt; one call at a time per
/// context. Does not block.
#[no_mangle]
pub unsafe extern "C" fn TLS_GetProtocolVersion(pvContext: *mut c_void) -> BaseType_t {
    // SAFETY: the pointer rules of the @param lines above.
    unsafe {
        on_context(pvContext, |conn| {
            conn.version().map(|v| match v {
                TlsVersion::Tls12 => BaseType_t::from(TLS_PROTOCOL_VERSION_1_2),
                TlsVersion::Tls13 => BaseType_t::from(TLS_PROTOCOL_VERSION_1_3),
            })
        })
    }
}

/// @brief Start PSA crypto (psa_crypto_init) with the library's PKCS#11
/// token driver registered first, and the library's mutexes (extension).
///
/// The first TLS_Connect does this by itself; a firmware whose own code
/// also uses PSA (its own mbedTLS with MBEDTLS_USE_PSA_CRYPTO) calls this
/// once at start-up, before anything else calls psa_crypto_init, as PSA's
/// documentation asks of driver registration. Later calls return what the
/// first one found.
///
/// @return 0, or:
/// - TLS_ERROR_INVALID_STATE: the driver could not be registered (PSA's
///   table of secure-element drivers is full, 4 in mbedTLS 3.6, or another
///   driver holds its location): PSA works, but token keys then sign only
///   in TLS 1.2 and their connections are capped there.
/// - TLS_ERROR_RNG: PSA cannot start (no entropy: mbedtls_hardware_poll
///   failed).
///
/// Calling context: a task, never an interrupt. Blocks while PSA gathers
/// its entropy (see mbedtls_hardware_poll).
#[no_mangle]
pub extern "C" fn TLS_InitCrypto() -> BaseType_t {
    // `start` registers the mutexes first.
    match crate::mbedtls::psa::start(crate::pkcs11::TOKEN_SIGN) {
        Ok(started) if started.token_driver || !cfg!(mbedtls_token_driver) => 0,
        Ok(_) => super::as_base_type(crate::error::TLS_ERROR_INVALID_STATE),
        Err(_) => super::as_base_type(crate::error::TLS_ERROR_RNG),
    }
}
