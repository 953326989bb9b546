//! A firmware whose PSA driver table is full (mbedTLS 3.6 takes 4
//! secure-element drivers): the library's token driver cannot register,
//! `TLS_InitCrypto` says so, and token keys sign through the library's
//! `pk_info` as in TLS 1.2, so a connection with a client key is capped at
//! TLS 1.2, and fails with `TLS_ERROR_SIGN` / `CKR_MECHANISM_INVALID` when
//! TLS 1.3 is required. Its own process: PSA starts once per process.
#![cfg(not(feature = "mbedtls-private"))]

mod support;

use std::ptr::null;

use freertos_tls::ffi::{self, BaseType_t};
use support::{Client, ClientCert, KeyAlg, ProvisionedDevice, SServer, Versions};

/// `psa_drv_se_t` (mbedTLS 3.6, psa/crypto_se_driver.h): a driver that
/// implements nothing, enough to take a place in PSA's driver table.
#[repr(C)]
struct EmptyDriver {
    hal_version: u32,
    persistent_data_size: usize,
    methods: [*const (); 7],
}

// SAFETY: plain constant data.
unsafe impl Sync for EmptyDriver {}

/// `PSA_DRV_SE_HAL_VERSION` of mbedTLS 3.6.
static EMPTY: EmptyDriver = EmptyDriver { hal_version: 5, persistent_data_size: 0, methods: [null(); 7] };

extern "C" {
    // mbedTLS's, linked into this test through the library.
    fn psa_register_se_driver(location: u32, methods: *const EmptyDriver) -> i32;
}

const CKR_MECHANISM_INVALID: u64 = 0x70;

#[test]
fn a_full_psa_driver_table_caps_token_identities_at_tls12() {
    for location in 1..=4 {
        // SAFETY: `EMPTY` lives for the program; PSA keeps the pointer.
        assert_eq!(unsafe { psa_register_se_driver(location, &EMPTY) }, 0, "location {location}");
    }
    assert_eq!(ffi::TLS_InitCrypto(), ffi::TLS_ERROR_INVALID_STATE as BaseType_t, "no room for the driver");

    let setup = ProvisionedDevice::new("no-driver", KeyAlg::EcP256);
    let server = SServer::start_versions(&setup.pki, ClientCert::Required, Versions::Both, &[]);
    let mut c = Client::for_device_pki(server.port, &setup.pki);
    assert_eq!(c.connect(), 0, "{:?}; server said {:?}", c.last_error(), server.drain());
    assert_eq!(c.version(), ffi::TLS_PROTOCOL_VERSION_1_2 as BaseType_t, "capped at TLS 1.2");
    assert_eq!(c.line_round_trip("still mutual"), Ok(support::reversed("still mutual")));
    server.output_containing(&["Protocol version: TLSv1.2", "Peer certificate: CN = no-driver"]);
    drop(c);

    let mut c = Client::for_device_pki(server.port, &setup.pki);
    let v13 = ffi::TLS_PROTOCOL_VERSION_1_3;
    assert_eq!(c.set_versions(v13, v13), 0);
    assert_eq!(c.connect(), ffi::TLS_ERROR_SIGN as BaseType_t);
    assert_eq!(c.last_error().pkcs11_rv, CKR_MECHANISM_INVALID);
}
