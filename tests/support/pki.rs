//! Throw-away PKIs in temp dirs. [`Pki`] (rcgen) makes a root CA and
//! server certificates with chosen names and validity windows, in
//! microseconds. [`DevicePki`] (the openssl CLI) makes root CA ->
//! intermediate CA -> device chains with EC or RSA keys, which the
//! PKCS#11 tests store in a token.

use std::path::{Path, PathBuf};
use std::process::Command;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose};
use time::OffsetDateTime;

use super::pkcs11::run;

pub const DAY: time::Duration = time::Duration::days(1);

/// A certificate (chain) and its private key on disk (PEM).
#[derive(Clone, Debug)]
pub struct Identity {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Identity {
    /// Write `cert_pem` and `key_pem` as `<stem>.crt` and `<stem>.key` in `dir`.
    pub fn write(dir: &Path, stem: &str, cert_pem: &str, key_pem: &str) -> Identity {
        let id = Identity { cert: dir.join(format!("{stem}.crt")), key: dir.join(format!("{stem}.key")) };
        std::fs::write(&id.cert, cert_pem).unwrap();
        std::fs::write(&id.key, key_pem).unwrap();
        id
    }
}

/// A PEM file's text with its terminating NUL, as `TLSParams_t` wants it.
pub fn pem_with_nul(path: &Path) -> Vec<u8> {
    let mut v = std::fs::read(path).unwrap();
    v.push(0);
    v
}

/// A CA and server certificates with chosen names and validity windows.
pub struct Pki {
    pub dir: tempfile::TempDir,
    ca: CertifiedIssuer<'static, KeyPair>,
}

impl Pki {
    pub fn new(name: &str) -> Pki {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, format!("{name} Root CA"));
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_before = OffsetDateTime::now_utc() - DAY;
        params.not_after = OffsetDateTime::now_utc() + 365 * DAY;
        let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ca.pem"), ca.pem()).unwrap();
        Pki { dir, ca }
    }

    pub fn ca_pem_path(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// CA PEM text with its terminating NUL, as `TLSParams_t` wants it.
    pub fn ca_pem_with_nul(&self) -> Vec<u8> {
        pem_with_nul(&self.ca_pem_path())
    }

    /// A server certificate for `dns_name`, valid from `not_before` to `not_after`.
    pub fn server(
        &self,
        file_stem: &str,
        dns_name: &str,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Identity {
        let mut params = CertificateParams::new(vec![dns_name.to_string()]).unwrap();
        params.distinguished_name.push(DnType::CommonName, dns_name);
        params.not_before = not_before;
        params.not_after = not_after;
        self.sign(file_stem, params)
    }

    /// A currently valid server certificate with common name `cn` and these
    /// subject alternative names (IP literals become iPAddress SANs, other
    /// strings dNSName SANs).
    pub fn server_with_sans(&self, file_stem: &str, cn: &str, sans: &[&str]) -> Identity {
        let mut params = CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
        params.distinguished_name.push(DnType::CommonName, cn);
        let now = OffsetDateTime::now_utc();
        params.not_before = now - DAY;
        params.not_after = now + 30 * DAY;
        self.sign(file_stem, params)
    }

    /// A currently valid server certificate for "localhost".
    pub fn localhost(&self) -> Identity {
        let now = OffsetDateTime::now_utc();
        self.server("localhost", "localhost", now - DAY, now + 30 * DAY)
    }

    fn sign(&self, file_stem: &str, params: CertificateParams) -> Identity {
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.ca).unwrap();
        Identity::write(self.dir.path(), file_stem, &cert.pem(), &key.serialize_pem())
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    run(Command::new("openssl").current_dir(dir).args(args));
}

const EXTENSIONS: &str = "\
[ca_ext]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
[server_ext]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost
[client_ext]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
";

/// Key algorithms the tests provision.
#[derive(Clone, Copy, Debug)]
pub enum KeyAlg {
    EcP256,
    EcP384,
    Rsa1024,
    Rsa2048,
}

impl KeyAlg {
    fn genpkey_args(self) -> &'static [&'static str] {
        match self {
            KeyAlg::EcP256 => &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
            KeyAlg::EcP384 => &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
            KeyAlg::Rsa1024 => &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
            KeyAlg::Rsa2048 => &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        }
    }
}

/// Root CA -> intermediate CA -> devices, plus a "localhost" server
/// certificate from the root, made with the openssl CLI.
pub struct DevicePki {
    pub dir: tempfile::TempDir,
    pub root: Identity,
    pub intermediate: Identity,
    pub server: Identity,
    serial: u32,
}

impl DevicePki {
    pub fn new() -> DevicePki {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ext.cnf"), EXTENSIONS).unwrap();
        let mut pki = DevicePki {
            root: Identity { key: PathBuf::new(), cert: PathBuf::new() },
            intermediate: Identity { key: PathBuf::new(), cert: PathBuf::new() },
            server: Identity { key: PathBuf::new(), cert: PathBuf::new() },
            dir,
            serial: 1,
        };
        pki.root = pki.issue("root", "Test Root CA", KeyAlg::EcP256, None, "ca_ext");
        let root = pki.root.clone();
        pki.intermediate = pki.issue("intermediate", "Test Intermediate CA", KeyAlg::EcP256, Some(&root), "ca_ext");
        pki.server = pki.issue("server", "localhost", KeyAlg::EcP256, Some(&root), "server_ext");
        pki
    }

    /// A new key and certificate; self-signed when `issuer` is `None`.
    pub fn issue(&mut self, stem: &str, cn: &str, alg: KeyAlg, issuer: Option<&Identity>, ext: &str) -> Identity {
        let d = self.dir.path();
        let key = format!("{stem}.key");
        let csr = format!("{stem}.csr");
        let crt = format!("{stem}.crt");
        let mut args = vec!["genpkey"];
        args.extend_from_slice(alg.genpkey_args());
        args.extend_from_slice(&["-out", &key]);
        openssl(d, &args);
        openssl(d, &["req", "-new", "-key", &key, "-subj", &format!("/CN={cn}"), "-out", &csr]);
        self.serial += 1;
        let serial = self.serial.to_string();
        let mut args = vec!["x509", "-req", "-in", &csr, "-days", "30", "-set_serial", &serial];
        args.extend_from_slice(&["-extfile", "ext.cnf", "-extensions", ext, "-out", &crt]);
        let (ca_cert, ca_key);
        match issuer {
            Some(ca) => {
                ca_cert = ca.cert.to_string_lossy().into_owned();
                ca_key = ca.key.to_string_lossy().into_owned();
                args.extend_from_slice(&["-CA", &ca_cert, "-CAkey", &ca_key]);
            }
            None => args.extend_from_slice(&["-key", &key]),
        }
        openssl(d, &args);
        Identity { key: d.join(key), cert: d.join(crt) }
    }

    /// A device certificate (clientAuth) issued by the intermediate CA.
    pub fn device(&mut self, stem: &str, alg: KeyAlg) -> Identity {
        let ca = self.intermediate.clone();
        self.issue(stem, stem, alg, Some(&ca), "client_ext")
    }

    /// Root CA PEM with its NUL, as `TLSParams_t` wants it.
    pub fn root_pem_with_nul(&self) -> Vec<u8> {
        pem_with_nul(&self.root.cert)
    }
}
