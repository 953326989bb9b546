//! One error type for the whole crate, and its mapping to the C codes.
//!
//! The errors are one list (the `errors!` invocation below): each entry is
//! a variant (with its payload: a parameter's text, or the mbedTLS code
//! behind it), the C code a caller sees for it (its category: four
//! variants are a failed handshake to C) and its reason text
//! (`TLS_GetLastError`'s `pcReason`). The enum, [`Error::code`] and the
//! texts are all generated from it, so they cannot drift apart. Feature
//! `texts` off, every reason reads one fixed text.

use core::ffi::CStr;

#[cfg(feature = "texts")]
use mbedtls_sys as m;

/// Result alias for the crate.
pub type Result<T> = core::result::Result<T, Error>;

// Codes of the original header, kept with their names and values. (Written
// out here, not in the list: cbindgen reads them into the C header.)
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

/// `errors! { /// doc  Variant(payload)? => C_CODE, c"reason"; ... }`
/// defines `enum Error` with those variants, `Error::code` (each variant's
/// C code) and `Error::text` (each variant's reason text).
macro_rules! errors {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident $(($payload:ty))? => $code:ident, $text:literal;
    )+) => {
        /// Errors a TLS context can report. Each maps to one negative C code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Error {
            $( $(#[doc = $doc])* $variant $(($payload))?, )+
        }

        impl Error {
            /// The negative code a C caller sees.
            pub fn code(self) -> i32 {
                match self {
                    $( Error::$variant { .. } => $code, )+
                }
            }

            /// The variant's own reason text.
            #[cfg(feature = "texts")]
            fn text(self) -> &'static CStr {
                match self {
                    $( Error::$variant { .. } => $text, )+
                }
            }
        }
    };
}

errors! {
    /// A pointer, size or field passed in was invalid: the argument's C
    /// name and what is wrong with it, short (it is firmware rodata), as
    /// the log line and `TLS_GetLastError`'s `pcReason` give it (its
    /// reason is that text, not the list's).
    BadParameter(&'static CStr) => TLS_ERROR_BAD_PARAMETER, c"bad parameter";
    /// The call is not valid in the context's current state (the call
    /// sites say which rule; the reason text names it generically, so no
    /// per-site text takes firmware rodata).
    InvalidState => TLS_ERROR_INVALID_STATE, c"call out of order";
    /// An allocation failed.
    NoMemory => TLS_ERROR_NO_MEMORY, c"out of memory";
    /// The entropy source or DRBG failed.
    Rng => TLS_ERROR_RNG, c"entropy source or DRBG failed";
    /// The TLS handshake failed; the mbedTLS code says why (and a rejected
    /// server certificate's verify flags give the reason: `CERT_CAUSES`).
    Handshake(i32) => TLS_ERROR_HANDSHAKE_FAILED, c"TLS handshake failed";
    /// The handshake did not finish within the configured time.
    HandshakeTimeout => TLS_ERROR_HANDSHAKE_FAILED, c"TLS handshake timed out";
    /// The build requires a UTC clock (`require-clock`) and none is registered.
    NoClock => TLS_ERROR_HANDSHAKE_FAILED, c"no UTC clock registered";
    /// The server asked for a client certificate and no private key was found.
    NoPrivateKey => TLS_ERROR_NO_PRIVATE_KEY, c"no private key in token";
    /// The server asked for a client certificate and none was found.
    NoCertificate => TLS_ERROR_NO_CERTIFICATE, c"no certificate in token";
    /// The PKCS#11 module failed to sign.
    Sign => TLS_ERROR_SIGN, c"PKCS#11 signing failed";
    /// mbedTLS refused part of the configuration while `TLS_Connect` set
    /// the connection up (reported as a failed handshake).
    Mbedtls(i32) => TLS_ERROR_HANDSHAKE_FAILED, c"mbedTLS refused config";
    /// After the handshake, the record layer failed: a record that does not
    /// decrypt or parse, a fatal alert from the peer, an unexpected message.
    /// The mbedTLS code says which.
    Protocol(i32) => TLS_ERROR_PROTOCOL, c"TLS record error or fatal alert";
    /// The transport callback reported an error or broke its contract.
    Transport => TLS_ERROR_TRANSPORT, c"transport callback failed";
    /// The peer closed the connection.
    Closed => TLS_ERROR_CONNECTION_CLOSED, c"connection closed by the peer";
}

/// The reason of a failed handshake whose server certificate mbedTLS
/// rejected: the first of these X.509 verification flags that is set
/// names it; another flag alone reads "rejected".
#[cfg(feature = "texts")]
const CERT_CAUSES: [(u32, &CStr); 4] = [
    (m::X509_BADCERT_EXPIRED as u32, c"server certificate expired"),
    (m::X509_BADCERT_FUTURE as u32, c"server certificate not yet valid"),
    (m::X509_BADCERT_CN_MISMATCH as u32, c"server certificate: wrong host name"),
    (m::X509_BADCERT_NOT_TRUSTED as u32, c"server certificate not trusted"),
];

/// What every reason reads in a build without feature `texts` (the codes
/// of `TLS_GetLastError` still tell the causes apart).
#[cfg(not(feature = "texts"))]
const NO_TEXT: &CStr = c"no text: built without feature texts";

impl Error {
    /// The underlying mbedTLS code, when there is one.
    pub fn mbedtls_code(self) -> i32 {
        match self {
            Error::Handshake(rc) | Error::Mbedtls(rc) | Error::Protocol(rc) => rc,
            _ => 0,
        }
    }

    /// A short, stable sentence for logs: which check failed. A bad
    /// parameter names itself; a failed handshake names the certificate
    /// check that failed (`verify_flags`), if one did.
    #[cfg(feature = "texts")]
    pub fn reason(self, verify_flags: u32) -> &'static CStr {
        match self {
            Error::BadParameter(what) => what,
            Error::Handshake(_) if verify_flags != 0 => CERT_CAUSES
                .iter()
                .find(|&&(flag, _)| verify_flags & flag != 0)
                .map_or(c"server certificate rejected", |&(_, text)| text),
            other => other.text(),
        }
    }

    /// Without feature `texts`: one fixed text for every error.
    #[cfg(not(feature = "texts"))]
    pub fn reason(self, _verify_flags: u32) -> &'static CStr {
        NO_TEXT
    }
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
    #[cfg(feature = "texts")]
    fn each_error_reads_its_own_reason() {
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
    }

    #[test]
    #[cfg(not(feature = "texts"))]
    fn without_texts_every_reason_is_the_fixed_text() {
        for (error, flags) in [(Error::BadParameter(c"pcX: NULL"), 0), (Error::Closed, 0), (Error::Handshake(-1), 0x08)]
        {
            assert_eq!(error.reason(flags), NO_TEXT);
        }
    }

    #[test]
    fn each_error_has_its_code() {
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
