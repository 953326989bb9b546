//! The Rust half of the layout check (the C half is built by build.rs into
//! the same rlib). scripts/test-cross.sh reads both tables out of the
//! objects and compares them entry by entry.
#![no_std]

use mbedtls_sys as m;

/// The library's mirror of mbedTLS's internal `pk_info_t`, compiled here
/// as it is in the library.
#[allow(dead_code)]
#[path = "../../../src/mbedtls/pk_info.rs"]
mod pk_info;

include!(concat!(env!("OUT_DIR"), "/rust_layout.rs"));
