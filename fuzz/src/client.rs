//! One client conversation through the C ABI, as a firmware caller makes it,
//! with the checks every return value must pass whatever the server sent.

use std::ffi::{c_char, c_void, CStr, CString};
use std::ptr::{null, null_mut};

use freertos_tls::ffi::{self, BaseType_t, NetworkRecv_t, NetworkSend_t, TLSLastError_t, TLSParams_t};

use crate::flight::{playback_recv, playback_send, Flight, Playback};
use crate::{CLIENT_ALPN, FUZZ_CA_PEM, SERVER_NAME};

/// What the client sends once connected; the recorded servers expect it.
pub const REQUEST: &[u8] = b"GET /fuzz HTTP/1.1\r\nHost: fuzz.server.test\r\n\r\n";

/// `TLS_Recv` calls per run: enough for every recorded flight.
const MAX_RECV_CALLS: usize = 1024;

/// How a conversation went.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Conversation {
    pub connect_rc: BaseType_t,
    /// Application data the client read.
    pub received: Vec<u8>,
    /// The last `TLS_Recv` result (the code that ended the reads).
    pub final_recv_rc: BaseType_t,
}

/// The fixed client parameters of the stream target (and the recorder).
pub struct StandardParams {
    host: CString,
    ca: Vec<u8>,
    alpn: Vec<CString>,
    alpn_ptrs: Vec<*const c_char>,
}

impl StandardParams {
    /// The standard parameters with `ca` (PEM text, NUL included) as the anchors.
    pub fn with_anchors(ca: Vec<u8>) -> StandardParams {
        let alpn: Vec<CString> = CLIENT_ALPN.iter().map(|s| CString::new(*s).unwrap()).collect();
        let mut alpn_ptrs: Vec<*const c_char> = alpn.iter().map(|s| s.as_ptr()).collect();
        alpn_ptrs.push(null());
        StandardParams { host: CString::new(SERVER_NAME).unwrap(), ca, alpn, alpn_ptrs }
    }

    pub fn standard() -> StandardParams {
        let mut ca = FUZZ_CA_PEM.as_bytes().to_vec();
        ca.push(0);
        StandardParams::with_anchors(ca)
    }

    /// `TLSParams_t` pointing into `self`, with the given transport.
    pub fn raw(&mut self, recv: NetworkRecv_t, send: NetworkSend_t, ctx: *mut c_void) -> TLSParams_t {
        TLSParams_t {
            ulSize: std::mem::size_of::<TLSParams_t>() as u32,
            pcDestination: self.host.as_ptr(),
            pcServerCertificate: self.ca.as_ptr().cast(),
            ulServerCertificateLength: self.ca.len() as u32,
            ppcAlpnProtocols: self.alpn_ptrs.as_mut_ptr(),
            ulAlpnProtocolsCount: self.alpn.len() as u32,
            pxNetworkRecv: recv,
            pxNetworkSend: send,
            pvCallerContext: ctx,
        }
    }
}

/// `TLS_Init`, checking what a failure must leave behind.
///
/// # Safety
/// `params` must satisfy the `TLS_Init` contract.
pub unsafe fn init(params: *mut TLSParams_t) -> Result<*mut c_void, BaseType_t> {
    let mut ctx: *mut c_void = null_mut();
    // SAFETY: per this function's contract.
    let rc = unsafe { ffi::TLS_Init(&mut ctx, params) };
    if rc != 0 {
        assert!(ctx.is_null(), "a failed TLS_Init must leave NULL in *ppvContext");
        assert!(rc < 0, "TLS_Init returned {rc}");
        return Err(rc);
    }
    assert!(!ctx.is_null());
    Ok(ctx)
}

/// [`init`], then [`converse`] and `TLS_Cleanup`. Returns the `TLS_Init`
/// code when that fails.
///
/// # Safety
/// `params` must satisfy the `TLS_Init` contract, and its caller context
/// must be what its callbacks expect for as long as this runs.
pub unsafe fn init_and_converse(
    params: &mut TLSParams_t,
    recv_size: usize,
    timeout_ms: u32,
) -> Result<Conversation, BaseType_t> {
    // SAFETY: per this function's contract.
    let ctx = unsafe { init(params) }?;
    // SAFETY: ctx came from TLS_Init; it is cleaned up exactly once, here.
    let conversation = unsafe { converse(ctx, recv_size, timeout_ms) };
    // SAFETY: as above.
    unsafe { ffi::TLS_Cleanup(ctx) };
    Ok(conversation)
}

/// Play `flight` to a client with the standard parameters.
pub fn run_flight(flight: &Flight<'_>, capture: bool) -> (Conversation, Vec<u8>) {
    crate::determinism::start_run();
    let mut playback = Playback::new(flight, capture);
    let mut params = StandardParams::standard();
    let mut raw = params.raw(Some(playback_recv), Some(playback_send), (&mut playback as *mut Playback<'_>).cast());
    // SAFETY: `raw` points into `params`, and its context at `playback`,
    // both alive until the call returns.
    // No wait may depend on the clock of the machine running the input.
    let conversation =
        unsafe { init_and_converse(&mut raw, flight.recv_size, u32::MAX) }.expect("standard parameters are valid");
    (conversation, playback.client_bytes)
}

/// Set the handshake timeout, connect, send [`REQUEST`], read until an error or [`MAX_RECV_CALLS`],
/// then once more each way on the finished context. Does not clean up.
///
/// # Safety
/// `ctx` must be a live context from `TLS_Init` whose transport stays valid.
pub unsafe fn converse(ctx: *mut c_void, recv_size: usize, timeout_ms: u32) -> Conversation {
    let mut out = Conversation::default();
    // SAFETY (all calls below): `ctx` is live per the contract; buffers are
    // live slices of the lengths passed.
    unsafe {
        let rc = ffi::TLS_SetHandshakeTimeout(ctx, timeout_ms);
        let expected = if timeout_ms == 0 { ffi::TLS_ERROR_BAD_PARAMETER as BaseType_t } else { 0 };
        assert_eq!(rc, expected, "TLS_SetHandshakeTimeout({timeout_ms})");
        out.connect_rc = ffi::TLS_Connect(ctx);
        assert!(out.connect_rc <= 0, "TLS_Connect returned {}", out.connect_rc);
        // The harness's fixed-seed source always passes its health tests: an
        // RNG failure would mean the runs are no longer fuzzing the network.
        assert_ne!(out.connect_rc, ffi::TLS_ERROR_RNG as BaseType_t, "the fuzz entropy source failed");
        check_last_error(ctx);
        if out.connect_rc != 0 {
            return out;
        }
        let sent = ffi::TLS_Send(ctx, REQUEST.as_ptr(), REQUEST.len());
        assert!(sent <= REQUEST.len() as BaseType_t, "TLS_Send claims {sent} of {} bytes", REQUEST.len());
        let mut buf = vec![0u8; recv_size];
        for _ in 0..MAX_RECV_CALLS {
            let rc = ffi::TLS_Recv(ctx, buf.as_mut_ptr(), buf.len());
            assert!(rc <= buf.len() as BaseType_t, "TLS_Recv claims {rc} bytes into {}", buf.len());
            out.final_recv_rc = rc;
            if rc < 0 {
                break;
            }
            out.received.extend_from_slice(&buf[..rc as usize]);
        }
        // The connection is finished (or the budget spent): neither call
        // may claim more than it was given, and a failure is sticky: both
        // fail, TLS_Recv with the same code.
        let send_rc = ffi::TLS_Send(ctx, REQUEST.as_ptr(), REQUEST.len());
        assert!(send_rc <= REQUEST.len() as BaseType_t);
        let recv_rc = ffi::TLS_Recv(ctx, buf.as_mut_ptr(), buf.len());
        assert!(recv_rc <= buf.len() as BaseType_t);
        if out.final_recv_rc < 0 {
            assert!(send_rc < 0, "TLS_Send returned {send_rc} after TLS_Recv failed with {}", out.final_recv_rc);
            assert_eq!(recv_rc, out.final_recv_rc, "TLS_Recv's failure is not sticky");
        }
        check_last_error(ctx);
    }
    out
}

/// `TLS_GetLastError` must answer, with a readable reason.
///
/// # Safety
/// `ctx` must be a live context.
unsafe fn check_last_error(ctx: *mut c_void) {
    let mut e =
        TLSLastError_t { xCode: 0, lMbedtlsCode: 0, ulVerifyFlags: 0, ulPkcs11ReturnValue: 0, pcReason: null() };
    // SAFETY: per the contract; `e` is writable.
    assert_eq!(unsafe { ffi::TLS_GetLastError(ctx, &mut e) }, 0);
    assert!(e.xCode <= 0);
    if !e.pcReason.is_null() {
        // SAFETY: the library hands out static NUL-terminated reasons.
        let reason = unsafe { CStr::from_ptr(e.pcReason) };
        assert!(reason.to_bytes().len() < 512);
    }
}
