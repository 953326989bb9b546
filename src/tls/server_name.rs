//! Which name the ClientHello carries (SNI) and what the server
//! certificate is checked against, decided once per connection from the
//! destination and the two switches (`TLS_SetServerNameIndication`,
//! `TLS_SetHostnameVerification`).
//!
//! - A DNS name goes into SNI and mbedTLS checks it against the
//!   certificate's dNSName SANs (or its CN when it has no SAN), as before.
//! - An IP literal (IPv4 dotted quad, IPv6 with or without brackets) never
//!   goes into SNI (RFC 6066 §3 forbids it), so mbedTLS is told there is no
//!   host name and the verify callback compares it with the leaf's
//!   iPAddress SANs itself (one check for every mbedTLS: 2.28 could not
//!   match addresses at all).
//! - SNI off with the name checked: mbedTLS gets the name only after the
//!   ClientHello has been written, so its own name check still runs.
//! - Name check off: the CN-mismatch flag of the leaf is cleared.

use core::ffi::{c_int, CStr};
use core::net::{Ipv4Addr, Ipv6Addr};
use core::ptr;

use mbedtls_sys as m;

use crate::error::{mbedtls_rc, Error, Result};

/// GeneralName tag of an iPAddress SAN: context-specific, primitive, [7].
const SAN_TAG_IP_ADDRESS: c_int = m::ASN1_CONTEXT_SPECIFIC | 7;

const CN_MISMATCH: u32 = m::X509_BADCERT_CN_MISMATCH as u32;

/// An IP address in network byte order (4 or 16 bytes), as a SAN holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct IpOctets {
    octets: [u8; 16],
    len: usize,
}

impl IpOctets {
    fn as_bytes(&self) -> &[u8] {
        self.octets.get(..self.len).unwrap_or_default()
    }
}

/// The destination as an IP literal, or `None` for a host name. Accepts
/// `192.0.2.1`, `2001:db8::1`, `[2001:db8::1]` and a zone suffix
/// (`fe80::1%eth0`, ignored for the comparison).
pub(crate) fn ip_literal(destination: &str) -> Option<IpOctets> {
    if let Ok(v4) = destination.parse::<Ipv4Addr>() {
        let mut octets = [0; 16];
        octets[..4].copy_from_slice(&v4.octets());
        return Some(IpOctets { octets, len: 4 });
    }
    let inner = destination.strip_prefix('[').and_then(|s| s.strip_suffix(']')).unwrap_or(destination);
    // Without the zone. A plain byte scan: `split_once`'s searcher costs
    // a Cortex-M image more (and `%` is ASCII, so the cut is a boundary).
    let zone = inner.bytes().position(|b| b == b'%').unwrap_or(inner.len());
    let address = inner.get(..zone).unwrap_or(inner);
    address.parse::<Ipv6Addr>().ok().map(|v6| IpOctets { octets: v6.octets(), len: 16 })
}

/// The destination as text when it is ASCII (every IP literal is; a
/// non-ASCII destination is a host name). Not `CStr::to_str`: its UTF-8
/// validation, inlined, costs a Cortex-M image half a kilobyte that an
/// ASCII test does not.
fn ascii(bytes: &[u8]) -> Option<&str> {
    // SAFETY: ASCII bytes are valid UTF-8.
    // A byte loop: `<[u8]>::is_ascii`'s word-at-a-time scan is larger.
    bytes.iter().all(u8::is_ascii).then(|| unsafe { core::str::from_utf8_unchecked(bytes) })
}

/// What the verify callback does with the leaf certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LeafCheck {
    /// mbedTLS has checked the host name itself.
    ByMbedtls,
    /// The leaf must carry this address as an iPAddress SAN.
    IpAddress(IpOctets),
    /// Host-name verification switched off by the caller.
    Off,
}

/// The per-connection plan; lives in the connection's pinned mbedTLS block
/// because the verify callback is given its address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ServerNameCheck {
    leaf: LeafCheck,
    /// Give mbedTLS the host name once the ClientHello is out (SNI off,
    /// name checked).
    late_host_name: bool,
}

impl ServerNameCheck {
    pub(crate) const fn unset() -> Self {
        ServerNameCheck { leaf: LeafCheck::ByMbedtls, late_host_name: false }
    }

    /// Decide the plan. Returns it and whether mbedTLS gets the host name
    /// before the handshake (SNI on a host name).
    pub(crate) fn plan(destination: &CStr, sni: bool, verify: bool) -> (Self, bool) {
        let ip = ascii(destination.to_bytes()).and_then(ip_literal);
        let leaf = match (verify, ip) {
            (false, _) => LeafCheck::Off,
            (true, Some(ip)) => LeafCheck::IpAddress(ip),
            (true, None) => LeafCheck::ByMbedtls,
        };
        let name_now = sni && ip.is_none();
        let late_host_name = !sni && verify && ip.is_none();
        (ServerNameCheck { leaf, late_host_name }, name_now)
    }

    /// Before the handshake: the name for SNI and mbedTLS's check, or the
    /// explicit "no host name" (since 3.6.3, CVE-2025-27809, mbedTLS
    /// refuses to verify a certificate when the host name was never set).
    ///
    /// # Safety
    /// `ssl` must be a set-up context that mbedTLS is not running on.
    pub(crate) unsafe fn apply(&self, ssl: *mut m::ssl_context, destination: &CStr, name_now: bool) -> Result<()> {
        let name = if name_now { destination.as_ptr().cast() } else { ptr::null() };
        // SAFETY: per the contract; mbedTLS copies the NUL-terminated name.
        host_name_rc(unsafe { m::ssl_set_hostname(ssl, name) })
    }

    /// Between handshake steps: once the ClientHello is written, hand
    /// mbedTLS the name it must check (SNI off, name verified). Returns 0
    /// or the mbedTLS error, like a handshake step.
    ///
    /// # Safety
    /// As for [`Self::apply`].
    pub(crate) unsafe fn after_step(&mut self, ssl: *mut m::ssl_context, destination: &CStr) -> c_int {
        // SAFETY: per the contract, reading a plain field of a live context.
        let written = unsafe { crate::mbedtls::client_hello_written(ssl) };
        if !self.late_host_name || !written {
            return 0;
        }
        self.late_host_name = false;
        // SAFETY: as above; mbedTLS copies the name. On failure mbedTLS has
        // no host name at all and refuses to verify: the handshake fails.
        unsafe { m::ssl_set_hostname(ssl, destination.as_ptr().cast()) }
    }

    /// The verify callback's part, for the leaf (depth 0) only.
    pub(crate) fn check_leaf(&self, crt: &m::x509_crt, flags: &mut u32) {
        match self.leaf {
            LeafCheck::ByMbedtls => {}
            LeafCheck::Off => *flags &= !CN_MISMATCH,
            LeafCheck::IpAddress(ip) => {
                if !has_ip_san(crt, &ip) {
                    *flags |= CN_MISMATCH;
                }
            }
        }
    }

    /// Whether the caller switched host-name verification off.
    pub(crate) fn verification_off(&self) -> bool {
        self.leaf == LeafCheck::Off
    }
}

/// `mbedtls_ssl_set_hostname`'s answer. Its other refusal, a name over
/// 255 bytes, cannot happen: a [`super::config::Name`] is at most that.
fn host_name_rc(rc: c_int) -> Result<()> {
    mbedtls_rc(rc).map(|_| ()).map_err(|rc| match rc {
        m::ERR_SSL_ALLOC_FAILED => Error::NoMemory,
        rc => Error::Mbedtls(rc),
    })
}

/// Whether one of the certificate's iPAddress SANs is `ip`. mbedTLS keeps
/// every GeneralName of the extension as raw tag and content bytes.
fn has_ip_san(crt: &m::x509_crt, ip: &IpOctets) -> bool {
    let mut entry: *const m::x509_sequence = &raw const crt.subject_alt_names;
    while !entry.is_null() {
        // SAFETY: `entry` is the list head inside `crt` or a `next` link
        // mbedTLS allocated while parsing it; the certificate outlives this
        // call and is not modified during verification.
        let node = unsafe { &*entry };
        let san = &node.buf;
        if san.tag == SAN_TAG_IP_ADDRESS && !san.p.is_null() && san.len == ip.len {
            // SAFETY: `p` points to `len` content bytes inside the
            // certificate's DER, which mbedTLS owns for the certificate's life.
            let bytes = unsafe { core::slice::from_raw_parts(san.p, san.len) };
            if bytes == ip.as_bytes() {
                return true;
            }
        }
        entry = node.next;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_literals_are_recognised() {
        assert_eq!(ip_literal("192.0.2.7").unwrap().as_bytes(), &[192, 0, 2, 7]);
        let v6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        assert_eq!(ip_literal("2001:db8::1").unwrap().as_bytes(), &v6);
        assert_eq!(ip_literal("[2001:db8::1]").unwrap().as_bytes(), &v6);
        assert_eq!(ip_literal("2001:DB8:0:0:0:0:0:1").unwrap().as_bytes(), &v6);
        assert_eq!(ip_literal("::1").unwrap().as_bytes()[15], 1);
        assert_eq!(ip_literal("fe80::1%eth0").unwrap().as_bytes()[..2], [0xfe, 0x80]);
        let mapped = ip_literal("::ffff:192.0.2.7").unwrap();
        assert_eq!(mapped.as_bytes().len(), 16, "an IPv4-mapped IPv6 literal stays IPv6");
    }

    #[test]
    fn host_names_are_not_ip_literals() {
        for name in ["localhost", "broker.example.com", "192.0.2.7.example", "1.2.3", "256.1.1.1", "[localhost]", ""] {
            assert_eq!(ip_literal(name), None, "{name}");
        }
    }

    #[test]
    fn plans() {
        let (p, now) = ServerNameCheck::plan(c"broker.example.com", true, true);
        assert_eq!((p.leaf, p.late_host_name, now), (LeafCheck::ByMbedtls, false, true));
        let (p, now) = ServerNameCheck::plan(c"broker.example.com", false, true);
        assert_eq!((p.leaf, p.late_host_name, now), (LeafCheck::ByMbedtls, true, false));
        let (p, now) = ServerNameCheck::plan(c"broker.example.com", true, false);
        assert_eq!((p.leaf, p.late_host_name, now), (LeafCheck::Off, false, true));
        // An IP literal never goes into SNI, whatever the switch says.
        let (p, now) = ServerNameCheck::plan(c"10.0.0.1", true, true);
        assert!(matches!(p.leaf, LeafCheck::IpAddress(_)) && !p.late_host_name && !now);
        let (p, now) = ServerNameCheck::plan(c"10.0.0.1", true, false);
        assert_eq!((p.leaf, p.late_host_name, now), (LeafCheck::Off, false, false));
    }
}
