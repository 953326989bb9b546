//! The Python that runs the tlslite-ng peers (tests/peers/hostile_server*.py,
//! hostile_keylog_server13.py), shared by the test binaries that use them.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The Python with tlslite-ng: `HOSTILE_PYTHON`, or a venv under
/// `build/hostile-venv` made (once) from the system's python3.
pub fn tlslite_python() -> &'static Path {
    static PY: OnceLock<PathBuf> = OnceLock::new();
    PY.get_or_init(|| {
        if let Ok(p) = std::env::var("HOSTILE_PYTHON") {
            return PathBuf::from(p);
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let venv = root.join("build/hostile-venv");
        let py = venv.join("bin/python3");
        let ok = |py: &Path| Command::new(py).args(["-c", "import tlslite"]).status().is_ok_and(|s| s.success());
        if !ok(&py) {
            let base = if Path::new("/usr/bin/python3").exists() { "/usr/bin/python3" } else { "python3" };
            let made = Command::new(base).args(["-m", "venv"]).arg(&venv).status().expect("python3 -m venv");
            assert!(made.success(), "python3 -m venv failed (Debian: apt-get install python3-venv)");
            let pip = Command::new(venv.join("bin/pip"))
                .args(["install", "--quiet", "--disable-pip-version-check", "tlslite-ng==0.8.2"])
                .status()
                .expect("pip");
            assert!(pip.success(), "pip install tlslite-ng failed");
            assert!(ok(&py), "tlslite-ng not importable after install");
        }
        py
    })
}
