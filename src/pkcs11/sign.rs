//! Turning a handshake hash into module input, and module output into the
//! signature format mbedTLS sends: PKCS#1 v1.5 DigestInfo for RSA, and
//! ASN.1 DER `Ecdsa-Sig-Value` from the module's raw r||s for ECDSA.

use mbedtls_sys as m;

// DER `DigestInfo` prefixes (RFC 8017, section 9.2, note 1): `SEQUENCE {
// AlgorithmIdentifier { hash OID, NULL }, OCTET STRING` up to the hash
// itself, whose length they end with.
/// SHA-1 (OID 1.3.14.3.2.26).
const SHA1_PREFIX: [u8; 15] =
    [0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14];
/// SHA-224 (OID 2.16.840.1.101.3.4.2.4).
const SHA224_PREFIX: [u8; 19] =
    [0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c];
/// SHA-256 (OID 2.16.840.1.101.3.4.2.1).
const SHA256_PREFIX: [u8; 19] =
    [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];
/// SHA-384 (OID 2.16.840.1.101.3.4.2.2).
const SHA384_PREFIX: [u8; 19] =
    [0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30];
/// SHA-512 (OID 2.16.840.1.101.3.4.2.3).
const SHA512_PREFIX: [u8; 19] =
    [0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40];

/// Largest DigestInfo written here: SHA-512's.
pub const MAX_DIGEST_INFO_LEN: usize = SHA512_PREFIX.len() + 64;

/// Write the DigestInfo of `hash` for `md` (`prefix || hash`) into `out`;
/// returns its length. `MD_NONE` has no prefix: the caller already built
/// the input. `None` when the hash is not signed here, its length is wrong
/// for `md`, or `out` is too small.
pub fn digest_info(md: m::md_type_t, hash: &[u8], out: &mut [u8]) -> Option<usize> {
    let prefix: &[u8] = match md {
        m::MD_NONE => &[],
        m::MD_SHA1 => &SHA1_PREFIX,
        m::MD_SHA224 => &SHA224_PREFIX,
        m::MD_SHA256 => &SHA256_PREFIX,
        m::MD_SHA384 => &SHA384_PREFIX,
        m::MD_SHA512 => &SHA512_PREFIX,
        _ => return None,
    };
    // Each prefix ends with the length of the hash it is for.
    if let Some(&hash_len) = prefix.last() {
        if usize::from(hash_len) != hash.len() {
            return None;
        }
    }
    let total = prefix.len() + hash.len();
    let (head, tail) = out.get_mut(..total)?.split_at_mut_checked(prefix.len())?;
    head.copy_from_slice(prefix);
    tail.copy_from_slice(hash);
    Some(total)
}

/// Largest raw ECDSA signature taken here: P-521 (2 x 66 bytes).
pub const MAX_ECDSA_RAW_LEN: usize = 2 * 66;

/// Largest DER ECDSA signature produced here: P-521 (2 x 66-byte integers).
#[cfg(test)]
pub const MAX_ECDSA_DER_LEN: usize = 3 + 2 * (2 + 1 + 66);

/// Re-encode a raw `r || s` (two equal halves, as `CKM_ECDSA` returns) as
/// DER `SEQUENCE { INTEGER r, INTEGER s }` into `out`; returns its length.
pub fn ecdsa_raw_to_der(raw: &[u8], out: &mut [u8]) -> Option<usize> {
    if raw.is_empty() || raw.len() % 2 != 0 || raw.len() > MAX_ECDSA_RAW_LEN {
        return None;
    }
    let (r, s) = raw.split_at(raw.len() / 2);
    let (r, s) = (DerInteger::of(r), DerInteger::of(s));
    let body_len = r.len() + s.len();
    // Below 128 the length is one byte, else 0x81 and one byte (< 256 here).
    let header: &[u8] = if body_len < 0x80 { &[0x30, body_len as u8] } else { &[0x30, 0x81, body_len as u8] };
    let total = header.len() + body_len;
    let (head, body) = out.get_mut(..total)?.split_at_mut_checked(header.len())?;
    head.copy_from_slice(header);
    s.write(r.write(body)?)?;
    Some(total)
}

/// A non-negative INTEGER: its minimal big-endian magnitude (no leading
/// zero bytes, but at least one byte), behind a zero byte when the top bit
/// is set (it would read as negative).
struct DerInteger<'a> {
    pad: bool,
    magnitude: &'a [u8],
}

impl<'a> DerInteger<'a> {
    // One copy for r and s.
    #[inline(never)]
    fn of(v: &'a [u8]) -> Self {
        let first = v.iter().position(|&b| b != 0).unwrap_or(v.len().saturating_sub(1));
        let magnitude = v.get(first..).unwrap_or_default();
        DerInteger { pad: magnitude.first().is_some_and(|&b| b & 0x80 != 0), magnitude }
    }

    /// Encoded size (tag, one length byte, value).
    fn len(&self) -> usize {
        2 + usize::from(self.pad) + self.magnitude.len()
    }

    /// Write the INTEGER at the start of `out`; the rest of `out` after it,
    /// or `None` when it does not fit. (Checked access only: no panic path
    /// in the signing code.)
    #[inline(never)]
    fn write<'o>(&self, out: &'o mut [u8]) -> Option<&'o mut [u8]> {
        let (this, rest) = out.split_at_mut_checked(self.len())?;
        let (head, value) = this.split_at_mut_checked(2 + usize::from(self.pad))?;
        if let [tag, length, pad @ ..] = head {
            *tag = 0x02;
            *length = (self.len() - 2) as u8;
            pad.fill(0);
        }
        value.copy_from_slice(self.magnitude);
        Some(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The DER DigestInfo header of each SHA-2 (OID 2.16.840.1.101.3.4.2.`oid_last`),
    /// put together independently of the prefixes above.
    const fn sha2_prefix(total_len: u8, oid_last: u8, hash_len: u8) -> [u8; 19] {
        [
            0x30, total_len, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, oid_last, 0x05,
            0x00, 0x04, hash_len,
        ]
    }

    #[test]
    fn digest_infos_are_consistent_der() {
        let hash = [0xA5; 64];
        let mut out = [0u8; MAX_DIGEST_INFO_LEN];
        for (md, hash_len, expected) in [
            (
                m::MD_SHA1,
                20,
                &[0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14][..],
            ),
            (m::MD_SHA224, 28, &sha2_prefix(0x2d, 0x04, 28)[..]),
            (m::MD_SHA256, 32, &sha2_prefix(0x31, 0x01, 32)[..]),
            (m::MD_SHA384, 48, &sha2_prefix(0x41, 0x02, 48)[..]),
            (m::MD_SHA512, 64, &sha2_prefix(0x51, 0x03, 64)[..]),
        ] {
            let n = digest_info(md, &hash[..hash_len], &mut out).unwrap();
            let p = &out[..n - hash_len];
            assert_eq!(p, expected, "md {md}");
            assert_eq!(&out[n - hash_len..n], &hash[..hash_len]);
            // Outer SEQUENCE length covers everything after its 2-byte header.
            assert_eq!(usize::from(p[1]), n - 2, "md {md}");
            // AlgorithmIdentifier SEQUENCE ends right before the OCTET STRING.
            assert_eq!(4 + usize::from(p[3]), p.len() - 2, "md {md}");
            assert_eq!(p[p.len() - 2], 0x04);
            assert_eq!(usize::from(p[p.len() - 1]), hash_len);
        }
        assert_eq!(digest_info(m::MD_MD5, &hash[..16], &mut out), None);
    }

    #[test]
    fn digest_info_checks_hash_length_and_space() {
        let hash = [0xAB; 32];
        let mut out = [0u8; 64];
        let n = digest_info(m::MD_SHA256, &hash, &mut out).unwrap();
        assert_eq!(n, 19 + 32);
        assert_eq!(&out[..19], &sha2_prefix(0x31, 0x01, 32));
        assert_eq!(&out[19..n], &hash);
        assert_eq!(digest_info(m::MD_SHA384, &hash, &mut out), None, "wrong hash length");
        assert_eq!(digest_info(m::MD_SHA1, &hash, &mut out), None, "wrong hash length");
        assert_eq!(digest_info(m::MD_SHA256, &hash, &mut out[..50]), None, "no room");
        assert_eq!(digest_info(m::MD_NONE, &hash[..5], &mut out), Some(5));
        assert_eq!(&out[..5], &hash[..5]);
    }

    #[test]
    fn ecdsa_der_follows_integer_rules() {
        let mut out = [0u8; MAX_ECDSA_DER_LEN];
        // Top bit set: a zero byte is prepended.
        let mut raw = [0u8; 64];
        raw[0] = 0x80;
        raw[32] = 0x01;
        raw[63] = 0x02;
        let n = ecdsa_raw_to_der(&raw, &mut out).unwrap();
        assert_eq!(&out[..5], &[0x30, (n - 2) as u8, 0x02, 33, 0x00]);
        assert_eq!(out[5], 0x80);
        // Leading zeros of s are dropped: 0x01 00..00 02 -> 32 bytes.
        assert_eq!(&out[2 + 35..2 + 37], &[0x02, 32]);
        assert_eq!(out[2 + 37], 0x01);
        assert_eq!(n, 2 + 35 + 34);
        // All-zero halves still encode one byte each.
        let n = ecdsa_raw_to_der(&[0u8; 64], &mut out).unwrap();
        assert_eq!(&out[..n], &[0x30, 6, 0x02, 1, 0, 0x02, 1, 0]);
        // Long form length for P-521 sized values with top bits set.
        let n = ecdsa_raw_to_der(&[0xFF; 132], &mut out).unwrap();
        assert_eq!(n, MAX_ECDSA_DER_LEN);
        assert_eq!(&out[..3], &[0x30, 0x81, (n - 3) as u8]);
    }

    #[test]
    fn ecdsa_der_rejects_bad_input_and_small_output() {
        let mut out = [0u8; MAX_ECDSA_DER_LEN];
        assert_eq!(ecdsa_raw_to_der(&[], &mut out), None);
        assert_eq!(ecdsa_raw_to_der(&[1; 63], &mut out), None);
        assert_eq!(ecdsa_raw_to_der(&[1; 134], &mut out), None);
        assert_eq!(ecdsa_raw_to_der(&[0xFF; 64], &mut out[..60]), None);
    }

    #[test]
    fn ecdsa_der_parses_back_with_mbedtls() {
        // The same structure mbedTLS's own ECDSA writes must read back.
        let mut raw = [0u8; 64];
        for (i, b) in raw.iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(37).wrapping_add(0x90);
        }
        let mut out = [0u8; MAX_ECDSA_DER_LEN];
        let n = ecdsa_raw_to_der(&raw, &mut out).unwrap();
        let mut p = out.as_mut_ptr();
        // SAFETY: `p..end` is the encoded signature; the mpis are init/freed here.
        unsafe {
            let end = p.add(n);
            let mut len = 0usize;
            assert_eq!(m::asn1_get_tag(&raw mut p, end, &raw mut len, 0x30), 0);
            let mut r: m::mpi = core::mem::zeroed();
            let mut s: m::mpi = core::mem::zeroed();
            m::mpi_init(&raw mut r);
            m::mpi_init(&raw mut s);
            assert_eq!(m::asn1_get_mpi(&raw mut p, end, &raw mut r), 0);
            assert_eq!(m::asn1_get_mpi(&raw mut p, end, &raw mut s), 0);
            assert_eq!(p, end);
            let mut back = [0u8; 32];
            assert_eq!(m::mpi_write_binary(&raw const r, back.as_mut_ptr(), 32), 0);
            assert_eq!(back, raw[..32]);
            assert_eq!(m::mpi_write_binary(&raw const s, back.as_mut_ptr(), 32), 0);
            assert_eq!(back, raw[32..]);
            m::mpi_free(&raw mut r);
            m::mpi_free(&raw mut s);
        }
    }
}
