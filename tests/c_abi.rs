//! The C side of the ABI: a C program compiled against the generated header
//! (with a host stand-in for FreeRTOS.h) and linked with the static library
//! checks the struct layout and codes docs/abi.md lists and drives real
//! connections, and valgrind checks 50 connect/cleanup cycles for leaks and
//! memory errors. The harness's exit status is the verdict.

mod support;

use std::path::PathBuf;
use std::process::Command;

use support::c_harness::{run_to_success, CHarness};
use support::*;

fn abi_test_binary() -> PathBuf {
    CHarness { name: "abi_test", features: None, link_args: &[] }.binary()
}

#[test]
fn header_layout_matches_abi_md() {
    run_to_success(Command::new(abi_test_binary()).arg("layout"));
}

#[test]
fn bad_calls_fail_from_c() {
    run_to_success(Command::new(abi_test_binary()).arg("bad"));
}

#[test]
fn full_connection_through_the_c_abi() {
    let pki = Pki::new("c-abi");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions::default());
    run_to_success(Command::new(abi_test_binary()).args(["echo", &peer.port.to_string()]).arg(pki.ca_pem_path()));
}

#[test]
fn fifty_cycles_under_valgrind_leak_nothing() {
    let pki = Pki::new("valgrind");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions::default());
    // valgrind exits 3 on a memory error or leak, else with the harness's status.
    let text = run_to_success(
        Command::new("valgrind")
            .args(["--leak-check=full", "--errors-for-leak-kinds=definite,indirect", "--error-exitcode=3", "-q"])
            .arg(abi_test_binary())
            .args(["cycles", &peer.port.to_string()])
            .arg(pki.ca_pem_path())
            .arg("50"),
    );
    assert!(!text.contains("definitely lost") && !text.contains("Invalid read"), "{text}");
}
