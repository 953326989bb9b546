//! Raw bindings to mbedTLS 3.6, generated at build time against the
//! headers and configuration the C side is compiled with (see build.rs).
//! The `mbedtls_`/`MBEDTLS_` prefix is dropped: `mbedtls_ssl_init` is
//! `ssl_init`. Fields mbedTLS marks private keep its `private_` prefix, so
//! every use of an internal shows at the call site.
//!
//! The library's own seam to these bindings is `src/mbedtls/` of the
//! freertos-tls crate; nothing else there should need this crate's
//! version-specific shapes.
#![no_std]
#![allow(non_camel_case_types, non_snake_case, non_upper_case_globals, dead_code, clippy::all)]

include!(concat!(env!("OUT_DIR"), "/bindings.rs"));
