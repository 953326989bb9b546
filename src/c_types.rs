//! The C types every layer shares: FreeRTOS's `BaseType_t` and the
//! signatures of the hooks a firmware registers.
//!
//! A leaf: this module imports nothing from the crate, so `tls` and
//! `platform` use these types without depending on the C boundary
//! (`ffi`), which sits above them. The names are the C names of the
//! header, which is ABI.
#![allow(non_camel_case_types, non_snake_case)]

use core::ffi::{c_char, c_long};

/// FreeRTOS's `BaseType_t` (`long` on the POSIX and Cortex-M ports). The
/// header takes it from `FreeRTOS.h`, so cbindgen must not emit it:
/// cbindgen:ignore
pub type BaseType_t = c_long;

/// UTC clock: seconds since 1970-01-01 UTC, negative while unknown.
pub type TLSUtcClock_t = Option<extern "C" fn() -> i64>;

/// The original library's expiry hook: non-zero when the given day
/// (1-31), month (1-12) and year (e.g. 2030) lie in the past.
pub type DateIsInThePast_t = Option<extern "C" fn(day: BaseType_t, month: BaseType_t, year: BaseType_t) -> BaseType_t>;

/// Log sink: level (1 error .. 4 debug) and a NUL-terminated line.
pub type TLSLogHook_t = Option<extern "C" fn(xLevel: BaseType_t, pcMessage: *const c_char)>;
