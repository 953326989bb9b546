//! What a connection needs to know before it connects. Everything is
//! copied out of the caller's memory (the trust anchors by mbedTLS, which
//! parses them during `TLS_Init`), so the caller's strings may go away
//! after `TLS_Init`.

use alloc::vec::Vec;
use core::ffi::CStr;

use crate::error::{Error, Result};

/// Handshake deadline when the caller sets none.
pub const DEFAULT_HANDSHAKE_TIMEOUT_MS: u32 = 10_000;

// Bad-parameter texts more than one check reports.
/// A host name over 255 bytes (the scan bound and mbedTLS's limit).
pub const DESTINATION_TOO_LONG: &CStr = c"pcDestination: over 255 bytes";
/// An ALPN name outside RFC 7301's 1..=255 bytes.
pub const ALPN_NAME_LENGTH: &CStr = c"ppcAlpnProtocols: name not 1..255 bytes";
/// More ALPN names than [`MAX_ALPN_PROTOCOLS`].
pub const ALPN_TOO_MANY: &CStr = c"ulAlpnProtocolsCount: over 16";

/// Which certificates the server's chain must lead to. Borrowed only
/// until the connection has parsed them: keeping a copy of the PEM text
/// would cost its size in RAM for the whole connection.
pub enum TrustAnchors<'a> {
    /// The built-in AWS IoT roots (`super::aws_roots`).
    Default,
    /// Caller-supplied PEM text, NUL-terminated.
    Pem(&'a [u8]),
}

impl<'a> TrustAnchors<'a> {
    /// Caller PEM (`len` counts the NUL, as in `TLSParams_t`).
    pub fn from_pem(pem: &'a [u8]) -> Result<Self> {
        // mbedTLS only treats a buffer as PEM when its last byte is NUL; a
        // missing NUL is a caller bug worth a clear error, not a DER guess.
        match pem.split_last() {
            Some((0, body)) if !body.is_empty() && !has_nul(body) => {}
            _ => return Err(Error::BadParameter(c"ulServerCertificateLength: must count the NUL")),
        }
        Ok(TrustAnchors::Pem(pem))
    }
}

/// Most ALPN protocol names a connection offers.
pub const MAX_ALPN_PROTOCOLS: usize = 16;
// `ALPN_TOO_MANY` spells it out.
const _: () = assert!(MAX_ALPN_PROTOCOLS == 16);

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

/// Everything a connection is configured with.
pub struct TlsConfig {
    /// The server host name or IP literal (SNI and certificate name
    /// check), then the ALPN protocol names, most preferred first: each
    /// with its NUL, in one allocation.
    names: Vec<u8>,
    alpn_count: usize,
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
    pub fn new(server_name: &[u8]) -> Result<Self> {
        if server_name.is_empty() {
            return Err(Error::BadParameter(c"pcDestination: empty"));
        }
        let mut config = TlsConfig {
            names: Vec::new(),
            alpn_count: 0,
            handshake_timeout_ms: DEFAULT_HANDSHAKE_TIMEOUT_MS,
            server_name_indication: true,
            verify_host_name: true,
            min_version: TlsVersion::Tls12,
            max_version: DEFAULT_MAX_VERSION,
        };
        config.push_name(server_name)?;
        Ok(config)
    }

    /// Add one ALPN protocol name (1..=255 bytes, as RFC 7301 requires; at
    /// most [`MAX_ALPN_PROTOCOLS`]).
    pub fn push_alpn(&mut self, name: &[u8]) -> Result<()> {
        if name.is_empty() || name.len() > 255 {
            return Err(Error::BadParameter(ALPN_NAME_LENGTH));
        }
        if self.alpn_count == MAX_ALPN_PROTOCOLS {
            return Err(Error::BadParameter(ALPN_TOO_MANY));
        }
        self.push_name(name)?;
        self.alpn_count += 1;
        Ok(())
    }

    /// Append `bytes` and a NUL, without aborting on OOM. A NUL inside
    /// would end the name early.
    fn push_name(&mut self, bytes: &[u8]) -> Result<()> {
        if has_nul(bytes) {
            return Err(Error::BadParameter(c"string contains NUL"));
        }
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

/// Whether `bytes` holds a NUL. A byte loop, not `contains`: its memchr
/// fast path costs a Cortex-M image more flash, and these texts are short.
fn has_nul(bytes: &[u8]) -> bool {
    for &b in bytes {
        if b == 0 {
            return true;
        }
    }
    false
}
