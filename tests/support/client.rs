//! One TLS context, made and driven through the C ABI over a
//! [`TcpTransport`], and released on drop.

use std::ffi::{c_void, CStr, CString};
use std::time::{Duration, Instant};

use freertos_tls::ffi::{self, BaseType_t, TLSLastError_t, TLSParams_t};

use super::pki::DevicePki;
use super::transport::{tcp_recv, tcp_send, TcpTransport};

/// How long a receive waits for [`Client::for_device_pki`]'s line-by-line
/// exchanges with `openssl s_server` before it reports "nothing now".
const LINE_READ_TIMEOUT: Duration = Duration::from_millis(50);

/// What `TLSParams_t` gets: host name, trust anchor, ALPN list.
pub struct ClientOptions<'a> {
    pub host: &'a str,
    /// PEM with its terminating NUL; `None` = the built-in roots.
    pub ca_pem: Option<Vec<u8>>,
    pub alpn: &'a [&'a str],
}

/// A `TLSLastError_t` for `TLS_GetLastError` to fill (integers 0, no reason).
pub fn blank_last_error() -> TLSLastError_t {
    TLSLastError_t { xCode: 0, lMbedtlsCode: 0, ulVerifyFlags: 0, ulPkcs11ReturnValue: 0, pcReason: std::ptr::null() }
}

/// `TLS_GetLastError`'s answer, with the reason text copied out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastError {
    pub code: BaseType_t,
    pub mbedtls_code: i32,
    pub verify_flags: u32,
    pub pkcs11_rv: u64,
    pub reason: String,
}

/// A connection driven through the C ABI, cleaned up on drop.
pub struct Client {
    pub ctx: *mut c_void,
    // Kept alive for as long as the library may call back into it. The
    // strings of TLSParams_t are not: the contract says the caller may free
    // them after TLS_Init, so `try_init_over` scribbles over them and frees them.
    pub transport: Box<TcpTransport>,
}

// SAFETY: a Client is used by one thread at a time; the test moves it whole.
unsafe impl Send for Client {}

impl Client {
    /// TLS_Init with the current `TLSParams_t` layout. Panics if it fails.
    pub fn init(port: u16, opts: ClientOptions<'_>) -> Client {
        Client::init_over(TcpTransport::connect(port), opts)
    }

    /// TLS_Init over a transport the test has set up. Panics if it fails.
    pub fn init_over(transport: Box<TcpTransport>, opts: ClientOptions<'_>) -> Client {
        let (client, rc) = Client::try_init_over(transport, opts);
        assert_eq!(rc, 0, "TLS_Init failed");
        client
    }

    /// A client (TLS_Init done) of `pki`'s "localhost" server on `port`,
    /// trusting only the root CA.
    pub fn for_device_pki(port: u16, pki: &DevicePki) -> Client {
        Client::for_device_pki_with_nodelay(port, pki, true)
    }

    /// `nodelay = false` keeps Nagle's algorithm on the TCP stream.
    pub fn for_device_pki_with_nodelay(port: u16, pki: &DevicePki, nodelay: bool) -> Client {
        let opts = ClientOptions { host: "localhost", ca_pem: Some(pki.root_pem_with_nul()), alpn: &[] };
        Client::init_over(TcpTransport::open(port, nodelay, LINE_READ_TIMEOUT), opts)
    }

    pub fn try_init(port: u16, opts: ClientOptions<'_>) -> (Client, BaseType_t) {
        Client::try_init_over(TcpTransport::connect(port), opts)
    }

    /// TLS_Init over a transport the test has set up (e.g. Nagle on).
    pub fn try_init_over(mut transport: Box<TcpTransport>, opts: ClientOptions<'_>) -> (Client, BaseType_t) {
        let host = CString::new(opts.host).unwrap();
        let ca = opts.ca_pem.unwrap_or_default();
        let alpn: Vec<CString> = opts.alpn.iter().map(|s| CString::new(*s).unwrap()).collect();
        let mut alpn_ptrs: Vec<*const std::ffi::c_char> = alpn.iter().map(|s| s.as_ptr()).collect();
        alpn_ptrs.push(std::ptr::null());
        let mut params = TLSParams_t {
            ulSize: std::mem::size_of::<TLSParams_t>() as u32,
            pcDestination: host.as_ptr(),
            pcServerCertificate: if ca.is_empty() { std::ptr::null() } else { ca.as_ptr().cast() },
            ulServerCertificateLength: ca.len() as u32,
            ppcAlpnProtocols: if alpn.is_empty() { std::ptr::null_mut() } else { alpn_ptrs.as_mut_ptr() },
            ulAlpnProtocolsCount: alpn.len() as u32,
            pxNetworkRecv: Some(tcp_recv),
            pxNetworkSend: Some(tcp_send),
            pvCallerContext: (&raw mut *transport).cast(),
        };
        let mut ctx = std::ptr::null_mut();
        // SAFETY: params points to a fully initialised current-layout struct;
        // the transport outlives the context (it is released in Drop first).
        let rc = unsafe { ffi::TLS_Init(&raw mut ctx, &raw mut params) };
        let mut strings: Vec<Vec<u8>> = alpn.into_iter().map(CString::into_bytes_with_nul).collect();
        strings.push(host.into_bytes_with_nul());
        strings.push(ca);
        strings.iter_mut().for_each(|s| s.fill(0xA5));
        alpn_ptrs.fill(std::ptr::dangling());
        drop((strings, alpn_ptrs));
        (Client { ctx, transport }, rc)
    }

    pub fn connect(&mut self) -> BaseType_t {
        // SAFETY: ctx came from TLS_Init (or is NULL, which is accepted).
        unsafe { ffi::TLS_Connect(self.ctx) }
    }

    pub fn send(&mut self, data: &[u8]) -> BaseType_t {
        // SAFETY: as above; data is a valid slice.
        unsafe { ffi::TLS_Send(self.ctx, data.as_ptr(), data.len()) }
    }

    pub fn recv(&mut self, buf: &mut [u8]) -> BaseType_t {
        // SAFETY: as above; buf is a valid slice.
        unsafe { ffi::TLS_Recv(self.ctx, buf.as_mut_ptr(), buf.len()) }
    }

    /// `TLS_SetProtocolVersions` (before `connect`).
    pub fn set_versions(&mut self, min: u16, max: u16) -> BaseType_t {
        // SAFETY: ctx came from TLS_Init.
        unsafe { ffi::TLS_SetProtocolVersions(self.ctx, min, max) }
    }

    /// The TLS version negotiated (`TLS_GetProtocolVersion`): 0x0303 or
    /// 0x0304, or the error code.
    pub fn version(&self) -> BaseType_t {
        // SAFETY: ctx came from TLS_Init.
        unsafe { ffi::TLS_GetProtocolVersion(self.ctx) }
    }

    /// The library's own verdict: did the handshake resume a cached session?
    pub fn resumed(&self) -> bool {
        // SAFETY: ctx came from TLS_Init.
        match unsafe { ffi::TLS_IsSessionResumed(self.ctx) } {
            0 => false,
            1 => true,
            rc => panic!("TLS_IsSessionResumed: {rc}"),
        }
    }

    pub fn last_error(&self) -> LastError {
        let mut e = blank_last_error();
        // SAFETY: ctx came from TLS_Init; e is writable.
        assert_eq!(unsafe { ffi::TLS_GetLastError(self.ctx, &raw mut e) }, 0);
        assert!(!e.pcReason.is_null(), "TLS_GetLastError left pcReason NULL");
        // SAFETY: pcReason points to a static NUL-terminated string (checked non-NULL).
        let reason = unsafe { CStr::from_ptr(e.pcReason) }.to_string_lossy().into_owned();
        LastError {
            code: e.xCode,
            mbedtls_code: e.lMbedtlsCode,
            verify_flags: e.ulVerifyFlags,
            pkcs11_rv: e.ulPkcs11ReturnValue as u64,
            reason,
        }
    }

    /// The transport calls so far, grouped into flights.
    pub fn flights(&self) -> Vec<Vec<usize>> {
        self.transport.flights()
    }

    /// Send all of `data` (retrying short writes) within 10 s; Err(code)
    /// on a TLS error.
    pub fn send_all(&mut self, data: &[u8]) -> Result<(), BaseType_t> {
        let mut off = 0;
        let deadline = Instant::now() + Duration::from_secs(10);
        while off < data.len() {
            let n = self.send(&data[off..]);
            if n < 0 {
                return Err(n);
            }
            off += n as usize;
            assert!(Instant::now() < deadline, "send timed out");
        }
        Ok(())
    }

    /// Send all of `data` (retrying short writes), then read back exactly
    /// as many bytes, within `deadline`.
    pub fn echo(&mut self, data: &[u8], deadline: Duration) -> Vec<u8> {
        let start = Instant::now();
        let mut sent = 0;
        while sent < data.len() {
            let n = self.send(&data[sent..]);
            assert!(n >= 0, "TLS_Send failed: {n}");
            sent += n as usize;
            assert!(start.elapsed() < deadline, "send timed out");
        }
        self.read_exactly(data.len(), deadline.saturating_sub(start.elapsed()))
    }

    /// Read exactly `len` bytes within `timeout`.
    pub fn read_exactly(&mut self, len: usize, timeout: Duration) -> Vec<u8> {
        let start = Instant::now();
        let mut out = vec![0u8; len];
        let mut got = 0;
        while got < len {
            let n = self.recv(&mut out[got..]);
            assert!(n >= 0, "TLS_Recv failed: {n}");
            got += n as usize;
            assert!(start.elapsed() < timeout, "read timed out after {got} of {len} bytes");
        }
        out
    }

    /// Read until what arrived ends with `end`; Err(code) on a TLS error.
    pub fn read_until(&mut self, end: &[u8], timeout: Duration) -> Result<Vec<u8>, BaseType_t> {
        let deadline = Instant::now() + timeout;
        let mut got = Vec::new();
        while !got.ends_with(end) {
            let mut buf = [0u8; 4096];
            let n = self.recv(&mut buf);
            if n < 0 {
                return Err(n);
            }
            got.extend_from_slice(&buf[..n as usize]);
            assert!(Instant::now() < deadline, "no reply within {timeout:?}; got {:?}", String::from_utf8_lossy(&got));
        }
        Ok(got)
    }

    /// Read until a newline arrives; Err(code) on a TLS error.
    pub fn read_line(&mut self, timeout: Duration) -> Result<Vec<u8>, BaseType_t> {
        self.read_until(b"\n", timeout)
    }

    /// The status page `openssl s_server -www` answers a GET with (sent
    /// already); it says "New, " or "Reused, " for the session.
    pub fn read_www_status_page(&mut self) -> String {
        let page = self.read_until(b"</HTML>\r\n\r\n", Duration::from_secs(10));
        String::from_utf8_lossy(&page.unwrap_or_else(|rc| panic!("TLS_Recv: {rc} before the page ended"))).into_owned()
    }

    /// Send `text` and a newline, and return the answer line without its
    /// newline (`openssl s_server -rev` answers it reversed).
    pub fn line_round_trip(&mut self, text: &str) -> Result<String, BaseType_t> {
        self.send_all(format!("{text}\n").as_bytes())?;
        let line = self.read_line(Duration::from_secs(10))?;
        Ok(String::from_utf8_lossy(&line).trim_end().to_string())
    }

    /// Close the TCP stream under the live context (a dead link).
    pub fn shutdown_tcp(&mut self) {
        let _ = self.transport.stream.shutdown(std::net::Shutdown::Both);
    }

    /// `TLS_Cleanup` now, while the TCP stream stays open (it closes when
    /// the Client is dropped).
    pub fn cleanup(&mut self) {
        // SAFETY: ctx is NULL or a live context; it is cleared right after.
        unsafe { ffi::TLS_Cleanup(self.ctx) };
        self.ctx = std::ptr::null_mut();
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // SAFETY: ctx is NULL (after `cleanup`) or a live context, released
        // exactly once; it is not used afterwards.
        unsafe { ffi::TLS_Cleanup(self.ctx) };
    }
}
