//! Generates the C and the Rust layout tables from layout.txt and compiles
//! the C one with the cross C compiler (the cc crate reads the same
//! CC_<triple>/CFLAGS_<triple> as mbedTLS's build), against the include
//! dirs and defines mbedtls-sys compiled mbedTLS with (DEP_MBEDTLS_*), and
//! the tree's library/ dir for the internal pk_wrap.h.
use std::fmt::Write as _;
use std::{env, fs, path::PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=layout.txt");
    let table = fs::read_to_string("layout.txt").expect("layout.txt");
    let (mut c, mut rust) = (String::new(), String::new());
    let mut n = 0;
    for line in table.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let (c_expr, rust_expr) = match words[..] {
            ["size", ty] => (format!("sizeof(mbedtls_{ty})"), format!("core::mem::size_of::<m::{ty}>()")),
            ["offset", ty, field] => {
                (format!("offsetof(mbedtls_{ty}, {field})"), format!("core::mem::offset_of!(m::{ty}, {field})"))
            }
            ["mirror", ty, rust] => (format!("sizeof(mbedtls_{ty})"), format!("core::mem::size_of::<{rust}>()")),
            ["mirror", ty, rust, field] => {
                (format!("offsetof(mbedtls_{ty}, {field})"), format!("core::mem::offset_of!({rust}, {field})"))
            }
            ["value", name] => (format!("MBEDTLS_{name}"), format!("m::{name}")),
            _ => panic!("layout.txt: cannot read {line:?}"),
        };
        writeln!(c, "    {c_expr},").unwrap();
        writeln!(rust, "    {rust_expr} as u32,").unwrap();
        n += 1;
    }
    // Which of feature p256-cortex-m4's ALT macros the C compiler saw: the
    // check script asserts the layouts were compared with the macros on.
    let mut alt = String::from("const uint32_t CROSS_LAYOUT_ALT[3] = {\n");
    for name in ["MBEDTLS_ECDH_GEN_PUBLIC_ALT", "MBEDTLS_ECDH_COMPUTE_SHARED_ALT", "MBEDTLS_ECDSA_VERIFY_ALT"] {
        writeln!(alt, "#ifdef {name}\n    1,\n#else\n    0,\n#endif").unwrap();
    }
    alt.push_str("};\n");
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    let c_src = format!(
        "#include <stddef.h>\n#include <stdint.h>\n#include <mbedtls/ssl.h>\n#include <mbedtls/ctr_drbg.h>\n\
         #include <mbedtls/x509_crt.h>\n#include <mbedtls/pk.h>\n#include <mbedtls/ecp.h>\n\
         #include <mbedtls/ecdh.h>\n#include <mbedtls/ecdsa.h>\n#include \"pk_wrap.h\"\n\
         const uint32_t CROSS_LAYOUT_C[{n}] = {{\n{c}}};\n{alt}"
    );
    let rust_src = format!("#[no_mangle]\n#[used]\npub static CROSS_LAYOUT_RUST: [u32; {n}] = [\n{rust}];\n");
    fs::write(out.join("c_layout.c"), c_src).unwrap();
    fs::write(out.join("rust_layout.rs"), rust_src).unwrap();

    let dep = |name: &str| env::var(format!("DEP_MBEDTLS_{name}")).unwrap_or_default();
    let source = dep("SOURCE");
    assert!(!source.is_empty(), "mbedtls-sys built no source tree: the internal pk_wrap.h is not at hand");
    let mut build = cc::Build::new();
    build.file(out.join("c_layout.c")).include(PathBuf::from(&source).join("library")).flag("-fdata-sections");
    for dir in dep("INCLUDE").split(';').filter(|d| !d.is_empty()) {
        build.include(dir);
    }
    for def in dep("DEFINES").split(';').filter(|d| !d.is_empty()) {
        match def.split_once('=') {
            Some((name, value)) => build.define(name, value),
            None => build.define(def, None),
        };
    }
    build.compile("cross_layout_c");
}
