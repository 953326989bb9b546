//! `freertos-tls`: a memory-safe drop-in replacement for the Amazon FreeRTOS
//! TLS layer (`aws_tls.h` / `iot_tls.h`) and the board's
//! `mbedtls_hardware_poll`, over mbedTLS 2.28.
//!
//! Layers, top to bottom: [`ffi`] (the C boundary: every exported symbol),
//! [`tls`] (one connection), [`entropy`] (the active RNG port),
//! [`platform`] (clocks, logging, heap). [`c_types`] and [`error`] are
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
pub mod crypto;
/// Internal layer: nothing here belongs in the C header.
/// cbindgen:ignore
pub mod entropy;
pub mod error;
mod fallible;
pub mod ffi;
/// The seam to mbedTLS's internals (see the module). Public only for the
/// layout test (tests/layout.rs).
/// cbindgen:ignore
#[doc(hidden)]
pub mod mbedtls;
/// Internal layer: nothing here belongs in the C header.
/// cbindgen:ignore
pub mod pkcs11;
/// Internal layer: nothing here belongs in the C header.
/// cbindgen:ignore
pub mod platform;
/// Internal layer: nothing here belongs in the C header.
/// cbindgen:ignore
pub mod tls;

pub use error::{Error, Result};
