//! The `tls_params` target's input: the contents of a `TLSParams_t` (either
//! layout or a wrong `ulSize`), its strings and the ALPN list, each in an
//! allocation of exactly its size so that any read past it is caught.
//!
//! Format (missing bytes read as 0):
//! - byte 0, flags: bits 0-1 layout (0 and 3 current, 1 the 1.0.0 layout
//!   without ALPN, 2 `ulSize` from bytes 2..6); bit 2 `pcDestination`
//!   NULL; bit 3 `pcServerCertificate` NULL (built-in roots); bit 4
//!   `pxNetworkRecv` NULL; bit 5 `pxNetworkSend` NULL; bit 6
//!   `ppcAlpnProtocols` NULL; bit 7 connect after a successful `TLS_Init`.
//! - byte 1: `ulAlpnProtocolsCount`. The list always holds at least that
//!   many entries (NULL past the names given), as the contract requires.
//! - bytes 2..6: `ulSize` (LE, modulo [`MAX_PARAMS_BYTES`]) for layout 2.
//! - bytes 6..10: the handshake timeout in ms (LE), 0 included.
//! - bytes 10..12: `ulServerCertificateLength` (LE), at most the buffer's size.
//! - then sections, each a big-endian u16 length and its bytes: the host
//!   name (a NUL is appended), the certificate text (as is), then one ALPN
//!   name per section (a NUL is appended).

use std::ffi::{c_char, c_void};
use std::mem::size_of;
use std::ptr::{null, null_mut};

use freertos_tls::ffi::{NetworkRecv_t, NetworkSend_t, TLSParams_t};

/// Room for any `ulSize` a layout-2 input names: the struct sits at the
/// start of a zeroed block this large, so the size never lies about
/// readable memory.
pub const MAX_PARAMS_BYTES: usize = 256;

const HEADER_BYTES: usize = 12;

/// The 1.0.0 layout (no ALPN fields), as a C caller of that version compiled it.
#[repr(C)]
struct TlsParamsV1 {
    ul_size: u32,
    pc_destination: *const c_char,
    pc_server_certificate: *const c_char,
    ul_server_certificate_length: u32,
    px_network_recv: NetworkRecv_t,
    px_network_send: NetworkSend_t,
    pv_caller_context: *mut c_void,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    Current,
    V1,
    Size(u32),
}

/// A decoded input, owning every buffer the struct points into.
pub struct ParamsInput {
    layout: Layout,
    flags: u8,
    alpn_count: u32,
    pub timeout_ms: u32,
    declared_cert_len: u32,
    host: Box<[u8]>,
    cert: Box<[u8]>,
    alpn_names: Vec<Box<[u8]>>,
    alpn_list: Vec<*const c_char>,
}

fn with_nul(bytes: &[u8]) -> Box<[u8]> {
    let mut v = Vec::with_capacity(bytes.len() + 1);
    v.extend_from_slice(bytes);
    v.push(0);
    v.into_boxed_slice()
}

impl ParamsInput {
    pub fn parse(input: &[u8]) -> ParamsInput {
        let mut header = [0u8; HEADER_BYTES];
        let n = input.len().min(HEADER_BYTES);
        header[..n].copy_from_slice(&input[..n]);
        let sections = crate::sections::split(&input[n..]);
        let flags = header[0];
        let u32_at = |i: usize| u32::from_le_bytes(header[i..i + 4].try_into().unwrap());
        let layout = match flags & 3 {
            1 => Layout::V1,
            2 => {
                let mut size = u32_at(2) % MAX_PARAMS_BYTES as u32;
                // A size naming a layout is that layout's input, not this one's.
                if size as usize == size_of::<TLSParams_t>() || size as usize == size_of::<TlsParamsV1>() {
                    size += 1;
                }
                Layout::Size(size)
            }
            _ => Layout::Current,
        };
        let host = with_nul(sections.first().copied().unwrap_or(b""));
        let cert: Box<[u8]> = sections.get(1).copied().unwrap_or(b"").into();
        let declared_cert_len = u32::from(u16::from_le_bytes([header[10], header[11]])).min(cert.len() as u32);
        let alpn_names: Vec<Box<[u8]>> = sections.iter().skip(2).map(|s| with_nul(s)).collect();
        let alpn_count = u32::from(header[1]);
        let mut alpn_list: Vec<*const c_char> = alpn_names.iter().map(|s| s.as_ptr().cast()).collect();
        alpn_list.resize(alpn_names.len().max(alpn_count as usize) + 1, null());
        ParamsInput {
            layout,
            flags,
            alpn_count,
            timeout_ms: u32_at(6),
            declared_cert_len,
            host,
            cert,
            alpn_names,
            alpn_list,
        }
    }

    /// Whether to connect when `TLS_Init` succeeds.
    pub fn connects(&self) -> bool {
        self.flags & 0x80 != 0
    }

    fn ptr_unless(&self, bit: u8, p: *const c_char) -> *const c_char {
        if self.flags & bit != 0 {
            null()
        } else {
            p
        }
    }

    /// The struct as the caller would pass it, in a zeroed block of
    /// [`MAX_PARAMS_BYTES`] (8-aligned), pointing into `self`.
    pub fn raw(&mut self, recv: NetworkRecv_t, send: NetworkSend_t, ctx: *mut c_void) -> Box<[u64]> {
        let mut block = vec![0u64; MAX_PARAMS_BYTES / 8].into_boxed_slice();
        let destination = self.ptr_unless(0x04, self.host.as_ptr().cast());
        let certificate = self.ptr_unless(0x08, self.cert.as_ptr().cast());
        let recv = if self.flags & 0x10 != 0 { None } else { recv };
        let send = if self.flags & 0x20 != 0 { None } else { send };
        let alpn = if self.flags & 0x40 != 0 { null_mut() } else { self.alpn_list.as_mut_ptr() };
        let current = |size: u32| TLSParams_t {
            ulSize: size,
            pcDestination: destination,
            pcServerCertificate: certificate,
            ulServerCertificateLength: self.declared_cert_len,
            ppcAlpnProtocols: alpn,
            ulAlpnProtocolsCount: self.alpn_count,
            pxNetworkRecv: recv,
            pxNetworkSend: send,
            pvCallerContext: ctx,
        };
        let base = block.as_mut_ptr();
        // SAFETY: the block is 8-aligned, zeroed and larger than either
        // struct; each write is a whole, valid value of its type.
        unsafe {
            match self.layout {
                Layout::Current => base.cast::<TLSParams_t>().write(current(size_of::<TLSParams_t>() as u32)),
                Layout::Size(size) => base.cast::<TLSParams_t>().write(current(size)),
                Layout::V1 => base.cast::<TlsParamsV1>().write(TlsParamsV1 {
                    ul_size: size_of::<TlsParamsV1>() as u32,
                    pc_destination: destination,
                    pc_server_certificate: certificate,
                    ul_server_certificate_length: self.declared_cert_len,
                    px_network_recv: recv,
                    px_network_send: send,
                    pv_caller_context: ctx,
                }),
            }
        }
        block
    }

    /// The caller may free its strings once `TLS_Init` returns: free them,
    /// so that a pointer the library kept is a use after free.
    pub fn release_strings(&mut self) {
        self.host = Box::default();
        self.cert = Box::default();
        self.alpn_names = Vec::new();
        self.alpn_list = Vec::new();
    }
}

/// The fields of one input, for the recorder to write seeds with.
pub struct ParamsSeed<'a> {
    pub flags: u8,
    pub alpn_count: u8,
    pub size: u32,
    pub timeout_ms: u32,
    pub cert_len: u16,
    pub host: &'a [u8],
    pub cert: &'a [u8],
    pub alpn: &'a [&'a [u8]],
}

impl ParamsSeed<'_> {
    /// Encode as an input (the inverse of [`ParamsInput::parse`]).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![self.flags, self.alpn_count];
        out.extend_from_slice(&self.size.to_le_bytes());
        out.extend_from_slice(&self.timeout_ms.to_le_bytes());
        out.extend_from_slice(&self.cert_len.to_le_bytes());
        for s in [self.host, self.cert].into_iter().chain(self.alpn.iter().copied()) {
            out.extend_from_slice(&u16::try_from(s.len()).unwrap().to_be_bytes());
            out.extend_from_slice(s);
        }
        out
    }
}
