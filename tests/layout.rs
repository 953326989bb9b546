//! The Rust bindings' view of mbedTLS's structs matches the C build, in
//! whichever record buffer profile this was built with: a C probe is
//! compiled with the include dir, config file and `-D` flags of the
//! library's own mbedTLS build (handed over by build.rs) and prints the
//! size and the field offsets Rust relies on; they must equal Rust's.

use std::collections::BTreeMap;
use std::mem::{offset_of, size_of};
use std::process::Command;

use freertos_tls::tls::record_size::RECORD_CONTENT_LEN;
use mbedtls_sys as m;

/// `(label, C expression)`; the probe prints `label value` for each.
const PROBES: &[(&str, &str)] = &[
    ("IN_CONTENT_LEN", "MBEDTLS_SSL_IN_CONTENT_LEN"),
    ("OUT_CONTENT_LEN", "MBEDTLS_SSL_OUT_CONTENT_LEN"),
    ("sizeof ssl_context", "sizeof(mbedtls_ssl_context)"),
    ("sizeof ssl_config", "sizeof(mbedtls_ssl_config)"),
    ("sizeof ssl_session", "sizeof(mbedtls_ssl_session)"),
    ("sizeof ctr_drbg_context", "sizeof(mbedtls_ctr_drbg_context)"),
    ("sizeof x509_crt", "sizeof(mbedtls_x509_crt)"),
    ("sizeof pk_context", "sizeof(mbedtls_pk_context)"),
    ("sizeof sha256_context", "sizeof(mbedtls_sha256_context)"),
    ("sizeof asn1_buf", "sizeof(mbedtls_asn1_buf)"),
    ("ssl_context.conf", "offsetof(mbedtls_ssl_context, conf)"),
    ("ssl_context.session", "offsetof(mbedtls_ssl_context, session)"),
    ("ssl_context.in_buf", "offsetof(mbedtls_ssl_context, in_buf)"),
    ("ssl_context.out_buf", "offsetof(mbedtls_ssl_context, out_buf)"),
    ("ssl_session.id_len", "offsetof(mbedtls_ssl_session, id_len)"),
    ("ssl_session.master", "offsetof(mbedtls_ssl_session, master)"),
    ("ssl_session.ticket_len", "offsetof(mbedtls_ssl_session, ticket_len)"),
    ("ssl_session.ticket_lifetime", "offsetof(mbedtls_ssl_session, ticket_lifetime)"),
    ("x509_crt.raw", "offsetof(mbedtls_x509_crt, raw)"),
    ("x509_crt.pk", "offsetof(mbedtls_x509_crt, pk)"),
    ("x509_crt.next", "offsetof(mbedtls_x509_crt, next)"),
    ("asn1_buf.len", "offsetof(mbedtls_asn1_buf, len)"),
    ("asn1_buf.p", "offsetof(mbedtls_asn1_buf, p)"),
];

fn rust_values() -> BTreeMap<&'static str, usize> {
    BTreeMap::from([
        ("IN_CONTENT_LEN", RECORD_CONTENT_LEN),
        ("OUT_CONTENT_LEN", RECORD_CONTENT_LEN),
        ("sizeof ssl_context", size_of::<m::ssl_context>()),
        ("sizeof ssl_config", size_of::<m::ssl_config>()),
        ("sizeof ssl_session", size_of::<m::ssl_session>()),
        ("sizeof ctr_drbg_context", size_of::<m::ctr_drbg_context>()),
        ("sizeof x509_crt", size_of::<m::x509_crt>()),
        ("sizeof pk_context", size_of::<m::pk_context>()),
        ("sizeof sha256_context", size_of::<m::sha256_context>()),
        ("sizeof asn1_buf", size_of::<m::asn1_buf>()),
        ("ssl_context.conf", offset_of!(m::ssl_context, conf)),
        ("ssl_context.session", offset_of!(m::ssl_context, session)),
        ("ssl_context.in_buf", offset_of!(m::ssl_context, in_buf)),
        ("ssl_context.out_buf", offset_of!(m::ssl_context, out_buf)),
        ("ssl_session.id_len", offset_of!(m::ssl_session, id_len)),
        ("ssl_session.master", offset_of!(m::ssl_session, master)),
        ("ssl_session.ticket_len", offset_of!(m::ssl_session, ticket_len)),
        ("ssl_session.ticket_lifetime", offset_of!(m::ssl_session, ticket_lifetime)),
        ("x509_crt.raw", offset_of!(m::x509_crt, raw)),
        ("x509_crt.pk", offset_of!(m::x509_crt, pk)),
        ("x509_crt.next", offset_of!(m::x509_crt, next)),
        ("asn1_buf.len", offset_of!(m::asn1_buf, len)),
        ("asn1_buf.p", offset_of!(m::asn1_buf, p)),
    ])
}

fn probe_source() -> String {
    let mut src = String::from(
        "#include <stddef.h>\n#include <stdio.h>\n#include <mbedtls/ssl.h>\n#include <mbedtls/ctr_drbg.h>\n\
         #include <mbedtls/sha256.h>\nint main(void) {\n",
    );
    for (label, expr) in PROBES {
        src.push_str(&format!("    printf(\"{label} %zu\\n\", (size_t)({expr}));\n"));
    }
    src.push_str("    return 0;\n}\n");
    src
}

#[test]
fn bindings_match_the_c_build_of_mbedtls() {
    let include = env!("FREERTOS_TLS_MBEDTLS_INCLUDE");
    let config = env!("FREERTOS_TLS_MBEDTLS_CONFIG_H");
    let defines = env!("FREERTOS_TLS_MBEDTLS_DEFINES");
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("probe.c");
    let exe = dir.path().join("probe");
    std::fs::write(&src, probe_source()).unwrap();
    let out = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()))
        .arg(format!("-I{include}"))
        .arg(format!("-DMBEDTLS_CONFIG_FILE=\"{config}\""))
        .args(defines.split_ascii_whitespace())
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .output()
        .expect("a C compiler (cc) must be installed");
    assert!(out.status.success(), "probe did not compile:\n{}", String::from_utf8_lossy(&out.stderr));
    let run = Command::new(&exe).output().unwrap();
    assert!(run.status.success());
    let c: BTreeMap<String, usize> = String::from_utf8(run.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (k, v) = l.rsplit_once(' ').unwrap();
            (k.to_string(), v.parse().unwrap())
        })
        .collect();
    let rust = rust_values();
    assert_eq!(c.len(), PROBES.len());
    let mismatches: Vec<String> = rust
        .iter()
        .filter(|(k, v)| c.get(**k) != Some(v))
        .map(|(k, v)| format!("{k}: Rust {v}, C {:?}", c.get(*k)))
        .collect();
    assert!(
        mismatches.is_empty(),
        "layout differs from the C build (defines: {defines:?}):\n{}",
        mismatches.join("\n")
    );
}
