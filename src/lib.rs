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
#![forbid(unsafe_op_in_unsafe_fn)]

extern crate alloc;

pub mod c_types;
/// Internal layer: nothing here belongs in the C header.
/// cbindgen:ignore
pub mod entropy;
pub mod error;
mod fallible;
pub mod ffi;
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
