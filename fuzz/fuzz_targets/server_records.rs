//! What a server sends inside the encrypted channel, after a real handshake
//! with a live deterministic in-process server: application data, alerts,
//! post-handshake handshake messages, change_cipher_spec, empty and
//! unknown records, each encrypted by the server so that the client's
//! record layer decrypts it and acts on the plaintext. Input format:
//! fuzz_harness::records.
#![no_main]

use fuzz_harness::records::{run, RecordsInput};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    run(&RecordsInput::parse(data));
});
