//! C programs under tests/c, built as firmware would build against the
//! library: compiled against the generated header (with the host stand-in
//! tests/c/host_freertos/FreeRTOS.h) and linked with the static library
//! and the PKCS#11 module. A harness reports each failed check on stderr
//! and exits non-zero if any failed; its exit status is the verdict.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use super::pkcs11::MODULE;

/// How to build one harness.
pub struct CHarness<'a> {
    /// tests/c/<name>.c is its main file; the binary gets the same name.
    pub name: &'a str,
    /// Cargo features of the library build; `None` = the default features.
    pub features: Option<&'a str>,
    /// Extra linker arguments (e.g. `-Wl,--wrap=calloc`).
    pub link_args: &'a [&'a str],
}

/// Sources every harness is linked with.
const SHARED_SOURCES: &[&str] = &["tests/c/harness.c"];

/// Harnesses built by this test binary so far, by name.
static BUILT: Mutex<Vec<(String, PathBuf)>> = Mutex::new(Vec::new());

impl CHarness<'_> {
    /// The harness binary, built once per test binary (cargo decides
    /// whether the library is stale).
    pub fn binary(&self) -> PathBuf {
        let mut built = BUILT.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, bin)) = built.iter().find(|(name, _)| name == self.name) {
            return bin.clone();
        }
        let bin = self.build();
        built.push((self.name.to_owned(), bin.clone()));
        bin
    }

    fn build(&self) -> PathBuf {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let lib = static_library(self.features);
        let bin = Path::new(env!("CARGO_TARGET_TMPDIR")).join(self.name);
        let main = root.join(format!("tests/c/{}.c", self.name));
        let libs = std::iter::once(lib.into_os_string()).chain(self.link_args.iter().map(Into::into));
        let mut cc = compiler(&main, libs, &bin);
        let status = cc.status().expect("a C compiler (cc) must be installed");
        assert!(status.success(), "compiling {} failed: {cc:?}", main.display());
        bin
    }
}

/// The C compiler command for a harness: `main` and the shared sources
/// against the generated header, linked with `libs` (in that order), the
/// PKCS#11 module and the host's system libraries, into `bin`.
pub fn compiler(main: &Path, libs: impl IntoIterator<Item = OsString>, bin: &Path) -> Command {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cc = Command::new("cc");
    cc.args(["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-g", "-O1"])
        .arg("-I")
        .arg(root.join("include"))
        .arg("-I")
        .arg(root.join("tests/c/host_freertos"))
        .arg("-I")
        .arg(root.join("tests/c"))
        .arg(main)
        .args(SHARED_SOURCES.iter().map(|s| root.join(s)))
        .args(libs);
    // The library takes client credentials from the PKCS#11 module the
    // firmware links; on the host, the one the test binaries link.
    let module = Path::new(MODULE);
    cc.arg(module);
    if let Some(dir) = module.parent() {
        cc.arg(format!("-Wl,-rpath,{}", dir.display()));
    }
    cc.args(["-lpthread", "-ldl", "-lm", "-lrt", "-lutil"]).arg("-o").arg(bin);
    cc
}

/// `cargo build --lib` of this package with `features`; the path cargo
/// reports for libfreertos_tls.a.
pub fn static_library(features: Option<&str>) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cargo = Command::new(env!("CARGO"));
    cargo.args(["build", "--lib", "--message-format=json", "--manifest-path"]).arg(root.join("Cargo.toml"));
    if let Some(features) = features {
        cargo.args(["--no-default-features", "--features", features]);
    }
    let out = cargo.output().expect("run cargo build");
    assert!(out.status.success(), "{cargo:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    // Each artifact message lists its files as JSON strings.
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout
        .split('"')
        .find(|s| s.ends_with("/libfreertos_tls.a"))
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("{cargo:?} reported no libfreertos_tls.a"))
}

/// Run a harness (or valgrind over one): its output, after asserting that
/// it exited 0. The output is printed too, for whoever reads the log.
pub fn run_to_success(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    eprintln!("{text}");
    assert!(out.status.success(), "{cmd:?} exited with {}:\n{text}", out.status);
    text
}
