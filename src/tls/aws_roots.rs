//! The built-in AWS IoT root certificates (Amazon Root CA 1, Amazon Root
//! CA 3, Starfield Services Root Certificate Authority - G2), kept in flash
//! as DER: `certs/aws-iot-roots.pem` is decoded while the crate compiles,
//! so the image holds 2.3 KB of certificates instead of 3.4 KB of PEM text,
//! and mbedTLS parses them in place (no heap copy of each certificate).

const PEM: &[u8] = include_bytes!("../../certs/aws-iot-roots.pem");

/// Number of certificates in [`PEM`].
const COUNT: usize = count_certificates(PEM);

/// Their DER, one after the other.
static DER: [u8; der_len(PEM)] = decode(PEM);

/// Where each certificate ends in [`DER`].
static ENDS: [usize; COUNT] = certificate_ends(&DER);

/// Each built-in root certificate as DER, in file order.
pub(crate) fn certificates() -> impl Iterator<Item = &'static [u8]> {
    let mut start = 0;
    ENDS.iter().map(move |&end| {
        let der = DER.get(start..end).unwrap_or_default();
        start = end;
        der
    })
}

const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
const END: &[u8] = b"-----END CERTIFICATE-----";

const fn starts_with(text: &[u8], at: usize, prefix: &[u8]) -> bool {
    if at + prefix.len() > text.len() {
        return false;
    }
    let mut i = 0;
    while i < prefix.len() {
        if text[at + i] != prefix[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Value of a base64 digit; `None` for anything else (line breaks, `=`).
const fn digit(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some((c - b'A') as u32),
        b'a'..=b'z' => Some((c - b'a') as u32 + 26),
        b'0'..=b'9' => Some((c - b'0') as u32 + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Walks the PEM text: base64 digits between the BEGIN and END lines are
/// decoded (into `out` when given); text outside them (comments) is
/// skipped. Returns the decoded length and the number of certificates.
const fn walk(pem: &[u8], mut out: Option<&mut [u8]>) -> (usize, usize) {
    let (mut i, mut len, mut count) = (0, 0, 0);
    let mut inside = false;
    let (mut acc, mut bits) = (0u32, 0u32);
    while i < pem.len() {
        if !inside && starts_with(pem, i, BEGIN) {
            inside = true;
            i += BEGIN.len();
            continue;
        }
        if inside && starts_with(pem, i, END) {
            assert!(bits < 8, "certs/aws-iot-roots.pem: a certificate's base64 is cut short");
            inside = false;
            count += 1;
            (acc, bits) = (0, 0);
            i += END.len();
            continue;
        }
        if inside {
            if let Some(d) = digit(pem[i]) {
                acc = (acc << 6) | d;
                bits += 6;
                if bits >= 8 {
                    bits -= 8;
                    if let Some(out) = &mut out {
                        out[len] = (acc >> bits) as u8;
                    }
                    len += 1;
                    acc &= (1 << bits) - 1;
                }
            }
        }
        i += 1;
    }
    assert!(!inside, "certs/aws-iot-roots.pem: a certificate has no END line");
    (len, count)
}

const fn der_len(pem: &[u8]) -> usize {
    walk(pem, None).0
}

const fn count_certificates(pem: &[u8]) -> usize {
    walk(pem, None).1
}

const fn decode<const N: usize>(pem: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    walk(pem, Some(&mut out));
    out
}

/// Each certificate is one DER SEQUENCE with a two-byte length (every
/// root certificate is between 256 bytes and 64 KiB).
const fn certificate_ends<const N: usize>(der: &[u8]) -> [usize; N] {
    let mut ends = [0usize; N];
    let (mut at, mut n) = (0, 0);
    while n < N {
        assert!(der[at] == 0x30 && der[at + 1] == 0x82, "a root certificate is not a DER SEQUENCE");
        at += 4 + ((der[at + 2] as usize) << 8 | der[at + 3] as usize);
        ends[n] = at;
        n += 1;
    }
    assert!(at == der.len(), "the root certificates' DER lengths do not add up");
    ends
}

#[cfg(test)]
mod tests {
    use super::*;
    use mbedtls_sys as m;

    /// The DER decoded at compile time is what mbedTLS's own PEM parser
    /// makes of the same file, certificate for certificate.
    #[test]
    fn same_certificates_as_mbedtls_parses_from_the_pem_file() {
        let mut pem = alloc::vec::Vec::from(PEM);
        pem.push(0);
        // SAFETY: all-zero is the pre-init state; init/parse/free in order,
        // the chain is read only while it lives.
        unsafe {
            let mut chain: m::x509_crt = core::mem::zeroed();
            m::x509_crt_init(&raw mut chain);
            assert_eq!(m::x509_crt_parse(&raw mut chain, pem.as_ptr(), pem.len()), 0);
            let mut crt: *const m::x509_crt = &raw const chain;
            let mut ours = certificates();
            while !crt.is_null() && (*crt).raw.len > 0 {
                let theirs = core::slice::from_raw_parts((*crt).raw.p, (*crt).raw.len);
                assert_eq!(ours.next(), Some(theirs));
                crt = (*crt).next;
            }
            assert_eq!(ours.next(), None);
            m::x509_crt_free(&raw mut chain);
        }
        assert_eq!(COUNT, 3);
        assert_eq!(certificates().map(<[u8]>::len).sum::<usize>(), 837 + 442 + 1011);
    }
}
