//! The bytes a server sends, played to a client driven through the C ABI
//! (TLS_Init, TLS_Connect, TLS_Send, TLS_Recv, TLS_Cleanup). Input format:
//! fuzz_harness::flight. Seeds are recorded handshakes with a deterministic
//! in-process server (examples/record_seeds.rs), so mutations start past
//! the server's signature and reach record decryption.
//!
//! With FUZZ_SEEDS_MUST_CONNECT set (scripts/fuzz.sh --ci, over the
//! committed seeds only) every input must connect and deliver application
//! data: a library change that alters the ClientHello makes the recorded
//! flights stale, and this says so instead of fuzzing in front of the
//! server's signature.
#![no_main]

use std::sync::LazyLock;

use fuzz_harness::client::run_flight;
use fuzz_harness::flight::Flight;
use libfuzzer_sys::fuzz_target;

static SEEDS_MUST_CONNECT: LazyLock<bool> = LazyLock::new(|| std::env::var_os("FUZZ_SEEDS_MUST_CONNECT").is_some());

fuzz_target!(|data: &[u8]| {
    let (conversation, _) = run_flight(&Flight::parse(data), false);
    // libFuzzer always runs one empty input first: not a seed.
    if *SEEDS_MUST_CONNECT && !data.is_empty() {
        assert!(
            conversation.connect_rc == 0 && !conversation.received.is_empty(),
            "stale seed (re-record with scripts/fuzz.sh --record-seeds): TLS_Connect {}, {} bytes of application data",
            conversation.connect_rc,
            conversation.received.len()
        );
    }
});
