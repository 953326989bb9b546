//! `freertos-tls`: a memory-safe drop-in replacement for the Amazon FreeRTOS
//! TLS layer (`aws_tls.h` / `iot_tls.h`) and the board's
//! `mbedtls_hardware_poll`, over mbedTLS 2.28.
//!
//! Layers, top to bottom: [`ffi`] (the C ABI), [`tls`] (one connection),
//! [`entropy`] (the active RNG port), [`platform`] (clocks and C hooks).
#![no_std]
#![forbid(unsafe_op_in_unsafe_fn)]

extern crate alloc;

/// mbedTLS's ECDH/ECDSA-verify ALT hooks (feature `p256-cortex-m4`).
/// cbindgen:ignore
#[cfg(feature = "p256-cortex-m4")]
pub mod crypto;
pub mod entropy;
pub mod error;
mod fallible;
pub mod ffi;
/// Internal to the library: nothing here belongs in the C header.
/// cbindgen:ignore
pub mod pkcs11;
pub mod platform;
pub mod tls;

pub use error::{Error, Result};
