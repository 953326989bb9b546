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
//! 3. The TLS record buffers. mbedTLS's `MBEDTLS_SSL_IN_CONTENT_LEN` and
//!    `MBEDTLS_SSL_OUT_CONTENT_LEN` reach its build only through the C
//!    flags (`CFLAGS` and its per-target forms, which the cc and cmake
//!    crates read). The `record-buffer-*` feature tells the Rust side which
//!    size to expect (it picks the max-fragment-length request from it);
//!    this script reads the same flags the C build sees and refuses to
//!    build when the two disagree. It also hands the mbedTLS include dir,
//!    config and flags to the layout test (tests/layout.rs).
//! 4. The P-256 ALT hooks (feature `p256-cortex-m4`). With the feature,
//!    this library provides `mbedtls_ecdh_gen_public`,
//!    `mbedtls_ecdh_compute_shared` and `mbedtls_ecdsa_verify`, so mbedTLS
//!    must be compiled without its own (the three `*_ALT` macros in its C
//!    flags); without the feature it must keep them. Either mismatch would
//!    be a link error or a duplicate symbol: refused here with the fix.
//!    Also sets cfg `p256_cortex_m4_target` on the targets the assembly
//!    is for (thumbv7em, thumbv8m.main).

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

    check_record_buffers();
    check_p256_alt_hooks();

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

/// mbedTLS's default when the flags say nothing.
const MBEDTLS_DEFAULT_CONTENT_LEN: u32 = 16384;

/// The C flags the cc crate gives mbedTLS's build: every one of these
/// variables, least specific first (a later `-D` overrides an earlier one).
fn mbedtls_cflags() -> Vec<String> {
    let target = env::var("TARGET").unwrap_or_default();
    let kind = if env::var("HOST").ok().as_deref() == Some(target.as_str()) { "HOST" } else { "TARGET" };
    let target_u = target.replace(['-', '.'], "_");
    let mut flags = Vec::new();
    for var in ["CFLAGS".to_owned(), format!("{kind}_CFLAGS"), format!("CFLAGS_{target_u}"), format!("CFLAGS_{target}")]
    {
        println!("cargo:rerun-if-env-changed={var}");
        if let Ok(v) = env::var(&var) {
            flags.extend(v.split_ascii_whitespace().map(str::to_owned));
        }
    }
    flags
}

/// Whether the flags leave macro `name` defined (the last `-Dname[=value]`
/// or `-Uname` wins).
fn is_defined(flags: &[String], name: &str) -> bool {
    let mut defined = false;
    let mut it = flags.iter();
    while let Some(f) = it.next() {
        let (undef, rest) = match (f.strip_prefix("-D"), f.strip_prefix("-U")) {
            (Some(d), _) => (false, d),
            (_, Some(u)) => (true, u),
            _ => continue,
        };
        let arg = if rest.is_empty() { it.next().map_or("", String::as_str) } else { rest };
        if arg.split_once('=').map_or(arg, |(n, _)| n) == name {
            defined = !undef;
        }
    }
    defined
}

/// The mbedTLS functions feature `p256-cortex-m4` takes over, by the macro
/// that removes mbedTLS's own.
const P256_ALT_MACROS: [&str; 3] =
    ["MBEDTLS_ECDH_GEN_PUBLIC_ALT", "MBEDTLS_ECDH_COMPUTE_SHARED_ALT", "MBEDTLS_ECDSA_VERIFY_ALT"];

fn check_p256_alt_hooks() {
    let target = env::var("TARGET").unwrap_or_default();
    println!("cargo:rustc-check-cfg=cfg(p256_cortex_m4_target)");
    // The targets whose CPUs have the DSP instructions (UMAAL) the assembly uses.
    if target.starts_with("thumbv7em-") || target.starts_with("thumbv8m.main-") {
        println!("cargo:rustc-cfg=p256_cortex_m4_target");
    }
    let feature = env::var_os("CARGO_FEATURE_P256_CORTEX_M4").is_some();
    let flags = mbedtls_cflags();
    let (defined, undefined): (Vec<&str>, Vec<&str>) = P256_ALT_MACROS.iter().partition(|m| is_defined(&flags, m));
    let all = P256_ALT_MACROS.join(" -D");
    if feature && !undefined.is_empty() {
        panic!(
            "feature p256-cortex-m4 provides mbedTLS's ECDH/ECDSA-verify functions, but the C flags of mbedTLS's \
             build do not define {}. Build with TARGET_CFLAGS=\"-D{all}\" (or the CMake option \
             FREERTOS_TLS_P256_CORTEX_M4=ON), see README \"Cortex-M\"",
            undefined.join(", ")
        );
    }
    if !feature && !defined.is_empty() {
        panic!(
            "the C flags of mbedTLS's build define {}, which removes mbedTLS's own functions: enable feature \
             p256-cortex-m4 (which provides them) or drop the macros",
            defined.join(", ")
        );
    }
}

/// The value the flags give macro `name` (the last `-Dname=value`).
fn defined_value(flags: &[String], name: &str) -> Option<String> {
    let mut value = None;
    let mut it = flags.iter().peekable();
    while let Some(f) = it.next() {
        let def = match f.strip_prefix("-D") {
            Some("") => it.next().map(String::as_str),
            Some(d) => Some(d),
            None => None,
        };
        if let Some((n, v)) = def.and_then(|d| d.split_once('=')) {
            if n == name {
                value = Some(v.to_owned());
            }
        }
    }
    value
}

fn check_record_buffers() {
    let profiles = [("record-buffer-2k", 2048u32), ("record-buffer-4k", 4096)];
    let chosen: Vec<_> = profiles
        .iter()
        .filter(|(f, _)| env::var_os(format!("CARGO_FEATURE_{}", f.to_uppercase().replace('-', "_"))).is_some())
        .collect();
    if chosen.len() > 1 {
        panic!("choose at most one record-buffer-* feature");
    }
    let (feature, want) = chosen.first().map_or(("(none: default)", MBEDTLS_DEFAULT_CONTENT_LEN), |(f, n)| (*f, *n));
    let flags = mbedtls_cflags();
    for name in ["MBEDTLS_SSL_IN_CONTENT_LEN", "MBEDTLS_SSL_OUT_CONTENT_LEN"] {
        let got = match defined_value(&flags, name) {
            None => MBEDTLS_DEFAULT_CONTENT_LEN,
            Some(v) => v.parse().unwrap_or_else(|_| panic!("{name}={v} in the C flags is not a decimal number")),
        };
        if got != want {
            panic!(
                "record buffer mismatch: feature {feature} expects {name}={want}, but the C flags of mbedTLS's \
                 build give {got}. Build with CFLAGS=\"-DMBEDTLS_SSL_IN_CONTENT_LEN={want} \
                 -DMBEDTLS_SSL_OUT_CONTENT_LEN={want}\" (or the CMake cache variable FREERTOS_TLS_RECORD_BUFFER), \
                 see README \"Record buffer profiles\""
            );
        }
    }
    // For tests/layout.rs: compile a C probe exactly as mbedTLS was compiled.
    for (dep, ours) in [
        ("DEP_MBEDTLS_INCLUDE", "FREERTOS_TLS_MBEDTLS_INCLUDE"),
        ("DEP_MBEDTLS_CONFIG_H", "FREERTOS_TLS_MBEDTLS_CONFIG_H"),
    ] {
        if let Ok(v) = env::var(dep) {
            println!("cargo:rustc-env={ours}={v}");
        }
    }
    let defines: Vec<_> = flags.iter().filter(|f| f.starts_with("-D") || f.starts_with("-U")).cloned().collect();
    println!("cargo:rustc-env=FREERTOS_TLS_MBEDTLS_DEFINES={}", defines.join(" "));
}
