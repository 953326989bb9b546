//! Conversions between mbedTLS's bignums (`mbedtls_mpi`) and the 256-bit
//! word arrays of the P256-Cortex-M4 routines, and owned mbedTLS
//! temporaries that free (and so wipe) themselves.

use core::mem::MaybeUninit;

use core::ffi::c_int;
use mbedtls_sys as m;
use zeroize::Zeroizing;

use super::EcpResult;

/// A 256-bit number as P256-Cortex-M4 takes it: eight 32-bit words, least
/// significant first.
pub type Words = [u32; 8];

/// `code` as a result: the library's one mbedTLS return-code mapping
/// ([`crate::error::mbedtls_rc`]); these functions return 0 or an error.
pub fn check(code: c_int) -> EcpResult {
    crate::error::mbedtls_rc(code).map(drop)
}

/// The sign of `x - v`, as mbedTLS's `mbedtls_mpi_cmp_int` gives it.
pub fn cmp_int(x: &m::mpi, v: i32) -> c_int {
    // SAFETY: `x` is an initialised mpi (a reference); only read.
    unsafe { m::mpi_cmp_int(x, v.into()) }
}

/// The sign of `x - y`.
pub fn cmp(x: &m::mpi, y: &m::mpi) -> c_int {
    // SAFETY: both are initialised mpis; only read.
    unsafe { m::mpi_cmp_mpi(x, y) }
}

/// `x` as words into `out`; false when `x` is negative or 2^256 or more.
pub fn to_words(x: &m::mpi, out: &mut Words) -> bool {
    if cmp_int(x, 0) < 0 {
        return false;
    }
    let mut bytes = Zeroizing::new([0u8; 32]);
    // SAFETY: `x` is an initialised mpi; the buffer is 32 writable bytes.
    if unsafe { m::mpi_write_binary_le(x, bytes.as_mut_ptr(), bytes.len()) } != 0 {
        return false;
    }
    for (word, chunk) in out.iter_mut().zip(bytes.chunks_exact(4)) {
        *word = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
    }
    true
}

/// Sets `x` to the number `words`.
pub fn set_words(x: &mut m::mpi, words: &Words) -> EcpResult {
    let mut bytes = Zeroizing::new([0u8; 32]);
    for (chunk, word) in bytes.chunks_exact_mut(4).zip(words) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    // SAFETY: `x` is an initialised mpi, exclusively ours; 32 readable bytes.
    check(unsafe { m::mpi_read_binary_le(x, bytes.as_ptr(), bytes.len()) })
}

/// Sets `x` to the big-endian number `bytes`.
pub fn set_be(x: &mut m::mpi, bytes: &[u8]) -> EcpResult {
    // SAFETY: `x` is an initialised mpi, exclusively ours; `bytes` readable.
    check(unsafe { m::mpi_read_binary(x, bytes.as_ptr(), bytes.len()) })
}

/// The 32-byte big-endian encoding of `words`.
pub fn words_to_be(words: &Words, out: &mut [u8; 32]) {
    for (chunk, word) in out.chunks_exact_mut(4).rev().zip(words) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
}

/// The number encoded big-endian in `bytes`, as words.
pub fn be_to_words(bytes: &[u8; 32], out: &mut Words) {
    for (word, chunk) in out.iter_mut().zip(bytes.chunks_exact(4).rev()) {
        *word = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
    }
}

/// An mbedTLS bignum this code owns; freed (mbedTLS wipes it) on drop.
pub struct Mpi(pub m::mpi);

impl Mpi {
    pub(super) fn new() -> Self {
        let mut x = MaybeUninit::<m::mpi>::uninit();
        // SAFETY: mbedtls_mpi_init writes every field of the struct.
        unsafe {
            m::mpi_init(x.as_mut_ptr());
            Self(x.assume_init())
        }
    }
}

impl Drop for Mpi {
    fn drop(&mut self) {
        // SAFETY: initialised by `new`, freed once.
        unsafe { m::mpi_free(&raw mut self.0) }
    }
}

/// An mbedTLS point this code owns; freed (and wiped) on drop.
pub struct Point(pub m::ecp_point);

impl Point {
    pub(super) fn new() -> Self {
        let mut p = MaybeUninit::<m::ecp_point>::uninit();
        // SAFETY: mbedtls_ecp_point_init writes every field of the struct.
        unsafe {
            m::ecp_point_init(p.as_mut_ptr());
            Self(p.assume_init())
        }
    }
}

impl Drop for Point {
    fn drop(&mut self) {
        // SAFETY: initialised by `new`, freed once.
        unsafe { m::ecp_point_free(&raw mut self.0) }
    }
}
