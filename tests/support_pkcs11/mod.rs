//! Harness for the PKCS#11 client-authentication tests: a throw-away
//! SoftHSM2 token, a PKI made with the openssl CLI (root CA -> intermediate
//! CA -> device), a real `openssl s_server` that asks for client
//! certificates, and a client driven through the C ABI over TCP.
//!
//! SoftHSM2 reads `SOFTHSM2_CONF` when it is initialised, and the library
//! initialises it once per process while any connection is alive, so tests
//! in one binary take turns: [`exclusive`] serialises them.
#![allow(dead_code)]

// Test binaries that use both harnesses load this small file twice, once
// per harness; each copy is private to its harness.
#[allow(clippy::duplicate_mod)]
#[path = "../support/io_log.rs"]
mod io_log;
pub use io_log::Io;

use std::ffi::{c_void, CString};
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use freertos_tls::ffi::{self, BaseType_t, TLSLastError_t, TLSParams_t};

pub const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
/// The library's PIN and labels: the originals' defaults, or the values a
/// build chose through the variables build.rs forwards. Provisioning with
/// these proves the build-time override reaches the library.
pub const PIN: &str = or(option_env!("FREERTOS_TLS_PKCS11_PIN"), "0000");
pub const KEY_LABEL: &str = or(option_env!("FREERTOS_TLS_PKCS11_KEY_LABEL"), "Device Priv TLS Key");
pub const CERT_LABEL: &str = or(option_env!("FREERTOS_TLS_PKCS11_CERT_LABEL"), "Device Cert");
pub const JITP_LABEL: &str = or(option_env!("FREERTOS_TLS_PKCS11_JITP_LABEL"), "JITP Cert");

const fn or(value: Option<&'static str>, default: &'static str) -> &'static str {
    match value {
        Some(v) => v,
        None => default,
    }
}

/// The module the test binaries were linked with (see build.rs).
pub fn module() -> String {
    std::env::var("FREERTOS_TLS_PKCS11_MODULE").unwrap_or_else(|_| MODULE.to_string())
}

static TURN: Mutex<()> = Mutex::new(());

/// Hold for the whole test: the token in `SOFTHSM2_CONF` is this test's.
pub fn exclusive() -> MutexGuard<'static, ()> {
    TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn openssl(dir: &Path, args: &[&str]) {
    run(Command::new("openssl").current_dir(dir).args(args));
}

const EXTENSIONS: &str = "\
[ca_ext]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
[server_ext]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost
[client_ext]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
";

/// Key algorithms the tests provision.
#[derive(Clone, Copy, Debug)]
pub enum KeyAlg {
    EcP256,
    EcP384,
    Rsa1024,
    Rsa2048,
}

impl KeyAlg {
    fn genpkey_args(self) -> &'static [&'static str] {
        match self {
            KeyAlg::EcP256 => &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
            KeyAlg::EcP384 => &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
            KeyAlg::Rsa1024 => &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
            KeyAlg::Rsa2048 => &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        }
    }
}

/// A key and certificate pair on disk (PEM).
#[derive(Clone, Debug)]
pub struct Identity {
    pub key: PathBuf,
    pub cert: PathBuf,
}

/// A throw-away PKI in its own temp dir.
pub struct Pki {
    pub dir: tempfile::TempDir,
    pub root: Identity,
    pub intermediate: Identity,
    pub server: Identity,
    serial: u32,
}

impl Pki {
    pub fn new() -> Pki {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ext.cnf"), EXTENSIONS).unwrap();
        let mut pki = Pki {
            root: Identity { key: PathBuf::new(), cert: PathBuf::new() },
            intermediate: Identity { key: PathBuf::new(), cert: PathBuf::new() },
            server: Identity { key: PathBuf::new(), cert: PathBuf::new() },
            dir,
            serial: 1,
        };
        pki.root = pki.issue("root", "Test Root CA", KeyAlg::EcP256, None, "ca_ext");
        let root = pki.root.clone();
        pki.intermediate = pki.issue("intermediate", "Test Intermediate CA", KeyAlg::EcP256, Some(&root), "ca_ext");
        pki.server = pki.issue("server", "localhost", KeyAlg::EcP256, Some(&root), "server_ext");
        pki
    }

    /// A new key and certificate; self-signed when `issuer` is `None`.
    pub fn issue(&mut self, stem: &str, cn: &str, alg: KeyAlg, issuer: Option<&Identity>, ext: &str) -> Identity {
        let d = self.dir.path();
        let key = format!("{stem}.key");
        let csr = format!("{stem}.csr");
        let crt = format!("{stem}.crt");
        let mut args = vec!["genpkey"];
        args.extend_from_slice(alg.genpkey_args());
        args.extend_from_slice(&["-out", &key]);
        openssl(d, &args);
        openssl(d, &["req", "-new", "-key", &key, "-subj", &format!("/CN={cn}"), "-out", &csr]);
        self.serial += 1;
        let serial = self.serial.to_string();
        let mut args = vec!["x509", "-req", "-in", &csr, "-days", "30", "-set_serial", &serial];
        args.extend_from_slice(&["-extfile", "ext.cnf", "-extensions", ext, "-out", &crt]);
        let (ca_cert, ca_key);
        match issuer {
            Some(ca) => {
                ca_cert = ca.cert.to_string_lossy().into_owned();
                ca_key = ca.key.to_string_lossy().into_owned();
                args.extend_from_slice(&["-CA", &ca_cert, "-CAkey", &ca_key]);
            }
            None => args.extend_from_slice(&["-key", &key]),
        }
        openssl(d, &args);
        Identity { key: d.join(key), cert: d.join(crt) }
    }

    /// A device certificate (clientAuth) issued by the intermediate CA.
    pub fn device(&mut self, stem: &str, alg: KeyAlg) -> Identity {
        let ca = self.intermediate.clone();
        self.issue(stem, stem, alg, Some(&ca), "client_ext")
    }

    /// Root CA PEM with its NUL, as `TLSParams_t` wants it.
    pub fn root_pem_with_nul(&self) -> Vec<u8> {
        let mut v = std::fs::read(&self.root.cert).unwrap();
        v.push(0);
        v
    }
}

/// A SoftHSM2 token in its own directory, made current for this process.
pub struct Token {
    pub dir: tempfile::TempDir,
    pub conf: PathBuf,
}

impl Token {
    /// An initialised, empty token with user PIN [`PIN`]. Call with the
    /// [`exclusive`] guard held.
    pub fn new() -> Token {
        let dir = tempfile::tempdir().unwrap();
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).unwrap();
        let conf = dir.path().join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!("directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n", tokens.display()),
        )
        .unwrap();
        // Safe in practice: tests take turns (exclusive) and the module reads
        // it only in C_Initialize, which runs under the same turn.
        std::env::set_var("SOFTHSM2_CONF", &conf);
        run(Command::new("softhsm2-util").env("SOFTHSM2_CONF", &conf).args([
            "--init-token",
            "--free",
            "--label",
            "device",
            "--so-pin",
            "12345678",
            "--pin",
            PIN,
        ]));
        Token { dir, conf }
    }

    fn tool(&self, args: &[&str]) -> String {
        let module = module();
        run(Command::new("pkcs11-tool")
            .env("SOFTHSM2_CONF", &self.conf)
            .args(["--module", &module, "--login", "--pin", PIN])
            .args(args))
    }

    pub fn put_key(&self, key_pem: &Path, label: &str, id: &str) {
        self.tool(&["--write-object", key_pem.to_str().unwrap(), "--type", "privkey", "--id", id, "--label", label]);
    }

    pub fn put_cert(&self, cert_pem: &Path, label: &str, id: &str) {
        let der = self.dir.path().join(format!("{id}-{}.der", label.replace(' ', "_")));
        run(Command::new("openssl").args(["x509", "-in"]).arg(cert_pem).args(["-outform", "DER", "-out"]).arg(&der));
        self.tool(&["--write-object", der.to_str().unwrap(), "--type", "cert", "--id", id, "--label", label]);
    }

    /// Store `bytes` as a certificate object without any parsing.
    pub fn put_raw_cert(&self, bytes: &[u8], label: &str) {
        let file = self.dir.path().join("raw.der");
        std::fs::write(&file, bytes).unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support_pkcs11/put_raw_certificate.py");
        run(Command::new("python3")
            .env("SOFTHSM2_CONF", &self.conf)
            .arg(script)
            .arg(module())
            .arg(PIN)
            .arg(label)
            .arg(&file));
    }

    /// Key, device certificate and the intermediate as "JITP Cert".
    pub fn provision(&self, pki: &Pki, device: &Identity) {
        self.put_key(&device.key, KEY_LABEL, "01");
        self.put_cert(&device.cert, CERT_LABEL, "01");
        self.put_cert(&pki.intermediate.cert, JITP_LABEL, "02");
    }

    pub fn list(&self) -> String {
        self.tool(&["--list-objects"])
    }
}

/// How the server treats client certificates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientCert {
    Required,
    Optional,
    /// The server does not ask for one (server authentication only).
    NotAsked,
}

/// `openssl s_server -rev` (answers each message reversed); killed on drop.
pub struct Server {
    child: Child,
    pub port: u16,
    output: mpsc::Receiver<String>,
}

impl Server {
    /// Trusts only the root CA for client certificates; `extra` args are
    /// appended (e.g. `-cipher`).
    pub fn start(pki: &Pki, mode: ClientCert, extra: &[&str]) -> Server {
        Server::launch(pki, mode, &["-rev"], extra)
    }

    /// s_server in its plain mode: prints what the client sends, answers
    /// nothing, and says "DONE" when the client sends close_notify,
    /// "ERROR" when the stream ends without it.
    pub fn start_plain(pki: &Pki) -> Server {
        Server::launch(pki, ClientCert::NotAsked, &[], &[])
    }

    fn launch(pki: &Pki, mode: ClientCert, body: &[&str], extra: &[&str]) -> Server {
        let verify: &[&str] = match mode {
            ClientCert::Required => &["-Verify", "4", "-verify_return_error"],
            ClientCert::Optional => &["-verify", "4", "-verify_return_error"],
            ClientCert::NotAsked => &[],
        };
        let mut child = Command::new("openssl")
            .args(["s_server", "-accept", "127.0.0.1:0", "-tls1_2"])
            .args(body)
            .args(verify)
            .arg("-cert")
            .arg(&pki.server.cert)
            .arg("-key")
            .arg(&pki.server.key)
            .arg("-CAfile")
            .arg(&pki.root.cert)
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("openssl must be installed");
        let (tx, rx) = mpsc::channel();
        for stream in
            [Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>, Box::new(child.stderr.take().unwrap())]
        {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        let port = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx.recv_timeout(left).expect("s_server did not report its port");
            if let Some(addr) = line.strip_prefix("ACCEPT ") {
                break addr.rsplit(':').next().unwrap().parse().unwrap();
            }
        };
        Server { child, port, output: rx }
    }

    /// Lines the server printed so far (diagnostics, verify errors).
    pub fn drain(&self) -> Vec<String> {
        self.output.try_iter().collect()
    }

    /// Wait up to `timeout` for a printed line that starts with one of
    /// `prefixes`; lines before it are skipped.
    pub fn wait_for_line(&self, prefixes: &[&str], timeout: Duration) -> Option<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self.output.recv_timeout(left).ok()?;
            if prefixes.iter().any(|p| line.starts_with(p)) {
                return Some(line);
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// TCP transport behind `pvCallerContext`; records each callback call.
struct Transport {
    stream: TcpStream,
    io: Vec<Io>,
}

unsafe extern "C" fn net_recv(ctx: *mut c_void, buf: *mut u8, len: usize) -> BaseType_t {
    // SAFETY: `ctx` is the Transport owned by the Client; `buf` has `len` bytes.
    let (t, buf) = unsafe { (&mut *ctx.cast::<Transport>(), std::slice::from_raw_parts_mut(buf, len)) };
    match t.stream.read(buf) {
        Ok(0) => -1, // peer closed: an error, not "nothing yet"
        Ok(n) => {
            t.io.push(Io::Recv(n));
            n as BaseType_t
        }
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted) => 0,
        Err(_) => -1,
    }
}

unsafe extern "C" fn net_send(ctx: *mut c_void, data: *const u8, len: usize) -> BaseType_t {
    // SAFETY: as for net_recv.
    let (t, data) = unsafe { (&mut *ctx.cast::<Transport>(), std::slice::from_raw_parts(data, len)) };
    t.io.push(Io::Send(len));
    match t.stream.write(data) {
        Ok(n) => n as BaseType_t,
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted) => 0,
        Err(_) => -1,
    }
}

/// The fields of `TLSLastError_t` these tests look at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LastError {
    pub code: BaseType_t,
    pub mbedtls_code: i32,
    pub verify_flags: u32,
    pub pkcs11_rv: u64,
}

/// One TLS client context, made and driven through the C ABI.
pub struct Client {
    ctx: *mut c_void,
    transport: Box<Transport>,
    _host: CString,
    _ca: Vec<u8>,
}

// SAFETY: the context and transport are owned by this value alone.
unsafe impl Send for Client {}

impl Client {
    pub fn new(port: u16, pki: &Pki) -> Client {
        Client::with_nodelay(port, pki, true)
    }

    /// `nodelay = false` keeps Nagle's algorithm on the TCP stream.
    pub fn with_nodelay(port: u16, pki: &Pki, nodelay: bool) -> Client {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to s_server");
        stream.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        stream.set_nodelay(nodelay).unwrap();
        let mut transport = Box::new(Transport { stream, io: Vec::new() });
        let host = CString::new("localhost").unwrap();
        let ca = pki.root_pem_with_nul();
        let mut params = TLSParams_t {
            ulSize: std::mem::size_of::<TLSParams_t>() as u32,
            pcDestination: host.as_ptr(),
            pcServerCertificate: ca.as_ptr().cast(),
            ulServerCertificateLength: ca.len() as u32,
            ppcAlpnProtocols: std::ptr::null_mut(),
            ulAlpnProtocolsCount: 0,
            pxNetworkRecv: Some(net_recv),
            pxNetworkSend: Some(net_send),
            pvCallerContext: (&mut *transport as *mut Transport).cast(),
        };
        let mut ctx = std::ptr::null_mut();
        // SAFETY: valid params; the transport outlives the context (Drop order).
        let rc = unsafe { ffi::TLS_Init(&mut ctx, &mut params) };
        assert_eq!(rc, 0, "TLS_Init");
        Client { ctx, transport, _host: host, _ca: ca }
    }

    pub fn connect(&mut self) -> BaseType_t {
        // SAFETY: live context from TLS_Init.
        unsafe { ffi::TLS_Connect(self.ctx) }
    }

    /// The transport calls so far, grouped into flights.
    pub fn flights(&self) -> Vec<Vec<usize>> {
        io_log::flights(&self.transport.io)
    }

    pub fn last_error(&self) -> LastError {
        // SAFETY: all-zero is a valid TLSLastError_t (integers and a NULL pointer).
        let mut e: TLSLastError_t = unsafe { std::mem::zeroed() };
        // SAFETY: live context; `e` is writable.
        assert_eq!(unsafe { ffi::TLS_GetLastError(self.ctx, &mut e) }, 0);
        LastError {
            code: e.xCode,
            mbedtls_code: e.lMbedtlsCode,
            verify_flags: e.ulVerifyFlags,
            pkcs11_rv: e.ulPkcs11ReturnValue as u64,
        }
    }

    pub fn send_all(&mut self, data: &[u8]) -> Result<(), BaseType_t> {
        let mut off = 0;
        let deadline = Instant::now() + Duration::from_secs(10);
        while off < data.len() {
            // SAFETY: live context; the slice is valid.
            let n = unsafe { ffi::TLS_Send(self.ctx, data[off..].as_ptr(), data.len() - off) };
            if n < 0 {
                return Err(n);
            }
            off += n as usize;
            assert!(Instant::now() < deadline, "send timed out");
        }
        Ok(())
    }

    /// Read until a newline arrives; Err(code) on a TLS error.
    pub fn read_line(&mut self, timeout: Duration) -> Result<Vec<u8>, BaseType_t> {
        let deadline = Instant::now() + timeout;
        let mut got = Vec::new();
        while !got.ends_with(b"\n") {
            let mut buf = [0u8; 512];
            // SAFETY: live context; `buf` is writable.
            let n = unsafe { ffi::TLS_Recv(self.ctx, buf.as_mut_ptr(), buf.len()) };
            if n < 0 {
                return Err(n);
            }
            got.extend_from_slice(&buf[..n as usize]);
            assert!(Instant::now() < deadline, "no reply within {timeout:?}; got {got:?}");
        }
        Ok(got)
    }

    /// Send a line; s_server -rev answers it reversed.
    pub fn echo(&mut self, text: &str) -> Result<String, BaseType_t> {
        self.send_all(format!("{text}\n").as_bytes())?;
        let line = self.read_line(Duration::from_secs(10))?;
        Ok(String::from_utf8_lossy(&line).trim_end().to_string())
    }
}

impl Client {
    /// Close the TCP stream under the live context (a dead link).
    pub fn shutdown_tcp(&mut self) {
        let _ = self.transport.stream.shutdown(std::net::Shutdown::Both);
    }

    /// `TLS_Cleanup` now, while the TCP stream stays open.
    pub fn cleanup(&mut self) {
        // SAFETY: the context is NULL or live; it is cleared right after.
        unsafe { ffi::TLS_Cleanup(self.ctx) };
        self.ctx = std::ptr::null_mut();
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // SAFETY: the context is NULL (after `cleanup`) or live, and
        // released exactly once.
        unsafe { ffi::TLS_Cleanup(self.ctx) };
    }
}

pub fn reversed(s: &str) -> String {
    s.chars().rev().collect()
}
