//! Every check of a C argument, and every C argument's name: a caller's
//! `TLSParams_t` (in whichever layout it was compiled), then the arguments
//! of the other entry points. What passes is turned into the TLS layer's
//! own types; what does not is named here, by its C name, short (the log
//! line and `TLS_GetLastError`'s reason; firmware rodata).

use core::ffi::{c_char, CStr};
use core::mem::size_of;

use super::c_str::bounded_cstr;
use super::c_transport::CTransport;
use super::slice;
use super::types::{TLSParams_t, TlsParamsV1};
use super::version::{TLS_PROTOCOL_VERSION_1_2, TLS_PROTOCOL_VERSION_1_3};
use super::MAX_IO;
use crate::error::{Error, Result};
use crate::fallible::try_box;
use crate::pkcs11::labels::{Checked, MAX_TEXT_LEN};
use crate::tls::{
    Connection, Name, TlsConfig, TlsVersion, TrustAnchors, VersionRangeError, MAX_ALPN_PROTOCOLS, MAX_NAME_LEN,
};

// `TLSParams_t`'s fields.
const SIZE_UNKNOWN: Error = Error::BadParameter(c"ulSize: not sizeof(TLSParams_t)");
const NO_TRANSPORT: Error = Error::BadParameter(c"pxNetworkRecv/pxNetworkSend: NULL");
const DESTINATION_NULL: Error = Error::BadParameter(c"pcDestination: NULL");
const DESTINATION_TOO_LONG: Error = Error::BadParameter(c"pcDestination: over 255 bytes");
const DESTINATION_EMPTY: Error = Error::BadParameter(c"pcDestination: empty");
const CERTIFICATE_NO_NUL: Error = Error::BadParameter(c"ulServerCertificateLength: must count the NUL");
const CERTIFICATE_BAD_PEM: Error = Error::BadParameter(c"pcServerCertificate: bad PEM");
const ALPN_NULL: Error = Error::BadParameter(c"ppcAlpnProtocols: NULL");
const ALPN_TOO_MANY: Error = Error::BadParameter(c"ulAlpnProtocolsCount: over 16");
const ALPN_NULL_ENTRY: Error = Error::BadParameter(c"ppcAlpnProtocols: NULL entry");
const ALPN_NAME_LENGTH: Error = Error::BadParameter(c"ppcAlpnProtocols: name not 1..255 bytes");
// The texts spell the limits out.
const _: () = assert!(MAX_NAME_LEN == 255 && MAX_ALPN_PROTOCOLS == 16);

/// The connection `TLS_Init` makes from the caller's parameters: checked,
/// copied, and the trust anchors parsed. No I/O.
///
/// # Safety
/// As for [`read`].
pub(super) unsafe fn connection(params: *const TLSParams_t) -> Result<Connection> {
    // SAFETY: forwarded from this function's contract.
    let (config, anchors, transport) = unsafe { read(params) }?;
    let transport = try_box(transport).map_err(|_| Error::NoMemory)?;
    Connection::new(config, &anchors, transport).map_err(|err| match err {
        // What mbedTLS refuses while setting up is the trust anchors.
        Error::Mbedtls(_) => CERTIFICATE_BAD_PEM,
        err => err,
    })
}

/// Validate and copy everything out of the caller's struct, except the
/// trust anchors, which are borrowed for `'a` (to be parsed by the caller).
///
/// # Safety
/// `params` must be non-NULL and point to at least `ulSize` readable bytes
/// laid out as one of the two published `TLSParams_t` versions; strings it
/// points to must be NUL-terminated; the certificate text must stay valid
/// for `'a` (in practice: the `TLS_Init` call).
unsafe fn read<'a>(params: *const TLSParams_t) -> Result<(TlsConfig, TrustAnchors<'a>, CTransport)> {
    // SAFETY: `ulSize` is the first field of both layouts.
    let size = unsafe { params.cast::<u32>().read_unaligned() } as usize;
    let p = if size == size_of::<TLSParams_t>() {
        // SAFETY: the caller compiled the current layout (size says so).
        unsafe { params.read() }
    } else if size == size_of::<TlsParamsV1>() {
        // SAFETY: the caller compiled the 1.0.0 layout (size says so).
        TLSParams_t::from(unsafe { params.cast::<TlsParamsV1>().read() })
    } else {
        return Err(SIZE_UNKNOWN);
    };
    let (Some(recv), Some(send)) = (p.pxNetworkRecv, p.pxNetworkSend) else {
        return Err(NO_TRANSPORT);
    };

    if p.pcDestination.is_null() {
        return Err(DESTINATION_NULL);
    }
    // SAFETY: non-NULL, NUL-terminated per the contract; scan is bounded.
    let host = unsafe { bounded_cstr(p.pcDestination, MAX_NAME_LEN) }.ok_or(DESTINATION_TOO_LONG)?;

    let anchors = if p.pcServerCertificate.is_null() {
        TrustAnchors::Default
    } else {
        let len = p.ulServerCertificateLength as usize;
        // SAFETY: the caller promises `len` readable bytes at the pointer,
        // unchanged during `TLS_Init`. Non-NULL: always `Some`.
        let pem = unsafe { slice::bytes(p.pcServerCertificate.cast::<u8>(), len) }.unwrap_or_default();
        TrustAnchors::pem(pem).ok_or(CERTIFICATE_NO_NUL)?
    };

    // A C string holds no NUL and the scan kept to the length: only
    // emptiness is left to refuse.
    let mut config = TlsConfig::new(Name::new(host).ok_or(DESTINATION_EMPTY)?)?;
    if p.ulAlpnProtocolsCount > 0 {
        if p.ppcAlpnProtocols.is_null() {
            return Err(ALPN_NULL);
        }
        // More is a corrupt count, not a configuration: refused before the
        // list is read. The one check of the limit.
        if p.ulAlpnProtocolsCount as usize > MAX_ALPN_PROTOCOLS {
            return Err(ALPN_TOO_MANY);
        }
        for i in 0..p.ulAlpnProtocolsCount as usize {
            // SAFETY: the caller's list holds at least `ulAlpnProtocolsCount` entries.
            let name = unsafe { p.ppcAlpnProtocols.add(i).read() };
            if name.is_null() {
                return Err(ALPN_NULL_ENTRY);
            }
            // SAFETY: non-NULL, NUL-terminated; scan bounded.
            let name = unsafe { bounded_cstr(name, MAX_NAME_LEN) }.and_then(Name::new).ok_or(ALPN_NAME_LENGTH)?;
            config.push_alpn(name)?;
        }
    }
    Ok((config, anchors, CTransport { recv, send, caller_context: p.pvCallerContext }))
}

// The other entry points' arguments. Those that reach a connection are
// recorded by `Connection::reject`, the rest only logged (`report`).
/// `TLS_Init`'s `ppvContext`.
pub(super) const CONTEXT_OUT_NULL: Error = Error::BadParameter(c"ppvContext: NULL");
/// `TLS_Init`'s `pxParams`.
pub(super) const PARAMS_NULL: Error = Error::BadParameter(c"pxParams: NULL");
/// Every call's `pvContext`.
pub(super) const CONTEXT_NULL: Error = Error::BadParameter(c"pvContext: NULL");
/// `TLS_GetLastError`'s `pxError`.
pub(super) const ERROR_OUT_NULL: Error = Error::BadParameter(c"pxError: NULL");
/// `TLS_SetSessionCacheSize`'s `ulEntries`.
pub(super) const CACHE_ENTRIES_OVER: Error = Error::BadParameter(c"ulEntries: over 8");
/// `TLS_SetSessionMaxAge`'s `ulSeconds`.
pub(super) const MAX_AGE_OUT_OF_RANGE: Error = Error::BadParameter(c"ulSeconds: out of range");
/// `TLS_SetHandshakeTimeout`'s `ulTimeoutMs`.
pub(super) const TIMEOUT_ZERO: &CStr = c"ulTimeoutMs: 0";
const PIN_LENGTH: &CStr = c"pcPin: not 1..127 bytes";
const KEY_LABEL_LENGTH: &CStr = c"pcKeyLabel: not 1..127 bytes";
const CERT_LABEL_LENGTH: &CStr = c"pcCertLabel: not 1..127 bytes";
// The texts spell the limit out.
const _: () = assert!(MAX_TEXT_LEN == 127);

/// `TLS_Recv`'s buffer: the first `MAX_IO` of `len` bytes at `buf` (a
/// count above that cannot be returned), empty for a length of 0.
///
/// # Safety
/// `buf` is NULL or `len` bytes writable and unused elsewhere for `'a`.
pub(super) unsafe fn read_buffer<'a>(buf: *mut u8, len: usize) -> core::result::Result<&'a mut [u8], &'static CStr> {
    // SAFETY: forwarded from this function's contract (a prefix is taken).
    unsafe { slice::bytes_mut(buf, len.min(MAX_IO)) }.ok_or(c"pucReadBuffer: NULL")
}

/// `TLS_Send`'s message, as [`read_buffer`] for bytes only read.
///
/// # Safety
/// `msg` is NULL or `len` bytes readable and unchanged for `'a`.
pub(super) unsafe fn message<'a>(msg: *const u8, len: usize) -> core::result::Result<&'a [u8], &'static CStr> {
    // SAFETY: forwarded from this function's contract (a prefix is taken).
    unsafe { slice::bytes(msg, len.min(MAX_IO)) }.ok_or(c"pucMsg: NULL")
}

/// `TLS_SetProtocolVersions`' two values, each one of the two versions.
pub(super) fn versions(min: u16, max: u16) -> core::result::Result<(TlsVersion, TlsVersion), &'static CStr> {
    fn version(number: u16) -> Option<TlsVersion> {
        match number {
            TLS_PROTOCOL_VERSION_1_2 => Some(TlsVersion::Tls12),
            TLS_PROTOCOL_VERSION_1_3 => Some(TlsVersion::Tls13),
            _ => None,
        }
    }
    let min = version(min).ok_or(c"usMinVersion: not a TLS version")?;
    let max = version(max).ok_or(c"usMaxVersion: not a TLS version")?;
    Ok((min, max))
}

/// Why the TLS layer refused `TLS_SetProtocolVersions`' range, by the
/// arguments' names.
pub(super) fn version_range_refused(why: VersionRangeError) -> &'static CStr {
    match why {
        VersionRangeError::NotInBuild => c"usMaxVersion: TLS 1.3 is not in this build",
        VersionRangeError::Inverted => c"usMinVersion: above usMaxVersion",
        VersionRangeError::BothUnderSmallRecords => c"usMaxVersion: TLS 1.2 or 1.3, not both, under 16 KiB records",
    }
}

/// `TLS_SetClientCredentialLabels`' three strings, all checked before any
/// is used: each `None` for NULL, or its bytes before the NUL.
///
/// # Safety
/// Each pointer is NULL or readable up to its NUL or `MAX_TEXT_LEN + 1` bytes.
pub(super) unsafe fn credential_labels<'a>(
    pin: *const c_char,
    key_label: *const c_char,
    cert_label: *const c_char,
) -> Result<(Option<Checked<'a>>, Option<Checked<'a>>, Option<Checked<'a>>)> {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        Ok((
            label_text(pin, PIN_LENGTH)?,
            label_text(key_label, KEY_LABEL_LENGTH)?,
            label_text(cert_label, CERT_LABEL_LENGTH)?,
        ))
    }
}

/// `None` for NULL; the bytes before the NUL, or `what` as the bad
/// parameter when they are empty or more than `MAX_TEXT_LEN` (the scan
/// stops there). One copy for the three arguments.
///
/// # Safety
/// `p` is NULL or readable up to its NUL or `MAX_TEXT_LEN + 1` bytes.
#[inline(never)]
unsafe fn label_text<'a>(p: *const c_char, what: &'static CStr) -> Result<Option<Checked<'a>>> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: non-NULL here; readable as the caller promises.
    let bytes = unsafe { bounded_cstr(p, MAX_TEXT_LEN) }.ok_or(Error::BadParameter(what))?;
    Checked::new(bytes).map(Some).ok_or(Error::BadParameter(what))
}
