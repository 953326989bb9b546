//! The C side of the ABI: a C program compiled against the generated header
//! (with a host stand-in for FreeRTOS.h) and linked with the static library
//! checks the struct layout and drives real connections, and valgrind
//! checks 50 connect/cleanup cycles for leaks and memory errors.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use support::*;

/// Build the staticlib (cargo decides staleness) and compile abi_test.c
/// against it, once per test binary.
fn abi_test_binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let out = Command::new(env!("CARGO"))
            .args(["build", "--lib", "--message-format=json", "--manifest-path"])
            .arg(root.join("Cargo.toml"))
            .output()
            .expect("run cargo build");
        assert!(out.status.success(), "cargo build --lib failed: {}", String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let lib = stdout
            .split('"')
            .find(|s| s.ends_with("/libfreertos_tls.a"))
            .map(PathBuf::from)
            .expect("cargo reported no libfreertos_tls.a");
        let bin = Path::new(env!("CARGO_TARGET_TMPDIR")).join("abi_test");
        let mut cc = Command::new("cc");
        cc.args(["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-g", "-O1"])
            .arg("-I")
            .arg(root.join("include"))
            .arg("-I")
            .arg(root.join("tests/c/host_freertos"))
            .arg(root.join("tests/c/abi_test.c"))
            .arg(&lib)
            .arg("-o")
            .arg(&bin);
        // The library takes client credentials from the PKCS#11 module the
        // firmware links; on the host that is SoftHSM2.
        let softhsm = Path::new("/usr/lib/softhsm/libsofthsm2.so");
        if softhsm.exists() {
            cc.arg(softhsm).arg("-Wl,-rpath,/usr/lib/softhsm");
        }
        cc.args(["-lpthread", "-ldl", "-lm", "-lrt", "-lutil"]);
        let status = cc.status().expect("a C compiler (cc) must be installed");
        assert!(status.success(), "compiling tests/c/abi_test.c failed");
        bin
    })
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run abi_test");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{cmd:?} failed:\n{text}");
    text
}

#[test]
fn header_layout_matches_abi_md() {
    let text = run(Command::new(abi_test_binary()).arg("layout"));
    assert!(text.contains("16 passed, 0 failed"), "{text}");
}

#[test]
fn bad_calls_fail_from_c() {
    let text = run(Command::new(abi_test_binary()).arg("bad"));
    assert!(text.contains("8 passed, 0 failed"), "{text}");
}

#[test]
fn full_connection_through_the_c_abi() {
    let pki = Pki::new("c-abi");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions::default());
    let text = run(Command::new(abi_test_binary()).args(["echo", &peer.port.to_string()]).arg(pki.ca_pem_path()));
    assert!(text.contains("4 passed, 0 failed"), "{text}");
}

#[test]
fn fifty_cycles_under_valgrind_leak_nothing() {
    let pki = Pki::new("valgrind");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions::default());
    let text = run(Command::new("valgrind")
        .args(["--leak-check=full", "--errors-for-leak-kinds=definite,indirect", "--error-exitcode=3", "-q"])
        .arg(abi_test_binary())
        .args(["cycles", &peer.port.to_string()])
        .arg(pki.ca_pem_path())
        .arg("50"));
    assert!(text.contains("200 passed, 0 failed"), "{text}");
    assert!(!text.contains("definitely lost") && !text.contains("Invalid read"), "{text}");
}
