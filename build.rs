//! Build-time settings of the library.
//!
//! 1. PKCS#11 PIN and labels: `FREERTOS_TLS_PKCS11_{PIN,KEY_LABEL,CERT_LABEL,JITP_LABEL}`
//!    are forwarded to the compiler (read with `option_env!` in
//!    src/pkcs11/labels.rs), and a change rebuilds the crate.
//! 2. The PKCS#11 module for this package's own executables (tests,
//!    examples). The library references `C_GetFunctionList` at link time;
//!    a firmware links its own module, but the test binaries need one: by
//!    default SoftHSM2, or `FREERTOS_TLS_PKCS11_MODULE=/path/to/module.so`.
//!    The chosen path is handed to the package's code as the compile-time
//!    variable of the same name, so tests and C harnesses use the same file.
//!    The static library itself is never linked here, so `cargo build` and
//!    cross builds do not need a module.
//! 3. mbedTLS: the `mbedtls-sys` package (mbedtls-sys/build.rs) finds,
//!    checks and compiles it, and hands over what it found (`DEP_MBEDTLS_*`).
//!    Here: the configuration must suit this crate's features (the P-256
//!    ALT hooks of feature `p256-cortex-m4` exactly when the feature is on;
//!    no `MBEDTLS_ECP_RESTARTABLE`, which changes the internal `pk_info_t`
//!    that `src/mbedtls/pk_info.rs` mirrors); cfg `mbedtls_private` when
//!    the mbedTLS is a renamed private copy; and the include dirs, defines
//!    and tree go to the layout test (tests/layout.rs).
//! 4. Cfg `p256_cortex_m4_target` on the targets the P256-Cortex-M4
//!    assembly is for (thumbv7em, thumbv8m.main).
//! 5. The built-in root certificates: `certs/aws-iot-roots.pem` decoded to
//!    DER in `OUT_DIR`, which src/tls/aws_roots.rs includes (the image
//!    holds DER only, parsed in place).

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

/// Debian's SoftHSM2, for cargo run by hand. The scripts export
/// `FREERTOS_TLS_PKCS11_MODULE` (scripts/lib/deps.sh holds their default,
/// the same path; cmake/FreertosTlsPkcs11Module.cmake the same fallback for
/// CMake run by hand).
const DEFAULT_MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    decode_root_certificates();
    for var in [
        "FREERTOS_TLS_PKCS11_PIN",
        "FREERTOS_TLS_PKCS11_KEY_LABEL",
        "FREERTOS_TLS_PKCS11_CERT_LABEL",
        "FREERTOS_TLS_PKCS11_JITP_LABEL",
    ] {
        println!("cargo:rerun-if-env-changed={var}");
        if let Ok(value) = env::var(var) {
            println!("cargo:rustc-env={var}={value}");
        }
    }

    check_mbedtls();

    println!("cargo:rerun-if-env-changed=FREERTOS_TLS_PKCS11_MODULE");
    let module = env::var("FREERTOS_TLS_PKCS11_MODULE").unwrap_or_else(|_| DEFAULT_MODULE.to_owned());
    // The one place the module's path is decided: the tests read it with
    // env!("FREERTOS_TLS_PKCS11_MODULE") (tests/support/pkcs11.rs).
    println!("cargo:rustc-env=FREERTOS_TLS_PKCS11_MODULE={module}");
    // Only host builds run tests against a host module.
    if env::var("TARGET").ok() != env::var("HOST").ok() {
        return;
    }
    let path = Path::new(&module);
    println!("cargo:rerun-if-changed={module}");
    if !path.is_file() {
        println!(
            "cargo:warning=PKCS#11 module {module} not found: test binaries will not link \
             (undefined C_GetFunctionList). Install softhsm2 (scripts/lib/deps.sh) or set FREERTOS_TLS_PKCS11_MODULE."
        );
        return;
    }
    // Linked by path (SoftHSM2's file has no lib-prefixed name on the
    // default search path); the rpath lets the binaries find it at run time.
    println!("cargo:rustc-link-arg={module}");
    if let Some(dir) = path.parent() {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
    }
}

/// The mbedTLS functions feature `p256-cortex-m4` takes over, by the
/// configuration option that removes mbedTLS's own.
const P256_ALT_MACROS: [&str; 3] =
    ["MBEDTLS_ECDH_GEN_PUBLIC_ALT", "MBEDTLS_ECDH_COMPUTE_SHARED_ALT", "MBEDTLS_ECDSA_VERIFY_ALT"];

fn check_mbedtls() {
    let dep = |name: &str| env::var(format!("DEP_MBEDTLS_{name}")).unwrap_or_default();
    let options: Vec<String> = dep("OPTIONS").split_ascii_whitespace().map(str::to_owned).collect();
    let has = |o: &str| options.iter().any(|x| x == o);

    let target = env::var("TARGET").unwrap_or_default();
    println!("cargo:rustc-check-cfg=cfg(p256_cortex_m4_target)");
    // The targets whose CPUs have the DSP instructions (UMAAL) the assembly uses.
    if target.starts_with("thumbv7em-") || target.starts_with("thumbv8m.main-") {
        println!("cargo:rustc-cfg=p256_cortex_m4_target");
    }
    let feature = env::var_os("CARGO_FEATURE_P256_CORTEX_M4").is_some();
    let (defined, undefined): (Vec<&str>, Vec<&str>) = P256_ALT_MACROS.iter().partition(|m| has(m));
    if feature && !undefined.is_empty() {
        panic!(
            "feature p256-cortex-m4 provides mbedTLS's ECDH/ECDSA-verify functions, but the mbedTLS \
             configuration does not define {}. Add them to the configuration or the C flags \
             (-D{}), or use the CMake option FREERTOS_TLS_P256_CORTEX_M4=ON; see docs/cortex-m.md",
            undefined.join(", "),
            P256_ALT_MACROS.join(" -D")
        );
    }
    if !feature && !defined.is_empty() {
        panic!(
            "the mbedTLS configuration defines {}, which removes mbedTLS's own functions: enable feature \
             p256-cortex-m4 (which provides them) or drop the options",
            defined.join(", ")
        );
    }
    if has("MBEDTLS_ECP_RESTARTABLE") {
        panic!("MBEDTLS_ECP_RESTARTABLE is not supported: it changes mbedTLS's internal pk_info_t (src/mbedtls/pk_info.rs)");
    }

    // The platform callbacks the configuration asks for, and only those
    // (a firmware's own configuration may take time from elsewhere; a
    // second definition would not link).
    println!("cargo:rustc-check-cfg=cfg(mbedtls_time_macro, mbedtls_ms_time_alt)");
    if has("MBEDTLS_PLATFORM_TIME_MACRO") {
        println!("cargo:rustc-cfg=mbedtls_time_macro");
    }
    if has("MBEDTLS_PLATFORM_MS_TIME_ALT") {
        println!("cargo:rustc-cfg=mbedtls_ms_time_alt");
    }
    // MBEDTLS_THREADING_ALT: the library supplies the mutexes. USE_PSA_CRYPTO
    // with SE_C: token keys are PSA opaque keys behind the library's driver
    // (mbedtls-sys/shim), which TLS 1.3's RSA-PSS needs.
    println!("cargo:rustc-check-cfg=cfg(mbedtls_threading_alt, mbedtls_token_driver, mbedtls_tls13)");
    if has("MBEDTLS_THREADING_C") && has("FREERTOS_TLS_THREADING_ALT") {
        println!("cargo:rustc-cfg=mbedtls_threading_alt");
    }
    if has("MBEDTLS_USE_PSA_CRYPTO") && has("MBEDTLS_PSA_CRYPTO_SE_C") {
        println!("cargo:rustc-cfg=mbedtls_token_driver");
    }
    if has("MBEDTLS_SSL_PROTO_TLS1_3") {
        println!("cargo:rustc-cfg=mbedtls_tls13");
    }
    println!("cargo:rustc-check-cfg=cfg(mbedtls_private)");
    if dep("PRIVATE") == "1" {
        println!("cargo:rustc-cfg=mbedtls_private");
    }
    // For tests/layout.rs: compile a C probe exactly as mbedTLS was compiled.
    println!("cargo:rustc-env=FREERTOS_TLS_LAYOUT_INCLUDE={}", dep("INCLUDE"));
    println!("cargo:rustc-env=FREERTOS_TLS_LAYOUT_DEFINES={}", dep("DEFINES"));
    println!("cargo:rustc-env=FREERTOS_TLS_LAYOUT_C_FLAGS={}", dep("C_FLAGS"));
    println!("cargo:rustc-env=FREERTOS_TLS_LAYOUT_SOURCE={}", dep("SOURCE"));
}

/// `certs/aws-iot-roots.pem` as DER: the certificates one after the other
/// in `OUT_DIR/aws-iot-roots.der`, and `OUT_DIR/aws_iot_roots.rs` with
/// `DER` (those bytes) and `ENDS` (where each certificate ends in them).
/// Text outside the BEGIN/END lines (comments) is skipped.
fn decode_root_certificates() {
    const PEM: &str = "certs/aws-iot-roots.pem";
    println!("cargo:rerun-if-changed={PEM}");
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let text = fs::read_to_string(manifest_dir.join(PEM)).unwrap_or_else(|e| panic!("{PEM}: {e}"));
    let mut der = Vec::new();
    let mut ends = Vec::new();
    for (n, block) in text.split("-----BEGIN CERTIFICATE-----").skip(1).enumerate() {
        let Some((base64, _)) = block.split_once("-----END CERTIFICATE-----") else {
            panic!("{PEM}: certificate {n} has no END line");
        };
        let certificate = decode_base64(base64).unwrap_or_else(|e| panic!("{PEM}: certificate {n}: {e}"));
        // One DER SEQUENCE with a two-byte length (every root certificate
        // is between 256 bytes and 64 KiB), and nothing after it.
        let declared = match certificate[..] {
            [0x30, 0x82, hi, lo, ..] => 4 + usize::from(u16::from_be_bytes([hi, lo])),
            _ => panic!("{PEM}: certificate {n} is not a DER SEQUENCE"),
        };
        assert_eq!(declared, certificate.len(), "{PEM}: certificate {n}: DER length");
        der.extend_from_slice(&certificate);
        ends.push(der.len());
    }
    assert!(!ends.is_empty(), "{PEM}: no certificate");
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let der_path = out_dir.join("aws-iot-roots.der");
    fs::write(&der_path, &der).expect("write OUT_DIR/aws-iot-roots.der");
    let rust = format!(
        "// Generated by build.rs from {PEM}.\n\
         static DER: [u8; {}] = *include_bytes!({:?});\n\
         const ENDS: [usize; {}] = {:?};\n",
        der.len(),
        der_path.to_str().expect("OUT_DIR is UTF-8"),
        ends.len(),
        ends
    );
    fs::write(out_dir.join("aws_iot_roots.rs"), rust).expect("write OUT_DIR/aws_iot_roots.rs");
}

/// Standard base64 (RFC 4648, section 4); whitespace and the `=` padding
/// are skipped.
fn decode_base64(text: &str) -> Result<Vec<u8>, String> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        let digit =
            ALPHABET.iter().position(|&a| a == c).ok_or_else(|| format!("{:?} is not base64", char::from(c)))?;
        acc = (acc << 6) | digit as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if bits >= 6 {
        return Err("base64 cut short".to_owned());
    }
    Ok(out)
}
