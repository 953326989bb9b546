//! Generates the C and the Rust layout tables from layout.txt and compiles
//! the C one with the cross C compiler (the cc crate reads the same
//! CC_<triple>/CFLAGS_<triple> as mbedTLS's build), against mbedTLS's
//! installed headers and config.h.
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
         #include <mbedtls/ecdh.h>\n#include <mbedtls/ecdsa.h>\n\
         const uint32_t CROSS_LAYOUT_C[{n}] = {{\n{c}}};\n{alt}"
    );
    let rust_src = format!("#[no_mangle]\n#[used]\npub static CROSS_LAYOUT_RUST: [u32; {n}] = [\n{rust}];\n");
    fs::write(out.join("c_layout.c"), c_src).unwrap();
    fs::write(out.join("rust_layout.rs"), rust_src).unwrap();

    let include = env::var("DEP_MBEDTLS_INCLUDE").expect("mbedtls-sys-auto exports its include dir");
    let config_h = env::var("DEP_MBEDTLS_CONFIG_H").expect("mbedtls-sys-auto exports its config.h");
    cc::Build::new()
        .file(out.join("c_layout.c"))
        .include(include)
        .define("MBEDTLS_CONFIG_FILE", format!("\"{config_h}\"").as_str())
        .flag("-fdata-sections")
        .compile("cross_layout_c");
}
