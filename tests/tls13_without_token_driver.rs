//! A firmware that starts PSA itself before the library could register its
//! token driver (PSA takes drivers only before it starts): `TLS_InitCrypto`
//! says so, and token keys then sign through the library's `pk_info` as in
//! TLS 1.2, so a connection with a client key is capped at TLS 1.2, and
//! fails with `TLS_ERROR_SIGN` / `CKR_MECHANISM_INVALID` when TLS 1.3 is
//! required. Its own process: PSA's start is once per process.
#![cfg(not(feature = "mbedtls-private"))]

mod support;

use freertos_tls::ffi::{self, BaseType_t};
use support::{Client, ClientCert, KeyAlg, ProvisionedDevice, SServer, Versions};

extern "C" {
    // mbedTLS's, linked into this test through the library.
    fn psa_crypto_init() -> i32;
}

const CKR_MECHANISM_INVALID: u64 = 0x70;

#[test]
fn psa_started_first_caps_token_identities_at_tls12() {
    // SAFETY: plain initialisation call.
    assert_eq!(unsafe { psa_crypto_init() }, 0);
    assert_eq!(ffi::TLS_InitCrypto(), ffi::TLS_ERROR_INVALID_STATE as BaseType_t, "too late for the driver");

    let setup = ProvisionedDevice::new("late-psa", KeyAlg::EcP256);
    let server = SServer::start_versions(&setup.pki, ClientCert::Required, Versions::Both, &[]);
    let mut c = Client::for_device_pki(server.port, &setup.pki);
    assert_eq!(c.connect(), 0, "{:?}; server said {:?}", c.last_error(), server.drain());
    assert_eq!(c.version(), ffi::TLS_PROTOCOL_VERSION_1_2 as BaseType_t, "capped at TLS 1.2");
    assert_eq!(c.line_round_trip("still mutual"), Ok(support::reversed("still mutual")));
    server.output_containing(&["Protocol version: TLSv1.2", "Peer certificate: CN = late-psa"]);
    drop(c);

    let mut c = Client::for_device_pki(server.port, &setup.pki);
    let v13 = ffi::TLS_PROTOCOL_VERSION_1_3;
    assert_eq!(c.set_versions(v13, v13), 0);
    assert_eq!(c.connect(), ffi::TLS_ERROR_SIGN as BaseType_t);
    assert_eq!(c.last_error().pkcs11_rv, CKR_MECHANISM_INVALID);
}
