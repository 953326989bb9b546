//! The Rust bindings' view of mbedTLS's structs matches the C build, in
//! whichever record buffer profile this was built with: a C probe is
//! compiled with the include dir, config file and `-D` flags of the
//! library's own mbedTLS build (handed over by build.rs) and prints the
//! size and the field offsets Rust relies on; they must equal Rust's.

use std::collections::BTreeMap;
use std::mem::{offset_of, size_of};
use std::process::Command;

use freertos_tls::testing::{OUT_CONTENT_LEN, RECORD_CONTENT_LEN};
use mbedtls_sys as m;

/// `(label, C expression)`; the probe prints `label value` for each.
/// Fields mbedTLS marks private are `private_*` in C (MBEDTLS_PRIVATE)
/// and in the bindings alike.
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
    ("ssl_context.state", "offsetof(mbedtls_ssl_context, private_state)"),
    ("ssl_context.conf", "offsetof(mbedtls_ssl_context, private_conf)"),
    ("ssl_context.session", "offsetof(mbedtls_ssl_context, private_session)"),
    ("ssl_context.in_buf", "offsetof(mbedtls_ssl_context, private_in_buf)"),
    ("ssl_context.out_buf", "offsetof(mbedtls_ssl_context, private_out_buf)"),
    ("ssl_context.out_msg", "offsetof(mbedtls_ssl_context, private_out_msg)"),
    ("ssl_context.out_msgtype", "offsetof(mbedtls_ssl_context, private_out_msgtype)"),
    ("ssl_context.out_left", "offsetof(mbedtls_ssl_context, private_out_left)"),
    ("ssl_config.min_tls_version", "offsetof(mbedtls_ssl_config, private_min_tls_version)"),
    ("ssl_config.max_tls_version", "offsetof(mbedtls_ssl_config, private_max_tls_version)"),
    ("ssl_session.id_len", "offsetof(mbedtls_ssl_session, private_id_len)"),
    ("ssl_session.master", "offsetof(mbedtls_ssl_session, private_master)"),
    ("ssl_session.ticket_len", "offsetof(mbedtls_ssl_session, private_ticket_len)"),
    ("ssl_session.ticket_lifetime", "offsetof(mbedtls_ssl_session, private_ticket_lifetime)"),
    ("pk_context.pk_info", "offsetof(mbedtls_pk_context, private_pk_info)"),
    ("pk_context.pk_ctx", "offsetof(mbedtls_pk_context, private_pk_ctx)"),
    ("x509_crt.raw", "offsetof(mbedtls_x509_crt, raw)"),
    ("x509_crt.pk", "offsetof(mbedtls_x509_crt, pk)"),
    ("x509_crt.next", "offsetof(mbedtls_x509_crt, next)"),
    ("asn1_buf.len", "offsetof(mbedtls_asn1_buf, len)"),
    ("asn1_buf.p", "offsetof(mbedtls_asn1_buf, p)"),
];

/// The internal `mbedtls_pk_info_t` (library/pk_wrap.h), which
/// src/mbedtls/pk_info.rs mirrors: checked when the tree is at hand.
const PK_INFO_PROBES: &[(&str, &str)] = &[
    ("sizeof pk_info_t", "sizeof(mbedtls_pk_info_t)"),
    ("pk_info_t.sign_func", "offsetof(mbedtls_pk_info_t, sign_func)"),
    ("pk_info_t.ctx_free_func", "offsetof(mbedtls_pk_info_t, ctx_free_func)"),
];

fn rust_values() -> BTreeMap<&'static str, usize> {
    let (pk_info_size, sign_func, ctx_free_func) = freertos_tls::testing::PK_INFO_LAYOUT;
    BTreeMap::from([
        ("IN_CONTENT_LEN", RECORD_CONTENT_LEN),
        ("OUT_CONTENT_LEN", OUT_CONTENT_LEN),
        ("sizeof ssl_context", size_of::<m::ssl_context>()),
        ("sizeof ssl_config", size_of::<m::ssl_config>()),
        ("sizeof ssl_session", size_of::<m::ssl_session>()),
        ("sizeof ctr_drbg_context", size_of::<m::ctr_drbg_context>()),
        ("sizeof x509_crt", size_of::<m::x509_crt>()),
        ("sizeof pk_context", size_of::<m::pk_context>()),
        ("sizeof sha256_context", size_of::<m::sha256_context>()),
        ("sizeof asn1_buf", size_of::<m::asn1_buf>()),
        ("ssl_context.state", offset_of!(m::ssl_context, private_state)),
        ("ssl_context.conf", offset_of!(m::ssl_context, private_conf)),
        ("ssl_context.session", offset_of!(m::ssl_context, private_session)),
        ("ssl_context.in_buf", offset_of!(m::ssl_context, private_in_buf)),
        ("ssl_context.out_buf", offset_of!(m::ssl_context, private_out_buf)),
        ("ssl_context.out_msg", offset_of!(m::ssl_context, private_out_msg)),
        ("ssl_context.out_msgtype", offset_of!(m::ssl_context, private_out_msgtype)),
        ("ssl_context.out_left", offset_of!(m::ssl_context, private_out_left)),
        ("ssl_config.min_tls_version", offset_of!(m::ssl_config, private_min_tls_version)),
        ("ssl_config.max_tls_version", offset_of!(m::ssl_config, private_max_tls_version)),
        ("ssl_session.id_len", offset_of!(m::ssl_session, private_id_len)),
        ("ssl_session.master", offset_of!(m::ssl_session, private_master)),
        ("ssl_session.ticket_len", offset_of!(m::ssl_session, private_ticket_len)),
        ("ssl_session.ticket_lifetime", offset_of!(m::ssl_session, private_ticket_lifetime)),
        ("pk_context.pk_info", offset_of!(m::pk_context, private_pk_info)),
        ("pk_context.pk_ctx", offset_of!(m::pk_context, private_pk_ctx)),
        ("x509_crt.raw", offset_of!(m::x509_crt, raw)),
        ("x509_crt.pk", offset_of!(m::x509_crt, pk)),
        ("x509_crt.next", offset_of!(m::x509_crt, next)),
        ("asn1_buf.len", offset_of!(m::asn1_buf, len)),
        ("asn1_buf.p", offset_of!(m::asn1_buf, p)),
        ("sizeof pk_info_t", pk_info_size),
        ("pk_info_t.sign_func", sign_func),
        ("pk_info_t.ctx_free_func", ctx_free_func),
    ])
}

fn probe_source(with_pk_info: bool) -> String {
    let mut src = String::from(
        "#include <stddef.h>\n#include <stdio.h>\n#include <mbedtls/ssl.h>\n#include <mbedtls/ctr_drbg.h>\n\
         #include <mbedtls/sha256.h>\n",
    );
    if with_pk_info {
        src.push_str("#include \"pk_wrap.h\"\n");
    }
    src.push_str("int main(void) {\n");
    let probes = PROBES.iter().chain(if with_pk_info { PK_INFO_PROBES } else { &[] });
    for (label, expr) in probes {
        src.push_str(&format!("    printf(\"{label} %zu\\n\", (size_t)({expr}));\n"));
    }
    src.push_str("    return 0;\n}\n");
    src
}

/// A `;`-separated list handed over by build.rs.
fn list(v: &'static str) -> impl Iterator<Item = &'static str> {
    v.split(';').filter(|s| !s.is_empty())
}

#[test]
fn bindings_match_the_c_build_of_mbedtls() {
    let defines = env!("FREERTOS_TLS_LAYOUT_DEFINES");
    let c_flags = env!("FREERTOS_TLS_LAYOUT_C_FLAGS");
    // The tree's library/ holds pk_wrap.h (a source-tree build only).
    let source = env!("FREERTOS_TLS_LAYOUT_SOURCE");
    let with_pk_info = !source.is_empty();
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("probe.c");
    let exe = dir.path().join("probe");
    std::fs::write(&src, probe_source(with_pk_info)).unwrap();
    let mut cc = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()));
    cc.args(list(env!("FREERTOS_TLS_LAYOUT_INCLUDE")).map(|d| format!("-I{d}")))
        .args(list(defines).map(|d| format!("-D{d}")))
        .args(list(c_flags));
    if with_pk_info {
        cc.arg(format!("-I{source}/library"));
    }
    let out = cc.arg(&src).arg("-o").arg(&exe).output().expect("a C compiler (cc) must be installed");
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
    assert_eq!(c.len(), PROBES.len() + if with_pk_info { PK_INFO_PROBES.len() } else { 0 });
    let mismatches: Vec<String> = rust
        .iter()
        .filter(|(k, v)| (with_pk_info || !k.contains("pk_info_t")) && c.get(**k) != Some(v))
        .map(|(k, v)| format!("{k}: Rust {v}, C {:?}", c.get(*k)))
        .collect();
    assert!(
        mismatches.is_empty(),
        "layout differs from the C build (defines: {defines:?}):\n{}",
        mismatches.join("\n")
    );
}
