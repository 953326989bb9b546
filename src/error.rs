//! One error type for the whole crate, and its mapping to the C codes.

use core::ffi::CStr;
use core::fmt;

/// Errors a TLS context can report. Each maps to one negative C code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// A pointer, size or field passed in was invalid: the argument's C
    /// name and what is wrong with it, short (it is firmware rodata), as
    /// the log line and `TLS_GetLastError`'s `pcReason` give it.
    BadParameter(&'static CStr),
    /// The call is not valid in the context's current state (the call
    /// sites say which rule; the reason text names it generically, so no
    /// per-site text takes firmware rodata).
    InvalidState,
    /// An allocation failed.
    NoMemory,
    /// The entropy source or DRBG failed.
    Rng,
    /// The TLS handshake failed; the mbedTLS code says why.
    Handshake(i32),
    /// The handshake did not finish within the configured time.
    HandshakeTimeout,
    /// The build requires a UTC clock (`require-clock`) and none is registered.
    NoClock,
    /// The server asked for a client certificate and no private key was found.
    NoPrivateKey,
    /// The server asked for a client certificate and none was found.
    NoCertificate,
    /// The PKCS#11 module failed to sign.
    Sign,
    /// mbedTLS refused part of the configuration while `TLS_Connect` set
    /// the connection up (reported as a failed handshake).
    Mbedtls(i32),
    /// After the handshake, the record layer failed: a record that does not
    /// decrypt or parse, a fatal alert from the peer, an unexpected message.
    /// The mbedTLS code says which.
    Protocol(i32),
    /// The transport callback reported an error or broke its contract.
    Transport,
    /// The peer closed the connection.
    Closed,
}

/// Result alias for the crate.
pub type Result<T> = core::result::Result<T, Error>;

// Codes of the original header, kept with their names and values.
/// Failure of the TLS handshake (including server verification).
pub const TLS_ERROR_HANDSHAKE_FAILED: i32 = -2001;
/// Failure of the entropy source or random generator.
pub const TLS_ERROR_RNG: i32 = -2002;
/// The PKCS#11 module failed to sign.
pub const TLS_ERROR_SIGN: i32 = -2003;
/// The server asked for a client certificate and no private key was found.
pub const TLS_ERROR_NO_PRIVATE_KEY: i32 = -2004;
/// The server asked for a client certificate and none was found.
pub const TLS_ERROR_NO_CERTIFICATE: i32 = -2005;
// Extension codes, in the same unused gap of the mbedTLS error space.
/// Extension: a NULL pointer, bad size or bad field was passed.
pub const TLS_ERROR_BAD_PARAMETER: i32 = -2006;
/// Extension: the call is not valid now (e.g. `TLS_Recv` before `TLS_Connect`).
pub const TLS_ERROR_INVALID_STATE: i32 = -2007;
/// Extension: out of memory.
pub const TLS_ERROR_NO_MEMORY: i32 = -2008;
/// Extension: a transport callback failed or returned more than asked.
pub const TLS_ERROR_TRANSPORT: i32 = -2009;
/// Extension: the peer closed the connection.
pub const TLS_ERROR_CONNECTION_CLOSED: i32 = -2010;
/// Extension: after the handshake, a record failed to decrypt or parse, or
/// the peer sent a fatal alert (the mbedTLS code: `TLS_GetLastError`).
pub const TLS_ERROR_PROTOCOL: i32 = -2011;

impl Error {
    /// The negative code a C caller sees.
    pub fn code(self) -> i32 {
        // Every code is -2000 - n: one byte of n per variant, in
        // declaration order (see `variant_index`).
        const fn n(code: i32) -> u8 {
            (-2000 - code) as u8
        }
        const CODES: [u8; 14] = [
            n(TLS_ERROR_BAD_PARAMETER),
            n(TLS_ERROR_INVALID_STATE),
            n(TLS_ERROR_NO_MEMORY),
            n(TLS_ERROR_RNG),
            n(TLS_ERROR_HANDSHAKE_FAILED), // Handshake
            n(TLS_ERROR_HANDSHAKE_FAILED), // HandshakeTimeout
            n(TLS_ERROR_HANDSHAKE_FAILED), // NoClock
            n(TLS_ERROR_NO_PRIVATE_KEY),
            n(TLS_ERROR_NO_CERTIFICATE),
            n(TLS_ERROR_SIGN),
            n(TLS_ERROR_HANDSHAKE_FAILED), // Mbedtls
            n(TLS_ERROR_PROTOCOL),
            n(TLS_ERROR_TRANSPORT),
            n(TLS_ERROR_CONNECTION_CLOSED),
        ];
        -2000 - i32::from(CODES.get(self.variant_index()).copied().unwrap_or(n(TLS_ERROR_HANDSHAKE_FAILED)))
    }

    /// The underlying mbedTLS code, when there is one.
    pub fn mbedtls_code(self) -> i32 {
        match self {
            Error::Handshake(rc) | Error::Mbedtls(rc) | Error::Protocol(rc) => rc,
            _ => 0,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::BadParameter(what) => write!(f, "bad parameter: {}", what.to_str().unwrap_or("?")),
            Error::InvalidState => f.write_str("call out of order"),
            Error::NoMemory => f.write_str("out of memory"),
            Error::Rng => f.write_str("entropy source or DRBG failed"),
            Error::Handshake(rc) => write!(f, "TLS handshake failed (mbedTLS -0x{:04X})", rc.unsigned_abs()),
            Error::HandshakeTimeout => f.write_str("TLS handshake timed out"),
            Error::NoClock => f.write_str("no UTC clock registered: certificate dates cannot be checked"),
            Error::NoPrivateKey => f.write_str("server requires a client certificate: no private key"),
            Error::NoCertificate => f.write_str("server requires a client certificate: no certificate"),
            Error::Sign => f.write_str("PKCS#11 signature failed"),
            Error::Mbedtls(rc) => write!(f, "mbedTLS refused the configuration (-0x{:04X})", rc.unsigned_abs()),
            Error::Protocol(rc) => write!(f, "TLS record layer error (mbedTLS -0x{:04X})", rc.unsigned_abs()),
            Error::Transport => f.write_str("transport callback failed"),
            Error::Closed => f.write_str("connection closed by peer"),
        }
    }
}

// mbedTLS X.509 verification flags (x509.h facts) that name a cause.
const BADCERT_EXPIRED: u32 = 0x01;
const BADCERT_CN_MISMATCH: u32 = 0x04;
const BADCERT_NOT_TRUSTED: u32 = 0x08;
const BADCERT_FUTURE: u32 = 0x200;

impl Error {
    /// A short, stable sentence for logs: which check failed.
    pub fn reason(self, verify_flags: u32) -> &'static CStr {
        let index = match self {
            Error::BadParameter(what) => return what,
            Error::Handshake(_) if verify_flags & BADCERT_EXPIRED != 0 => CERT_EXPIRED,
            Error::Handshake(_) if verify_flags & BADCERT_FUTURE != 0 => CERT_NOT_YET_VALID,
            Error::Handshake(_) if verify_flags & BADCERT_CN_MISMATCH != 0 => CERT_WRONG_HOST,
            Error::Handshake(_) if verify_flags & BADCERT_NOT_TRUSTED != 0 => CERT_NOT_TRUSTED,
            Error::Handshake(_) if verify_flags != 0 => CERT_REJECTED,
            other => other.variant_index(),
        };
        reason_text(index)
    }

    /// The variant's position in the declaration, which is its text's in
    /// [`REASONS`] (an identity the compiler reduces to the tag).
    fn variant_index(self) -> usize {
        match self {
            Error::BadParameter(_) => 0,
            Error::InvalidState => 1,
            Error::NoMemory => 2,
            Error::Rng => 3,
            Error::Handshake(_) => 4,
            Error::HandshakeTimeout => 5,
            Error::NoClock => 6,
            Error::NoPrivateKey => 7,
            Error::NoCertificate => 8,
            Error::Sign => 9,
            Error::Mbedtls(_) => 10,
            Error::Protocol(_) => 11,
            Error::Transport => 12,
            Error::Closed => 13,
        }
    }
}

// Where the texts of a rejected server certificate sit in [`REASONS`],
// after one text per variant.
const CERT_EXPIRED: usize = 14;
const CERT_NOT_YET_VALID: usize = 15;
const CERT_WRONG_HOST: usize = 16;
const CERT_NOT_TRUSTED: usize = 17;
const CERT_REJECTED: usize = 18;

/// The texts of [`Error::reason`], each ending in NUL: one per variant,
/// in declaration order (a bad parameter names itself instead), then the
/// certificate causes of a failed handshake. Short: they are firmware
/// rodata, and `TLS_GetLastError` gives the codes beside them. One packed
/// string rather than a table of pointers: 8 bytes less per text.
const REASONS: &[u8] = concat!(
    "bad parameter\0",
    "call out of order\0",
    "out of memory\0",
    "entropy source or DRBG failed\0",
    "TLS handshake failed\0",
    "TLS handshake timed out\0",
    "no UTC clock registered\0",
    "no private key in token\0",
    "no certificate in token\0",
    "PKCS#11 signing failed\0",
    "mbedTLS refused config\0",
    "TLS record error or fatal alert\0",
    "transport callback failed\0",
    "connection closed by the peer\0",
    "server certificate expired\0",
    "server certificate not yet valid\0",
    "server certificate: wrong host name\0",
    "server certificate not trusted\0",
    "server certificate rejected\0",
)
.as_bytes();

/// The `index`th text of [`REASONS`] ("?" past the end): a scan over NULs,
/// on error paths only. One copy for every caller.
#[inline(never)]
fn reason_text(mut index: usize) -> &'static CStr {
    let mut start = 0;
    for (end, &byte) in REASONS.iter().enumerate() {
        if byte != 0 {
            continue;
        }
        if index == 0 {
            if let Some(text) = REASONS.get(start..=end) {
                // SAFETY: `text` ends at the first NUL after `start`.
                return unsafe { CStr::from_bytes_with_nul_unchecked(text) };
            }
        }
        index = index.wrapping_sub(1);
        start = end + 1;
    }
    c"?"
}

/// Turn an mbedTLS return code into a `Result`, keeping non-negative values.
pub(crate) fn mbedtls_rc(rc: i32) -> core::result::Result<i32, i32> {
    if rc < 0 {
        Err(rc)
    } else {
        Ok(rc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_reads_its_own_reason_and_code() {
        let cases: [(Error, u32, &CStr); 19] = [
            (Error::BadParameter(c"pcX: NULL"), 0, c"pcX: NULL"),
            (Error::InvalidState, 0, c"call out of order"),
            (Error::NoMemory, 0, c"out of memory"),
            (Error::Rng, 0, c"entropy source or DRBG failed"),
            (Error::Handshake(-1), 0, c"TLS handshake failed"),
            (Error::HandshakeTimeout, 0, c"TLS handshake timed out"),
            (Error::NoClock, 0, c"no UTC clock registered"),
            (Error::NoPrivateKey, 0, c"no private key in token"),
            (Error::NoCertificate, 0, c"no certificate in token"),
            (Error::Sign, 0, c"PKCS#11 signing failed"),
            (Error::Mbedtls(-1), 0x01, c"mbedTLS refused config"),
            (Error::Protocol(-1), 0, c"TLS record error or fatal alert"),
            (Error::Transport, 0, c"transport callback failed"),
            (Error::Closed, 0, c"connection closed by the peer"),
            // Expired wins over every other cause, then not yet valid, ...
            (Error::Handshake(-1), 0x01 | 0x200 | 0x04 | 0x08, c"server certificate expired"),
            (Error::Handshake(-1), 0x200 | 0x04 | 0x08, c"server certificate not yet valid"),
            (Error::Handshake(-1), 0x04 | 0x08, c"server certificate: wrong host name"),
            (Error::Handshake(-1), 0x08, c"server certificate not trusted"),
            (Error::Handshake(-1), 0x10, c"server certificate rejected"),
        ];
        for (error, flags, text) in cases {
            assert_eq!(error.reason(flags), text, "{error:?} flags {flags:#x}");
        }
        assert_eq!(reason_text(CERT_REJECTED + 1), c"?", "past the last text");
        let codes = [
            (Error::BadParameter(c"x"), TLS_ERROR_BAD_PARAMETER),
            (Error::InvalidState, TLS_ERROR_INVALID_STATE),
            (Error::NoMemory, TLS_ERROR_NO_MEMORY),
            (Error::Rng, TLS_ERROR_RNG),
            (Error::Handshake(-1), TLS_ERROR_HANDSHAKE_FAILED),
            (Error::HandshakeTimeout, TLS_ERROR_HANDSHAKE_FAILED),
            (Error::NoClock, TLS_ERROR_HANDSHAKE_FAILED),
            (Error::NoPrivateKey, TLS_ERROR_NO_PRIVATE_KEY),
            (Error::NoCertificate, TLS_ERROR_NO_CERTIFICATE),
            (Error::Sign, TLS_ERROR_SIGN),
            (Error::Mbedtls(-1), TLS_ERROR_HANDSHAKE_FAILED),
            (Error::Protocol(-1), TLS_ERROR_PROTOCOL),
            (Error::Transport, TLS_ERROR_TRANSPORT),
            (Error::Closed, TLS_ERROR_CONNECTION_CLOSED),
        ];
        for (error, code) in codes {
            assert_eq!(error.code(), code, "{error:?}");
        }
    }
}
