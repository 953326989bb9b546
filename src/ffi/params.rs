//! Reading a caller's `TLSParams_t`, in whichever layout it was compiled.

use core::ffi::c_char;
use core::mem::size_of;

use super::c_transport::CTransport;
use super::types::{TLSParams_t, TlsParamsV1};
use crate::error::{Error, Result};
use crate::tls::{TlsConfig, TrustAnchors, ALPN_NAME_LENGTH, DESTINATION_TOO_LONG};

/// Longest host name accepted (DNS allows 253).
const MAX_HOST_NAME: usize = 255;
/// More ALPN names than this is a corrupt count, not a configuration.
const MAX_ALPN_PROTOCOLS: u32 = 16;

/// The fields both layouts share, plus ALPN when present.
struct Fields {
    destination: *const c_char,
    server_certificate: *const c_char,
    server_certificate_len: u32,
    alpn: *mut *const c_char,
    alpn_count: u32,
    transport: CTransport,
}

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
    let f = if size == size_of::<TLSParams_t>() {
        // SAFETY: the caller compiled the current layout (size says so).
        let p = unsafe { &*params };
        fields(
            p.pcDestination,
            p.pcServerCertificate,
            p.ulServerCertificateLength,
            p.pxNetworkRecv,
            p.pxNetworkSend,
            p.pvCallerContext,
        )
        .map(|f| Fields { alpn: p.ppcAlpnProtocols, alpn_count: p.ulAlpnProtocolsCount, ..f })?
    } else if size == size_of::<TlsParamsV1>() {
        // SAFETY: the caller compiled the 1.0.0 layout (size says so).
        let p = unsafe { &*params.cast::<TlsParamsV1>() };
        fields(
            p.pcDestination,
            p.pcServerCertificate,
            p.ulServerCertificateLength,
            p.pxNetworkRecv,
            p.pxNetworkSend,
            p.pvCallerContext,
        )?
    } else {
        return Err(Error::BadParameter(c"ulSize: not sizeof(TLSParams_t)"));
    };

    if f.destination.is_null() {
        return Err(Error::BadParameter(c"pcDestination: NULL"));
    }
    // SAFETY: non-NULL, NUL-terminated per the contract; scan is bounded.
    let host =
        unsafe { bounded_cstr(f.destination, MAX_HOST_NAME) }.ok_or(Error::BadParameter(DESTINATION_TOO_LONG))?;

    let anchors = if f.server_certificate.is_null() {
        TrustAnchors::Default
    } else {
        let len = f.server_certificate_len as usize;
        // SAFETY: the caller promises `len` readable bytes at the pointer.
        let pem = unsafe { core::slice::from_raw_parts(f.server_certificate.cast::<u8>(), len) };
        TrustAnchors::from_pem(pem)?
    };

    let mut config = TlsConfig::new(host)?;
    if f.alpn_count > 0 {
        if f.alpn.is_null() {
            return Err(Error::BadParameter(c"ppcAlpnProtocols: NULL"));
        }
        if f.alpn_count > MAX_ALPN_PROTOCOLS {
            return Err(Error::BadParameter(c"ulAlpnProtocolsCount: over 16"));
        }
        for i in 0..f.alpn_count as usize {
            // SAFETY: the caller's list holds at least `alpn_count` entries.
            let name = unsafe { f.alpn.add(i).read() };
            if name.is_null() {
                return Err(Error::BadParameter(c"ppcAlpnProtocols: NULL entry"));
            }
            // SAFETY: non-NULL, NUL-terminated; scan bounded.
            let name = unsafe { bounded_cstr(name, 255) }.ok_or(Error::BadParameter(ALPN_NAME_LENGTH))?;
            config.push_alpn(name)?;
        }
    }
    Ok((config, anchors, f.transport))
}

fn fields(
    destination: *const c_char,
    server_certificate: *const c_char,
    server_certificate_len: u32,
    recv: super::types::NetworkRecv_t,
    send: super::types::NetworkSend_t,
    caller_context: *mut core::ffi::c_void,
) -> Result<Fields> {
    let (Some(recv), Some(send)) = (recv, send) else {
        return Err(Error::BadParameter(c"pxNetworkRecv/pxNetworkSend: NULL"));
    };
    Ok(Fields {
        destination,
        server_certificate,
        server_certificate_len,
        alpn: core::ptr::null_mut(),
        alpn_count: 0,
        transport: CTransport { recv, send, caller_context },
    })
}

/// The bytes of a C string of at most `max` bytes, without its NUL.
///
/// # Safety
/// `p` must be non-NULL and readable up to its NUL or `max + 1` bytes.
unsafe fn bounded_cstr<'a>(p: *const c_char, max: usize) -> Option<&'a [u8]> {
    let p = p.cast::<u8>();
    for len in 0..=max {
        // SAFETY: within the readable range promised by the caller.
        if unsafe { p.add(len).read() } == 0 {
            // SAFETY: the `len` bytes before the NUL were just read.
            return Some(unsafe { core::slice::from_raw_parts(p, len) });
        }
    }
    None
}
