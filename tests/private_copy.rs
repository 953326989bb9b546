//! The private copy of mbedTLS (feature `mbedtls-private`) beside another
//! mbedTLS in one program: the static library and Debian 12's static
//! mbedTLS 2.28 (libmbedtls-dev) linked into tests/c/private_copy_test.c,
//! which checks that its own 2.28 calls reach 2.28 and runs a TLS
//! connection through the C ABI and one of its own over 2.28 side by side.
//! Linked in both orders, each of which would expose a clash differently:
//! 2.28 first (a reference of the library's left unrenamed binds to 2.28),
//! and the library first with the whole of 2.28 forced in (a name both
//! define is a duplicate definition, or 2.28's callers reach 3.6).
//! (scripts/test.sh builds this file with the feature.)
#![cfg(feature = "mbedtls-private")]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::c_harness::{compiler, run_to_success, static_library};
use support::{EchoPeer, PeerOptions, Pki};

/// Debian's static mbedTLS 2.28, in link order.
const OWN_MBEDTLS: [&str; 3] = [
    "/usr/lib/x86_64-linux-gnu/libmbedtls.a",
    "/usr/lib/x86_64-linux-gnu/libmbedx509.a",
    "/usr/lib/x86_64-linux-gnu/libmbedcrypto.a",
];

/// The one mbedTLS name the private copy keeps: the firmware provides it
/// (here, the library's entropy port) and both copies call it.
const KEPT: &str = "mbedtls_hardware_poll";

fn library() -> PathBuf {
    static_library(Some("std,port-posix,session-resumption,mbedtls-private"))
}

/// `nm` over the archive: (defined, undefined) global symbol names.
fn symbols(lib: &Path) -> (Vec<String>, Vec<String>) {
    let out = Command::new("nm").args(["-g", "--format=posix"]).arg(lib).output().expect("nm (binutils)");
    assert!(out.status.success(), "nm {}: {}", lib.display(), String::from_utf8_lossy(&out.stderr));
    let (mut defined, mut undefined) = (Vec::new(), Vec::new());
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        // "name TYPE [value size]"; member headers ("lib.a[x.o]:") have no type.
        let mut f = line.split_whitespace();
        let (Some(name), Some(kind)) = (f.next(), f.next()) else { continue };
        match kind {
            "U" => undefined.push(name.to_owned()),
            "w" | "v" => {}
            _ => defined.push(name.to_owned()),
        }
    }
    (defined, undefined)
}

fn mbedtls_name(s: &str) -> bool {
    s.starts_with("mbedtls_") || s.starts_with("psa_")
}

#[test]
fn the_library_defines_and_needs_no_mbedtls_name_but_the_hardware_poll() {
    let (defined, undefined) = symbols(&library());
    let own: Vec<&String> = defined.iter().filter(|s| mbedtls_name(s) && *s != KEPT).collect();
    assert!(own.is_empty(), "defined under mbedTLS's own names (would clash with the firmware's): {own:?}");
    assert!(defined.iter().any(|s| s == KEPT), "{KEPT} is not defined");
    // Every unprefixed mbedTLS name referenced must be defined in the
    // archive itself, or the firmware's mbedTLS would satisfy it.
    let outside: Vec<&String> = undefined.iter().filter(|s| mbedtls_name(s) && !defined.contains(s)).collect();
    assert!(outside.is_empty(), "mbedTLS names the library needs from outside: {outside:?}");
    // The renamed copy is in there (not a build without mbedTLS).
    assert!(defined.iter().any(|s| s == "freertos_tls_mbedtls_ssl_handshake"), "no renamed mbedTLS in the archive");
}

/// The C program linked with `libs` in that order; `name` is the binary's.
fn build(name: &str, libs: &[&str]) -> PathBuf {
    for lib in OWN_MBEDTLS {
        assert!(Path::new(lib).is_file(), "{lib} missing: install libmbedtls-dev (scripts/lib/deps.sh)");
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    // 2.28 as Debian builds it needs pthreads: part of the system libraries.
    let mut cc = compiler(&root.join("tests/c/private_copy_test.c"), libs.iter().map(Into::into), &bin);
    let out = cc.output().expect("a C compiler (cc) must be installed");
    assert!(
        out.status.success(),
        "linking the private copy with mbedTLS 2.28 failed: {cc:?}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    bin
}

fn run_against_a_peer(bin: &Path) {
    let pki = Pki::new("private-copy");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions::default());
    let text = run_to_success(Command::new(bin).arg(peer.port.to_string()).arg(pki.ca_pem_path()));
    // Both connections reached the peer: the C ABI's and 2.28's own.
    for _ in 0..2 {
        let event = peer.next_event();
        assert!(event.starts_with("CONN sni=localhost"), "{event:?}\n{text}");
    }
}

#[test]
fn with_mbedtls_2_28_linked_first() {
    let lib = library();
    let mut libs: Vec<&str> = OWN_MBEDTLS.to_vec();
    libs.push(lib.to_str().unwrap());
    run_against_a_peer(&build("private_copy_own_first", &libs));
}

#[test]
fn with_the_library_first_and_all_of_mbedtls_2_28_forced_in() {
    let lib = library();
    let mut libs = vec![lib.to_str().unwrap(), "-Wl,--whole-archive"];
    libs.extend(OWN_MBEDTLS);
    libs.push("-Wl,--no-whole-archive");
    run_against_a_peer(&build("private_copy_library_first", &libs));
}
