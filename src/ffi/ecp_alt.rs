//! mbedTLS's ECDH and ECDSA-verify functions, provided by this library
//! under feature `p256-cortex-m4`: mbedTLS is compiled with
//! `MBEDTLS_ECDH_GEN_PUBLIC_ALT`, `MBEDTLS_ECDH_COMPUTE_SHARED_ALT` and
//! `MBEDTLS_ECDSA_VERIFY_ALT`, so it has none of its own and its TLS, PK
//! and X.509 code call these. Thin wrappers: argument checks, then
//! `crate::crypto`. Signatures and return codes are mbedTLS 3.6's (the
//! same as 2.28's). In a renamed private copy (feature `mbedtls-private`)
//! mbedTLS calls them by the prefixed names, so they are exported so.

use core::ffi::{c_int, c_uchar, c_void};
use mbedtls_sys as m;

use crate::crypto::{self, EcpResult, Rng, RngCallback};

fn status(result: EcpResult) -> c_int {
    result.err().unwrap_or(0)
}

/// `mbedtls_ecdh_gen_public`: a new ECDH key pair on `grp`, the private
/// scalar `d` from `f_rng` (in [1, n-1]) and the public point `Q = d·G`.
///
/// Returns 0; `MBEDTLS_ERR_ECP_BAD_INPUT_DATA` for a NULL argument;
/// `MBEDTLS_ERR_ECP_RANDOM_FAILED` when the RNG keeps giving unusable
/// values; the RNG's own error; an mbedTLS bignum error (allocation).
///
/// # Safety
/// `grp` must point to a loaded group, `d` and `Q` to an initialised mpi
/// and point that nothing else accesses during the call; `f_rng(p_rng,
/// buf, len)` must be safe to call for any writable `buf` of `len` bytes.
#[cfg_attr(not(mbedtls_private), no_mangle)]
#[cfg_attr(mbedtls_private, export_name = "freertos_tls_mbedtls_ecdh_gen_public")]
pub unsafe extern "C" fn mbedtls_ecdh_gen_public(
    grp: *mut m::ecp_group,
    d: *mut m::mpi,
    Q: *mut m::ecp_point,
    f_rng: Option<RngCallback>,
    p_rng: *mut c_void,
) -> c_int {
    let Some(f_rng) = f_rng else { return m::ERR_ECP_BAD_INPUT_DATA };
    // SAFETY: NULL or valid and exclusive for the call (the contract above).
    let (Some(grp), Some(d), Some(q)) = (unsafe { grp.as_mut() }, unsafe { d.as_mut() }, unsafe { Q.as_mut() }) else {
        return m::ERR_ECP_BAD_INPUT_DATA;
    };
    // SAFETY: the RNG pair fulfils Rng::new's contract (the contract above).
    let mut rng = unsafe { Rng::new(f_rng, p_rng) };
    status(crypto::gen_public(grp, d, q, &mut rng))
}

/// `mbedtls_ecdh_compute_shared`: the shared secret `z` = x(`d`·`Q`).
///
/// Returns 0; `MBEDTLS_ERR_ECP_BAD_INPUT_DATA` for a NULL argument (or a
/// product at infinity); `MBEDTLS_ERR_ECP_INVALID_KEY` when `Q` is not a
/// point of the curve or `d` is not a valid private scalar; an mbedTLS
/// bignum error (allocation). `f_rng` may be NULL (it only blinds the
/// generic arithmetic of groups other than secp256r1).
///
/// # Safety
/// `grp` must point to a loaded group, `Q` to an initialised point and `d`
/// to an initialised mpi, `z` to an initialised mpi that nothing else
/// accesses during the call; a non-NULL `f_rng` as for
/// [`mbedtls_ecdh_gen_public`].
#[cfg_attr(not(mbedtls_private), no_mangle)]
#[cfg_attr(mbedtls_private, export_name = "freertos_tls_mbedtls_ecdh_compute_shared")]
pub unsafe extern "C" fn mbedtls_ecdh_compute_shared(
    grp: *mut m::ecp_group,
    z: *mut m::mpi,
    Q: *const m::ecp_point,
    d: *const m::mpi,
    f_rng: Option<RngCallback>,
    p_rng: *mut c_void,
) -> c_int {
    // SAFETY: NULL or valid for the call, `grp` and `z` exclusively (above).
    let (Some(grp), Some(z), Some(q), Some(d)) =
        (unsafe { grp.as_mut() }, unsafe { z.as_mut() }, unsafe { Q.as_ref() }, unsafe { d.as_ref() })
    else {
        return m::ERR_ECP_BAD_INPUT_DATA;
    };
    // SAFETY: a given RNG pair fulfils Rng::new's contract (above).
    let mut rng = f_rng.map(|f| unsafe { Rng::new(f, p_rng) });
    status(crypto::compute_shared(grp, z, q, d, rng.as_mut()))
}

/// `mbedtls_ecdsa_verify`: checks the ECDSA signature (`r`, `s`) of the
/// hash `buf[..blen]` under the public key `Q`.
///
/// Returns 0 for a valid signature; `MBEDTLS_ERR_ECP_VERIFY_FAILED` for a
/// wrong one or r, s outside [1, n-1]; `MBEDTLS_ERR_ECP_INVALID_KEY` when
/// `Q` is not a point of the curve; `MBEDTLS_ERR_ECP_BAD_INPUT_DATA` for a
/// NULL argument (`buf` may be NULL only when `blen` is 0) or a group ECDSA
/// cannot use (Curve25519).
///
/// # Safety
/// `grp` must point to a loaded group that nothing else accesses during
/// the call, `Q`, `r`, `s` to an initialised point and mpis, `buf` to
/// `blen` readable bytes.
#[cfg_attr(not(mbedtls_private), no_mangle)]
#[cfg_attr(mbedtls_private, export_name = "freertos_tls_mbedtls_ecdsa_verify")]
pub unsafe extern "C" fn mbedtls_ecdsa_verify(
    grp: *mut m::ecp_group,
    buf: *const c_uchar,
    blen: usize,
    Q: *const m::ecp_point,
    r: *const m::mpi,
    s: *const m::mpi,
) -> c_int {
    // SAFETY: NULL or valid for the call, `grp` exclusively (above).
    let (Some(grp), Some(q), Some(r), Some(s)) =
        (unsafe { grp.as_mut() }, unsafe { Q.as_ref() }, unsafe { r.as_ref() }, unsafe { s.as_ref() })
    else {
        return m::ERR_ECP_BAD_INPUT_DATA;
    };
    // SAFETY: `buf` has `blen` readable bytes (above).
    let Some(hash) = (unsafe { super::slice::bytes(buf, blen) }) else {
        return m::ERR_ECP_BAD_INPUT_DATA;
    };
    status(crypto::verify(grp, hash, q, r, s))
}
