//! Two connections at once, from two threads, sharing one SoftHSM2 token:
//! the module is initialised once, each connection has its own session,
//! and the module stays usable until the last connection is cleaned up.

use crate::support;

use std::ffi::{c_ulong, c_void};
use std::sync::{Arc, Barrier};
use std::thread;

use support::*;

#[test]
fn two_threads_connect_at_once_with_the_same_token() {
    let setup = ProvisionedDevice::new("device-shared", KeyAlg::EcP256);
    let servers =
        [SServer::start(&setup.pki, ClientCert::Required, &[]), SServer::start(&setup.pki, ClientCert::Required, &[])];

    let pki = Arc::new(setup.pki);
    let barrier = Arc::new(Barrier::new(2));
    let workers: Vec<_> = servers
        .iter()
        .enumerate()
        .map(|(i, server)| {
            let (pki, barrier, port) = (Arc::clone(&pki), Arc::clone(&barrier), server.port);
            thread::spawn(move || {
                // No assertion before the last barrier: a panicking thread
                // would leave the other waiting forever. Results are checked
                // after join.
                let mut client = Client::for_device_pki(port, &pki);
                // Both handshakes (and so both logins and signatures) overlap.
                barrier.wait();
                let connected = client.connect();
                // Both stay connected while the other works.
                barrier.wait();
                let mut replies = Vec::new();
                for round in 0..20 {
                    let msg = format!("thread {i} round {round}");
                    replies.push((client.line_round_trip(&msg), Ok(reversed(&msg))));
                }
                barrier.wait();
                // One cleans up first; the other must still be able to talk.
                if i == 0 {
                    drop(client);
                    barrier.wait();
                } else {
                    barrier.wait();
                    let msg = "after the other left";
                    replies.push((client.line_round_trip(msg), Ok(reversed(msg))));
                }
                (connected, replies)
            })
        })
        .collect();
    for (i, w) in workers.into_iter().enumerate() {
        let (connected, replies) = w.join().unwrap_or_else(|_| panic!("thread {i} panicked"));
        assert_eq!(connected, 0, "thread {i}: TLS_Connect");
        for (got, want) in replies {
            assert_eq!(got, want, "thread {i}");
        }
    }
    for server in &servers {
        server.output_containing(&["Peer certificate: CN = device-shared"]);
    }

    // After both are gone the library, which initialised the module, has
    // finalised it; a new connection initialises it again and still works.
    // SAFETY: NULL is the required argument.
    assert_eq!(unsafe { C_Finalize(std::ptr::null_mut()) }, CKR_CRYPTOKI_NOT_INITIALIZED);
    let server = SServer::start(&pki, ClientCert::Required, &[]);
    let mut client = Client::for_device_pki(server.port, &pki);
    assert_eq!(client.connect(), 0, "{:?}", client.last_error());
    assert_eq!(client.line_round_trip("again"), Ok(reversed("again")));
}

// The linked module's own entry points (build.rs links SoftHSM2 into tests).
extern "C" {
    fn C_Initialize(args: *mut c_void) -> c_ulong;
    fn C_Finalize(reserved: *mut c_void) -> c_ulong;
}

const CKR_OK: c_ulong = 0;
const CKR_CRYPTOKI_NOT_INITIALIZED: c_ulong = 0x190;

#[test]
fn module_initialised_by_the_firmware_is_not_finalised_by_the_library() {
    let setup = ProvisionedDevice::new("device-fw", KeyAlg::EcP256);
    let server = SServer::start(&setup.pki, ClientCert::Required, &[]);

    // The firmware initialises the module itself, before any connection.
    // SAFETY: NULL arguments are valid for C_Initialize.
    assert_eq!(unsafe { C_Initialize(std::ptr::null_mut()) }, CKR_OK);
    let mut client = Client::for_device_pki(server.port, &setup.pki);
    assert_eq!(client.connect(), 0, "{:?}", client.last_error());
    assert_eq!(client.line_round_trip("firmware owns the module"), Ok(reversed("firmware owns the module")));
    drop(client);
    // Still initialised: finalising it here succeeds exactly once
    // (CKR_CRYPTOKI_NOT_INITIALIZED if the library had finalised it).
    // SAFETY: NULL is the required argument.
    assert_eq!(unsafe { C_Finalize(std::ptr::null_mut()) }, CKR_OK);
}
