//! Every group but secp256r1 (X25519, P-384, ...) on mbedTLS's generic ECP
//! arithmetic: what mbedTLS's own ecdh.c / ecdsa.c do, which the ALT
//! macros compile out, rebuilt from the ECP and bignum functions they keep.

use mbedtls_sys as m;

use super::mpi::{self, check, Mpi, Point};
use super::{EcpResult, Rng};

/// `d` from `rng` (mbedTLS's private-key rules for the curve shape), `q = d·G`.
pub fn gen_public(grp: &mut m::ecp_group, d: &mut m::mpi, q: &mut m::ecp_point, rng: &mut Rng) -> EcpResult {
    let (f_rng, p_rng) = rng.as_raw();
    // SAFETY: `grp`, `d` and `q` are initialised and exclusively ours for
    // the call; the RNG pair is the caller's (`Rng::new`'s contract).
    check(unsafe { m::ecp_gen_keypair(grp, d, q, f_rng, p_rng) })
}

/// `z` = x(`d`·`q`), after mbedTLS's checks of `d` and `q`.
pub fn compute_shared(
    grp: &mut m::ecp_group,
    z: &mut m::mpi,
    q: &m::ecp_point,
    d: &m::mpi,
    rng: Option<&mut Rng>,
) -> EcpResult {
    let (f_rng, p_rng) = rng.map_or((None, core::ptr::null_mut()), Rng::as_raw);
    let mut shared = Point::new();
    // SAFETY: all initialised; `shared` is ours; the RNG pair (or none,
    // which mbedTLS accepts) is the caller's.
    check(unsafe { m::ecp_mul(grp, &raw mut shared.0, d, q, f_rng, p_rng) })?;
    // SAFETY: `shared` is an initialised point.
    if unsafe { m::ecp_is_zero(&raw mut shared.0) } != 0 {
        return Err(m::ERR_ECP_BAD_INPUT_DATA);
    }
    // SAFETY: both initialised; `z` is exclusively ours.
    check(unsafe { m::mpi_copy(z, crate::mbedtls::point_xyz(&shared.0).0) })
}

/// The hash as a number below n: its leftmost bits up to n's bit length,
/// reduced once (SEC1 4.1.4 step 3, as mbedTLS derives it).
fn hash_to_scalar(grp: &m::ecp_group, e: &mut m::mpi, hash: &[u8]) -> EcpResult {
    let n_bits = grp.nbits;
    let used = hash.len().min(n_bits.div_ceil(8));
    mpi::set_be(e, &hash[..used])?;
    if used * 8 > n_bits {
        // SAFETY: `e` is initialised and exclusively ours.
        check(unsafe { m::mpi_shift_r(e, used * 8 - n_bits) })?;
    }
    if mpi::cmp(e, &grp.N) >= 0 {
        let e = &raw mut *e;
        // SAFETY: in-place subtraction, which mbedTLS allows (aliased
        // through raw pointers, not references).
        check(unsafe { m::mpi_sub_mpi(e, e, &raw const grp.N) })?;
    }
    Ok(())
}

/// ECDSA verification (SEC1 4.1.4) with mbedTLS's checks and codes.
pub fn verify(grp: &mut m::ecp_group, hash: &[u8], q: &m::ecp_point, r: &m::mpi, s: &m::mpi) -> EcpResult {
    // SAFETY: a pure function of the group id; `grp.N` is initialised.
    // (A group never loaded has N without limbs: bit length 0.)
    if unsafe { m::ecdsa_can_do(grp.id) } == 0 || unsafe { m::mpi_bitlen(&grp.N) } == 0 {
        return Err(m::ERR_ECP_BAD_INPUT_DATA);
    }
    let out_of_range = |x: &m::mpi| mpi::cmp_int(x, 1) < 0 || mpi::cmp(x, &grp.N) >= 0;
    if out_of_range(r) || out_of_range(s) {
        return Err(m::ERR_ECP_VERIFY_FAILED);
    }
    let mut e = Mpi::new();
    hash_to_scalar(grp, &mut e.0, hash)?;
    let (mut s_inv, mut u1, mut u2) = (Mpi::new(), Mpi::new(), Mpi::new());
    // From here on the group is used through one raw pointer: mbedTLS gets
    // the group and its own N and G side by side.
    let grp = &raw mut *grp;
    // SAFETY: `grp` points to the caller's group, valid for the call.
    let (n, g) = unsafe { (&raw const (*grp).N, &raw const (*grp).G) };
    let (pu1, pu2) = (&raw mut u1.0, &raw mut u2.0);
    // SAFETY: every pointer is to an initialised mpi; the in-place
    // reductions alias through raw pointers, which mbedTLS allows.
    unsafe {
        check(m::mpi_inv_mod(&raw mut s_inv.0, s, n))?;
        check(m::mpi_mul_mpi(pu1, &raw const e.0, &raw const s_inv.0))?;
        check(m::mpi_mod_mpi(pu1, pu1, n))?;
        check(m::mpi_mul_mpi(pu2, r, &raw const s_inv.0))?;
        check(m::mpi_mod_mpi(pu2, pu2, n))?;
    }
    let mut sum = Point::new();
    // SAFETY: all initialised; `grp` with its own G, as mbedTLS's verify
    // passes them. mbedTLS checks `q` here (MBEDTLS_ERR_ECP_INVALID_KEY).
    check(unsafe { m::ecp_muladd(grp, &raw mut sum.0, pu1, g, pu2, q) })?;
    // SAFETY: `sum` is an initialised point.
    if unsafe { m::ecp_is_zero(&raw mut sum.0) } != 0 {
        return Err(m::ERR_ECP_VERIFY_FAILED);
    }
    let x = &raw mut *crate::mbedtls::point_x_mut(&mut sum.0);
    // SAFETY: in-place reduction through a raw pointer; all initialised.
    check(unsafe { m::mpi_mod_mpi(x, x, n) })?;
    if mpi::cmp(crate::mbedtls::point_xyz(&sum.0).0, r) != 0 {
        return Err(m::ERR_ECP_VERIFY_FAILED);
    }
    Ok(())
}
