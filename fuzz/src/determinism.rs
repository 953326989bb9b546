//! Process-wide settings that make a run a pure function of its input.

use std::cell::Cell;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, Once};

use freertos_rng_ports::rand_core_adapter::RandCoreNoise;
use freertos_rng_ports::HealthTested;
use freertos_tls::entropy::register_source;
use freertos_tls::ffi::mbedtls_hardware_poll;
use freertos_tls::ffi::{self, BaseType_t};

/// The fixed UTC time every run sees: 2030-01-01T00:00:00Z, inside the
/// validity of the fuzz PKI (fuzz/pki/README.md).
pub const FIXED_UTC: i64 = 1_893_456_000;

/// Longest log line the library promises (src/platform/log.rs: LINE_MAX).
const LOG_LINE_MAX: usize = 160;

/// Index of the next 32-bit word of the client's "hardware" RNG.
static WORD_INDEX: AtomicU64 = AtomicU64::new(0);

const CLIENT_RNG_SEED: u64 = 0x6675_7a7a_2d63_6c69; // "fuzz-cli"

/// SplitMix64 finaliser: word `i` of a seeded stream.
pub fn splitmix64(seed: u64, i: u64) -> u64 {
    let mut z = seed.wrapping_add(i.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Next words of PSA's random streams (MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG in
/// fuzz/mbedtls-config.h), one for the client and one for the in-process
/// server, restarted by [`start_run`]: a replay without the server must
/// give the client the bytes it had when the seed was recorded with it.
static PSA_CLIENT_WORD: AtomicU64 = AtomicU64::new(0);
static PSA_SERVER_WORD: AtomicU64 = AtomicU64::new(0);
const PSA_CLIENT_SEED: u64 = 0x7073_612d_636c_6931; // "psa-cli1"
const PSA_SERVER_SEED: u64 = 0x7073_612d_7372_7631; // "psa-srv1"

thread_local! {
    /// Whether this thread is running the in-process server now.
    static IN_SERVER: Cell<bool> = const { Cell::new(false) };
}

/// Run `f` as the in-process server: PSA draws from the server's stream.
pub fn as_server<T>(f: impl FnOnce() -> T) -> T {
    let was = IN_SERVER.with(|s| s.replace(true));
    let out = f();
    IN_SERVER.with(|s| s.set(was));
    out
}

/// PSA's random generator (mbedTLS's psa/crypto_extra.h prototype): the
/// client's or the server's fixed stream.
///
/// # Safety
/// `output` holds `output_size` bytes; `output_length` is writable.
#[no_mangle]
pub unsafe extern "C" fn mbedtls_psa_external_get_random(
    _context: *mut c_void,
    output: *mut u8,
    output_size: usize,
    output_length: *mut usize,
) -> c_int {
    let (seed, word) = if IN_SERVER.with(Cell::get) {
        (PSA_SERVER_SEED, &PSA_SERVER_WORD)
    } else {
        (PSA_CLIENT_SEED, &PSA_CLIENT_WORD)
    };
    // SAFETY: as documented above.
    let out = unsafe { std::slice::from_raw_parts_mut(output, output_size) };
    for b in out {
        *b = splitmix64(seed, word.fetch_add(1, Ordering::Relaxed)) as u8;
    }
    // SAFETY: as documented above.
    unsafe { *output_length = output_size };
    0 // PSA_SUCCESS
}

/// A "hardware" RNG whose output is a fixed stream, restarted by [`start_run`].
struct FixedSeedRng;

impl rand_core::RngCore for FixedSeedRng {
    fn next_u32(&mut self) -> u32 {
        splitmix64(CLIENT_RNG_SEED, WORD_INDEX.fetch_add(1, Ordering::Relaxed)) as u32
    }
    fn next_u64(&mut self) -> u64 {
        u64::from(self.next_u32()) | (u64::from(self.next_u32()) << 32)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(4) {
            chunk.copy_from_slice(&self.next_u32().to_le_bytes()[..chunk.len()]);
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

extern "C" fn fixed_clock() -> i64 {
    FIXED_UTC
}

/// Every log line must be a NUL-terminated string within the promised length.
extern "C" fn check_log_line(level: BaseType_t, message: *const c_char) {
    assert!((1..=4).contains(&level), "log level {level} out of range");
    assert!(!message.is_null(), "NULL log line");
    // SAFETY: the library passes a NUL-terminated line valid during the call;
    // the assertion below is what checks that the NUL comes soon enough.
    let line = unsafe { CStr::from_ptr(message) };
    assert!(line.to_bytes().len() <= LOG_LINE_MAX, "log line longer than {LOG_LINE_MAX} bytes");
}

type FixedSource = HealthTested<RandCoreNoise<FixedSeedRng, 8>>;

/// Two slots for the registered source, used in turn. The health tests keep
/// state across calls (the adaptive proportion test's window spans runs),
/// and a stream that restarts every run repeats its words within a window
/// after a few hundred runs: the test then trips and every connection
/// fails with TLS_ERROR_RNG. So each run registers a fresh source, built in
/// the slot that is not registered (the library dropped its reference to
/// it when the other slot replaced it), and nothing is allocated per run.
struct Slots {
    slot: [*mut FixedSource; 2],
    next: usize,
}

// SAFETY: the slots are only touched under the mutex below, from the one
// thread libFuzzer runs inputs on.
unsafe impl Send for Slots {}

static SLOTS: Mutex<Option<Slots>> = Mutex::new(None);

fn fresh_source() -> FixedSource {
    HealthTested::new(RandCoreNoise::<_, 8>::new(FixedSeedRng))
}

/// Make the process ready for one run: clock, log hook and no session
/// resumption (once), a fresh
/// health-tested source with its start-up samples drawn, and the entropy
/// stream restarted, so that every run sees the same entropy.
pub fn start_run() {
    static HOOKS: Once = Once::new();
    HOOKS.call_once(|| {
        ffi::TLS_SetUtcClock(Some(fixed_clock));
        ffi::TLS_SetLogHook(Some(check_log_line));
        // The session cache outlives a run: a session cached by one input
        // would change the next run's ClientHello. Every run is a full
        // handshake.
        assert_eq!(ffi::TLS_SetSessionResumption(0), 0);
    });
    let mut guard = SLOTS.lock().unwrap_or_else(|e| e.into_inner());
    let slots = guard.get_or_insert_with(|| Slots {
        slot: [Box::into_raw(Box::new(fresh_source())), Box::into_raw(Box::new(fresh_source()))],
        next: 0,
    });
    let p = slots.slot[slots.next];
    slots.next ^= 1;
    // SAFETY: `p` is a live leaked allocation. The library holds no
    // reference to it: it was either never registered or replaced by the
    // other slot in the previous run, and nothing else refers to it.
    let source: &'static mut FixedSource = unsafe {
        *p = fresh_source();
        &mut *p
    };
    register_source(source);
    // Draw the start-up samples now, then restart the stream: the run's
    // first entropy request gets words from index 0, as every other run's.
    WORD_INDEX.store(0, Ordering::Relaxed);
    let mut warm_up = [0u8; 16];
    let mut olen = 0;
    // SAFETY: a live buffer of its length and a live olen.
    let rc = unsafe { mbedtls_hardware_poll(std::ptr::null_mut(), warm_up.as_mut_ptr(), warm_up.len(), &mut olen) };
    assert_eq!((rc, olen), (0, warm_up.len()), "the fixed-seed source must pass its start-up tests");
    // The library starts PSA (after registering its token driver, which
    // must come first) at the first TLS_Connect of the process; the fuzz
    // server uses PSA too, and server_records sets it up before the client
    // connects. One connection attempt that fails at once, the first time.
    static PSA: Once = Once::new();
    PSA.call_once(start_psa_through_the_library);
    WORD_INDEX.store(0, Ordering::Relaxed);
    PSA_CLIENT_WORD.store(0, Ordering::Relaxed);
    PSA_SERVER_WORD.store(0, Ordering::Relaxed);
}

unsafe extern "C" fn refuse_recv(_: *mut c_void, _: *mut u8, _: usize) -> BaseType_t {
    -1
}

unsafe extern "C" fn accept_send(_: *mut c_void, _: *const u8, len: usize) -> BaseType_t {
    len as BaseType_t
}

fn start_psa_through_the_library() {
    let mut params = crate::client::StandardParams::standard();
    let mut raw = params.raw(Some(refuse_recv), Some(accept_send), std::ptr::null_mut());
    // SAFETY: `raw` points into `params`, alive until the calls return; the
    // callbacks ignore their context.
    unsafe {
        let ctx = crate::client::init(&mut raw).expect("standard parameters are valid");
        assert_ne!(ffi::TLS_Connect(ctx), 0, "a transport that fails at once");
        ffi::TLS_Cleanup(ctx);
    }
}
