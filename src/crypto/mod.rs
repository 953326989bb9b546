//! The elliptic-curve operations mbedTLS hands to this library through its
//! ALT hooks (feature `p256-cortex-m4`): ECDH key generation, the ECDH
//! shared secret and ECDSA verification.
//!
//! secp256r1 runs on the P256-Cortex-M4 assembly ([`p256_m4`]), every other
//! group (X25519, P-384, ...) on mbedTLS's own generic ECP arithmetic
//! ([`generic`]), which the ALT macros leave in place. Both validate their
//! inputs as mbedTLS does and answer with mbedTLS's error codes. The C entry
//! points are the thin wrappers in `ffi::ecp_alt`.

#[cfg(not(p256_cortex_m4_target))]
compile_error!(
    "feature p256-cortex-m4 is for thumbv7em-* and thumbv8m.main-* targets only (its assembly needs the \
     Cortex-M4/M7/M33 DSP instructions)"
);

mod generic;
mod mpi;
mod p256_m4;
mod rng;

use core::ffi::c_int;
use mbedtls_sys as m;

pub use rng::{Rng, RngCallback};

/// Success, or the mbedTLS error code (a negative `MBEDTLS_ERR_*`).
pub type EcpResult = Result<(), c_int>;

/// A new key pair on `grp`: the private scalar `d` drawn from `rng` in
/// [1, n-1], the public point `q = d·G`.
pub fn gen_public(grp: &mut m::ecp_group, d: &mut m::mpi, q: &mut m::ecp_point, rng: &mut Rng) -> EcpResult {
    if grp.id == m::ECP_DP_SECP256R1 {
        p256_m4::gen_public(grp, d, q, rng)
    } else {
        generic::gen_public(grp, d, q, rng)
    }
}

/// The ECDH shared secret: `z` = the x coordinate of `d·q`. `q` must be a
/// valid point of `grp` and `d` a valid private scalar
/// (`MBEDTLS_ERR_ECP_INVALID_KEY` otherwise). `rng`, when given, blinds
/// mbedTLS's generic arithmetic (the assembly is constant-time without).
pub fn compute_shared(
    grp: &mut m::ecp_group,
    z: &mut m::mpi,
    q: &m::ecp_point,
    d: &m::mpi,
    rng: Option<&mut Rng>,
) -> EcpResult {
    if grp.id == m::ECP_DP_SECP256R1 {
        p256_m4::compute_shared(z, q, d)
    } else {
        generic::compute_shared(grp, z, q, d, rng)
    }
}

/// ECDSA verification of (`r`, `s`) over the message hash `hash` with the
/// public key `q`: `MBEDTLS_ERR_ECP_VERIFY_FAILED` for a wrong signature or
/// r, s outside [1, n-1], `MBEDTLS_ERR_ECP_INVALID_KEY` for a key that is
/// not a point of the curve.
pub fn verify(grp: &mut m::ecp_group, hash: &[u8], q: &m::ecp_point, r: &m::mpi, s: &m::mpi) -> EcpResult {
    if grp.id == m::ECP_DP_SECP256R1 {
        p256_m4::verify(hash, q, r, s)
    } else {
        generic::verify(grp, hash, q, r, s)
    }
}
