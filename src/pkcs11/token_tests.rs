//! The bridge end to end against a real SoftHSM2 token: mbedTLS's own
//! `pk_sign` through the installed `pk_info_t`, and (with the token
//! driver) through a PSA opaque key, RSASSA-PSS included, checked with
//! mbedTLS's own `pk_verify` on the certificate's public key, for every
//! hash the bridge supports (the TLS tests only reach SHA-256 and SHA-384).

extern crate std;

use std::format;
use std::path::Path;
use std::process::Command;
use std::string::String;
use std::vec;

use mbedtls_sys as m;

use super::credential::{ClientCredential, KeyKind};
use super::labels::CredentialLabels;
use super::mbedtls_key::{install, TokenKey};

/// Room for any signature of the keys these tests make (RSA up to 8192 bits).
const SIGNATURE_MAX: usize = 1024;

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("run tool");
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A token holding one device key and its self-signed certificate.
fn provision(dir: &Path, genpkey: &[&str]) {
    let conf = dir.join("softhsm2.conf");
    std::fs::create_dir(dir.join("tokens")).unwrap();
    let body = format!("directories.tokendir = {}/tokens\nobjectstore.backend = file\n", dir.display());
    std::fs::write(&conf, body).unwrap();
    std::env::set_var("SOFTHSM2_CONF", &conf);
    let ossl = |args: &[&str]| run(Command::new("openssl").current_dir(dir).args(args));
    let mut args = vec!["genpkey"];
    args.extend_from_slice(genpkey);
    args.extend_from_slice(&["-out", "dev.key"]);
    ossl(&args);
    ossl(&["req", "-new", "-x509", "-key", "dev.key", "-subj", "/CN=bridge", "-days", "2", "-out", "dev.crt"]);
    ossl(&["x509", "-in", "dev.crt", "-outform", "DER", "-out", "dev.der"]);
    run(Command::new("softhsm2-util").env("SOFTHSM2_CONF", &conf).args([
        "--init-token",
        "--free",
        "--label",
        "bridge",
        "--so-pin",
        "12345678",
        "--pin",
        "0000",
    ]));
    // The module build.rs linked this test binary with.
    let module = env!("FREERTOS_TLS_PKCS11_MODULE");
    let tool = |args: &[&str]| {
        run(Command::new("pkcs11-tool")
            .current_dir(dir)
            .env("SOFTHSM2_CONF", &conf)
            .args(["--module", module, "--login", "--pin", "0000"])
            .args(args))
    };
    tool(&["--write-object", "dev.key", "--type", "privkey", "--id", "01", "--label", "Device Priv TLS Key"]);
    tool(&["--write-object", "dev.der", "--type", "cert", "--id", "01", "--label", "Device Cert"]);
}

/// How the token key is set up in mbedTLS.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Route {
    PkInfo,
    #[cfg(mbedtls_token_driver)]
    Opaque,
}

/// Sign with every hash through mbedTLS on each route and verify with the
/// certificate.
fn sign_and_verify_all_hashes(expected: KeyKind, expected_bits: usize) {
    let started = crate::mbedtls::psa::start(super::TOKEN_SIGN).expect("PSA starts");
    sign_and_verify_on(Route::PkInfo, expected, expected_bits);
    #[cfg(mbedtls_token_driver)]
    {
        assert!(started.token_driver, "the token driver is registered");
        sign_and_verify_on(Route::Opaque, expected, expected_bits);
    }
    let _ = started;
}

fn sign_and_verify_on(route: Route, expected: KeyKind, expected_bits: usize) {
    let labels = CredentialLabels::defaults();
    // SAFETY: local mbedTLS contexts, initialised and freed in this block;
    // they do not move while mbedTLS holds pointers to them.
    unsafe {
        let mut crt: m::x509_crt = core::mem::zeroed();
        let mut pk: m::pk_context = core::mem::zeroed();
        m::x509_crt_init(&raw mut crt);
        m::pk_init(&raw mut pk);
        let cred = ClientCredential::load(&labels, &raw mut crt).expect("credential in the token");
        assert_eq!(cred.kind, expected);
        assert!(crt.next.is_null(), "only the device certificate: no issuer in this token");
        let bits = m::pk_get_bitlen(&raw const crt.pk);
        assert_eq!(bits, expected_bits);
        let ClientCredential { session, key, kind } = cred;
        let key = TokenKey::new(session, key, kind, bits);
        #[cfg(mbedtls_token_driver)]
        let mut opaque = None;
        match route {
            Route::PkInfo => assert!(install(&raw mut pk, key).is_ok()),
            #[cfg(mbedtls_token_driver)]
            Route::Opaque => opaque = Some(super::psa_key::OpaqueKey::install(&raw mut pk, key).expect("opaque key")),
        }
        assert_eq!(m::pk_get_bitlen(&raw const pk), bits, "get_bitlen answers for the token key");
        // RSA signs PKCS#1 v1.5 on both routes, and PSS (TLS 1.3) through PSA.
        let mut schemes = vec![m::PK_NONE];
        #[cfg(mbedtls_token_driver)]
        if route == Route::Opaque && kind == KeyKind::Rsa {
            schemes.push(m::PK_RSASSA_PSS);
        }

        for (md, scheme) in [m::MD_SHA1, m::MD_SHA224, m::MD_SHA256, m::MD_SHA384, m::MD_SHA512]
            .into_iter()
            .flat_map(|md| schemes.iter().map(move |&s| (md, s)))
        {
            let info = m::md_info_from_type(md);
            if info.is_null() {
                // Not in this mbedTLS configuration (SHA-1 only in client-cbc).
                continue;
            }
            let mut hash = [0u8; 64];
            let msg = format!("handshake transcript for md {md}");
            assert_eq!(m::md(info, msg.as_ptr(), msg.len(), hash.as_mut_ptr()), 0);
            let hash_len = usize::from(m::md_get_size(info));
            let mut sig = [0u8; SIGNATURE_MAX];
            let mut sig_len = 0usize;
            let (sign_type, verify_type) = match (scheme, kind) {
                (m::PK_RSASSA_PSS, _) => (m::PK_RSASSA_PSS, m::PK_RSASSA_PSS),
                (_, KeyKind::Rsa) => (m::PK_RSA, m::PK_RSA),
                (_, KeyKind::Ec) => (m::PK_ECDSA, m::PK_ECDSA),
            };
            if scheme == m::PK_RSASSA_PSS && md == m::MD_SHA1 {
                continue; // TLS 1.3 signs with SHA-2 only
            }
            let rc = m::pk_sign_ext(
                sign_type,
                &raw mut pk,
                md,
                hash.as_ptr(),
                hash_len,
                sig.as_mut_ptr(),
                sig.len(),
                &raw mut sig_len,
                None,
                core::ptr::null_mut(),
            );
            assert_eq!(rc, 0, "{route:?}: sign md {md} scheme {scheme}: -0x{:x}", -rc);
            assert!(sig_len > 0 && sig_len <= SIGNATURE_MAX);
            // PSS as TLS 1.3 requires: MGF1 with the same hash, a salt as
            // long as the hash.
            let pss = m::pk_rsassa_pss_options { mgf1_hash_id: md, expected_salt_len: hash_len as i32 };
            let options = if verify_type == m::PK_RSASSA_PSS { (&raw const pss).cast() } else { core::ptr::null() };
            let mut verify = |hash: &[u8]| {
                m::pk_verify_ext(
                    verify_type,
                    options,
                    &raw mut crt.pk,
                    md,
                    hash.as_ptr(),
                    hash_len,
                    sig.as_ptr(),
                    sig_len,
                )
            };
            let rc = verify(&hash);
            assert_eq!(rc, 0, "{route:?}: verify md {md} scheme {scheme}: -0x{:x}", -rc);
            // The check can fail: another hash does not verify.
            hash[0] ^= 1;
            assert_ne!(verify(&hash), 0);
        }
        // Closes the session and releases the module (the PSA key first).
        m::pk_free(&raw mut pk);
        #[cfg(mbedtls_token_driver)]
        drop(opaque);
        m::x509_crt_free(&raw mut crt);
    }
}

#[test]
fn token_keys_sign_every_supported_hash_as_mbedtls_verifies_it() {
    // One test, so the process-wide SOFTHSM2_CONF changes only between
    // phases, after the module has been finalised (no connection left).
    let rsa = tempfile::tempdir().unwrap();
    provision(rsa.path(), &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]);
    sign_and_verify_all_hashes(KeyKind::Rsa, 2048);
    let ec = tempfile::tempdir().unwrap();
    provision(ec.path(), &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]);
    sign_and_verify_all_hashes(KeyKind::Ec, 256);
    let ec384 = tempfile::tempdir().unwrap();
    provision(ec384.path(), &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"]);
    sign_and_verify_all_hashes(KeyKind::Ec, 384);
}
