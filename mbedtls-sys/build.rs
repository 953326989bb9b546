//! Finds the mbedTLS this library is built on, checks it, compiles it when
//! it is a source tree, and generates the Rust bindings against exactly the
//! headers and configuration the C side uses.
//!
//! Two routes, chosen by the environment:
//! - **The firmware's own mbedTLS** (CMake sets these from the firmware's
//!   mbedTLS targets): `FREERTOS_TLS_MBEDTLS_INCLUDE_DIRS` and
//!   `FREERTOS_TLS_MBEDTLS_DEFINES` (both `;`-separated). Nothing is
//!   compiled or linked here: the image links the firmware's libraries.
//! - **A source tree**: `FREERTOS_TLS_MBEDTLS_DIR` (an upstream release
//!   tree, e.g. the one `scripts/fetch-mbedtls.sh` fetches and verifies)
//!   with `FREERTOS_TLS_MBEDTLS_CONFIG`: a profile of this project
//!   (`client`, `client-cbc`; `config/*.h`) or the path of the user's own
//!   configuration file. Compiled with the target's C compiler and flags
//!   (`CC_<target>`, `CFLAGS_<target>`, as the cc crate reads them).
//!
//! Either way the tree must be mbedTLS 3.6.7 or a later 3.6: older ones
//! lack security fixes this library relies on, 4.x has another API.
//! Dependents read `DEP_MBEDTLS_*`: `INCLUDE` and `DEFINES` (to compile
//! C probes the same way) and `OPTIONS` (the configuration options set).

use std::collections::BTreeSet;
use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The oldest release accepted: 3.6.7 (2026-07-07) fixes the TLS 1.2
/// extended-master-secret transcript check, an overflow in
/// `mbedtls_ecdh_calc_secret` and an ECC public-key overread.
const MIN_VERSION: u32 = 0x0306_0700;
const NEXT_MAJOR: u32 = 0x0400_0000;

/// The prefix every external symbol of a private copy gets (feature `private`).
const PRIVATE_PREFIX: &str = "freertos_tls_";

/// Called by mbedTLS, provided by the firmware (this library's entropy
/// port): the one name a private copy keeps, so that the firmware's own
/// mbedTLS and the private one reach the same hardware source.
const KEEP_NAME: &str = "mbedtls_hardware_poll";

/// What the library calls or relies on: a configuration without one of
/// these is refused with the list of what is missing.
const REQUIRED: &[&str] = &[
    "MBEDTLS_SSL_TLS_C",
    "MBEDTLS_SSL_CLI_C",
    "MBEDTLS_SSL_PROTO_TLS1_2",
    "MBEDTLS_SSL_SERVER_NAME_INDICATION",
    "MBEDTLS_SSL_ALPN",
    "MBEDTLS_SSL_SESSION_TICKETS",
    "MBEDTLS_SSL_MAX_FRAGMENT_LENGTH",
    "MBEDTLS_SSL_ENCRYPT_THEN_MAC",
    "MBEDTLS_X509_CRT_PARSE_C",
    "MBEDTLS_PEM_PARSE_C",
    "MBEDTLS_PK_C",
    "MBEDTLS_PK_PARSE_C",
    "MBEDTLS_PK_RSA_ALT_SUPPORT",
    "MBEDTLS_RSA_C",
    "MBEDTLS_PKCS1_V15",
    "MBEDTLS_ECDSA_C",
    "MBEDTLS_ECDH_C",
    "MBEDTLS_ECP_C",
    "MBEDTLS_ECP_DP_SECP256R1_ENABLED",
    "MBEDTLS_BIGNUM_C",
    "MBEDTLS_ASN1_PARSE_C",
    "MBEDTLS_ASN1_WRITE_C",
    "MBEDTLS_MD_C",
    "MBEDTLS_SHA256_C",
    "MBEDTLS_CTR_DRBG_C",
    "MBEDTLS_ENTROPY_C",
    "MBEDTLS_PSA_CRYPTO_C",
    "MBEDTLS_HAVE_TIME_DATE",
    "MBEDTLS_PLATFORM_GMTIME_R_ALT",
];

/// Reported to dependents when set (besides REQUIRED): the hooks and
/// protocol options whose presence changes what the library does.
const OPTIONAL: &[&str] = &[
    "MBEDTLS_ENTROPY_HARDWARE_ALT",
    "MBEDTLS_NO_PLATFORM_ENTROPY",
    "MBEDTLS_PLATFORM_MS_TIME_ALT",
    "MBEDTLS_PLATFORM_TIME_MACRO",
    "MBEDTLS_HAVE_TIME",
    "MBEDTLS_ECDH_GEN_PUBLIC_ALT",
    "MBEDTLS_ECDH_COMPUTE_SHARED_ALT",
    "MBEDTLS_ECDSA_VERIFY_ALT",
    "MBEDTLS_SSL_PROTO_TLS1_3",
    "MBEDTLS_SSL_KEEP_PEER_CERTIFICATE",
    "MBEDTLS_USE_PSA_CRYPTO",
    "MBEDTLS_CIPHER_MODE_CBC",
    "MBEDTLS_SHA1_C",
    "MBEDTLS_SHA512_C",
    "MBEDTLS_SHA384_C",
    "MBEDTLS_GCM_C",
    "MBEDTLS_CHACHAPOLY_C",
    "MBEDTLS_ECP_DP_SECP384R1_ENABLED",
    "MBEDTLS_ECP_DP_SECP521R1_ENABLED",
    "MBEDTLS_ECP_DP_CURVE25519_ENABLED",
    "MBEDTLS_ECDH_VARIANT_EVEREST_ENABLED",
    "MBEDTLS_PSA_P256M_DRIVER_ENABLED",
    "MBEDTLS_SSL_SRV_C",
    "MBEDTLS_SSL_TICKET_C",
    "MBEDTLS_SSL_RENEGOTIATION",
    "MBEDTLS_PKCS1_V21",
    "MBEDTLS_PSA_CRYPTO_SE_C",
    "MBEDTLS_PSA_CRYPTO_STORAGE_C",
    "MBEDTLS_PSA_ITS_FILE_C",
    "MBEDTLS_THREADING_C",
    "MBEDTLS_THREADING_ALT",
    "MBEDTLS_SSL_RECORD_SIZE_LIMIT",
    "MBEDTLS_SSL_EARLY_DATA",
    // The mutex type is this library's (config/threading_alt.h), which
    // then supplies the functions.
    "FREERTOS_TLS_THREADING_ALT",
];

/// Headers the bindings cover.
const HEADERS: &[&str] = &[
    "mbedtls/build_info.h",
    "mbedtls/ssl.h",
    "mbedtls/ssl_ciphersuites.h",
    "mbedtls/ssl_ticket.h",
    "mbedtls/ctr_drbg.h",
    "mbedtls/entropy.h",
    "mbedtls/x509_crt.h",
    "mbedtls/pk.h",
    "mbedtls/ecp.h",
    "mbedtls/ecdh.h",
    "mbedtls/ecdsa.h",
    "mbedtls/bignum.h",
    "mbedtls/asn1.h",
    "mbedtls/md.h",
    "mbedtls/sha256.h",
    "mbedtls/platform.h",
    "mbedtls/platform_time.h",
    "mbedtls/platform_util.h",
    "mbedtls/error.h",
    "mbedtls/pem.h",
    "mbedtls/net_sockets.h",
    "mbedtls/version.h",
    "mbedtls/threading.h",
    "psa/crypto.h",
    "freertos_tls_psa.h",
];

struct Tree {
    include_dirs: Vec<PathBuf>,
    /// `NAME` or `NAME=VALUE`.
    defines: Vec<String>,
    /// The release tree to compile; None for the firmware's own mbedTLS.
    source: Option<PathBuf>,
}

fn main() {
    for var in [
        "FREERTOS_TLS_MBEDTLS_DIR",
        "FREERTOS_TLS_MBEDTLS_CONFIG",
        "FREERTOS_TLS_MBEDTLS_INCLUDE_DIRS",
        "FREERTOS_TLS_MBEDTLS_DEFINES",
    ] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=config");
    println!("cargo:rerun-if-changed=shim");

    let mut tree = locate();
    let private = env::var_os("CARGO_FEATURE_PRIVATE").is_some();
    if private && tree.source.is_none() {
        fail(
            "feature `private` (a renamed private copy of mbedTLS) needs a source tree to compile \
              (FREERTOS_TLS_MBEDTLS_DIR); the firmware's own mbedTLS is linked as it is",
        );
    }
    check_version(&tree);
    let options = probe_options(&tree);
    let missing: Vec<&str> = REQUIRED.iter().copied().filter(|o| !options.contains(*o)).collect();
    if !missing.is_empty() {
        fail(&format!(
            "the mbedTLS configuration lacks what this library needs: {} (see docs/building.md, \"What a configuration needs\")",
            missing.join(", ")
        ));
    }

    // mbedtls/ecdh.h includes "everest/everest.h" when Everest is on: its
    // headers go wherever mbedTLS's go (C build, bindings, dependents).
    if let Some(source) = tree.source.clone().filter(|_| options.contains("MBEDTLS_ECDH_VARIANT_EVEREST_ENABLED")) {
        tree.include_dirs.push(source.join("3rdparty/everest/include"));
    }

    // The library's C shim (shim/): its header goes wherever mbedTLS's go.
    let shim = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("shim");
    tree.include_dirs.push(shim.clone());
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    if let Some(source) = &tree.source {
        compile(&tree, source, &shim, &options);
        if private {
            rename_symbols(&out.join("libmbedtls.a"));
        }
    } else {
        // The firmware's own mbedTLS: only the token driver, against its
        // headers (the firmware brings its own PSA storage, if any).
        c_build(&tree).file(shim.join("psa_token_driver.c")).compile("freertos_tls_psa_shim");
    }
    let c_flags = c_flag_defines();
    generate_bindings(&tree, &out, private, &c_flags);

    let join = |v: Vec<String>| v.join(";");
    println!("cargo:include={}", join(tree.include_dirs.iter().map(|p| p.display().to_string()).collect()));
    println!("cargo:defines={}", join(tree.defines.clone()));
    println!("cargo:options={}", options.iter().cloned().collect::<Vec<_>>().join(" "));
    println!("cargo:private={}", u8::from(private));
    println!("cargo:c_flags={}", c_flags.join(";"));
    println!("cargo:source={}", tree.source.as_ref().map(|s| s.display().to_string()).unwrap_or_default());
}

fn fail(msg: &str) -> ! {
    eprintln!("error: {msg}");
    panic!("{msg}");
}

fn split_list(v: &str) -> Vec<String> {
    v.split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

fn locate() -> Tree {
    if let Ok(dirs) = env::var("FREERTOS_TLS_MBEDTLS_INCLUDE_DIRS") {
        let include_dirs: Vec<PathBuf> = split_list(&dirs).into_iter().map(PathBuf::from).collect();
        let defines = env::var("FREERTOS_TLS_MBEDTLS_DEFINES").map(|d| split_list(&d)).unwrap_or_default();
        return Tree { include_dirs, defines, source: None };
    }
    let how = "run scripts/fetch-mbedtls.sh (fetches upstream mbedTLS 3.6.7 and verifies it against the \
               SHA-256 in the repository), or set FREERTOS_TLS_MBEDTLS_DIR to an mbedTLS 3.6 source tree \
               (3.6.7 or later); in CMake, the firmware's own mbedTLS targets are used when they exist";
    let Some(dir) = env::var_os("FREERTOS_TLS_MBEDTLS_DIR").map(PathBuf::from) else {
        fail(&format!("no mbedTLS source tree: {how}"));
    };
    if !dir.join("library").is_dir() || !dir.join("include/mbedtls").is_dir() {
        fail(&format!("FREERTOS_TLS_MBEDTLS_DIR={} is not an mbedTLS source tree: {how}", dir.display()));
    }
    let dir = dir.canonicalize().unwrap();
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let config = env::var("FREERTOS_TLS_MBEDTLS_CONFIG").unwrap_or_else(|_| "client".to_owned());
    let profile = manifest.join("config").join(format!("{config}.h"));
    let config_file = if !config.contains(['/', '.']) && profile.is_file() {
        profile
    } else {
        let p = PathBuf::from(&config);
        if !p.is_file() {
            fail(&format!(
                "FREERTOS_TLS_MBEDTLS_CONFIG={config}: neither a profile (client, client-cbc) nor an existing file"
            ));
        }
        p.canonicalize().unwrap()
    };
    println!("cargo:rerun-if-changed={}", config_file.display());
    let mut include_dirs = vec![dir.join("include")];
    // The profiles include each other by name; a configuration file of
    // one's own may include them too, and mbedTLS includes the profiles'
    // "threading_alt.h" by name.
    include_dirs.push(config_file.parent().unwrap().to_owned());
    let profiles = manifest.join("config");
    if !include_dirs.contains(&profiles) {
        include_dirs.push(profiles);
    }
    let defines = vec![format!("MBEDTLS_CONFIG_FILE=\"{}\"", config_file.display())];
    Tree { include_dirs, defines, source: Some(dir) }
}

/// `MBEDTLS_VERSION_NUMBER` read from the headers found on the include path.
fn check_version(tree: &Tree) {
    let found = tree.include_dirs.iter().find_map(|d| {
        let text = fs::read_to_string(d.join("mbedtls/build_info.h"))
            .or_else(|_| fs::read_to_string(d.join("mbedtls/version.h")))
            .ok()?;
        text.lines().find_map(|l| {
            let rest = l.trim().strip_prefix("#define")?.trim().strip_prefix("MBEDTLS_VERSION_NUMBER")?;
            u32::from_str_radix(rest.trim().trim_start_matches("0x").trim_start_matches("0X"), 16).ok()
        })
    });
    let Some(v) = found else {
        fail(&format!("no mbedTLS headers (mbedtls/build_info.h) on the include path {:?}", tree.include_dirs));
    };
    let text = format!("{}.{}.{}", v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff);
    if !(MIN_VERSION..NEXT_MAJOR).contains(&v) {
        fail(&format!(
            "found mbedTLS {text}; this library needs mbedTLS 3.6.7 or a later 3.6 LTS release \
             (older ones miss security fixes it relies on; 4.x has another API)"
        ));
    }
    println!("cargo:version={text}");
}

/// A cc build with the tree's include dirs and defines (and the target's
/// compiler and flags, which cc reads from the environment).
fn c_build(tree: &Tree) -> cc::Build {
    let mut b = cc::Build::new();
    b.warnings(false);
    for d in &tree.include_dirs {
        b.include(d);
    }
    for d in &tree.defines {
        match d.split_once('=') {
            Some((n, v)) => b.define(n, v),
            None => b.define(d, None),
        };
    }
    b
}

/// The options of REQUIRED and OPTIONAL that the configuration sets, read
/// by preprocessing a probe with the same compiler, flags and defines.
fn probe_options(tree: &Tree) -> BTreeSet<String> {
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let probe = out.join("options_probe.c");
    let mut text = String::from("#include \"mbedtls/build_info.h\"\n#include \"mbedtls/threading.h\"\n");
    for o in REQUIRED.iter().chain(OPTIONAL) {
        // A string, so that the option's own expansion does not replace it.
        text.push_str(&format!("#if defined({o})\nfreertos_tls_option \"{o}\"\n#endif\n"));
    }
    fs::write(&probe, text).unwrap();
    let expanded = c_build(tree).file(&probe).expand();
    String::from_utf8_lossy(&expanded)
        .lines()
        .filter_map(|l| l.trim().strip_prefix("freertos_tls_option "))
        .map(|s| s.trim().trim_matches('"').to_owned())
        .collect()
}

fn compile(tree: &Tree, source: &Path, shim: &Path, options: &BTreeSet<String>) {
    let mut b = c_build(tree);
    b.include(source.join("library"));
    // cc keeps frame pointers in debug builds; on Thumb-1 (Cortex-M0) the
    // frame pointer is r7, which mbedTLS's bignum assembly needs.
    b.force_frame_pointer(false);
    let mut files: Vec<PathBuf> = fs::read_dir(source.join("library"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .collect();
    if options.contains("MBEDTLS_PSA_P256M_DRIVER_ENABLED") {
        let p256m = source.join("3rdparty/p256-m");
        b.include(&p256m);
        if options.contains("MBEDTLS_ECDH_GEN_PUBLIC_ALT") {
            // Feature p256-cortex-m4 (the ALT macros mark it, the root
            // crate's build script checks): the driver's entry points come
            // from the library's shim, on the P256-Cortex-M4 assembly,
            // instead of p256-m.
            files.push(shim.join("p256_cortex_m4_psa_driver.c"));
        } else {
            files.push(p256m.join("p256-m_driver_entrypoints.c"));
            files.push(p256m.join("p256-m/p256-m.c"));
        }
    }
    if options.contains("MBEDTLS_ECDH_VARIANT_EVEREST_ENABLED") {
        let everest = source.join("3rdparty/everest");
        // As its upstream CMake does (include/ is on the tree's path already).
        b.include(everest.join("include/everest")).include(everest.join("include/everest/kremlib"));
        for f in ["everest.c", "x25519.c", "Hacl_Curve25519_joined.c"] {
            files.push(everest.join("library").join(f));
        }
    }
    files.sort();
    // The token driver and the empty PSA storage it needs (shim/), in the
    // same archive: a private copy renames their PSA calls too.
    files.push(shim.join("psa_token_driver.c"));
    files.push(shim.join("psa_its_none.c"));
    b.files(&files);
    b.compile("mbedtls");
}

/// The binutils tool `name` (nm, objcopy) for the C compiler in use:
/// `arm-none-eabi-gcc` -> `arm-none-eabi-objcopy`, else the host's.
fn binutil(name: &str) -> PathBuf {
    let var = name.to_uppercase();
    println!("cargo:rerun-if-env-changed={var}");
    if let Some(p) = env::var_os(&var) {
        return p.into();
    }
    let cc = cc::Build::new().get_compiler().path().to_owned();
    let file = cc.file_name().unwrap().to_string_lossy().into_owned();
    for suffix in ["gcc", "clang", "cc"] {
        if let Some(prefix) = file.strip_suffix(suffix).filter(|p| p.ends_with('-')) {
            return cc.with_file_name(format!("{prefix}{name}"));
        }
    }
    name.into()
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| fail(&format!("cannot run {cmd:?}: {e}")));
    if !out.status.success() {
        fail(&format!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whether a symbol of the compiled mbedTLS is renamed in a private copy:
/// everything global it defines or references of its own namespaces, the
/// third-party code it bundles included (p256-m: `p256_`; Everest:
/// `Hacl_`, `FStar_`), which a firmware's mbedTLS 2.x may bundle too.
fn is_renamed(sym: &str) -> bool {
    sym != KEEP_NAME && ["mbedtls_", "psa_", "p256_", "Hacl_", "FStar_"].iter().any(|p| sym.starts_with(p))
}

/// Feature `private`: every global `mbedtls_*`/`psa_*` symbol of the
/// archive, defined or referenced, gets PRIVATE_PREFIX. References are
/// renamed too, so the few callbacks mbedTLS expects from the platform
/// (`mbedtls_platform_gmtime_r`, `mbedtls_ms_time`, the time macro, the
/// ALT hooks) must be exported under the prefixed name; the library does
/// that under its own `mbedtls-private` feature.
fn rename_symbols(archive: &Path) {
    let listing = run(Command::new(binutil("nm")).arg("-g").arg("--format=posix").arg(archive));
    let mut syms = BTreeSet::new();
    for line in listing.lines() {
        // "name TYPE value size" (member headers end with ':').
        let Some(name) = line.split_whitespace().next() else { continue };
        if !name.ends_with(':') && is_renamed(name) {
            syms.insert(name.to_owned());
        }
    }
    let map = archive.with_extension("redefine");
    let text: String = syms.iter().map(|s| format!("{s} {PRIVATE_PREFIX}{s}\n")).collect();
    fs::write(&map, text).unwrap();
    run(Command::new(binutil("objcopy")).arg(format!("--redefine-syms={}", map.display())).arg(archive));
}

#[derive(Debug)]
struct Names {
    private: bool,
}

impl bindgen::callbacks::ParseCallbacks for Names {
    /// `mbedtls_ssl_init` -> `ssl_init`, `MBEDTLS_ERR_SSL_WANT_READ` ->
    /// `ERR_SSL_WANT_READ`: the crate's name says mbedtls already.
    fn item_name(&self, info: bindgen::callbacks::ItemInfo) -> Option<String> {
        let n = info.name;
        n.strip_prefix("mbedtls_").or_else(|| n.strip_prefix("MBEDTLS_")).filter(|s| !s.is_empty()).map(str::to_owned)
    }

    fn enum_variant_name(
        &self,
        _enum: Option<&str>,
        name: &str,
        _value: bindgen::callbacks::EnumVariantValue,
    ) -> Option<String> {
        name.strip_prefix("MBEDTLS_").map(str::to_owned)
    }

    fn generated_link_name_override(&self, info: bindgen::callbacks::ItemInfo<'_>) -> Option<String> {
        (self.private && is_renamed(info.name)).then(|| format!("{PRIVATE_PREFIX}{}", info.name))
    }
}

/// The -D/-U/-I flags of the target's C flags (record sizes, ALT hooks):
/// they shape the structs exactly as they shape the C objects.
fn c_flag_defines() -> Vec<String> {
    let compiler = cc::Build::new().get_compiler();
    let mut flags = Vec::new();
    let mut args = compiler.args().iter().map(|a| a.to_string_lossy().into_owned());
    while let Some(a) = args.next() {
        if ["-D", "-U", "-I"].contains(&a.as_str()) {
            if let Some(v) = args.next() {
                flags.push(format!("{a}{v}"));
            }
        } else if a.starts_with("-D") || a.starts_with("-U") || a.starts_with("-I") {
            flags.push(a);
        }
    }
    flags
}

fn generate_bindings(tree: &Tree, out: &Path, private: bool, c_flags: &[String]) {
    let wrapper = out.join("bindings_wrapper.h");
    // The defines as #define lines of the wrapper rather than -D arguments:
    // bindgen skips macros defined on the command line, and a value such
    // as MBEDTLS_SSL_IN_CONTENT_LEN given in the C flags must still reach
    // the bindings (the library reads the record sizes from them).
    let mut text = String::new();
    let mut clang_args: Vec<String> = tree.include_dirs.iter().map(|d| format!("-I{}", d.display())).collect();
    for flag in tree.defines.iter().map(|d| format!("-D{d}")).chain(c_flags.iter().cloned()) {
        if let Some(def) = flag.strip_prefix("-D") {
            let (name, value) = def.split_once('=').unwrap_or((def, "1"));
            text.push_str(&format!("#undef {name}\n#define {name} {value}\n"));
        } else if let Some(name) = flag.strip_prefix("-U") {
            text.push_str(&format!("#undef {name}\n"));
        } else {
            clang_args.push(flag);
        }
    }
    text.extend(HEADERS.iter().map(|h| format!("#include \"{h}\"\n")));
    // The record sizes as enum values, which bindgen always emits, whether
    // the configuration, ssl.h's defaults or the C flags set them.
    text.push_str(
        "enum freertos_tls_record_sizes {\n    FREERTOS_TLS_IN_CONTENT_LEN = MBEDTLS_SSL_IN_CONTENT_LEN,\n    \
         FREERTOS_TLS_OUT_CONTENT_LEN = MBEDTLS_SSL_OUT_CONTENT_LEN,\n};\n",
    );
    fs::write(&wrapper, text).unwrap();
    let bindings = bindgen::Builder::default()
        .header(wrapper.display().to_string())
        .clang_args(&clang_args)
        .use_core()
        .ctypes_prefix("core::ffi")
        // PSA: what the library calls; its types come in as needed (the
        // whole PSA surface trips bindgen over typedef'd operation structs).
        .allowlist_function("mbedtls_.*|freertos_tls_.*|psa_crypto_init|psa_(import|destroy|get)_key.*|psa_sign_hash")
        .allowlist_type("mbedtls_.*|freertos_tls_.*")
        .allowlist_var("MBEDTLS_.*|FREERTOS_TLS_.*")
        .blocklist_function("mbedtls_printf|mbedtls_snprintf|mbedtls_vsnprintf|mbedtls_fprintf")
        // Macros as C int, the type mbedTLS passes them as (error codes,
        // ciphersuite ids, endpoint and preset selectors).
        .default_macro_constant_type(bindgen::MacroTypeVariation::Signed)
        .prepend_enum_name(false)
        .default_enum_style(bindgen::EnumVariation::Consts)
        .derive_default(false)
        .generate_comments(false)
        .layout_tests(true)
        .parse_callbacks(Box::new(Names { private }))
        .generate()
        .unwrap_or_else(|e| fail(&format!("bindgen over the mbedTLS headers failed: {e}")));
    bindings.write_to_file(out.join("bindings.rs")).unwrap();
}
