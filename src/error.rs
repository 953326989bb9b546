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
    /// The call is not valid in the context's current state.
    InvalidState(&'static str),
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
        match self {
            Error::BadParameter(_) => TLS_ERROR_BAD_PARAMETER,
            Error::InvalidState(_) => TLS_ERROR_INVALID_STATE,
            Error::NoMemory => TLS_ERROR_NO_MEMORY,
            Error::Rng => TLS_ERROR_RNG,
            Error::Handshake(_) | Error::HandshakeTimeout | Error::NoClock | Error::Mbedtls(_) => {
                TLS_ERROR_HANDSHAKE_FAILED
            }
            Error::NoPrivateKey => TLS_ERROR_NO_PRIVATE_KEY,
            Error::NoCertificate => TLS_ERROR_NO_CERTIFICATE,
            Error::Sign => TLS_ERROR_SIGN,
            Error::Protocol(_) => TLS_ERROR_PROTOCOL,
            Error::Transport => TLS_ERROR_TRANSPORT,
            Error::Closed => TLS_ERROR_CONNECTION_CLOSED,
        }
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
            Error::InvalidState(what) => write!(f, "invalid state: {what}"),
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
        let reason = match self {
            Error::BadParameter(what) => return what,
            Error::Handshake(_) if verify_flags & BADCERT_EXPIRED != 0 => Reason::Expired,
            Error::Handshake(_) if verify_flags & BADCERT_FUTURE != 0 => Reason::NotYetValid,
            Error::Handshake(_) if verify_flags & BADCERT_CN_MISMATCH != 0 => Reason::WrongHost,
            Error::Handshake(_) if verify_flags & BADCERT_NOT_TRUSTED != 0 => Reason::Untrusted,
            Error::Handshake(_) if verify_flags != 0 => Reason::Rejected,
            Error::Handshake(_) => Reason::Handshake,
            Error::HandshakeTimeout => Reason::Timeout,
            Error::NoClock => Reason::NoClock,
            Error::InvalidState(_) => Reason::InvalidState,
            Error::NoMemory => Reason::NoMemory,
            Error::Rng => Reason::Rng,
            Error::NoPrivateKey => Reason::NoPrivateKey,
            Error::NoCertificate => Reason::NoCertificate,
            Error::Sign => Reason::Sign,
            Error::Mbedtls(_) => Reason::Mbedtls,
            Error::Protocol(_) => Reason::Protocol,
            Error::Transport => Reason::Transport,
            Error::Closed => Reason::Closed,
        };
        // One table load instead of a pointer and a length per match arm.
        REASONS.get(reason as usize).copied().unwrap_or(c"?")
    }
}

/// Index into [`REASONS`].
#[derive(Clone, Copy)]
enum Reason {
    Expired,
    NotYetValid,
    WrongHost,
    Untrusted,
    Rejected,
    Handshake,
    Timeout,
    NoClock,
    InvalidState,
    NoMemory,
    Rng,
    NoPrivateKey,
    NoCertificate,
    Sign,
    Mbedtls,
    Protocol,
    Transport,
    Closed,
}

/// The texts of [`Error::reason`], in [`Reason`] order. Short: they are
/// firmware rodata, and `TLS_GetLastError` gives the codes beside them.
static REASONS: [&CStr; 18] = [
    c"server certificate expired",
    c"server certificate not yet valid",
    c"server certificate: wrong host name",
    c"server certificate not trusted",
    c"server certificate rejected",
    c"TLS handshake failed",
    c"TLS handshake timed out",
    c"no UTC clock registered",
    c"call out of order",
    c"out of memory",
    c"entropy source or DRBG failed",
    c"no private key in the PKCS#11 token",
    c"no certificate in the PKCS#11 token",
    c"PKCS#11 signing failed",
    c"mbedTLS refused the configuration",
    c"TLS record error or fatal alert",
    c"transport callback failed",
    c"connection closed by the peer",
];

/// Turn an mbedTLS return code into a `Result`, keeping non-negative values.
pub(crate) fn mbedtls_rc(rc: i32) -> core::result::Result<i32, i32> {
    if rc < 0 {
        Err(rc)
    } else {
        Ok(rc)
    }
}
