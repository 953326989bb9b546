//! The PKCS#11 side: the module the test binaries are linked with, the
//! library's PIN and labels, and throw-away SoftHSM2 tokens.
//!
//! SoftHSM2 reads `SOFTHSM2_CONF` when it is initialised, and the library
//! initialises it once per process while any connection is alive, so tests
//! in one binary that use a token take turns ([`super::serial`]).

use std::path::{Path, PathBuf};
use std::process::Command;

use super::pki::{DevicePki, Identity};
use super::serial::{serial, Serial};

/// The PKCS#11 module build.rs linked this package's test binaries with:
/// `FREERTOS_TLS_PKCS11_MODULE` when the build had it, else build.rs's
/// default (SoftHSM2). The C harnesses link the same file, and
/// `pkcs11-tool` is pointed at it.
pub const MODULE: &str = env!("FREERTOS_TLS_PKCS11_MODULE");

/// The library's PIN and labels: the originals' defaults, or the values a
/// build chose through the variables build.rs forwards. Provisioning with
/// these proves the build-time override reaches the library.
pub const PIN: &str = or(option_env!("FREERTOS_TLS_PKCS11_PIN"), "0000");
pub const KEY_LABEL: &str = or(option_env!("FREERTOS_TLS_PKCS11_KEY_LABEL"), "Device Priv TLS Key");
pub const CERT_LABEL: &str = or(option_env!("FREERTOS_TLS_PKCS11_CERT_LABEL"), "Device Cert");
pub const JITP_LABEL: &str = or(option_env!("FREERTOS_TLS_PKCS11_JITP_LABEL"), "JITP Cert");

const fn or(value: Option<&'static str>, default: &'static str) -> &'static str {
    match value {
        Some(v) => v,
        None => default,
    }
}

/// Run a helper program; panics with its output unless it succeeds.
pub fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A SoftHSM2 token in its own directory, made current for this process.
pub struct Token {
    pub dir: tempfile::TempDir,
    pub conf: PathBuf,
}

impl Token {
    /// An initialised, empty token with user PIN [`PIN`]. Call with the
    /// [`super::serial`] guard held.
    pub fn new() -> Token {
        let dir = tempfile::tempdir().unwrap();
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).unwrap();
        let conf = dir.path().join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!("directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n", tokens.display()),
        )
        .unwrap();
        // Safe in practice: tests take turns (serial) and the module reads
        // it only in C_Initialize, which runs under the same turn.
        std::env::set_var("SOFTHSM2_CONF", &conf);
        run(Command::new("softhsm2-util").env("SOFTHSM2_CONF", &conf).args([
            "--init-token",
            "--free",
            "--label",
            "device",
            "--so-pin",
            "12345678",
            "--pin",
            PIN,
        ]));
        Token { dir, conf }
    }

    /// `pkcs11-tool` on this token, logged in with `pin`.
    pub fn tool_with_pin(&self, pin: &str, args: &[&str]) -> String {
        run(Command::new("pkcs11-tool")
            .env("SOFTHSM2_CONF", &self.conf)
            .args(["--module", MODULE, "--login", "--pin", pin])
            .args(args))
    }

    fn tool(&self, args: &[&str]) -> String {
        self.tool_with_pin(PIN, args)
    }

    pub fn put_key(&self, key_pem: &Path, label: &str, id: &str) {
        self.tool(&["--write-object", key_pem.to_str().unwrap(), "--type", "privkey", "--id", id, "--label", label]);
    }

    pub fn put_cert(&self, cert_pem: &Path, label: &str, id: &str) {
        let der = self.dir.path().join(format!("{id}-{}.der", label.replace(' ', "_")));
        run(Command::new("openssl").args(["x509", "-in"]).arg(cert_pem).args(["-outform", "DER", "-out"]).arg(&der));
        self.tool(&["--write-object", der.to_str().unwrap(), "--type", "cert", "--id", id, "--label", label]);
    }

    /// Store `bytes` as a certificate object without any parsing.
    pub fn put_raw_cert(&self, bytes: &[u8], label: &str) {
        let file = self.dir.path().join("raw.der");
        std::fs::write(&file, bytes).unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/put_raw_certificate.py");
        run(Command::new("python3")
            .env("SOFTHSM2_CONF", &self.conf)
            .arg(script)
            .arg(MODULE)
            .arg(PIN)
            .arg(label)
            .arg(&file));
    }

    /// Key, device certificate and the intermediate as "JITP Cert".
    pub fn provision(&self, pki: &DevicePki, device: &Identity) {
        self.put_key(&device.key, KEY_LABEL, "01");
        self.put_cert(&device.cert, CERT_LABEL, "01");
        self.put_cert(&pki.intermediate.cert, JITP_LABEL, "02");
    }

    pub fn list(&self) -> String {
        self.tool(&["--list-objects"])
    }
}

/// One device of a fresh [`DevicePki`], provisioned into a fresh token
/// ([`Token::provision`]), with this test's [`serial`] turn held until
/// it is dropped (fields drop in order: the token first, the turn last).
pub struct ProvisionedDevice {
    pub token: Token,
    pub device: Identity,
    pub pki: DevicePki,
    pub turn: Serial,
}

impl ProvisionedDevice {
    /// Device certificate `stem` (its CN too) with a key of `alg`.
    pub fn new(stem: &str, alg: super::pki::KeyAlg) -> ProvisionedDevice {
        let turn = serial();
        let mut pki = DevicePki::new();
        let device = pki.device(stem, alg);
        let token = Token::new();
        token.provision(&pki, &device);
        ProvisionedDevice { token, device, pki, turn }
    }
}
