//! Allocation failure, every k: the `freertos` build of the library, with
//! the C harness tests/c/alloc_failure_test.c supplying a FreeRTOS heap that
//! fails its k-th allocation (mbedTLS's calloc/free routed there too), for
//! every k through one full connection against a real peer. The harness
//! judges every run and the coverage; its exit status is the verdict.

mod support;

use std::process::Command;

use support::c_harness::{run_to_success, CHarness};
use support::*;

#[test]
fn every_allocation_failure_is_an_error_not_a_crash_or_leak() {
    let bin = CHarness {
        name: "alloc_failure_test",
        features: Some("freertos,port-posix,session-resumption"),
        link_args: &["-Wl,--wrap=calloc", "-Wl,--wrap=free"],
    }
    .binary();
    let pki = Pki::new("alloc");
    let peer = EchoPeer::start(&pki.localhost(), PeerOptions::default());
    run_to_success(Command::new(&bin).arg(peer.port.to_string()).arg(pki.ca_pem_path()));
}
