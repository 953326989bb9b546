//! What a connection needs to know before it connects. Everything is
//! copied out of the caller's memory (the trust anchors by mbedTLS, which
//! parses them during `TLS_Init`), so the caller's strings may go away
//! after `TLS_Init`.

use alloc::vec::Vec;
use core::ffi::CStr;

use crate::error::{Error, Result};

/// Handshake deadline when the caller sets none.
pub const DEFAULT_HANDSHAKE_TIMEOUT_MS: u32 = 10_000;

/// Longest name a connection takes: a host name (mbedTLS's limit; DNS
/// allows 253) or an ALPN protocol name (RFC 7301).
pub const MAX_NAME_LEN: usize = 255;

/// A host name, IP literal or ALPN protocol name as the TLS layer takes
/// it: 1 to [`MAX_NAME_LEN`] bytes, none of them NUL. Borrowed: the
/// configuration copies it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Name<'a>(&'a [u8]);

impl<'a> Name<'a> {
    /// `bytes` as a name; `None` when empty, longer than [`MAX_NAME_LEN`]
    /// or holding a NUL (which would end it early).
    pub fn new(bytes: &'a [u8]) -> Option<Self> {
        let fits = (1..=MAX_NAME_LEN).contains(&bytes.len()) && bytes.iter().all(|&b| b != 0);
        fits.then_some(Name(bytes))
    }
}

/// Which certificates the server's chain must lead to. Borrowed only
/// until the connection has parsed them: keeping a copy of the PEM text
/// would cost its size in RAM for the whole connection.
pub enum TrustAnchors<'a> {
    /// The built-in AWS IoT roots (`super::aws_roots`).
    Default,
    /// PEM text ending in its only NUL (see [`TrustAnchors::pem`]).
    Pem(&'a [u8]),
}

impl<'a> TrustAnchors<'a> {
    /// PEM text whose length counts its NUL; `None` when the last byte is
    /// not the only NUL or nothing comes before it. mbedTLS only treats a
    /// buffer as PEM when its last byte is NUL: a missing NUL is a caller
    /// bug worth a clear error, not a DER guess.
    pub fn pem(pem: &'a [u8]) -> Option<Self> {
        match pem.split_last() {
            Some((0, body)) if !body.is_empty() && body.iter().all(|&b| b != 0) => Some(TrustAnchors::Pem(pem)),
            _ => None,
        }
    }
}

/// Most ALPN protocol names a connection offers.
pub const MAX_ALPN_PROTOCOLS: usize = 16;

/// A TLS version this library speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TlsVersion {
    Tls12,
    Tls13,
}

/// The highest version this build speaks (the mbedTLS configuration's).
pub const HIGHEST_VERSION: TlsVersion = if cfg!(mbedtls_tls13) { TlsVersion::Tls13 } else { TlsVersion::Tls12 };

/// The highest version offered unless the caller says otherwise. TLS 1.3
/// has no max fragment length, so a build whose input buffer cannot hold a
/// full 16 KiB record stays at TLS 1.2, where the request keeps the
/// server's records small (see docs: record buffers).
pub const DEFAULT_MAX_VERSION: TlsVersion =
    if super::record_size::RECORD_CONTENT_LEN >= 16384 { HIGHEST_VERSION } else { TlsVersion::Tls12 };

/// TLS versions a connection may offer, `min` up to `max`: one this build
/// can negotiate (see [`VersionRange::new`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VersionRange {
    min: TlsVersion,
    max: TlsVersion,
}

/// Why a range of versions cannot be offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionRangeError {
    /// The highest version is above [`HIGHEST_VERSION`].
    NotInBuild,
    /// The lowest version is above the highest.
    Inverted,
    /// Both versions with a record buffer under 16 KiB.
    BothUnderSmallRecords,
}

impl VersionRange {
    /// `min` ..= `max`, when this build can offer it.
    pub fn new(min: TlsVersion, max: TlsVersion) -> core::result::Result<Self, VersionRangeError> {
        if max > HIGHEST_VERSION {
            return Err(VersionRangeError::NotInBuild);
        }
        if min > max {
            return Err(VersionRangeError::Inverted);
        }
        // Under 16 KiB, TLS 1.2's max fragment length keeps the server's
        // records small. Offered beside TLS 1.3, mbedTLS 3.6 sends that
        // request and then refuses a TLS 1.3 server's answer to it; TLS 1.3
        // alone works, with no size limit (docs/record-buffers.md).
        if super::record_size::RECORD_CONTENT_LEN < 16384 && min != max {
            return Err(VersionRangeError::BothUnderSmallRecords);
        }
        Ok(VersionRange { min, max })
    }
}

/// Everything a connection is configured with.
pub struct TlsConfig {
    /// The server host name or IP literal (SNI and certificate name
    /// check), then the ALPN protocol names, most preferred first: each
    /// with its NUL, in one allocation.
    names: Vec<u8>,
    pub handshake_timeout_ms: u32,
    /// Send the host name as SNI (never for an IP literal). Default on.
    pub server_name_indication: bool,
    /// Check the server certificate carries the destination. Default on.
    pub verify_host_name: bool,
    /// The versions the connection may negotiate: TLS 1.2 up to
    /// [`DEFAULT_MAX_VERSION`] unless set.
    pub min_version: TlsVersion,
    pub max_version: TlsVersion,
}

impl TlsConfig {
    /// A configuration for `server_name` with no ALPN names and the
    /// defaults. Fails only for memory.
    pub fn new(server_name: Name<'_>) -> Result<Self> {
        let mut config = TlsConfig {
            names: Vec::new(),
            handshake_timeout_ms: DEFAULT_HANDSHAKE_TIMEOUT_MS,
            server_name_indication: true,
            verify_host_name: true,
            min_version: TlsVersion::Tls12,
            max_version: DEFAULT_MAX_VERSION,
        };
        config.push_name(server_name.0)?;
        Ok(config)
    }

    /// Add one ALPN protocol name, after those already added. The caller
    /// keeps to [`MAX_ALPN_PROTOCOLS`] (the C boundary refuses a longer
    /// list before reading it); a connection offers no more than that.
    pub fn push_alpn(&mut self, name: Name<'_>) -> Result<()> {
        self.push_name(name.0)
    }

    /// Offer the versions of `range` only.
    pub fn set_versions(&mut self, range: VersionRange) {
        self.min_version = range.min;
        self.max_version = range.max;
    }

    /// Append a name's bytes (no NUL among them) and a NUL, without
    /// aborting on OOM.
    fn push_name(&mut self, bytes: &[u8]) -> Result<()> {
        self.names.try_reserve_exact(bytes.len() + 1).map_err(|_| Error::NoMemory)?;
        self.names.extend_from_slice(bytes);
        self.names.push(0);
        Ok(())
    }

    /// The server host name or IP literal.
    #[inline(never)] // one copy for its callers in the handshake
    pub fn server_name(&self) -> &CStr {
        self.names().next().unwrap_or_default()
    }

    /// The ALPN protocol names, most preferred first (they live as long as
    /// the configuration, at a fixed address: it never grows once connected).
    pub fn alpn(&self) -> impl Iterator<Item = &CStr> {
        self.names().skip(1)
    }

    fn names(&self) -> impl Iterator<Item = &CStr> {
        let mut rest = self.names.as_slice();
        core::iter::from_fn(move || {
            let name = CStr::from_bytes_until_nul(rest).ok()?;
            rest = rest.get(name.count_bytes() + 1..).unwrap_or_default();
            Some(name)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_1_to_255_bytes_without_nul() {
        assert!(Name::new(b"").is_none());
        assert!(Name::new(b"a").is_some());
        assert!(Name::new(&[b'a'; MAX_NAME_LEN]).is_some());
        assert!(Name::new(&[b'a'; MAX_NAME_LEN + 1]).is_none());
        assert!(Name::new(b"a\0b").is_none());
    }

    #[test]
    fn pem_counts_its_only_nul() {
        assert!(TrustAnchors::pem(b"-----BEGIN\0").is_some());
        assert!(TrustAnchors::pem(b"-----BEGIN").is_none(), "no NUL");
        assert!(TrustAnchors::pem(b"\0").is_none(), "nothing before it");
        assert!(TrustAnchors::pem(b"").is_none());
        assert!(TrustAnchors::pem(b"a\0b\0").is_none(), "a NUL inside");
    }

    #[test]
    fn version_ranges() {
        use TlsVersion::*;
        assert_eq!(VersionRange::new(Tls12, Tls12).map(|_| ()), Ok(()));
        assert_eq!(VersionRange::new(Tls13, Tls12), Err(VersionRangeError::Inverted));
        if HIGHEST_VERSION == Tls12 {
            assert_eq!(VersionRange::new(Tls12, Tls13), Err(VersionRangeError::NotInBuild));
        } else if super::super::record_size::RECORD_CONTENT_LEN < 16384 {
            assert_eq!(VersionRange::new(Tls12, Tls13), Err(VersionRangeError::BothUnderSmallRecords));
        } else {
            assert!(VersionRange::new(Tls12, Tls13).is_ok());
        }
    }
}
