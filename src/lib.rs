//! `freertos-tls`: a memory-safe drop-in replacement for the Amazon FreeRTOS
//! TLS layer (`aws_tls.h` / `iot_tls.h`) and the board's
//! `mbedtls_hardware_poll`, over mbedTLS 3.6 LTS (the firmware's own, or
//! a pinned upstream release: see `mbedtls-sys`).
//!
//! Layers, top to bottom: [`ffi`] (the C boundary: every exported symbol),
//! `tls` (one connection), [`entropy`] (the active RNG port),
//! `platform` (clocks, logging, heap). [`c_types`] and [`error`] are
//! leaves every layer uses. The header (`include/iot_tls.h`) is generated
//! from `ffi`, `c_types` and `error`; the other layers are marked
//! `cbindgen:ignore` below, so nothing internal can leak into it.
#![no_std]
// The unsafe rules the code follows, held by the compiler: every unsafe
// operation sits in its own `unsafe` block, even inside an unsafe fn; each
// block says why it is sound; each unsafe fn (and callback handed to C)
// says what its caller must guarantee; raw pointers come from `&raw`.
#![forbid(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks, clippy::missing_safety_doc, clippy::borrow_as_ptr)]

extern crate alloc;

pub mod c_types;
/// mbedTLS's ECDH/ECDSA-verify ALT hooks (feature `p256-cortex-m4`).
/// cbindgen:ignore
#[cfg(feature = "p256-cortex-m4")]
pub(crate) mod crypto;
/// The active RNG port. Public for one item only: `register_source`
/// (feature `port-rand-core`), which a Rust firmware calls
/// (ports/README.md); the rest is internal. Nothing here belongs in the
/// C header.
/// cbindgen:ignore
pub mod entropy;
pub mod error;
mod fallible;
pub mod ffi;
/// The seam to mbedTLS's internals (see the module).
/// cbindgen:ignore
pub(crate) mod mbedtls;
/// Internal layer: nothing here belongs in the C header.
/// cbindgen:ignore
pub(crate) mod pkcs11;
/// Internal layer: nothing here belongs in the C header.
/// cbindgen:ignore
pub(crate) mod platform;
/// Internal layer: nothing here belongs in the C header.
/// cbindgen:ignore
pub(crate) mod tls;

pub use error::{Error, Result};

/// For this crate's integration tests (tests/); not an API: no
/// stability, not in the header. The internals are `pub(crate)`; this is
/// the one door to the few the tests check directly.
/// cbindgen:ignore
#[doc(hidden)]
pub mod testing {
    pub use crate::mbedtls::pk_info::LAYOUT as PK_INFO_LAYOUT;
    pub use crate::tls::record_size::{OUT_CONTENT_LEN, RECORD_CONTENT_LEN};
    pub use crate::tls::session_cache::len as session_cache_len;
    pub use crate::tls::DEFAULT_HANDSHAKE_TIMEOUT_MS;
}
