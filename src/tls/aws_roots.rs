//! The built-in AWS IoT root certificates (Amazon Root CA 1, Amazon Root
//! CA 3, Starfield Services Root Certificate Authority - G2), kept in flash
//! as DER: build.rs decodes `certs/aws-iot-roots.pem` before the crate
//! compiles, so the image holds 2.3 KB of certificates instead of 3.4 KB
//! of PEM text, and mbedTLS parses them in place (no heap copy of each
//! certificate).

// `DER` (the certificates one after the other) and `ENDS` (where each
// ends in `DER`), which build.rs decodes from the PEM file.
include!(concat!(env!("OUT_DIR"), "/aws_iot_roots.rs"));

/// Each built-in root certificate as DER, in file order.
pub(crate) fn certificates() -> impl Iterator<Item = &'static [u8]> {
    let mut start = 0;
    ENDS.iter().map(move |&end| {
        let der = DER.get(start..end).unwrap_or_default();
        start = end;
        der
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mbedtls_sys as m;

    const PEM: &[u8] = include_bytes!("../../certs/aws-iot-roots.pem");

    /// The DER decoded at build time is what mbedTLS's own PEM parser
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
        assert_eq!(ENDS.len(), 3);
        assert_eq!(certificates().map(<[u8]>::len).sum::<usize>(), 837 + 442 + 1011);
    }
}
