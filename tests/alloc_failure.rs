//! Allocation failure, every k: the `freertos` build of the library, with
//! the C harness tests/c/alloc_failure_test.c supplying a FreeRTOS heap that
//! fails its k-th allocation (mbedTLS's calloc/free routed there too), for
//! every k through one full connection against a real peer.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::*;

fn harness() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO"))
        .args(["build", "--lib", "--no-default-features", "--features", "freertos,port-posix", "--message-format=json"])
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .output()
        .expect("run cargo build");
    assert!(out.status.success(), "cargo build failed: {}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lib = stdout.split('"').find(|s| s.ends_with("/libfreertos_tls.a")).expect("no libfreertos_tls.a reported");
    let bin = Path::new(env!("CARGO_TARGET_TMPDIR")).join("alloc_failure_test");
    let mut cc = Command::new("cc");
    cc.args(["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-O1"])
        .arg("-I")
        .arg(root.join("include"))
        .arg("-I")
        .arg(root.join("tests/c/host_freertos"))
        .arg(root.join("tests/c/alloc_failure_test.c"))
        .arg(lib)
        .args(["-Wl,--wrap=calloc", "-Wl,--wrap=free"])
        .arg("-o")
        .arg(&bin);
    let softhsm = Path::new("/usr/lib/softhsm/libsofthsm2.so");
    if softhsm.exists() {
        cc.arg(softhsm).arg("-Wl,-rpath,/usr/lib/softhsm");
    }
    cc.args(["-lpthread", "-ldl", "-lm"]);
    assert!(cc.status().expect("cc").success(), "compiling alloc_failure_test.c failed");
    bin
}

#[test]
fn every_allocation_failure_is_an_error_not_a_crash_or_leak() {
    let bin = harness();
    let pki = Pki::new("alloc");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions::default());
    let out = Command::new(&bin).arg(peer.port.to_string()).arg(pki.ca_pem_path()).output().expect("run harness");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    let total: usize = text
        .lines()
        .find_map(|l| l.strip_prefix("one connection makes ")?.strip_suffix(" allocations")?.parse().ok())
        .expect("harness reports its allocation count");
    assert!(total > 10, "{text}");
    // Every injected failure ended cleanly, and the injections covered a
    // whole connection (the count varies a little between handshakes).
    let passed: usize = text
        .lines()
        .find_map(|l| l.strip_suffix(" passed, 0 failed")?.parse().ok())
        .unwrap_or_else(|| panic!("some injected failures misbehaved:\n{text}"));
    assert!(passed + passed / 100 >= total, "only {passed} of ~{total} allocations were failed:\n{text}");
    eprintln!("{text}");
}
