//! `TLSParams_t` contents: layout and `ulSize`, NULL fields, host name,
//! certificate text and its length, the ALPN list and its count, the
//! handshake timeout. Input format: fuzz_harness::params_input. The
//! caller's strings and struct are freed right after TLS_Init (the contract
//! allows it); a context that initialised connects, when the input asks, to
//! a recorded server flight that selects ALPN "fuzz/2".
#![no_main]

use freertos_tls::ffi::{self, TLSParams_t};
use fuzz_harness::client::{converse, init};
use fuzz_harness::determinism::start_run;
use fuzz_harness::flight::{playback_recv, playback_send, Flight, Playback};
use fuzz_harness::params_input::ParamsInput;
use fuzz_harness::REFERENCE_FLIGHT;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    start_run();
    let mut input = ParamsInput::parse(data);
    let flight = Flight::parse(REFERENCE_FLIGHT);
    let mut playback = Playback::new(&flight, false);
    let mut block = input.raw(Some(playback_recv), Some(playback_send), (&mut playback as *mut Playback<'_>).cast());
    // SAFETY: the block holds MAX_PARAMS_BYTES readable bytes with the
    // layout its ulSize names; every pointer in it is NULL or points into
    // `input` (strings NUL-terminated, the ALPN list at least as long as
    // its count) or at `playback`.
    let ctx = unsafe { init(block.as_mut_ptr().cast::<TLSParams_t>()) };
    input.release_strings();
    drop(block);
    let Ok(ctx) = ctx else { return };
    if input.connects() {
        // SAFETY: a live context whose transport context, `playback`, lives on.
        unsafe { converse(ctx, flight.recv_size, input.timeout_ms) };
    }
    // SAFETY: a live context, cleaned up once.
    unsafe { ffi::TLS_Cleanup(ctx) };
});
