//! A device whose RNG is stuck must not make keys: with a stuck source
//! registered through the `port-rand-core` adapter, `mbedtls_hardware_poll`
//! fails with MBEDTLS_ERR_ENTROPY_SOURCE_FAILED and `TLS_Connect` with
//! TLS_ERROR_RNG, before any byte reaches the network.
//!
//! Run with: cargo test --no-default-features --features std,port-rand-core --test entropy_stuck_rng
#![cfg(feature = "port-rand-core")]

use freertos_rng_ports::rand_core_adapter::RandCoreNoise;
use freertos_rng_ports::HealthTested;
use freertos_tls::entropy::register_source;
use freertos_tls::ffi::mbedtls_hardware_poll;
use freertos_tls::ffi::{self, BaseType_t, TLSParams_t};
use std::ffi::c_void;
use std::ptr::{null, null_mut};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A HAL RNG whose output got stuck: every word the same.
struct StuckHalRng;

impl rand_core::RngCore for StuckHalRng {
    fn next_u32(&mut self) -> u32 {
        0x5555_5555
    }
    fn next_u64(&mut self) -> u64 {
        0x5555_5555_5555_5555
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        dest.fill(0x55);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        dest.fill(0x55);
        Ok(())
    }
}

static SENT: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" fn recv_nothing(_: *mut c_void, _: *mut u8, _: usize) -> BaseType_t {
    0
}
unsafe extern "C" fn count_send(_: *mut c_void, _: *const u8, len: usize) -> BaseType_t {
    SENT.fetch_add(len, Ordering::SeqCst);
    len as BaseType_t
}

#[test]
fn stuck_rng_makes_no_keys() {
    // Nothing registered yet: no entropy at all.
    let mut buf = [0xAAu8; 32];
    let mut olen = 99;
    // SAFETY: live buffer and olen.
    let rc = unsafe { mbedtls_hardware_poll(null_mut(), buf.as_mut_ptr(), buf.len(), &mut olen) };
    assert_eq!((rc, olen), (-0x003C, 0));

    register_source(Box::leak(Box::new(HealthTested::new(RandCoreNoise::<_, 8>::new(StuckHalRng)))));

    // SAFETY: live buffer and olen.
    let rc = unsafe { mbedtls_hardware_poll(null_mut(), buf.as_mut_ptr(), buf.len(), &mut olen) };
    assert_eq!((rc, olen), (-0x003C, 0), "the stuck source must trip the health tests");
    assert_eq!(buf, [0; 32], "no partial output left behind");

    let mut params = TLSParams_t {
        ulSize: std::mem::size_of::<TLSParams_t>() as u32,
        pcDestination: c"localhost".as_ptr(),
        pcServerCertificate: null(),
        ulServerCertificateLength: 0,
        ppcAlpnProtocols: null_mut(),
        ulAlpnProtocolsCount: 0,
        pxNetworkRecv: Some(recv_nothing),
        pxNetworkSend: Some(count_send),
        pvCallerContext: null_mut(),
    };
    let mut ctx: *mut c_void = null_mut();
    // SAFETY: params and ctx are live; ctx is cleaned up below.
    unsafe {
        assert_eq!(ffi::TLS_Init(&mut ctx, &mut params), 0);
        assert_eq!(ffi::TLS_Connect(ctx), ffi::TLS_ERROR_RNG as BaseType_t);
        ffi::TLS_Cleanup(ctx);
    }
    assert_eq!(SENT.load(Ordering::SeqCst), 0, "nothing may be sent without entropy");
}
