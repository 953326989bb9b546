//! secp256r1 on the P256-Cortex-M4 assembly (crate `p256-cortex-m4-sys`):
//! mbedTLS's numbers and points in, the routines' word arrays through, with
//! mbedTLS's checks and error codes around them.

use core::ffi::c_int;
use mbedtls_sys as m;
use p256_cortex_m4_sys as asm;
use zeroize::Zeroizing;

use super::mpi::{self, Words};
use super::{EcpResult, Rng};

/// Key generation draws 256 random bits and rejects values outside
/// [1, n-1] (probability about 2^-32 each); mbedTLS gives up after as many
/// draws (`MBEDTLS_ERR_ECP_RANDOM_FAILED`), so a broken RNG ends the loop.
const MAX_KEY_DRAWS: usize = 30;

/// Whether `k` is in [1, n-1].
fn in_scalar_range(k: &Words) -> bool {
    // SAFETY: `k` is eight readable words.
    unsafe { asm::P256_check_range_n(k.as_ptr()) }
}

/// The affine coordinates of `q`, when it is a point of the curve
/// (`MBEDTLS_ERR_ECP_INVALID_KEY` otherwise: the point at infinity, a Z
/// other than 1, a coordinate outside [0, p-1], or off the curve), as
/// mbedTLS's `mbedtls_ecp_check_pubkey` decides.
fn public_point(q: &m::ecp_point) -> Result<(Words, Words), c_int> {
    let (qx, qy, qz) = crate::mbedtls::point_xyz(q);
    let (mut x, mut y) = ([0u32; 8], [0u32; 8]);
    if mpi::cmp_int(qz, 1) != 0 || !mpi::to_words(qx, &mut x) || !mpi::to_words(qy, &mut y) {
        return Err(m::ERR_ECP_INVALID_KEY);
    }
    let encoded = uncompressed(&x, &y);
    let (mut dx, mut dy) = ([0u32; 8], [0u32; 8]);
    // SAFETY: two writable 8-word arrays and 65 readable bytes. The routine
    // checks both coordinates < p and the curve equation.
    let valid = unsafe { asm::p256_octet_string_to_point(dx.as_mut_ptr(), dy.as_mut_ptr(), encoded.as_ptr(), 65) };
    if valid {
        Ok((x, y))
    } else {
        Err(m::ERR_ECP_INVALID_KEY)
    }
}

/// The SEC1 uncompressed encoding 04 || X || Y of the point (`x`, `y`).
fn uncompressed(x: &Words, y: &Words) -> [u8; 65] {
    let (mut ex, mut ey) = ([0u8; 32], [0u8; 32]);
    mpi::words_to_be(x, &mut ex);
    mpi::words_to_be(y, &mut ey);
    let mut encoded = [0u8; 65];
    encoded[0] = 0x04;
    encoded[1..33].copy_from_slice(&ex);
    encoded[33..].copy_from_slice(&ey);
    encoded
}

/// Sets `q` to the affine point (`x`, `y`) of `grp` (Z = 1), through
/// mbedTLS's public point decoder.
fn set_point(grp: &m::ecp_group, q: &mut m::ecp_point, x: &Words, y: &Words) -> EcpResult {
    let encoded = uncompressed(x, y);
    // SAFETY: `grp` is a loaded group and `q` an initialised point,
    // exclusively ours; 65 readable bytes.
    mpi::check(unsafe { m::ecp_point_read_binary(grp, q, encoded.as_ptr(), encoded.len()) })
}

/// A key pair: `d` uniform in [1, n-1] from `rng`, `q = d·G`.
pub fn gen_public(grp: &m::ecp_group, d: &mut m::mpi, q: &mut m::ecp_point, rng: &mut Rng) -> EcpResult {
    let mut drawn = Zeroizing::new([0u8; 32]);
    let mut key = Zeroizing::new([0u32; 8]);
    let (mut x, mut y) = ([0u32; 8], [0u32; 8]);
    for _ in 0..MAX_KEY_DRAWS {
        rng.fill(&mut drawn[..])?;
        mpi::be_to_words(&drawn, &mut key);
        // SAFETY: two writable 8-word arrays and one readable. The routine
        // refuses (false) a key outside [1, n-1]: draw again.
        if unsafe { asm::p256_keygen(x.as_mut_ptr(), y.as_mut_ptr(), key.as_ptr()) } {
            mpi::set_words(d, &key)?;
            return set_point(grp, q, &x, &y);
        }
    }
    Err(m::ERR_ECP_RANDOM_FAILED)
}

/// `z` = x(`d`·`q`).
pub fn compute_shared(z: &mut m::mpi, q: &m::ecp_point, d: &m::mpi) -> EcpResult {
    let mut key = Zeroizing::new([0u32; 8]);
    if !mpi::to_words(d, &mut key) || !in_scalar_range(&key) {
        return Err(m::ERR_ECP_INVALID_KEY);
    }
    let (x, y) = public_point(q)?;
    let mut secret = Zeroizing::new([0u8; 32]);
    // SAFETY: 32 writable bytes and three readable 8-word arrays. The
    // routine checks the point again and returns false when it is invalid.
    if !unsafe { asm::p256_ecdh_calc_shared_secret(secret.as_mut_ptr(), key.as_ptr(), x.as_ptr(), y.as_ptr()) } {
        return Err(m::ERR_ECP_INVALID_KEY);
    }
    mpi::set_be(z, &secret[..])
}

/// ECDSA verification, checks in mbedTLS's order: r and s in [1, n-1]
/// (else a failed verification), then the key (else an invalid key).
pub fn verify(hash: &[u8], q: &m::ecp_point, r: &m::mpi, s: &m::mpi) -> EcpResult {
    let (mut rw, mut sw) = ([0u32; 8], [0u32; 8]);
    if !mpi::to_words(r, &mut rw) || !mpi::to_words(s, &mut sw) || !in_scalar_range(&rw) || !in_scalar_range(&sw) {
        return Err(m::ERR_ECP_VERIFY_FAILED);
    }
    let (x, y) = public_point(q)?;
    // Like mbedTLS, only the leftmost 256 bits of a longer hash count.
    let hash = &hash[..hash.len().min(32)];
    // SAFETY: four readable 8-word arrays and `hash.len()` (<= 32) readable
    // bytes. The routine reduces the hash modulo n itself.
    let valid =
        unsafe { asm::p256_verify(x.as_ptr(), y.as_ptr(), hash.as_ptr(), hash.len() as u32, rw.as_ptr(), sw.as_ptr()) };
    if valid {
        Ok(())
    } else {
        Err(m::ERR_ECP_VERIFY_FAILED)
    }
}
