//! Reading a caller's `TLSParams_t`, in whichever layout it was compiled.

use core::mem::size_of;

use super::c_str::bounded_cstr;
use super::c_transport::CTransport;
use super::types::{TLSParams_t, TlsParamsV1};
use crate::error::{Error, Result};
use crate::tls::{TlsConfig, TrustAnchors, ALPN_NAME_LENGTH, ALPN_TOO_MANY, DESTINATION_TOO_LONG, MAX_ALPN_PROTOCOLS};

/// Longest host name accepted (DNS allows 253).
const MAX_HOST_NAME: usize = 255;

/// Validate and copy everything out of the caller's struct, except the
/// trust anchors, which are borrowed for `'a` (to be parsed by the caller).
///
/// # Safety
/// `params` must be non-NULL and point to at least `ulSize` readable bytes
/// laid out as one of the two published `TLSParams_t` versions; strings it
/// points to must be NUL-terminated; the certificate text must stay valid
/// for `'a` (in practice: the `TLS_Init` call).
pub(crate) unsafe fn read<'a>(params: *const TLSParams_t) -> Result<(TlsConfig, TrustAnchors<'a>, CTransport)> {
    // SAFETY: `ulSize` is the first field of both layouts.
    let size = unsafe { params.cast::<u32>().read_unaligned() } as usize;
    let p = if size == size_of::<TLSParams_t>() {
        // SAFETY: the caller compiled the current layout (size says so).
        unsafe { params.read() }
    } else if size == size_of::<TlsParamsV1>() {
        // SAFETY: the caller compiled the 1.0.0 layout (size says so).
        TLSParams_t::from(unsafe { params.cast::<TlsParamsV1>().read() })
    } else {
        return Err(Error::BadParameter(c"ulSize: not sizeof(TLSParams_t)"));
    };
    let (Some(recv), Some(send)) = (p.pxNetworkRecv, p.pxNetworkSend) else {
        return Err(Error::BadParameter(c"pxNetworkRecv/pxNetworkSend: NULL"));
    };

    if p.pcDestination.is_null() {
        return Err(Error::BadParameter(c"pcDestination: NULL"));
    }
    // SAFETY: non-NULL, NUL-terminated per the contract; scan is bounded.
    let host =
        unsafe { bounded_cstr(p.pcDestination, MAX_HOST_NAME) }.ok_or(Error::BadParameter(DESTINATION_TOO_LONG))?;

    let anchors = if p.pcServerCertificate.is_null() {
        TrustAnchors::Default
    } else {
        let len = p.ulServerCertificateLength as usize;
        // SAFETY: the caller promises `len` readable bytes at the pointer.
        let pem = unsafe { core::slice::from_raw_parts(p.pcServerCertificate.cast::<u8>(), len) };
        TrustAnchors::from_pem(pem)?
    };

    let mut config = TlsConfig::new(host)?;
    if p.ulAlpnProtocolsCount > 0 {
        if p.ppcAlpnProtocols.is_null() {
            return Err(Error::BadParameter(c"ppcAlpnProtocols: NULL"));
        }
        // More is a corrupt count, not a configuration: refused before the
        // list is read (`push_alpn` refuses a 17th name too, for the
        // connection's fixed pointer list).
        if p.ulAlpnProtocolsCount as usize > MAX_ALPN_PROTOCOLS {
            return Err(Error::BadParameter(ALPN_TOO_MANY));
        }
        for i in 0..p.ulAlpnProtocolsCount as usize {
            // SAFETY: the caller's list holds at least `ulAlpnProtocolsCount` entries.
            let name = unsafe { p.ppcAlpnProtocols.add(i).read() };
            if name.is_null() {
                return Err(Error::BadParameter(c"ppcAlpnProtocols: NULL entry"));
            }
            // SAFETY: non-NULL, NUL-terminated; scan bounded.
            let name = unsafe { bounded_cstr(name, 255) }.ok_or(Error::BadParameter(ALPN_NAME_LENGTH))?;
            config.push_alpn(name)?;
        }
    }
    Ok((config, anchors, CTransport { recv, send, caller_context: p.pvCallerContext }))
}
