//! Reading a caller's `TLSParams_t`, in whichever layout it was compiled:
//! every field is checked here and turned into the TLS layer's own types,
//! and a bad one is named here, by its C name.

use core::mem::size_of;

use super::c_str::bounded_cstr;
use super::c_transport::CTransport;
use super::slice;
use super::types::{TLSParams_t, TlsParamsV1};
use crate::error::{Error, Result};
use crate::fallible::try_box;
use crate::tls::{Connection, Name, TlsConfig, TrustAnchors, MAX_ALPN_PROTOCOLS, MAX_NAME_LEN};

// What is wrong with a field, by its C name (the log line and
// `TLS_GetLastError`'s reason). Short: they are firmware rodata.
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
