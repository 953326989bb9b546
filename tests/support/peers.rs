//! Real peers on 127.0.0.1: the Python echo peer
//! (tests/peers/tls_echo_server.py; the hostile peers speak its protocol
//! too) and `openssl s_server`. Each is killed on drop.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use super::pki::{DevicePki, Identity};

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
    /// The TLS versions the peer accepts (default: 1.2 and 1.3).
    pub versions: Versions,
    /// Bytes the peer sends in one write right after the handshake (one
    /// record up to 16 KiB), before echoing.
    pub greet: usize,
}

/// Which TLS versions a peer speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Versions {
    /// TLS 1.2 and 1.3 (what a current server offers).
    #[default]
    Both,
    Tls12Only,
    Tls13Only,
}

impl Versions {
    /// The echo peer's `--versions` value.
    fn echo_peer_arg(self) -> &'static str {
        match self {
            Versions::Both => "both",
            Versions::Tls12Only => "1.2",
            Versions::Tls13Only => "1.3",
        }
    }

    /// `openssl s_server`'s version options.
    pub fn s_server_args(self) -> &'static [&'static str] {
        match self {
            Versions::Both => &[],
            Versions::Tls12Only => &["-tls1_2"],
            Versions::Tls13Only => &["-tls1_3"],
        }
    }
}

/// Forward each line `stream` prints to `tx` until either side ends.
fn forward_lines(stream: impl Read + Send + 'static, tx: mpsc::Sender<String>) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
}

/// The echo peer process (or a hostile peer with the same protocol).
pub struct EchoPeer {
    child: Child,
    pub port: u16,
    lines: Receiver<String>,
}

impl EchoPeer {
    pub fn start(id: &Identity, opts: PeerOptions<'_>) -> EchoPeer {
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
        cmd.arg("--versions").arg(opts.versions.echo_peer_arg());
        if opts.greet > 0 {
            cmd.arg("--greet").arg(opts.greet.to_string());
        }
        EchoPeer::spawn(cmd)
    }

    /// Run a peer process that prints "PORT <n>" first, then event lines.
    pub fn spawn(mut cmd: Command) -> EchoPeer {
        let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("python3 must be installed");
        let (tx, rx) = mpsc::channel();
        forward_lines(child.stdout.take().unwrap(), tx);
        let first = rx.recv_timeout(Duration::from_secs(20)).expect("echo peer did not start");
        let port = first.strip_prefix("PORT ").and_then(|p| p.parse().ok()).expect("echo peer announces its port");
        EchoPeer { child, port, lines: rx }
    }

    /// The next "CONN ..." / "HANDSHAKE_FAILED ..." line the peer printed.
    pub fn next_event(&self) -> String {
        self.lines.recv_timeout(Duration::from_secs(20)).expect("echo peer reported nothing")
    }

    /// The server's own verdict on session reuse, from its next CONN line
    /// (started with `report_reuse`).
    pub fn next_reuse_verdict(&self) -> bool {
        let event = self.next_event();
        match event.rsplit_once(" reused=") {
            Some((_, "1")) => true,
            Some((_, "0")) => false,
            _ => panic!("peer line without a reuse verdict: {event}"),
        }
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

/// How `s_server` treats client certificates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientCert {
    Required,
    Optional,
    /// The server does not ask for one (server authentication only).
    NotAsked,
}

/// `openssl s_server` on an ephemeral port (TLS 1.2 only unless started
/// with [`SServer::start_versions`]); its stdout and stderr lines are kept
/// for the test to read.
pub struct SServer {
    child: Child,
    pub port: u16,
    /// In the plain mode, what is written here goes to the connected client.
    stdin: ChildStdin,
    output: Receiver<String>,
}

impl SServer {
    /// `-rev` (answers each line reversed), presenting `pki`'s server
    /// certificate and trusting only its root for client certificates;
    /// `extra` args are appended (e.g. `-cipher`).
    pub fn start(pki: &DevicePki, mode: ClientCert, extra: &[&str]) -> SServer {
        SServer::start_versions(pki, mode, Versions::Tls12Only, extra)
    }

    /// As [`SServer::start`], speaking `versions`.
    pub fn start_versions(pki: &DevicePki, mode: ClientCert, versions: Versions, extra: &[&str]) -> SServer {
        SServer::launch(&pki.server, Some(&pki.root.cert), mode, &["-rev"], versions, extra)
    }

    /// The plain mode: prints what the client sends, answers nothing, and
    /// says "DONE" when the client sends close_notify, "ERROR" when the
    /// stream ends without it.
    pub fn start_plain(pki: &DevicePki) -> SServer {
        SServer::launch(&pki.server, Some(&pki.root.cert), ClientCert::NotAsked, &[], Versions::Tls12Only, &[])
    }

    /// The plain mode with identity `id`, no client CA, and `extra` args;
    /// [`SServer::write_to_client`] sends to the connected client. It
    /// serves one client after another.
    pub fn start_plain_with(id: &Identity, extra: &[&str]) -> SServer {
        SServer::launch(id, None, ClientCert::NotAsked, &[], Versions::Tls12Only, extra)
    }

    /// `-www`: answers a GET with a status page that says "New, " or
    /// "Reused, " for the session.
    pub fn start_www(id: &Identity, extra: &[&str]) -> SServer {
        SServer::launch(id, None, ClientCert::NotAsked, &["-www"], Versions::Tls12Only, extra)
    }

    fn launch(
        id: &Identity,
        ca_file: Option<&Path>,
        mode: ClientCert,
        body: &[&str],
        versions: Versions,
        extra: &[&str],
    ) -> SServer {
        let verify: &[&str] = match mode {
            ClientCert::Required => &["-Verify", "4", "-verify_return_error"],
            ClientCert::Optional => &["-verify", "4", "-verify_return_error"],
            ClientCert::NotAsked => &[],
        };
        let mut cmd = Command::new("openssl");
        cmd.args(["s_server", "-accept", "127.0.0.1:0"]).args(versions.s_server_args()).args(body).args(verify);
        cmd.arg("-cert").arg(&id.cert).arg("-key").arg(&id.key);
        if let Some(ca) = ca_file {
            cmd.arg("-CAfile").arg(ca);
        }
        let mut child = cmd
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("openssl must be installed");
        let stdin = child.stdin.take().unwrap();
        let (tx, rx) = mpsc::channel();
        forward_lines(child.stdout.take().unwrap(), tx.clone());
        forward_lines(child.stderr.take().unwrap(), tx);
        let deadline = Instant::now() + Duration::from_secs(20);
        let port = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx.recv_timeout(left).expect("s_server did not report its port");
            if let Some(addr) = line.strip_prefix("ACCEPT ") {
                break addr.rsplit(':').next().unwrap().parse().unwrap();
            }
        };
        SServer { child, port, stdin, output: rx }
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

impl SServer {
    /// The server's output lines up to and including the first that
    /// contains `what`; panics if none does within 10 s.
    pub fn lines_until(&self, what: &str) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut shown = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(line) = self.output.recv_timeout(left) else {
                panic!("s_server never printed {what:?}: {shown:?}");
            };
            let done = line.contains(what);
            shown.push(line);
            if done {
                return shown;
            }
        }
    }

    /// The server's output, waited for (up to 10 s) until every one of
    /// `needles` has appeared in some line; panics with what was printed
    /// otherwise. What s_server prints about a handshake reaches this
    /// process through a pipe and a reader thread, so it can come after
    /// the client has already seen the handshake end: reading only what is
    /// there now would race.
    pub fn output_containing(&self, needles: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut shown: Vec<String> = Vec::new();
        loop {
            if needles.iter().all(|n| shown.iter().any(|l| l.contains(n))) {
                return shown.join("\n");
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(line) = self.output.recv_timeout(left) else {
                panic!("s_server never printed all of {needles:?}: {shown:?}");
            };
            shown.push(line);
        }
    }

    /// Plain mode: send `bytes` to the connected client.
    pub fn write_to_client(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }
}

impl Drop for SServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What `s_server -rev` answers to `s`.
pub fn reversed(s: &str) -> String {
    s.chars().rev().collect()
}
