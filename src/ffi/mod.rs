//! The C boundary: every symbol this library exports lives here, the
//! `aws_tls.h` / `iot_tls.h` entry points and their extensions as well as
//! the symbols mbedTLS and the linker expect.
//!
//! Each function checks its arguments, calls safe Rust elsewhere, and maps
//! the result to a C code. No TLS logic lives here. (Two link symbols of
//! the Rust ABI, not the C interface, stay with what they implement in
//! `platform`: the `critical-section` implementation and the global
//! allocator of firmware builds.)
//!
//! No panic crosses into C. Firmware builds have no unwinder: the no-std
//! panic handler halts (`platform`). On a host build with std, this crate's
//! `panic = "abort"` profiles only apply when it is the top-level package,
//! not when it is built as someone else's dependency; what holds in every
//! case is that the `extern "C"` ABI cannot unwind: since Rust 1.81 (this
//! crate's MSRV is 1.85) a panic that reaches an `extern "C"` function's
//! frame aborts the process instead of unwinding into the C caller
//! (checked with rustc 1.95 and a `panic = "unwind"` build).
//!
//! Each exported function's doc comment is its C documentation: cbindgen
//! copies it into include/iot_tls.h, so it is written for C readers
//! (brief, every parameter, every return code, the calling context) with
//! no Rust markdown, and its pointer rules are the function's safety
//! contract, stated in C terms in the parameter descriptions rather than
//! under a Rust "Safety" heading (tests/header.rs checks all of this).
#![allow(non_snake_case)]
#![allow(clippy::missing_safety_doc)]

mod c_str;
mod c_transport;
mod context;
mod credentials;
/// Called by mbedTLS only (feature p256-cortex-m4): not part of the header.
/// cbindgen:ignore
#[cfg(feature = "p256-cortex-m4")]
mod ecp_alt;
/// Link-time only: not part of the header.
/// cbindgen:ignore
#[cfg(all(not(any(feature = "std", test)), target_os = "linux"))]
mod eh_personality;
mod entropy;
mod handle;
/// Called by mbedTLS only: not part of the header.
/// cbindgen:ignore
mod mbedtls_platform;
mod params;
mod platform_hooks;
mod server_name;
mod session;
mod slice;
pub mod types;
mod version;

pub use context::{TLS_Cleanup, TLS_Connect, TLS_GetLastError, TLS_Init, TLS_Recv, TLS_Send};
pub use credentials::TLS_SetClientCredentialLabels;
pub use entropy::mbedtls_hardware_poll;
pub use platform_hooks::{TLS_SetHandshakeTimeout, TLS_SetLogHook, TLS_SetUtcClock, TLS_setDateIsInThePastFunction};
pub use server_name::{TLS_SetHostnameVerification, TLS_SetServerNameIndication};
pub use session::{
    TLS_ClearSessionCache, TLS_IsSessionResumed, TLS_SetSessionCacheSize, TLS_SetSessionMaxAge,
    TLS_SetSessionResumption,
};
pub use types::*;
pub use version::{
    TLS_GetProtocolVersion, TLS_InitCrypto, TLS_SetProtocolVersions, TLS_PROTOCOL_VERSION_1_2, TLS_PROTOCOL_VERSION_1_3,
};

use crate::error::{Error, Result};
pub use crate::error::{
    TLS_ERROR_BAD_PARAMETER, TLS_ERROR_CONNECTION_CLOSED, TLS_ERROR_HANDSHAKE_FAILED, TLS_ERROR_INVALID_STATE,
    TLS_ERROR_NO_CERTIFICATE, TLS_ERROR_NO_MEMORY, TLS_ERROR_NO_PRIVATE_KEY, TLS_ERROR_PROTOCOL, TLS_ERROR_RNG,
    TLS_ERROR_SIGN, TLS_ERROR_TRANSPORT,
};
use crate::platform::log::{log, Part::Bytes};
use crate::tls::Connection;
use core::ffi::c_void;

/// Report a failed call to C: its error's code. A bad argument is logged
/// by name first, since the caller has no context to ask
/// `TLS_GetLastError` about when `TLS_Init` refuses it.
fn report(err: Error) -> BaseType_t {
    if let Error::BadParameter(what) = err {
        log!(Error, "bad parameter: ", Bytes(what.to_bytes()));
    }
    as_base_type(err.code())
}

/// What a call that returns only success or failure gives C: 0 or the code.
fn status(result: Result<()>) -> BaseType_t {
    match result {
        Ok(()) => 0,
        Err(err) => report(err),
    }
}

/// Run `call` on the connection behind `ctx`: what it returns, or the code
/// of its failure (or of a NULL `ctx`).
///
/// # Safety
/// `ctx` must be NULL or a live context from `TLS_Init`, used by no other
/// call at the same time.
unsafe fn on_context(ctx: *mut c_void, call: impl FnOnce(&mut Connection) -> Result<BaseType_t>) -> BaseType_t {
    // SAFETY: forwarded from this function's contract.
    match unsafe { handle::borrow(ctx) }.and_then(call) {
        Ok(value) => value,
        Err(err) => report(err),
    }
}

/// A `TLS_ERROR_*` constant (an `i32`) as the `BaseType_t` C is given.
const fn as_base_type(code: i32) -> BaseType_t {
    code as BaseType_t
}

/// Largest byte count a `BaseType_t` return can report.
const MAX_IO: usize = BaseType_t::MAX as usize;
