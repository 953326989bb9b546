//! The caller context behind `pvCallerContext`: a TCP stream to a local
//! peer, with the two callbacks the library calls. Every call the library
//! makes is recorded, so tests can count sends and group them into flights,
//! and the callbacks can be told to break their contract mid-connection.

use std::ffi::c_void;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use freertos_tls::ffi::BaseType_t;

/// One call of a transport callback, as the library made it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Io {
    /// `pxNetworkSend` was called with this many bytes.
    Send(usize),
    /// `pxNetworkRecv` returned this many bytes (calls that got nothing
    /// are not recorded).
    Recv(usize),
}

/// The sends grouped into flights: the runs of `pxNetworkSend` calls
/// between two receives that returned data. Each entry lists the byte
/// counts of one flight's calls.
pub fn flights(io: &[Io]) -> Vec<Vec<usize>> {
    let mut flights: Vec<Vec<usize>> = Vec::new();
    let mut current = Vec::new();
    for event in io {
        match *event {
            Io::Send(n) => current.push(n),
            Io::Recv(_) if !current.is_empty() => flights.push(std::mem::take(&mut current)),
            Io::Recv(_) => {}
        }
    }
    if !current.is_empty() {
        flights.push(current);
    }
    flights
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

/// How long a receive waits before it reports "nothing now" (0), by
/// default: long enough for a loopback peer to answer, short enough that
/// "nothing now" is a real, frequent outcome.
pub const READ_TIMEOUT: Duration = Duration::from_millis(200);

/// A TCP stream with a read timeout, so "nothing now" (0) is a real
/// outcome. Records every callback call in `io`.
pub struct TcpTransport {
    pub stream: TcpStream,
    pub io: Vec<Io>,
    /// How the callbacks lie to the library (hostile-caller tests).
    pub misbehaviour: Misbehaviour,
}

impl TcpTransport {
    /// With TCP_NODELAY, as latency-minded firmware sets it.
    pub fn connect(port: u16) -> Box<TcpTransport> {
        TcpTransport::connect_with(port, true)
    }

    /// `nodelay = false` keeps Nagle's algorithm on (lwIP's and a plain
    /// socket's default).
    pub fn connect_with(port: u16, nodelay: bool) -> Box<TcpTransport> {
        TcpTransport::open(port, nodelay, READ_TIMEOUT)
    }

    /// A connection to 127.0.0.1:`port` whose receives give up after
    /// `read_timeout`.
    pub fn open(port: u16, nodelay: bool, read_timeout: Duration) -> Box<TcpTransport> {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap_or_else(|e| panic!("connect to port {port}: {e}"));
        stream.set_read_timeout(Some(read_timeout)).unwrap();
        stream.set_nodelay(nodelay).unwrap();
        Box::new(TcpTransport { stream, io: Vec::new(), misbehaviour: Misbehaviour::None })
    }

    /// Wait until the peer's bytes are in the socket (or it closed), at
    /// most `within`; the bytes stay for the library to read. A readiness
    /// wait, in place of sleeping for "long enough".
    pub fn wait_readable(&self, within: Duration) -> bool {
        let was = self.stream.read_timeout().unwrap();
        self.stream.set_read_timeout(Some(within)).unwrap();
        let ready = self.stream.peek(&mut [0u8; 1]).is_ok();
        self.stream.set_read_timeout(was).unwrap();
        ready
    }

    /// The sends so far, grouped into flights (see [`flights`]).
    pub fn flights(&self) -> Vec<Vec<usize>> {
        flights(&self.io)
    }
}

fn nothing_now(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted)
}

/// `pxNetworkRecv` over a [`TcpTransport`].
///
/// # Safety
/// `ctx` must point to a live `TcpTransport` that nothing else uses during
/// the call, and `buf` to `len` writable bytes.
pub unsafe extern "C" fn tcp_recv(ctx: *mut c_void, buf: *mut u8, len: usize) -> BaseType_t {
    // SAFETY: the caller's contract above: the tests pass a live
    // Box<TcpTransport> as the caller context, the library a buffer of `len` bytes.
    let (t, buf) = unsafe { (&mut *ctx.cast::<TcpTransport>(), std::slice::from_raw_parts_mut(buf, len)) };
    let extra = match t.misbehaviour {
        Misbehaviour::RecvReturns(rc) => return rc,
        Misbehaviour::RecvMoreThanAsked => 1,
        _ => 0,
    };
    match t.stream.read(buf) {
        Ok(0) => -1, // orderly TCP close: the stream is gone, not "nothing yet"
        Ok(n) => {
            t.io.push(Io::Recv(n));
            (n + extra) as BaseType_t
        }
        Err(e) if nothing_now(&e) => 0,
        Err(_) => -1,
    }
}

/// `pxNetworkSend` over a [`TcpTransport`].
///
/// # Safety
/// As for [`tcp_recv`], with `buf` pointing to `len` readable bytes.
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
        Err(e) if nothing_now(&e) => 0,
        Err(_) => -1,
    }
}
