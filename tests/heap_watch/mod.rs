//! A heap watcher for one test binary: every block allocated on the
//! watched thread, by Rust (the global allocator below) or by mbedTLS
//! (`calloc`/`free`, which this binary defines in front of glibc's), is
//! recorded; when such a block is freed its contents are kept, so a test
//! can search them afterwards for secrets it learnt later. After the
//! watched code returns, what is still recorded is what it leaked.
//!
//! Only blocks allocated while watching are recorded, so the test harness,
//! other threads and earlier one-time set-up are not counted.
#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::c_void;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

extern "C" {
    fn __libc_calloc(n: usize, size: usize) -> *mut c_void;
    fn __libc_free(p: *mut c_void);
    fn pthread_self() -> usize;
}

/// The thread being watched (its `pthread_self`), or 0.
static WATCHED: AtomicUsize = AtomicUsize::new(0);

fn watching_here() -> bool {
    let w = WATCHED.load(Ordering::Relaxed);
    // SAFETY: pthread_self has no preconditions.
    w != 0 && w == unsafe { pthread_self() }
}

const SLOTS: usize = 1 << 17;
const EMPTY: usize = 0;
const GONE: usize = 1;

/// Open-addressing table of recorded blocks: (address, size).
struct Table {
    slots: [(usize, usize); SLOTS],
    live: usize,
    live_bytes: usize,
    recorded: usize,
}

static TABLE: Mutex<Table> = Mutex::new(Table { slots: [(EMPTY, 0); SLOTS], live: 0, live_bytes: 0, recorded: 0 });

fn table() -> MutexGuard<'static, Table> {
    TABLE.lock().unwrap_or_else(|p| p.into_inner())
}

fn slot_of(p: usize) -> usize {
    (p >> 4).wrapping_mul(0x9E37_79B9_7F4A_7C15) % SLOTS
}

impl Table {
    fn insert(&mut self, p: usize, size: usize) {
        let mut i = slot_of(p);
        while self.slots[i].0 > GONE {
            i = (i + 1) % SLOTS;
        }
        self.slots[i] = (p, size);
        self.live += 1;
        self.live_bytes += size;
        self.recorded += 1;
    }

    /// Forget `p`; its size if it was recorded.
    fn remove(&mut self, p: usize) -> Option<usize> {
        let mut i = slot_of(p);
        for _ in 0..SLOTS {
            match self.slots[i].0 {
                EMPTY => return None,
                q if q == p => {
                    let size = self.slots[i].1;
                    self.slots[i] = (GONE, 0);
                    self.live -= 1;
                    self.live_bytes -= size;
                    return Some(size);
                }
                _ => i = (i + 1) % SLOTS,
            }
        }
        None
    }
}

// --- freed blocks kept for inspection -------------------------------------

/// Room for the contents of every block freed during one watched run.
const KEPT_BYTES: usize = 48 << 20;

/// Contents of the recorded blocks freed while watching, each as
/// (length: u32 little-endian, bytes).
struct Kept {
    bytes: [u8; KEPT_BYTES],
    used: usize,
    blocks: usize,
    /// Blocks that did not fit (a run that reports any is inconclusive).
    dropped: usize,
}

static KEPT: Mutex<Kept> = Mutex::new(Kept { bytes: [0; KEPT_BYTES], used: 0, blocks: 0, dropped: 0 });

fn kept() -> MutexGuard<'static, Kept> {
    KEPT.lock().unwrap_or_else(|p| p.into_inner())
}

/// Copy a recorded block that is about to be freed.
fn keep(p: *const u8, size: usize) {
    let mut k = kept();
    if k.used + 4 + size > KEPT_BYTES {
        k.dropped += 1;
        return;
    }
    // SAFETY: `p` is a live block of `size` bytes that is about to be freed.
    let block = unsafe { std::slice::from_raw_parts(p, size) };
    let at = k.used;
    k.bytes[at..at + 4].copy_from_slice(&(size as u32).to_le_bytes());
    k.bytes[at + 4..at + 4 + size].copy_from_slice(block);
    k.used += 4 + size;
    k.blocks += 1;
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// How many blocks freed during the last watched run still held `secret`.
pub fn freed_blocks_holding(secret: &[u8]) -> usize {
    let k = kept();
    assert_eq!(k.dropped, 0, "{} freed blocks did not fit the inspection buffer", k.dropped);
    let (mut at, mut n) = (0, 0);
    while at < k.used {
        let size = u32::from_le_bytes(k.bytes[at..at + 4].try_into().unwrap()) as usize;
        n += usize::from(contains(&k.bytes[at + 4..at + 4 + size], secret));
        at += 4 + size;
    }
    n
}

/// How many blocks freed during the last watched run were kept.
pub fn freed_blocks() -> usize {
    kept().blocks
}

/// How many recorded blocks, still allocated, hold `secret` now.
pub fn live_blocks_holding(secret: &[u8]) -> usize {
    let t = table();
    t.slots
        .iter()
        .filter(|(p, _)| *p > GONE)
        .filter(|&&(p, size)| {
            // SAFETY: recorded blocks are live until removed from the table.
            contains(unsafe { std::slice::from_raw_parts(p as *const u8, size) }, secret)
        })
        .count()
}

// --- the two allocators ---------------------------------------------------

/// mbedTLS's `calloc`.
#[no_mangle]
pub unsafe extern "C" fn calloc(n: usize, size: usize) -> *mut c_void {
    // SAFETY: forwarded unchanged to glibc.
    let p = unsafe { __libc_calloc(n, size) };
    if !p.is_null() && watching_here() {
        table().insert(p as usize, n * size);
    }
    p
}

/// Every `free` of the binary (mbedTLS's, and Rust's System allocator's).
#[no_mangle]
pub unsafe extern "C" fn free(p: *mut c_void) {
    if p.is_null() {
        return;
    }
    let size = table().remove(p as usize);
    if let Some(size) = size {
        keep(p.cast(), size);
    }
    // SAFETY: `p` came from glibc's allocator (directly or via `calloc`).
    unsafe { __libc_free(p) };
}

struct Watching;

// SAFETY: every block comes from and returns to `System`; only bookkeeping
// is added.
unsafe impl GlobalAlloc for Watching {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() && watching_here() {
            table().insert(p as usize, layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`; not `System.alloc_zeroed`, whose calloc would
        // come back here through the `calloc` above.
        let p = unsafe { self.alloc(layout) };
        if !p.is_null() {
            // SAFETY: a fresh block of `layout.size()` bytes.
            unsafe { p.write_bytes(0, layout.size()) };
        }
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        if table().remove(p as usize).is_some() {
            keep(p, layout.size());
        }
        // SAFETY: forwarded (System frees through `free` above, which no
        // longer finds the block).
        unsafe { System.dealloc(p, layout) };
    }
}

#[global_allocator]
static WATCHING: Watching = Watching;

/// What a watched run left behind.
#[derive(Debug, Clone, Copy)]
pub struct Report {
    /// Blocks allocated during the run and not freed at its end.
    pub live_blocks: usize,
    pub live_bytes: usize,
    /// Blocks allocated during the run.
    pub recorded: usize,
}

static TURN: Mutex<()> = Mutex::new(());

/// Run `f` watched; the table must be empty afterwards for no leak. What
/// `f` returns must not own memory it allocated (that would count).
/// Watched runs take turns (one table).
pub fn watch<T>(f: impl FnOnce() -> T) -> (T, Report) {
    let _turn = TURN.lock().unwrap_or_else(|p| p.into_inner());
    start_psa_unwatched();
    {
        let mut t = table();
        t.slots.iter_mut().for_each(|s| *s = (EMPTY, 0));
        (t.live, t.live_bytes, t.recorded) = (0, 0, 0);
        let mut k = kept();
        (k.used, k.blocks, k.dropped) = (0, 0, 0);
    }
    // std sets up a thread's blocking context (its `Thread` handle and the
    // channel waiter) lazily, the first time the thread blocks on a
    // channel, and keeps it for the thread's life. The watched code waits
    // on the peer's output that way, but only blocks when the peer is slow
    // (seen under valgrind): set it up here, so it is never counted as
    // the library's.
    let (_tx, rx) = std::sync::mpsc::channel::<()>();
    let _ = rx.recv_timeout(std::time::Duration::from_millis(1));
    // SAFETY: pthread_self has no preconditions.
    WATCHED.store(unsafe { pthread_self() }, Ordering::SeqCst);
    let out = f();
    // The session a successful handshake left for resumption is heap the
    // library keeps on purpose: wiping it frees the block (watched, so the
    // freed copy is searched for secrets too); anything still live leaked.
    freertos_tls::ffi::TLS_ClearSessionCache();
    WATCHED.store(0, Ordering::SeqCst);
    let t = table();
    (out, Report { live_blocks: t.live, live_bytes: t.live_bytes, recorded: t.recorded })
}

/// The library starts PSA crypto at the first TLS_Connect of the image,
/// and PSA keeps that state (its random generator, key slots) for the
/// image's life: by design, not a leak of whichever run comes first. One
/// connection attempt, unwatched, to a listener that closes at once.
fn start_psa_unwatched() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let closer = std::thread::spawn(move || drop(listener.accept()));
        let mut c = crate::support::Client::init(
            port,
            crate::support::ClientOptions { host: "localhost", ca_pem: None, alpn: &[] },
        );
        assert_ne!(c.connect(), 0, "the warm-up listener closes at once");
        drop(c);
        closer.join().unwrap();
    });
}

/// Run `f` watched and assert it leaked nothing.
pub fn assert_no_leak<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let (out, r) = watch(f);
    assert!(r.recorded > 0, "{what}: nothing was recorded, the watcher is not working");
    assert_eq!(r.live_blocks, 0, "{what}: leaked {} blocks, {} bytes", r.live_blocks, r.live_bytes);
    out
}
