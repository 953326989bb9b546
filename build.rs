//! Build-time settings of the library.
//!
//! 1. PKCS#11 PIN and labels: `FREERTOS_TLS_PKCS11_{PIN,KEY_LABEL,CERT_LABEL,JITP_LABEL}`
//!    are forwarded to the compiler (read with `option_env!` in
//!    src/pkcs11/labels.rs), and a change rebuilds the crate.
//! 2. The PKCS#11 module for this package's own executables (tests,
//!    examples). The library references `C_GetFunctionList` at link time;
//!    a firmware links its own module, but the test binaries need one: by
//!    default SoftHSM2, or `FREERTOS_TLS_PKCS11_MODULE=/path/to/module.so`.
//!    The static library itself is never linked here, so `cargo build` and
//!    cross builds do not need a module.

use std::env;
use std::path::Path;

const DEFAULT_MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
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

    println!("cargo:rerun-if-env-changed=FREERTOS_TLS_PKCS11_MODULE");
    // Only host builds run tests against a host module.
    if env::var("TARGET").ok() != env::var("HOST").ok() {
        return;
    }
    let module = env::var("FREERTOS_TLS_PKCS11_MODULE").unwrap_or_else(|_| DEFAULT_MODULE.to_owned());
    let path = Path::new(&module);
    println!("cargo:rerun-if-changed={module}");
    if !path.is_file() {
        println!(
            "cargo:warning=PKCS#11 module {module} not found: test binaries will not link \
             (undefined C_GetFunctionList). Install softhsm2 (scripts/deps.sh) or set FREERTOS_TLS_PKCS11_MODULE."
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
