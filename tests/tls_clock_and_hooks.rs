//! Device-integration hooks: a registered UTC clock decides certificate
//! validity both ways, the original `DateIsInThePast` hook still works, log
//! lines reach the registered sink, and the handshake deadline is settable.
//! The hooks are process-wide, so these tests run one at a time.

mod support;

use std::ffi::{c_char, CStr};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use freertos_tls::ffi::{self, BaseType_t, TLS_ERROR_HANDSHAKE_FAILED};
use support::*;
use time::OffsetDateTime;

static CLOCK_NOW: AtomicI64 = AtomicI64::new(-1);
static LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());
static EXPIRY_SEEN: Mutex<Option<(BaseType_t, BaseType_t, BaseType_t)>> = Mutex::new(None);

extern "C" fn test_clock() -> i64 {
    CLOCK_NOW.load(Ordering::SeqCst)
}

extern "C" fn test_log(level: BaseType_t, msg: *const c_char) {
    // SAFETY: the library passes a NUL-terminated line valid for this call.
    let text = unsafe { CStr::from_ptr(msg) }.to_string_lossy().into_owned();
    LOG.lock().unwrap().push(format!("{level}:{text}"));
}

extern "C" fn everything_is_past(day: BaseType_t, month: BaseType_t, year: BaseType_t) -> BaseType_t {
    *EXPIRY_SEEN.lock().unwrap() = Some((day, month, year));
    1
}

/// Serialize, and reset every hook to "not registered" on both ends.
struct Hooks(#[allow(dead_code)] Serial);

impl Hooks {
    fn take() -> Hooks {
        let guard = serial();
        reset();
        Hooks(guard)
    }
}

impl Drop for Hooks {
    fn drop(&mut self) {
        reset();
    }
}

fn reset() {
    ffi::TLS_SetUtcClock(None);
    ffi::TLS_setDateIsInThePastFunction(None);
    ffi::TLS_SetLogHook(None);
    LOG.lock().unwrap().clear();
}

/// A certificate valid from yesterday for 30 days; connect at `clock` seconds.
fn connect_at(clock: Option<i64>) -> (BaseType_t, LastError) {
    let pki = Pki::new("clock");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions::default());
    if let Some(t) = clock {
        CLOCK_NOW.store(t, Ordering::SeqCst);
        ffi::TLS_SetUtcClock(Some(test_clock));
    }
    let mut c =
        Client::init(peer.port, ClientOptions { host: "localhost", ca_pem: Some(pki.ca_pem_with_nul()), alpn: &[] });
    let rc = c.connect();
    (rc, c.last_error())
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

#[test]
fn clock_after_expiry_rejects_the_server() {
    let _h = Hooks::take();
    let (rc, e) = connect_at(Some(now() + 60 * 86_400));
    assert_eq!(rc, TLS_ERROR_HANDSHAKE_FAILED as BaseType_t);
    assert_ne!(e.verify_flags & 0x01, 0, "expected BADCERT_EXPIRED, flags 0x{:x}", e.verify_flags);
    assert_eq!(e.reason, "server certificate expired");
}

#[test]
fn clock_before_validity_rejects_the_server() {
    let _h = Hooks::take();
    let (rc, e) = connect_at(Some(now() - 10 * 86_400));
    assert_eq!(rc, TLS_ERROR_HANDSHAKE_FAILED as BaseType_t);
    assert_ne!(e.verify_flags & 0x200, 0, "expected BADCERT_FUTURE, flags 0x{:x}", e.verify_flags);
    assert_eq!(e.reason, "server certificate not yet valid");
}

#[test]
fn clock_within_validity_connects() {
    let _h = Hooks::take();
    let (rc, e) = connect_at(Some(now() + 10 * 86_400));
    assert_eq!(rc, 0, "{}", e.reason);
}

#[test]
fn unknown_time_leaves_dates_unchecked_and_warns() {
    let _h = Hooks::take();
    ffi::TLS_SetLogHook(Some(test_log));
    // The clock answers "not known yet" (negative): an expired certificate
    // passes, and the library says loudly that dates were not checked.
    let pki = Pki::new("noclock");
    let t = OffsetDateTime::now_utc();
    let id = pki.server("expired", "localhost", t - 30 * DAY, t - DAY);
    let peer = EchoPeer::start(&id, PeerOptions::default());
    CLOCK_NOW.store(-1, Ordering::SeqCst);
    ffi::TLS_SetUtcClock(Some(test_clock));
    let mut c =
        Client::init(peer.port, ClientOptions { host: "localhost", ca_pem: Some(pki.ca_pem_with_nul()), alpn: &[] });
    assert_eq!(c.connect(), 0);
    let log = LOG.lock().unwrap().clone();
    assert!(log.iter().any(|l| l.starts_with("2:") && l.contains("NOT checked")), "{log:?}");
}

#[test]
fn original_date_is_in_the_past_hook_marks_expiry() {
    let _h = Hooks::take();
    ffi::TLS_setDateIsInThePastFunction(Some(everything_is_past));
    let pki = Pki::new("past");
    let t = OffsetDateTime::now_utc();
    let expiry = t + 30 * DAY;
    let id = pki.server("s", "localhost", t - DAY, expiry);
    let peer = EchoPeer::start(&id, PeerOptions::default());
    let mut c =
        Client::init(peer.port, ClientOptions { host: "localhost", ca_pem: Some(pki.ca_pem_with_nul()), alpn: &[] });
    assert_eq!(c.connect(), TLS_ERROR_HANDSHAKE_FAILED as BaseType_t);
    assert_ne!(c.last_error().verify_flags & 0x01, 0);
    // The hook was asked about a chain certificate's expiry date; the
    // server certificate's is the one checked last (depth 0).
    let seen = EXPIRY_SEEN.lock().unwrap().expect("hook called");
    assert_eq!(seen, (expiry.day() as BaseType_t, u8::from(expiry.month()) as BaseType_t, expiry.year() as BaseType_t));
}

#[test]
fn failures_are_logged_with_their_cause() {
    let _h = Hooks::take();
    ffi::TLS_SetLogHook(Some(test_log));
    let pki = Pki::new("log");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions::default());
    let mut c = Client::init(
        peer.port,
        ClientOptions { host: "other.example", ca_pem: Some(pki.ca_pem_with_nul()), alpn: &[] },
    );
    assert_eq!(c.connect(), TLS_ERROR_HANDSHAKE_FAILED as BaseType_t);
    let log = LOG.lock().unwrap().clone();
    assert!(
        log.iter().any(|l| l.starts_with("1:") && l.contains("other.example") && l.contains("wrong host name")),
        "{log:?}"
    );
}

#[test]
fn handshake_timeout_is_configurable() {
    let _h = Hooks::take();
    let pki = Pki::new("timeout");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions { silent: true, ..Default::default() });
    let mut c =
        Client::init(peer.port, ClientOptions { host: "localhost", ca_pem: Some(pki.ca_pem_with_nul()), alpn: &[] });
    // SAFETY: c.ctx is a live context.
    unsafe {
        assert_eq!(ffi::TLS_SetHandshakeTimeout(c.ctx, 0), ffi::TLS_ERROR_BAD_PARAMETER as BaseType_t);
        assert_eq!(ffi::TLS_SetHandshakeTimeout(std::ptr::null_mut(), 10), ffi::TLS_ERROR_BAD_PARAMETER as BaseType_t);
        assert_eq!(ffi::TLS_SetHandshakeTimeout(c.ctx, 1500), 0);
    }
    let start = Instant::now();
    assert_eq!(c.connect(), TLS_ERROR_HANDSHAKE_FAILED as BaseType_t);
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(1500) && took < Duration::from_millis(2500), "took {took:?}");
    assert_eq!(c.last_error().reason, "TLS handshake timed out");
    // SAFETY: as above; after connect the timeout can no longer change.
    assert_eq!(unsafe { ffi::TLS_SetHandshakeTimeout(c.ctx, 100) }, ffi::TLS_ERROR_INVALID_STATE as BaseType_t);
}

unsafe extern "C" fn recv_unused(_: *mut std::ffi::c_void, _: *mut u8, _: usize) -> BaseType_t {
    -1
}
unsafe extern "C" fn send_unused(_: *mut std::ffi::c_void, _: *const u8, _: usize) -> BaseType_t {
    -1
}

fn bad_parameter_logged(log: &[String], what: &str) -> bool {
    log.iter().any(|l| l == &format!("1:bad parameter: {what}"))
}

#[test]
fn a_bad_argument_names_itself_in_the_log_and_the_last_error() {
    let _h = Hooks::take();
    ffi::TLS_SetLogHook(Some(test_log));
    let bad = ffi::TLS_ERROR_BAD_PARAMETER as BaseType_t;

    // TLS_Init leaves no context to ask: the log line names the field.
    let mut params = ffi::TLSParams_t {
        ulSize: std::mem::size_of::<ffi::TLSParams_t>() as u32,
        pcDestination: std::ptr::null(),
        pcServerCertificate: std::ptr::null(),
        ulServerCertificateLength: 0,
        ppcAlpnProtocols: std::ptr::null_mut(),
        ulAlpnProtocolsCount: 0,
        pxNetworkRecv: Some(recv_unused),
        pxNetworkSend: Some(send_unused),
        pvCallerContext: std::ptr::null_mut(),
    };
    let mut ctx = std::ptr::null_mut();
    // SAFETY: params is a live, complete TLSParams_t; ctx is writable.
    assert_eq!(unsafe { ffi::TLS_Init(&mut ctx, &mut params) }, bad);
    assert!(ctx.is_null());
    // SAFETY: NULL is the bad argument under test.
    assert_eq!(unsafe { ffi::TLS_Connect(std::ptr::null_mut()) }, bad);
    let log = LOG.lock().unwrap().clone();
    assert!(bad_parameter_logged(&log, "pcDestination: NULL"), "{log:?}");
    assert!(bad_parameter_logged(&log, "pvContext: NULL"), "{log:?}");

    // On a live context the refused argument is also TLS_GetLastError's
    // reason; the context is not failed by it and still connects.
    let pki = Pki::new("badarg");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions::default());
    let mut c =
        Client::init(peer.port, ClientOptions { host: "localhost", ca_pem: Some(pki.ca_pem_with_nul()), alpn: &[] });
    // SAFETY: c.ctx is a live context.
    assert_eq!(unsafe { ffi::TLS_SetHandshakeTimeout(c.ctx, 0) }, bad);
    let e = c.last_error();
    assert_eq!((e.code, e.reason.as_str()), (0, "ulTimeoutMs: 0"));
    assert!(bad_parameter_logged(&LOG.lock().unwrap(), "ulTimeoutMs: 0"));
    assert_eq!(c.connect(), 0);
    // SAFETY: NULL with a non-zero length is the bad argument under test.
    assert_eq!(unsafe { ffi::TLS_Recv(c.ctx, std::ptr::null_mut(), 4) }, bad);
    assert_eq!(c.last_error().reason, "pucReadBuffer: NULL");
    // Still usable: the echo peer answers.
    assert_eq!(c.echo(b"ping", Duration::from_secs(5)), b"ping");
}
