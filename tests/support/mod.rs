//! Shared harness for the integration tests: a throw-away PKI, the real
//! OpenSSL echo peer (tests/peers/tls_echo_server.py), and a TCP transport
//! plugged into the C ABI exactly as a firmware caller would.
#![allow(dead_code)]

mod io_log;
pub use io_log::Io;

use std::ffi::{c_void, CString};
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use freertos_tls::ffi::{self, BaseType_t, TLSParams_t};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose};
use time::OffsetDateTime;

pub const DAY: time::Duration = time::Duration::days(1);

/// A CA and server certificates with chosen names and validity windows.
pub struct Pki {
    pub dir: tempfile::TempDir,
    ca: CertifiedIssuer<'static, KeyPair>,
}

/// Files for one server identity.
pub struct ServerIdentity {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Pki {
    pub fn new(name: &str) -> Pki {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, format!("{name} Root CA"));
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_before = OffsetDateTime::now_utc() - DAY;
        params.not_after = OffsetDateTime::now_utc() + 365 * DAY;
        let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ca.pem"), ca.pem()).unwrap();
        Pki { dir, ca }
    }

    pub fn ca_pem_path(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// CA PEM text with its terminating NUL, as `TLSParams_t` wants it.
    pub fn ca_pem_with_nul(&self) -> Vec<u8> {
        let mut v = std::fs::read(self.ca_pem_path()).unwrap();
        v.push(0);
        v
    }

    /// A server certificate for `dns_name`, valid from `not_before` to `not_after`.
    pub fn server(
        &self,
        file_stem: &str,
        dns_name: &str,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> ServerIdentity {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec![dns_name.to_string()]).unwrap();
        params.distinguished_name.push(DnType::CommonName, dns_name);
        params.not_before = not_before;
        params.not_after = not_after;
        let cert = params.signed_by(&key, &self.ca).unwrap();
        let id = ServerIdentity {
            cert: self.dir.path().join(format!("{file_stem}.crt")),
            key: self.dir.path().join(format!("{file_stem}.key")),
        };
        std::fs::write(&id.cert, cert.pem()).unwrap();
        std::fs::write(&id.key, key.serialize_pem()).unwrap();
        id
    }

    /// A currently valid server certificate with common name `cn` and these
    /// subject alternative names (IP literals become iPAddress SANs, other
    /// strings dNSName SANs).
    pub fn server_with_sans(&self, file_stem: &str, cn: &str, sans: &[&str]) -> ServerIdentity {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
        params.distinguished_name.push(DnType::CommonName, cn);
        let now = OffsetDateTime::now_utc();
        params.not_before = now - DAY;
        params.not_after = now + 30 * DAY;
        let cert = params.signed_by(&key, &self.ca).unwrap();
        let id = ServerIdentity {
            cert: self.dir.path().join(format!("{file_stem}.crt")),
            key: self.dir.path().join(format!("{file_stem}.key")),
        };
        std::fs::write(&id.cert, cert.pem()).unwrap();
        std::fs::write(&id.key, key.serialize_pem()).unwrap();
        id
    }

    /// A currently valid server certificate for "localhost".
    pub fn localhost(&self) -> ServerIdentity {
        let now = OffsetDateTime::now_utc();
        self.server("localhost", "localhost", now - DAY, now + 30 * DAY)
    }
}

/// Options for the echo peer.
#[derive(Default)]
pub struct PeerOptions<'a> {
    pub alpn: &'a [&'a str],
    pub drop_after: Option<usize>,
    pub silent: bool,
    pub client_ca: Option<&'a Path>,
    /// Issue no session tickets (session-ID resumption only).
    pub no_tickets: bool,
    /// Append the server's " reused=<0|1>" to each CONN line.
    pub report_reuse: bool,
    /// Print a "CLOSED <how>" line after each connection.
    pub report_close: bool,
}

/// The echo peer process; killed on drop.
pub struct EchoPeer {
    child: Child,
    pub port: u16,
    lines: Receiver<String>,
}

impl EchoPeer {
    pub fn start(id: &ServerIdentity, opts: PeerOptions<'_>) -> EchoPeer {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/tls_echo_server.py");
        let mut cmd = Command::new("python3");
        cmd.arg(script).arg("--cert").arg(&id.cert).arg("--key").arg(&id.key);
        if !opts.alpn.is_empty() {
            cmd.arg("--alpn").arg(opts.alpn.join(","));
        }
        if let Some(n) = opts.drop_after {
            cmd.arg("--drop-after").arg(n.to_string());
        }
        if opts.silent {
            cmd.arg("--silent");
        }
        if let Some(ca) = opts.client_ca {
            cmd.arg("--client-ca").arg(ca);
        }
        if opts.no_tickets {
            cmd.arg("--no-tickets");
        }
        if opts.report_reuse {
            cmd.arg("--report-reuse");
        }
        if opts.report_close {
            cmd.arg("--report-close");
        }
        EchoPeer::spawn(cmd)
    }

    /// Run a peer process that prints "PORT <n>" first, then event lines.
    pub fn spawn(mut cmd: Command) -> EchoPeer {
        let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("python3 must be installed");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let first = rx.recv_timeout(Duration::from_secs(20)).expect("echo peer did not start");
        let port = first.strip_prefix("PORT ").and_then(|p| p.parse().ok()).expect("echo peer announces its port");
        EchoPeer { child, port, lines: rx }
    }

    /// The next "CONN ..." / "HANDSHAKE_FAILED ..." line the peer printed.
    pub fn next_event(&self) -> String {
        self.lines.recv_timeout(Duration::from_secs(20)).expect("echo peer reported nothing")
    }

    /// The next line the peer prints within `wait`, if any.
    pub fn event_within(&self, wait: Duration) -> Option<String> {
        self.lines.recv_timeout(wait).ok()
    }
}

impl Drop for EchoPeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The caller context behind `pvCallerContext`: a TCP stream with a short
/// read timeout, so "nothing now" (0) is a real outcome. Records every
/// callback call in `io`.
pub struct TcpTransport {
    pub stream: TcpStream,
    pub io: Vec<Io>,
    /// How the callbacks lie to the library (hostile-caller tests).
    pub misbehaviour: Misbehaviour,
}

/// A transport callback breaking its contract, switched on mid-connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Misbehaviour {
    #[default]
    None,
    /// Receive returns this value without reading.
    RecvReturns(BaseType_t),
    /// Send returns this value without writing.
    SendReturns(BaseType_t),
    /// Receive reads, then claims one byte more than it was given room for.
    RecvMoreThanAsked,
    /// Send writes, then claims one byte more than it was given.
    SendMoreThanAsked,
    /// Send writes this many more bytes, then fails (-1) from then on.
    SendFailsAfter(usize),
}

impl TcpTransport {
    /// With TCP_NODELAY, as latency-minded firmware sets it.
    pub fn connect(port: u16) -> Box<TcpTransport> {
        TcpTransport::connect_with(port, true)
    }

    /// `nodelay = false` keeps Nagle's algorithm on (lwIP's and a plain
    /// socket's default).
    pub fn connect_with(port: u16, nodelay: bool) -> Box<TcpTransport> {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
        stream.set_nodelay(nodelay).unwrap();
        Box::new(TcpTransport { stream, io: Vec::new(), misbehaviour: Misbehaviour::None })
    }

    /// The sends so far, grouped into flights (see [`io_log::flights`]).
    pub fn flights(&self) -> Vec<Vec<usize>> {
        io_log::flights(&self.io)
    }
}

pub unsafe extern "C" fn tcp_recv(ctx: *mut c_void, buf: *mut u8, len: usize) -> BaseType_t {
    // SAFETY: the tests pass a live Box<TcpTransport> as the caller context,
    // and the library passes a buffer of `len` bytes.
    let (t, buf) = unsafe { (&mut *ctx.cast::<TcpTransport>(), std::slice::from_raw_parts_mut(buf, len)) };
    let extra = match t.misbehaviour {
        Misbehaviour::RecvReturns(rc) => return rc,
        Misbehaviour::RecvMoreThanAsked => 1,
        _ => 0,
    };
    match t.stream.read(buf) {
        Ok(0) => -1, // orderly TCP close: the stream is gone
        Ok(n) => {
            t.io.push(Io::Recv(n));
            (n + extra) as BaseType_t
        }
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted) => 0,
        Err(_) => -1,
    }
}

pub unsafe extern "C" fn tcp_send(ctx: *mut c_void, buf: *const u8, len: usize) -> BaseType_t {
    // SAFETY: as in `tcp_recv`.
    let (t, mut buf) = unsafe { (&mut *ctx.cast::<TcpTransport>(), std::slice::from_raw_parts(buf, len)) };
    let mut extra = 0;
    match t.misbehaviour {
        Misbehaviour::SendReturns(rc) => return rc,
        Misbehaviour::SendMoreThanAsked => extra = 1,
        Misbehaviour::SendFailsAfter(0) => return -1,
        Misbehaviour::SendFailsAfter(budget) => {
            buf = &buf[..buf.len().min(budget)];
            t.misbehaviour = Misbehaviour::SendFailsAfter(budget - buf.len());
        }
        _ => {}
    }
    t.io.push(Io::Send(len));
    match t.stream.write(buf) {
        Ok(n) => (n + extra) as BaseType_t,
        Err(_) => -1,
    }
}

/// A connection driven through the C ABI, cleaned up on drop.
pub struct Client {
    pub ctx: *mut c_void,
    // Kept alive for as long as the library may call back into it. The
    // strings of TLSParams_t are not: the contract says the caller may free
    // them after TLS_Init, so `try_init` scribbles over them and frees them.
    pub transport: Box<TcpTransport>,
}

// SAFETY: a Client is used by one thread at a time; the test moves it whole.
unsafe impl Send for Client {}

pub struct ClientOptions<'a> {
    pub host: &'a str,
    pub ca_pem: Option<Vec<u8>>,
    pub alpn: &'a [&'a str],
}

impl Client {
    /// TLS_Init with the current `TLSParams_t` layout. Panics if it fails.
    pub fn init(port: u16, opts: ClientOptions<'_>) -> Client {
        let (client, rc) = Client::try_init(port, opts);
        assert_eq!(rc, 0, "TLS_Init failed");
        client
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
            pvCallerContext: (&mut *transport as *mut TcpTransport).cast(),
        };
        let mut ctx = std::ptr::null_mut();
        // SAFETY: params points to a fully initialised current-layout struct.
        let rc = unsafe { ffi::TLS_Init(&mut ctx, &mut params) };
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

    /// The library's own verdict: did the handshake resume a cached session?
    pub fn resumed(&self) -> bool {
        // SAFETY: ctx came from TLS_Init.
        match unsafe { ffi::TLS_IsSessionResumed(self.ctx) } {
            0 => false,
            1 => true,
            rc => panic!("TLS_IsSessionResumed: {rc}"),
        }
    }

    pub fn last_error(&self) -> ffi::TLSLastError_t {
        let mut e = ffi::TLSLastError_t {
            xCode: 0,
            lMbedtlsCode: 0,
            ulVerifyFlags: 0,
            ulPkcs11ReturnValue: 0,
            pcReason: std::ptr::null(),
        };
        // SAFETY: as above; e is writable.
        assert_eq!(unsafe { ffi::TLS_GetLastError(self.ctx, &mut e) }, 0);
        e
    }

    /// Send all of `data` (retrying short writes), then read back exactly
    /// as many bytes, within `deadline`.
    pub fn echo(&mut self, data: &[u8], deadline: Duration) -> Vec<u8> {
        let start = std::time::Instant::now();
        let mut sent = 0;
        while sent < data.len() {
            let n = self.send(&data[sent..]);
            assert!(n >= 0, "TLS_Send failed: {n}");
            sent += n as usize;
            assert!(start.elapsed() < deadline, "send timed out");
        }
        let mut out = vec![0u8; data.len()];
        let mut got = 0;
        while got < out.len() {
            let n = self.recv(&mut out[got..]);
            assert!(n >= 0, "TLS_Recv failed: {n}");
            got += n as usize;
            assert!(start.elapsed() < deadline, "echo timed out after {got} of {} bytes", out.len());
        }
        out
    }
}

impl Client {
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
        // SAFETY: ctx is NULL or a live context; it is not used afterwards.
        unsafe { ffi::TLS_Cleanup(self.ctx) };
    }
}

/// Pseudo-random test payload (xorshift; content only needs to be varied).
pub fn payload(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}
