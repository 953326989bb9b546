//! The trust-anchor PEM (`pcServerCertificate`): parsed by TLS_Init, and
//! when it parses, used to verify the chain of a recorded server flight.
//! The input is the PEM text; a NUL is appended unless it ends with one, so
//! most inputs reach the parser (inputs with an inner NUL must be refused).
#![no_main]

use fuzz_harness::client::{init_and_converse, StandardParams};
use fuzz_harness::determinism::start_run;
use fuzz_harness::flight::{playback_recv, playback_send, Flight, Playback};
use fuzz_harness::REFERENCE_FLIGHT;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    start_run();
    let mut pem = Vec::with_capacity(data.len() + 1);
    pem.extend_from_slice(data);
    if pem.last() != Some(&0) {
        pem.push(0);
    }
    let flight = Flight::parse(REFERENCE_FLIGHT);
    let mut playback = Playback::new(&flight, false);
    let mut params = StandardParams::with_anchors(pem);
    let mut raw = params.raw(Some(playback_recv), Some(playback_send), (&mut playback as *mut Playback<'_>).cast());
    // SAFETY: `raw` points into `params` and at `playback`, both alive
    // until the call returns.
    let _ = unsafe { init_and_converse(&mut raw, flight.recv_size, u32::MAX) };
});
