//! PIN and labels chosen at run time with `TLS_SetClientCredentialLabels`.
//! The setting is process-wide: the test holds its turn and puts the
//! build's values back when it ends, passed or not.

use crate::support;

use std::ffi::CString;
use std::ptr::null;

use freertos_tls::ffi::{TLS_SetClientCredentialLabels, TLS_ERROR_BAD_PARAMETER, TLS_ERROR_NO_PRIVATE_KEY};
use support::*;

const CKR_PIN_INCORRECT: u64 = 0xA0;

fn set(pin: Option<&str>, key: Option<&str>, cert: Option<&str>) -> i64 {
    let (pin, key, cert) = (pin.map(cstr), key.map(cstr), cert.map(cstr));
    let p = |s: &Option<CString>| s.as_ref().map_or(null(), |s| s.as_ptr());
    // SAFETY: NULL or NUL-terminated strings that outlive the call.
    unsafe { TLS_SetClientCredentialLabels(p(&pin), p(&key), p(&cert)) as i64 }
}

fn cstr(s: &str) -> CString {
    CString::new(s).unwrap()
}

/// Sets the build's PIN and labels again when dropped.
struct BuildLabelsAfter;

impl Drop for BuildLabelsAfter {
    fn drop(&mut self) {
        let rc = set(Some(PIN), Some(KEY_LABEL), Some(CERT_LABEL));
        // Not a second panic while unwinding from a failed assertion.
        if !std::thread::panicking() {
            assert_eq!(rc, 0, "restoring the build's PIN and labels");
        }
    }
}

#[test]
fn custom_pin_and_labels_set_at_run_time_are_used_and_bad_values_change_nothing() {
    let _turn = serial();
    let _restore = BuildLabelsAfter;
    let mut pki = DevicePki::new();
    let device = pki.device("device-fleet", KeyAlg::EcP256);
    let token = Token::new();
    token.put_key(&device.key, "Fleet Key", "01");
    token.put_cert(&device.cert, "Fleet Cert", "01");
    token.put_cert(&pki.intermediate.cert, JITP_LABEL, "02");
    let server = SServer::start(&pki, ClientCert::Required, &[]);

    // Defaults: the labels are not in the token.
    let mut client = Client::for_device_pki(server.port, &pki);
    assert_eq!(client.connect(), TLS_ERROR_NO_PRIVATE_KEY as _);
    drop(client);

    assert_eq!(set(None, Some("Fleet Key"), Some("Fleet Cert")), 0);
    // Rejected values leave the previous setting in place.
    assert_eq!(set(Some(""), None, None), TLS_ERROR_BAD_PARAMETER as i64);
    assert_eq!(set(None, Some(&"k".repeat(128)), None), TLS_ERROR_BAD_PARAMETER as i64);
    let mut client = Client::for_device_pki(server.port, &pki);
    assert_eq!(client.connect(), 0, "{:?}", client.last_error());
    assert_eq!(client.line_round_trip("fleet"), Ok(reversed("fleet")));
    drop(client);

    // A wrong PIN: no key, and the module's CKR_PIN_INCORRECT is reported.
    assert_eq!(set(Some("9999"), None, None), 0);
    let mut client = Client::for_device_pki(server.port, &pki);
    assert_eq!(client.connect(), TLS_ERROR_NO_PRIVATE_KEY as _);
    assert_eq!(client.last_error().pkcs11_rv, CKR_PIN_INCORRECT);
    drop(client);

    // Back to the right PIN (the labels were kept).
    assert_eq!(set(Some(PIN), None, None), 0);
    let mut client = Client::for_device_pki(server.port, &pki);
    assert_eq!(client.connect(), 0, "{:?}", client.last_error());
    server.output_containing(&["Peer certificate: CN = device-fleet"]);
}
