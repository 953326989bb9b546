//! The committed C header must be exactly what cbindgen generates now, and
//! read as C documentation: every function with its parameters, return
//! codes and calling context, no Rust markdown, upstream's include guard.

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn committed_header() -> String {
    std::fs::read_to_string(root().join("include/iot_tls.h")).expect("include/iot_tls.h")
}

#[test]
fn committed_header_matches_cbindgen() {
    let root = root();
    let config = cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml");
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(root)
        .with_config(config)
        .generate()
        .expect("cbindgen failed")
        .write(&mut generated);
    let path = root.join("include/iot_tls.h");
    if std::env::var_os("UPDATE_HEADER").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/iot_tls.h is stale: run `UPDATE_HEADER=1 cargo test --test header` and commit it"
    );
}

/// Rust markdown and Rust types that must not reach a C reader.
const RUST_ONLY: &[&str] =
    &["[`", "`]", "](", "Option<", "Result<", "&mut", "&'", "crate::", "Self::", "# Safety", "# Errors", "# Panics"];

/// One `/** ... */` block: its text lines without the ` * ` margin.
fn doc_lines(block: &str) -> Vec<&str> {
    block
        .lines()
        .map(|l| l.trim())
        .filter(|l| *l != "/**" && *l != "*/")
        .map(|l| l.strip_prefix('*').unwrap_or(l).trim())
        .collect()
}

/// A prototype's name and parameter names: `BaseType_t TLS_Recv(void *pvContext, ...);`.
fn prototype(line: &str) -> Option<(&str, Vec<&str>, bool)> {
    let line = line.strip_suffix(");")?;
    let (head, params) = line.split_once('(')?;
    let name = head.rsplit([' ', '*']).next()?;
    let returns_void = head.trim_end_matches(name).trim() == "void";
    let params = params
        .split(',')
        .map(str::trim)
        .filter(|p| *p != "void" && !p.is_empty())
        .filter_map(|p| p.rsplit([' ', '*']).next())
        .collect();
    Some((name, params, returns_void))
}

/// What is wrong with `header` as C documentation.
fn problems(header: &str) -> Vec<String> {
    let mut found = Vec::new();
    // Every doc comment, wherever it is: no Rust markdown.
    for block in header.split("/**").skip(1) {
        let block = block.split("*/").next().unwrap_or_default();
        for line in doc_lines(block) {
            for bad in RUST_ONLY {
                if line.contains(bad) {
                    found.push(format!("Rust markdown {bad:?} in: {line}"));
                }
            }
            if line.starts_with('#') || line.contains("**") {
                found.push(format!("markdown heading or emphasis in: {line}"));
            }
        }
    }
    // Every function prototype: a doc comment right above it that a C
    // caller can program against.
    let lines: Vec<&str> = header.lines().collect();
    let mut functions = 0;
    for (i, line) in lines.iter().enumerate() {
        let top_level = line.starts_with(|c: char| c.is_ascii_alphabetic()) && !line.starts_with("typedef");
        let Some((name, params, returns_void)) = prototype(line).filter(|_| top_level) else {
            continue;
        };
        functions += 1;
        let Some(end) = i.checked_sub(1).filter(|&e| lines[e].trim() == "*/") else {
            found.push(format!("{name}: no doc comment right above it"));
            continue;
        };
        let start = (0..end).rev().find(|&s| lines[s].trim() == "/**").unwrap_or(end);
        let doc = doc_lines(&lines[start..=end].join("\n")).join("\n");
        if !doc.starts_with("@brief ") {
            found.push(format!("{name}: no @brief summary first"));
        }
        for param in &params {
            if !doc.lines().any(|l| l.strip_prefix("@param ").is_some_and(|rest| rest.split(' ').next() == Some(param)))
            {
                found.push(format!("{name}: parameter {param} has no @param line"));
            }
        }
        for documented in doc.lines().filter_map(|l| l.strip_prefix("@param ")) {
            let documented = documented.split(' ').next().unwrap_or_default();
            if !params.contains(&documented) {
                found.push(format!("{name}: @param {documented} is not a parameter"));
            }
        }
        if !returns_void {
            let returns = doc.split_once("@return ").map(|(_, r)| r).unwrap_or_default();
            let names_a_code = returns.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).any(|word| {
                word == "0"
                    || word.starts_with("TLS_ERROR_")
                    || word.starts_with("MBEDTLS_ERR_")
                    || word.starts_with("TLS_PROTOCOL_VERSION_")
            });
            if !names_a_code {
                found.push(format!("{name}: no @return naming what it returns"));
            }
        }
        if !(doc.contains("Calling context: ") && doc.contains("interrupt")) {
            found.push(format!("{name}: no calling context (task, interrupt, blocking)"));
        }
        if doc.contains('`') {
            found.push(format!("{name}: backticks in its documentation"));
        }
    }
    if functions == 0 {
        found.push("no function prototypes found".into());
    }
    found
}

#[test]
fn every_function_is_documented_in_c_terms() {
    let found = problems(&committed_header());
    assert!(found.is_empty(), "include/iot_tls.h:\n{}", found.join("\n"));
}

#[test]
fn the_documentation_check_finds_what_it_looks_for() {
    let header = "\
/**
 * Sets a thing, see [`Other`].
 *
 * # Safety
 * `pvContext` must be valid: &mut Connection.
 */
BaseType_t TLS_Thing(void *pvContext, uint32_t ulValue);

void TLS_Bare(void);

/**
 * @brief Fine.
 *
 * @param xEnable On or off.
 *
 * @return 0, or TLS_ERROR_BAD_PARAMETER.
 *
 * Calling context: a task, never an interrupt.
 */
BaseType_t TLS_Fine(BaseType_t xEnable);
";
    let found = problems(header).join("\n");
    for expected in [
        "Rust markdown \"[`\"",
        "Rust markdown \"# Safety\"",
        "Rust markdown \"&mut\"",
        "TLS_Thing: no @brief",
        "TLS_Thing: parameter pvContext has no @param",
        "TLS_Thing: parameter ulValue has no @param",
        "TLS_Thing: no @return",
        "TLS_Thing: no calling context",
        "TLS_Thing: backticks",
        "TLS_Bare: no doc comment",
    ] {
        assert!(found.contains(expected), "missed {expected:?} in:\n{found}");
    }
    assert!(!found.contains("TLS_Fine"), "{found}");
}

#[test]
fn upstream_include_guard_and_a_guardless_aws_tls_h() {
    let header = committed_header();
    assert!(header.contains("#ifndef __AWS__TLS__H__\n#define __AWS__TLS__H__\n"), "iot_tls.h: not upstream's guard");
    assert!(header.trim_end().ends_with("#endif  /* __AWS__TLS__H__ */"));
    // aws_tls.h only includes iot_tls.h: a guard of its own would either
    // be a second name for the same interface or, spelt as upstream's,
    // hide iot_tls.h.
    let wrapper = std::fs::read_to_string(root().join("include/aws_tls.h")).expect("include/aws_tls.h");
    let directives: Vec<&str> = wrapper.lines().filter(|l| l.trim_start().starts_with('#')).collect();
    assert_eq!(directives, ["#include \"iot_tls.h\""], "include/aws_tls.h");
}

/// Compile `source` against include/ (and the host FreeRTOS.h stand-in)
/// with the C compiler, syntax only; the compiler's complaint on failure.
fn compile_c(source: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("tu.c");
    std::fs::write(&file, source).expect("write tu.c");
    let out = std::process::Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()))
        .args(["-std=c99", "-Wall", "-Werror", "-fsyntax-only", "-I"])
        .arg(root().join("include"))
        .arg("-I")
        .arg(root().join("tests/c/host_freertos"))
        .arg(&file)
        .output()
        .expect("run the C compiler");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[test]
fn the_interface_is_compiled_once_however_it_is_included() {
    // Both names, each twice: one interface.
    let twice = "#include \"FreeRTOS.h\"\n#include \"aws_tls.h\"\n#include \"iot_tls.h\"\n#include \"aws_tls.h\"\n\
                 #include \"iot_tls.h\"\nint main(void) { return TLS_ERROR_BAD_PARAMETER == -2006 ? 0 : 1; }\n";
    compile_c(twice).unwrap();
    // After upstream's header (which defines the same guard), this one
    // adds nothing: no second TLSParams_t to clash with upstream's.
    let after_upstream = "#include \"FreeRTOS.h\"\n#define __AWS__TLS__H__\ntypedef int TLSParams_t;\n\
                          #include \"aws_tls.h\"\n#include \"iot_tls.h\"\nint main(void) { TLSParams_t x = 0; return x; }\n";
    compile_c(after_upstream).unwrap();
}
