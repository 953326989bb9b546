//! A deterministic mbedTLS server (its own fixed-seed DRBG, the fuzz PKI),
//! for the seed recorder and for the `server_records` target.

use std::ffi::{c_char, c_int, c_uchar, c_void, CStr};
use std::ptr::{addr_of_mut, null, null_mut};
use std::sync::atomic::{AtomicU64, Ordering};

use mbedtls_sys as m;

use crate::determinism::splitmix64;

const CA_PEM: &str = include_str!("../pki/fuzz-test-ca.crt");
const ECDSA_CERT: &str = include_str!("../pki/fuzz-server-ecdsa.crt");
const ECDSA_KEY: &str = include_str!("../pki/fuzz-server-ecdsa.key");
const RSA_CERT: &str = include_str!("../pki/fuzz-server-rsa.crt");
const RSA_KEY: &str = include_str!("../pki/fuzz-server-rsa.key");

/// mbedTLS's BIO callback types, as the bindings spell them.
pub type BioSend = unsafe extern "C" fn(*mut c_void, *const c_uchar, usize) -> c_int;
pub type BioRecv = unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int;

extern "C" {
    /// mbedTLS's record writer (library/ssl_misc.h, not a public header):
    /// sends `out_msg[..out_msglen]` as one record of type `out_msgtype`,
    /// protected with the current keys. The only way to have the server
    /// encrypt a record of any content type, which `server_records` needs.
    fn mbedtls_ssl_write_record(ssl: *mut m::ssl_context, force_flush: c_int) -> c_int;
}

#[derive(Clone, Copy, Debug)]
pub enum Key {
    Ecdsa,
    Rsa,
}

/// How the server is configured: one protocol version, one cipher suite
/// and one group (a TLS group id), forced.
#[derive(Clone, Copy, Debug)]
pub struct ServerConfig {
    pub key: Key,
    /// `SSL_VERSION_TLS1_2` or `SSL_VERSION_TLS1_3` (the only one offered).
    pub version: m::ssl_protocol_version,
    pub suite: c_int,
    pub group: u16,
    pub etm: bool,
    pub select_alpn: bool,
    pub ticket: bool,
    pub cert_request: bool,
}

impl ServerConfig {
    pub const fn new(key: Key, suite: c_int) -> ServerConfig {
        ServerConfig {
            key,
            version: m::SSL_VERSION_TLS1_2,
            suite,
            group: m::SSL_IANA_TLS_GROUP_SECP256R1 as u16,
            etm: true,
            select_alpn: false,
            ticket: false,
            cert_request: false,
        }
    }

    /// A TLS 1.3 server with one TLS 1.3 suite (`m::TLS1_3_*`).
    pub const fn tls13(key: Key, suite: c_int) -> ServerConfig {
        ServerConfig { version: m::SSL_VERSION_TLS1_3, ..ServerConfig::new(key, suite) }
    }
}

/// The server's entropy: a fixed stream of its own (not the client's).
static SERVER_WORD: AtomicU64 = AtomicU64::new(0);
const SERVER_RNG_SEED: u64 = 0x6675_7a7a_2d73_7276; // "fuzz-srv"

unsafe extern "C" fn server_entropy(_: *mut c_void, out: *mut c_uchar, len: usize) -> c_int {
    // SAFETY: mbedTLS passes its seed buffer of len bytes.
    let out = unsafe { std::slice::from_raw_parts_mut(out, len) };
    for b in out {
        *b = splitmix64(SERVER_RNG_SEED, SERVER_WORD.fetch_add(1, Ordering::Relaxed)) as u8;
    }
    0
}

/// The server's mbedTLS contexts, in one block that never moves.
pub struct Server {
    ssl: m::ssl_context,
    conf: m::ssl_config,
    drbg: m::ctr_drbg_context,
    cert: m::x509_crt,
    key: m::pk_context,
    ca: m::x509_crt,
    ticket: m::ssl_ticket_context,
    suites: [c_int; 2],
    groups: [u16; 2],
    alpn: [*const c_char; 2],
}

pub fn check(what: &str, rc: c_int) -> Result<(), String> {
    if rc == 0 {
        Ok(())
    } else {
        Err(format!("{what}: mbedTLS -0x{:04X}", rc.unsigned_abs()))
    }
}

fn with_nul(pem: &str) -> Vec<u8> {
    let mut v = pem.as_bytes().to_vec();
    v.push(0);
    v
}

impl Server {
    /// A configured server whose BIO is `(bio, send, recv)`; its entropy
    /// stream restarts, so every server made with one config acts alike.
    ///
    /// # Safety
    /// `bio` must be what `send` and `recv` expect, valid for as long as the
    /// server runs.
    pub unsafe fn new(
        cfg: &ServerConfig,
        bio: *mut c_void,
        send: BioSend,
        recv: BioRecv,
    ) -> Result<Box<Server>, String> {
        // SAFETY: the caller's promise, passed on.
        crate::determinism::as_server(|| unsafe { Server::new_here(cfg, bio, send, recv) })
    }

    /// [`Server::new`], on the server's PSA random stream.
    ///
    /// # Safety
    /// As [`Server::new`].
    unsafe fn new_here(
        cfg: &ServerConfig,
        bio: *mut c_void,
        send: BioSend,
        recv: BioRecv,
    ) -> Result<Box<Server>, String> {
        SERVER_WORD.store(0, Ordering::Relaxed);
        // SAFETY: plain C structs (and arrays of ints / pointers) for which
        // all-zero is valid; each *_init below sets its initial state, and
        // Drop frees them.
        let mut s: Box<Server> = Box::new(unsafe { std::mem::zeroed() });
        let st: *mut Server = &mut *s;
        let (cert, key) = match cfg.key {
            Key::Ecdsa => (with_nul(ECDSA_CERT), with_nul(ECDSA_KEY)),
            Key::Rsa => (with_nul(RSA_CERT), with_nul(RSA_KEY)),
        };
        let ca = with_nul(CA_PEM);
        // SAFETY: every pointer is into the boxed block, which does not move
        // while the server lives; mbedTLS copies the PEM buffers.
        unsafe {
            m::ssl_init(addr_of_mut!((*st).ssl));
            m::ssl_config_init(addr_of_mut!((*st).conf));
            m::ctr_drbg_init(addr_of_mut!((*st).drbg));
            m::x509_crt_init(addr_of_mut!((*st).cert));
            m::pk_init(addr_of_mut!((*st).key));
            m::x509_crt_init(addr_of_mut!((*st).ca));
            m::ssl_ticket_init(addr_of_mut!((*st).ticket));
            (*st).suites = [cfg.suite, 0];
            (*st).groups = [cfg.group, m::SSL_IANA_TLS_GROUP_NONE as u16];
            (*st).alpn = [c"fuzz/2".as_ptr(), null()];
            let (ssl, conf, drbg) = (addr_of_mut!((*st).ssl), addr_of_mut!((*st).conf), addr_of_mut!((*st).drbg));
            check("drbg", m::ctr_drbg_seed(drbg, Some(server_entropy), null_mut(), null(), 0))?;
            check("cert", m::x509_crt_parse(addr_of_mut!((*st).cert), cert.as_ptr(), cert.len()))?;
            let key_ctx = addr_of_mut!((*st).key);
            let rc =
                m::pk_parse_key(key_ctx, key.as_ptr(), key.len(), null(), 0, Some(m::ctr_drbg_random), drbg.cast());
            check("key", rc)?;
            check("ca", m::x509_crt_parse(addr_of_mut!((*st).ca), ca.as_ptr(), ca.len()))?;
            check(
                "defaults",
                m::ssl_config_defaults(conf, m::SSL_IS_SERVER, m::SSL_TRANSPORT_STREAM, m::SSL_PRESET_DEFAULT),
            )?;
            m::ssl_conf_rng(conf, Some(m::ctr_drbg_random), drbg.cast());
            // The defaults span 1.2 and 1.3 (both are compiled in); the
            // setter is a static inline function the bindings lack.
            (*conf).private_min_tls_version = cfg.version;
            (*conf).private_max_tls_version = cfg.version;
            check("own cert", m::ssl_conf_own_cert(conf, addr_of_mut!((*st).cert), addr_of_mut!((*st).key)))?;
            m::ssl_conf_ciphersuites(conf, (*st).suites.as_ptr());
            m::ssl_conf_groups(conf, (*st).groups.as_ptr());
            let etm = if cfg.etm { m::SSL_ETM_ENABLED } else { m::SSL_ETM_DISABLED };
            m::ssl_conf_encrypt_then_mac(conf, etm as c_char);
            if cfg.select_alpn {
                check("alpn", m::ssl_conf_alpn_protocols(conf, (*st).alpn.as_mut_ptr()))?;
            }
            if cfg.cert_request {
                m::ssl_conf_authmode(conf, m::SSL_VERIFY_OPTIONAL);
                m::ssl_conf_ca_chain(conf, addr_of_mut!((*st).ca), null_mut());
            } else {
                m::ssl_conf_authmode(conf, m::SSL_VERIFY_NONE);
            }
            if cfg.ticket {
                let ticket = addr_of_mut!((*st).ticket);
                let rc =
                    m::ssl_ticket_setup(ticket, Some(m::ctr_drbg_random), drbg.cast(), m::CIPHER_AES_256_GCM, 86_400);
                check("ticket", rc)?;
                m::ssl_conf_session_tickets_cb(
                    conf,
                    Some(m::ssl_ticket_write),
                    Some(m::ssl_ticket_parse),
                    ticket.cast(),
                );
            }
            check("setup", m::ssl_setup(ssl, conf))?;
            m::ssl_set_bio(ssl, bio, Some(send), Some(recv), None);
        }
        Ok(s)
    }

    pub fn ssl(&mut self) -> *mut m::ssl_context {
        &mut self.ssl
    }

    /// The negotiated cipher suite's name.
    pub fn suite(&mut self) -> String {
        // SAFETY: a set-up context; mbedTLS returns a static string.
        unsafe { CStr::from_ptr(m::ssl_get_ciphersuite(self.ssl())) }.to_string_lossy().into_owned()
    }

    /// Encrypt and send one record of any content type (the handshake done).
    pub fn write_record(&mut self, content_type: u8, payload: &[u8]) -> Result<(), String> {
        crate::determinism::as_server(|| self.write_record_here(content_type, payload))
    }

    fn write_record_here(&mut self, content_type: u8, payload: &[u8]) -> Result<(), String> {
        let ssl = self.ssl();
        // SAFETY: a context past its handshake; out_msg has room for
        // OUT_CONTENT_LEN bytes, more than any payload passed here
        // (callers cap it at the negotiated 4096-byte fragment). The
        // private fields are what mbedtls_ssl_write_record reads.
        unsafe {
            (*ssl).private_out_msgtype = c_int::from(content_type);
            (*ssl).private_out_msglen = payload.len();
            std::ptr::copy_nonoverlapping(payload.as_ptr(), (*ssl).private_out_msg, payload.len());
            check("write_record", mbedtls_ssl_write_record(ssl, 1))
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // SAFETY: every context was initialised in `new`; ssl goes first.
        unsafe {
            m::ssl_free(&mut self.ssl);
            m::ssl_config_free(&mut self.conf);
            m::ssl_ticket_free(&mut self.ticket);
            m::ctr_drbg_free(&mut self.drbg);
            m::x509_crt_free(&mut self.cert);
            m::pk_free(&mut self.key);
            m::x509_crt_free(&mut self.ca);
        }
    }
}
