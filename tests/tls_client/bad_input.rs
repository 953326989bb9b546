//! Bad input through the C ABI: every entry point, NULLs, zero lengths,
//! wrong `ulSize`, misbehaving transport callbacks. Each row must return an
//! error code (or the documented no-op) and never crash.

use crate::support;

use std::ffi::c_void;
use std::ptr::{null, null_mut};
use std::time::Duration;

use freertos_tls::ffi::{self, BaseType_t, TLSParams_t};
use support::*;

const BAD: BaseType_t = ffi::TLS_ERROR_BAD_PARAMETER as BaseType_t;
const STATE: BaseType_t = ffi::TLS_ERROR_INVALID_STATE as BaseType_t;

unsafe extern "C" fn recv_nothing(_: *mut c_void, _: *mut u8, _: usize) -> BaseType_t {
    0
}
unsafe extern "C" fn send_all(_: *mut c_void, _: *const u8, len: usize) -> BaseType_t {
    len as BaseType_t
}

fn params(host: *const std::ffi::c_char) -> TLSParams_t {
    TLSParams_t {
        ulSize: std::mem::size_of::<TLSParams_t>() as u32,
        pcDestination: host,
        pcServerCertificate: null(),
        ulServerCertificateLength: 0,
        ppcAlpnProtocols: null_mut(),
        ulAlpnProtocolsCount: 0,
        pxNetworkRecv: Some(recv_nothing),
        pxNetworkSend: Some(send_all),
        pvCallerContext: null_mut(),
    }
}

/// TLS_Init on `p`; asserts the code and that the out-pointer is NULL on failure.
fn init_rc(p: &mut TLSParams_t) -> BaseType_t {
    // Garbage the call must overwrite.
    let mut ctx: *mut c_void = std::ptr::dangling_mut();
    // SAFETY: p is a live struct; ctx is a writable pointer variable.
    let rc = unsafe { ffi::TLS_Init(&mut ctx, p) };
    if rc == 0 {
        assert!(!ctx.is_null());
        // SAFETY: ctx is the live context just created.
        unsafe { ffi::TLS_Cleanup(ctx) };
    } else {
        assert!(ctx.is_null(), "a failed TLS_Init must leave NULL behind");
    }
    rc
}

#[test]
fn init_rejects_bad_parameters() {
    let host = c"localhost".as_ptr();
    let pem_no_nul = b"-----BEGIN CERTIFICATE-----";
    let garbage_pem = b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n\0";
    let empty = c"".as_ptr();
    let long_host = std::ffi::CString::new("a".repeat(300)).unwrap();
    let mut alpn_with_null: [*const std::ffi::c_char; 2] = [null(), null()];
    let alpn_list = alpn_with_null.as_mut_ptr();

    type Edit = Box<dyn Fn(&mut TLSParams_t)>;
    let rows: Vec<(&str, Edit, BaseType_t)> = vec![
        ("valid current layout", Box::new(|_| {}), 0),
        ("ulSize 0", Box::new(|p| p.ulSize = 0), BAD),
        ("ulSize one too big", Box::new(|p| p.ulSize += 1), BAD),
        ("ulSize one too small", Box::new(|p| p.ulSize -= 1), BAD),
        ("ulSize huge", Box::new(|p| p.ulSize = u32::MAX), BAD),
        ("NULL destination", Box::new(|p| p.pcDestination = null()), BAD),
        ("empty destination", Box::new(move |p| p.pcDestination = empty), BAD),
        ("destination over 255 bytes", Box::new(move |p| p.pcDestination = long_host.as_ptr()), BAD),
        ("NULL recv callback", Box::new(|p| p.pxNetworkRecv = None), BAD),
        ("NULL send callback", Box::new(|p| p.pxNetworkSend = None), BAD),
        (
            "certificate without its NUL",
            Box::new(move |p| {
                p.pcServerCertificate = pem_no_nul.as_ptr().cast();
                p.ulServerCertificateLength = pem_no_nul.len() as u32;
            }),
            BAD,
        ),
        (
            "certificate length 0",
            Box::new(move |p| {
                p.pcServerCertificate = garbage_pem.as_ptr().cast();
                p.ulServerCertificateLength = 0;
            }),
            BAD,
        ),
        (
            "certificate that is not a certificate",
            Box::new(move |p| {
                p.pcServerCertificate = garbage_pem.as_ptr().cast();
                p.ulServerCertificateLength = garbage_pem.len() as u32;
            }),
            BAD,
        ),
        ("ALPN count without list", Box::new(|p| p.ulAlpnProtocolsCount = 1), BAD),
        (
            "ALPN list with a NULL entry inside the count",
            Box::new(move |p| {
                p.ppcAlpnProtocols = alpn_list;
                p.ulAlpnProtocolsCount = 1;
            }),
            BAD,
        ),
        (
            "ALPN count absurdly large",
            Box::new(move |p| {
                p.ppcAlpnProtocols = alpn_list;
                p.ulAlpnProtocolsCount = 1000;
            }),
            BAD,
        ),
        ("ALPN list given, count 0 (list ignored)", Box::new(move |p| p.ppcAlpnProtocols = alpn_list), 0),
    ];
    for (name, edit, want) in rows {
        let mut p = params(host);
        edit(&mut p);
        assert_eq!(init_rc(&mut p), want, "row: {name}");
    }
}

#[test]
fn null_pointers_to_every_entry_point() {
    let mut buf = [0u8; 4];
    let mut p = params(c"localhost".as_ptr());
    let mut e = support::blank_last_error();
    // SAFETY: every pointer passed is NULL or valid; that is the point.
    unsafe {
        assert_eq!(ffi::TLS_Init(null_mut(), &mut p), BAD);
        let mut ctx: *mut c_void = null_mut();
        assert_eq!(ffi::TLS_Init(&mut ctx, null_mut()), BAD);
        assert!(ctx.is_null());
        assert_eq!(ffi::TLS_Connect(null_mut()), BAD);
        assert_eq!(ffi::TLS_Recv(null_mut(), buf.as_mut_ptr(), buf.len()), BAD);
        assert_eq!(ffi::TLS_Send(null_mut(), buf.as_ptr(), buf.len()), BAD);
        assert_eq!(ffi::TLS_GetLastError(null_mut(), &mut e), BAD);
        ffi::TLS_Cleanup(null_mut()); // accepted, no-op
        assert_eq!(freertos_tls::ffi::mbedtls_hardware_poll(null_mut(), buf.as_mut_ptr(), 4, null_mut()), -0x3C);
        let mut olen = 99usize;
        assert_eq!(ffi_poll(null_mut(), 4, &mut olen), -0x3C);
        assert_eq!(ffi_poll(buf.as_mut_ptr(), 0, &mut olen), 0);
        assert_eq!(olen, 0);
    }
}

unsafe fn ffi_poll(out: *mut u8, len: usize, olen: &mut usize) -> i32 {
    // SAFETY: forwarded from the caller.
    unsafe { freertos_tls::ffi::mbedtls_hardware_poll(null_mut(), out, len, olen) }
}

#[test]
fn io_before_connect_and_null_buffers_on_a_live_context() {
    let mut p = params(c"localhost".as_ptr());
    let mut ctx = null_mut();
    let mut buf = [0u8; 4];
    let mut e = support::blank_last_error();
    // SAFETY: ctx is created here and cleaned up once at the end.
    unsafe {
        assert_eq!(ffi::TLS_Init(&mut ctx, &mut p), 0);
        assert_eq!(ffi::TLS_Recv(ctx, buf.as_mut_ptr(), buf.len()), STATE);
        assert_eq!(ffi::TLS_Send(ctx, buf.as_ptr(), buf.len()), STATE);
        assert_eq!(ffi::TLS_Recv(ctx, null_mut(), 4), BAD);
        assert_eq!(ffi::TLS_Send(ctx, null(), 4), BAD);
        assert_eq!(ffi::TLS_Recv(ctx, null_mut(), 0), 0);
        assert_eq!(ffi::TLS_Send(ctx, null(), 0), 0);
        assert_eq!(ffi::TLS_GetLastError(ctx, null_mut()), BAD);
        assert_eq!(ffi::TLS_GetLastError(ctx, &mut e), 0);
        assert_eq!(e.xCode, 0, "state errors do not poison the context");
        ffi::TLS_Cleanup(ctx);
    }
}

unsafe extern "C" fn recv_fail(_: *mut c_void, _: *mut u8, _: usize) -> BaseType_t {
    -1
}
unsafe extern "C" fn send_fail(_: *mut c_void, _: *const u8, _: usize) -> BaseType_t {
    -1
}
unsafe extern "C" fn send_too_much(_: *mut c_void, _: *const u8, len: usize) -> BaseType_t {
    len as BaseType_t + 10
}
unsafe extern "C" fn send_nothing(_: *mut c_void, _: *const u8, _: usize) -> BaseType_t {
    0
}
unsafe extern "C" fn recv_too_much(ctx: *mut c_void, buf: *mut u8, len: usize) -> BaseType_t {
    // SAFETY: forwards to the real TCP transport behind ctx.
    let n = unsafe { tcp_recv(ctx, buf, len) };
    if n > 0 {
        n + len as BaseType_t
    } else {
        n
    }
}

/// TLS_Connect with the given callbacks against a live peer.
fn connect_with(
    recv: ffi::NetworkRecv_t,
    send: ffi::NetworkSend_t,
    port: u16,
    pki: &Pki,
) -> (BaseType_t, ffi::TLSLastError_t, Box<TcpTransport>) {
    let mut transport = TcpTransport::connect(port);
    let ca = pki.ca_pem_with_nul();
    let mut p = params(c"localhost".as_ptr());
    p.pcServerCertificate = ca.as_ptr().cast();
    p.ulServerCertificateLength = ca.len() as u32;
    p.pxNetworkRecv = recv;
    p.pxNetworkSend = send;
    p.pvCallerContext = (&mut *transport as *mut TcpTransport).cast();
    let mut ctx = null_mut();
    let mut e = support::blank_last_error();
    // SAFETY: all pointers are live for the duration of the calls.
    let rc = unsafe {
        assert_eq!(ffi::TLS_Init(&mut ctx, &mut p), 0);
        let rc = ffi::TLS_Connect(ctx);
        ffi::TLS_GetLastError(ctx, &mut e);
        ffi::TLS_Cleanup(ctx);
        rc
    };
    (rc, e, transport)
}

#[test]
fn misbehaving_transport_callbacks_fail_the_handshake_cleanly() {
    let pki = Pki::new("callbacks");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions::default());
    let transport_err = ffi::TLS_ERROR_TRANSPORT as BaseType_t;
    let hs = ffi::TLS_ERROR_HANDSHAKE_FAILED as BaseType_t;
    let rows: [(&str, ffi::NetworkRecv_t, ffi::NetworkSend_t, BaseType_t); 5] = [
        ("send returns an error", Some(tcp_recv), Some(send_fail), transport_err),
        ("send claims more than given", Some(tcp_recv), Some(send_too_much), transport_err),
        ("recv returns an error", Some(recv_fail), Some(tcp_send), transport_err),
        ("recv claims more than asked", Some(recv_too_much), Some(tcp_send), transport_err),
        // Never accepts a byte: the deadline ends it, no busy hang forever.
        ("send always returns 0", Some(tcp_recv), Some(send_nothing), hs),
    ];
    for (name, recv, send, want) in rows {
        let (rc, e, _t) = connect_with(recv, send, peer.port, &pki);
        assert_eq!(rc, want, "row: {name}");
        assert_eq!(e.xCode, want, "row: {name}");
    }
}

#[test]
fn recv_returning_zero_means_nothing_now() {
    let pki = Pki::new("zero");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions::default());
    let mut c =
        Client::init(peer.port, ClientOptions { host: "localhost", ca_pem: Some(pki.ca_pem_with_nul()), alpn: &[] });
    assert_eq!(c.connect(), 0);
    let mut buf = [0u8; 16];
    // Nothing was sent, so the transport times out: 0, not an error.
    assert_eq!(c.recv(&mut buf), 0);
    assert_eq!(c.echo(b"still fine", Duration::from_secs(10)), b"still fine");
}
