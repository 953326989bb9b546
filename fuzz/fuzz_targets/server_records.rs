//! What a server sends inside the encrypted channel, after a real handshake
//! with a live deterministic in-process server: application data, alerts,
//! post-handshake handshake messages, change_cipher_spec, empty and
//! unknown records, each encrypted by the server so that the client's
//! record layer decrypts it and acts on the plaintext. Input format:
//! fuzz_harness::records.
//!
//! With FUZZ_SEEDS_MUST_CONNECT set (scripts/fuzz.sh --ci, over the
//! committed seeds only) every input's handshake must complete: a client
//! configuration change that no fuzz server can meet shows up there.
#![no_main]

use std::sync::LazyLock;

use fuzz_harness::records::{run, RecordsInput};
use libfuzzer_sys::fuzz_target;

static SEEDS_MUST_CONNECT: LazyLock<bool> = LazyLock::new(|| std::env::var_os("FUZZ_SEEDS_MUST_CONNECT").is_some());

fuzz_target!(|data: &[u8]| {
    let conversation = run(&RecordsInput::parse(data));
    // libFuzzer always runs one empty input first: not a seed.
    if *SEEDS_MUST_CONNECT && !data.is_empty() {
        assert_eq!(conversation.connect_rc, 0, "the live handshake with fuzz server {} failed", data[0]);
    }
});
