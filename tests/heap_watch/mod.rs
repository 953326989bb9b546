//! A heap watcher for one test binary: every block allocated on the
//! watched thread, by Rust (the global allocator below) or by mbedTLS
//! (`calloc`/`free`, which this binary defines in front of glibc's), is
//! recorded; when such a block is freed its contents are searched for the
//! registered secrets. After the watched code returns, what is still
//! recorded is what it leaked.
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

// --- secrets searched for in freed blocks --------------------------------

const MAX_SECRETS: usize = 8;
const MAX_SECRET_LEN: usize = 64;

struct Secrets {
    bytes: [[u8; MAX_SECRET_LEN]; MAX_SECRETS],
    lens: [usize; MAX_SECRETS],
}

static SECRETS: Mutex<Secrets> =
    Mutex::new(Secrets { bytes: [[0; MAX_SECRET_LEN]; MAX_SECRETS], lens: [0; MAX_SECRETS] });
/// Per secret: freed blocks that still held it.
static FOUND_IN_FREED: [AtomicUsize; MAX_SECRETS] = [const { AtomicUsize::new(0) }; MAX_SECRETS];

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Search a block about to be freed.
fn inspect(p: *const u8, size: usize) {
    let s = SECRETS.lock().unwrap_or_else(|p| p.into_inner());
    if s.lens.iter().all(|&l| l == 0) {
        return;
    }
    // SAFETY: `p` is a live block of `size` bytes that is about to be freed.
    let block = unsafe { std::slice::from_raw_parts(p, size) };
    for ((bytes, &len), found) in s.bytes.iter().zip(&s.lens).zip(&FOUND_IN_FREED) {
        if contains(block, &bytes[..len]) {
            found.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Register the secrets to look for (replacing earlier ones); resets counts.
pub fn set_secrets(list: &[&[u8]]) {
    assert!(list.len() <= MAX_SECRETS);
    let mut s = SECRETS.lock().unwrap();
    s.lens = [0; MAX_SECRETS];
    for (i, secret) in list.iter().enumerate() {
        assert!(secret.len() <= MAX_SECRET_LEN && !secret.is_empty());
        s.bytes[i][..secret.len()].copy_from_slice(secret);
        s.lens[i] = secret.len();
    }
    FOUND_IN_FREED.iter().for_each(|c| c.store(0, Ordering::Relaxed));
}

/// Per registered secret: how many freed blocks still held it.
pub fn found_in_freed() -> Vec<usize> {
    let n = SECRETS.lock().unwrap().lens.iter().filter(|&&l| l > 0).count();
    FOUND_IN_FREED[..n].iter().map(|c| c.load(Ordering::Relaxed)).collect()
}

/// Per registered secret: how many recorded, still live blocks hold it.
pub fn found_in_live() -> Vec<usize> {
    // Allocate before taking the table: the allocator takes it too.
    let mut out = vec![0; MAX_SECRETS];
    let t = table();
    let s = SECRETS.lock().unwrap();
    let n = s.lens.iter().filter(|&&l| l > 0).count();
    out.truncate(n);
    for &(p, size) in t.slots.iter().filter(|(p, _)| *p > GONE) {
        // SAFETY: recorded blocks are live until removed from the table.
        let block = unsafe { std::slice::from_raw_parts(p as *const u8, size) };
        for (i, o) in out.iter_mut().enumerate() {
            if contains(block, &s.bytes[i][..s.lens[i]]) {
                *o += 1;
            }
        }
    }
    out
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
        inspect(p.cast(), size);
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
            inspect(p, layout.size());
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
    {
        let mut t = table();
        t.slots.iter_mut().for_each(|s| *s = (EMPTY, 0));
        (t.live, t.live_bytes, t.recorded) = (0, 0, 0);
    }
    // SAFETY: pthread_self has no preconditions.
    WATCHED.store(unsafe { pthread_self() }, Ordering::SeqCst);
    let out = f();
    WATCHED.store(0, Ordering::SeqCst);
    let t = table();
    (out, Report { live_blocks: t.live, live_bytes: t.live_bytes, recorded: t.recorded })
}

/// Run `f` watched and assert it leaked nothing.
pub fn assert_no_leak<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let (out, r) = watch(f);
    assert!(r.recorded > 0, "{what}: nothing was recorded, the watcher is not working");
    assert_eq!(r.live_blocks, 0, "{what}: leaked {} blocks, {} bytes", r.live_blocks, r.live_bytes);
    out
}
