//! What a connection needs to know before it connects. Everything is
//! copied out of the caller's memory (the trust anchors by mbedTLS, which
//! parses them during `TLS_Init`), so the caller's strings may go away
//! after `TLS_Init`.

use alloc::ffi::CString;
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
            Some((0, body)) if !body.is_empty() && !body.contains(&0) => {}
            _ => return Err(Error::BadParameter(c"ulServerCertificateLength: must count the NUL")),
        }
        Ok(TrustAnchors::Pem(pem))
    }
}

/// Everything a connection is configured with.
pub struct TlsConfig {
    /// Server host name or IP literal: SNI and certificate name check.
    pub server_name: CString,
    /// ALPN protocol names, most preferred first.
    pub alpn: Vec<CString>,
    pub handshake_timeout_ms: u32,
    /// Send the host name as SNI (never for an IP literal). Default on.
    pub server_name_indication: bool,
    /// Check the server certificate carries the destination. Default on.
    pub verify_host_name: bool,
}

impl TlsConfig {
    pub fn new(server_name: &[u8]) -> Result<Self> {
        if server_name.is_empty() {
            return Err(Error::BadParameter(c"pcDestination: empty"));
        }
        Ok(TlsConfig {
            server_name: try_cstring(server_name)?,
            alpn: Vec::new(),
            handshake_timeout_ms: DEFAULT_HANDSHAKE_TIMEOUT_MS,
            server_name_indication: true,
            verify_host_name: true,
        })
    }

    /// Add one ALPN protocol name (1..=255 bytes, as RFC 7301 requires).
    pub fn push_alpn(&mut self, name: &[u8]) -> Result<()> {
        if name.is_empty() || name.len() > 255 {
            return Err(Error::BadParameter(ALPN_NAME_LENGTH));
        }
        self.alpn.try_reserve(1).map_err(|_| Error::NoMemory)?;
        self.alpn.push(try_cstring(name)?);
        Ok(())
    }
}

/// A C string from bytes that contain no NUL, without aborting on OOM.
fn try_cstring(bytes: &[u8]) -> Result<CString> {
    if bytes.contains(&0) {
        return Err(Error::BadParameter(c"string contains NUL"));
    }
    let mut v = Vec::new();
    v.try_reserve_exact(bytes.len() + 1).map_err(|_| Error::NoMemory)?;
    v.extend_from_slice(bytes);
    v.push(0);
    // The NUL is pushed here and `bytes` holds none: what `from_vec_with_nul`
    // checks holds, and the capacity is exact (no reallocation).
    CString::from_vec_with_nul(v).map_err(|_| Error::BadParameter(c"string contains NUL"))
}
