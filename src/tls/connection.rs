//! A TLS client connection: configure, handshake, read, write.

use core::ffi::{c_char, c_int, CStr};
use core::num::NonZeroU32;
use core::ptr::{self};

use alloc::boxed::Box;
use mbedtls_sys as m;

use super::aws_roots;
use super::config::{TlsConfig, TlsVersion, TrustAnchors, VersionRange, MAX_ALPN_PROTOCOLS};
use super::mbed_state::MbedBox;
use super::server_name::ServerNameCheck;
use super::session_cache::{self, SessionKey};
use super::transport::{bio_recv, bio_send, flush_bio, Flushed, Transport, TransportError};
use super::validity;
use crate::entropy::drbg_entropy_callback;
use crate::error::{mbedtls_rc, Error, Result};
use crate::mbedtls;
use crate::platform::clock;
use crate::platform::log::{log, Part::*};
use crate::platform::wait::{pause_for_io, Deadline};

/// Cipher suites offered, most preferred first: TLS 1.3's AEAD suites,
/// then TLS 1.2's forward-secret AEAD, CBC-SHA256, and the CBC-SHA pair
/// AWS Greengrass still lists. mbedTLS leaves out what its configuration
/// or the negotiated version lacks.
static CIPHERSUITES: [c_int; 14] = [
    m::TLS1_3_AES_128_GCM_SHA256,
    m::TLS1_3_AES_256_GCM_SHA384,
    m::TLS1_3_CHACHA20_POLY1305_SHA256,
    m::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    m::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    m::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    m::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    m::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    m::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    m::TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
    m::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
    m::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
    m::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
    0,
];

/// Key-exchange groups offered (TLS group ids), most preferred first: no
/// curves under 256 bits. mbedTLS leaves out those its configuration lacks.
static GROUPS: [u16; 5] = [
    m::SSL_IANA_TLS_GROUP_SECP256R1 as u16,
    m::SSL_IANA_TLS_GROUP_X25519 as u16,
    m::SSL_IANA_TLS_GROUP_SECP384R1 as u16,
    m::SSL_IANA_TLS_GROUP_SECP521R1 as u16,
    m::SSL_IANA_TLS_GROUP_NONE as u16,
];

/// Signature algorithms accepted and used in the handshake: ECDSA,
/// RSASSA-PSS (TLS 1.3's RSA, which mbedTLS also accepts from a TLS 1.2
/// server) and RSA PKCS#1 v1.5 (TLS 1.2 only), with SHA-256/384/512; no
/// SHA-1, no MD5. mbedTLS offers and uses each only where its version
/// allows.
static SIG_ALGS: [u16; 10] = [
    m::TLS1_3_SIG_ECDSA_SECP256R1_SHA256 as u16,
    m::TLS1_3_SIG_ECDSA_SECP384R1_SHA384 as u16,
    m::TLS1_3_SIG_ECDSA_SECP521R1_SHA512 as u16,
    m::TLS1_3_SIG_RSA_PSS_RSAE_SHA256 as u16,
    m::TLS1_3_SIG_RSA_PSS_RSAE_SHA384 as u16,
    m::TLS1_3_SIG_RSA_PSS_RSAE_SHA512 as u16,
    m::TLS1_3_SIG_RSA_PKCS1_SHA256 as u16,
    m::TLS1_3_SIG_RSA_PKCS1_SHA384 as u16,
    m::TLS1_3_SIG_RSA_PKCS1_SHA512 as u16,
    m::TLS1_3_SIG_NONE as u16,
];

const DRBG_PERSONALISATION: &[u8] = b"freertos-tls ctr_drbg";

/// TLS 1.3 NewSessionTicket messages one `recv` processes at most (servers
/// send one or two); more wait for the next call.
const MAX_TICKETS_PER_CALL: u32 = 4;

/// Bound on sending close_notify from `TLS_Cleanup` (a few pauses of one
/// tick while a non-blocking transport has no room).
const CLOSE_NOTIFY_BOUND_MS: u32 = 200;
// The log line of `send_close_notify` spells it out.
const _: () = assert!(CLOSE_NOTIFY_BOUND_MS == 200);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Initialized,
    Connected,
    Failed(Error),
}

/// Detail of the last failure, for logs a human can act on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LastError {
    /// The code the C caller was given (0 = no error yet).
    pub code: i32,
    /// The mbedTLS error code behind it, if any.
    pub mbedtls_code: i32,
    /// X.509 verification flags (`MBEDTLS_X509_BADCERT_*`) of the server chain.
    pub verify_flags: u32,
    /// PKCS#11 `CK_RV` behind a credential failure, if any.
    pub pkcs11_rv: u64,
    /// Which check failed, in words; while nothing failed, the argument a
    /// call on the context last refused (empty when neither happened).
    pub reason: &'static core::ffi::CStr,
}

/// One TLS client connection.
pub struct Connection {
    mbed: MbedBox,
    config: TlsConfig,
    /// NULL-terminated pointers to `config`'s ALPN names, kept alive for mbedTLS.
    alpn_ptrs: [*const c_char; MAX_ALPN_PROTOCOLS + 1],
    phase: Phase,
    last_error: LastError,
    /// Transparent resumption: what this connection's session is bound to,
    /// whether a cached session was offered, and whether the server took it.
    session_key: Option<SessionKey>,
    offered: bool,
    resumed: bool,
    /// Application data has arrived (a later fatal alert is not about the
    /// handshake).
    received: bool,
}

// SAFETY: `alpn_ptrs` point into `config`, owned by the same value.
unsafe impl Send for Connection {}

impl Drop for Connection {
    fn drop(&mut self) {
        self.send_close_notify();
        // A session that ended in a fatal alert must not be resumed (RFC
        // 5246, 7.2.2). A broken network or an orderly close is no reason
        // to forget it: reconnecting after those is what resumption is for.
        let fatal = matches!(self.phase, Phase::Failed(e) if !matches!(e, Error::Closed | Error::Transport));
        if let (true, Some(key)) = (fatal, &self.session_key) {
            session_cache::forget(key);
        }
    }
}

impl Connection {
    /// Allocate the connection and parse the trust anchors. No I/O. Fails
    /// with `Error::NoMemory`, or `Error::Mbedtls` when the anchors do not
    /// parse.
    pub fn new(config: TlsConfig, anchors: &TrustAnchors<'_>, transport: Box<dyn Transport + Send>) -> Result<Self> {
        let mbed = MbedBox::new(transport)?;
        let mut alpn_ptrs = [ptr::null(); MAX_ALPN_PROTOCOLS + 1];
        // The last entry stays NULL: the config holds at most MAX_ALPN_PROTOCOLS.
        for (p, name) in alpn_ptrs.iter_mut().zip(config.alpn()).take(MAX_ALPN_PROTOCOLS) {
            *p = name.as_ptr();
        }
        // SAFETY: `ca_chain` was initialised by MbedBox::new and is not
        // shared; each buffer is valid for its length (mbedTLS copies a
        // PEM list; the built-in DER is static, parsed in place).
        let rc = unsafe {
            let chain = &raw mut (*mbed.ptr()).ca_chain;
            match anchors {
                TrustAnchors::Pem(pem) => m::x509_crt_parse(chain, pem.as_ptr(), pem.len()),
                TrustAnchors::Default => aws_roots::certificates()
                    .map(|der| m::x509_crt_parse_der_nocopy(chain, der.as_ptr(), der.len()))
                    .find(|&rc| rc != 0)
                    .unwrap_or(0),
            }
        };
        match rc {
            0 => {}
            m::ERR_X509_ALLOC_FAILED | m::ERR_PEM_ALLOC_FAILED => return Err(Error::NoMemory),
            // Anchors mbedTLS cannot parse (the caller's, in practice).
            rc => return Err(Error::Mbedtls(rc)),
        }
        Ok(Connection {
            mbed,
            config,
            alpn_ptrs,
            phase: Phase::Initialized,
            last_error: LastError::default(),
            session_key: None,
            offered: false,
            resumed: false,
            received: false,
        })
    }

    /// Run the handshake to completion, within the configured deadline.
    pub fn connect(&mut self) -> Result<()> {
        if !matches!(self.phase, Phase::Initialized) {
            // TLS_Connect is called once per context.
            return Err(Error::InvalidState);
        }
        let r = self.check_clock().and_then(|()| self.setup()).and_then(|()| self.handshake());
        let r = self.record_failure(r);
        if r.is_err() {
            let last = self.last_error;
            log!(
                Error,
                "TLS_Connect to ",
                Bytes(self.config.server_name().to_bytes()),
                ": ",
                Bytes(last.reason.to_bytes()),
                "; mbedTLS -0x",
                Hex(last.mbedtls_code.unsigned_abs(), 4),
                ", verify flags 0x",
                Hex(last.verify_flags, 1)
            );
        }
        r
    }

    /// `Error::InvalidState` once `connect` has been called: settings go
    /// before it.
    pub fn configurable(&self) -> Result<()> {
        match self.phase {
            Phase::Initialized => Ok(()),
            _ => Err(Error::InvalidState),
        }
    }

    /// Set the handshake deadline; before `connect`.
    pub fn set_handshake_timeout(&mut self, ms: NonZeroU32) -> Result<()> {
        self.config_before_connect()?.handshake_timeout_ms = ms.get();
        Ok(())
    }

    /// Send the destination as SNI or not (default on; an IP literal never
    /// is); before `connect`.
    pub fn set_server_name_indication(&mut self, enable: bool) -> Result<()> {
        self.config_before_connect()?.server_name_indication = enable;
        Ok(())
    }

    /// Check the server certificate names the destination or not (default
    /// on); before `connect`.
    pub fn set_host_name_verification(&mut self, enable: bool) -> Result<()> {
        self.config_before_connect()?.verify_host_name = enable;
        Ok(())
    }

    /// Limit the TLS versions negotiated; before `connect`.
    pub fn set_versions(&mut self, range: VersionRange) -> Result<()> {
        self.config_before_connect()?.set_versions(range);
        Ok(())
    }

    /// The TLS version negotiated (after a successful `connect`; the
    /// failure once the connection has failed).
    pub fn version(&self) -> Result<TlsVersion> {
        self.require_connected()?;
        // SAFETY: a connected, live context; a plain read.
        Ok(match unsafe { mbedtls::negotiated_version(self.ssl()) } {
            m::SSL_VERSION_TLS1_3 => TlsVersion::Tls13,
            _ => TlsVersion::Tls12,
        })
    }

    fn config_before_connect(&mut self) -> Result<&mut TlsConfig> {
        self.configurable()?;
        Ok(&mut self.config)
    }

    /// Certificate dates need a clock: warn without one, or refuse with
    /// the `require-clock` build option.
    fn check_clock(&self) -> Result<()> {
        if clock::utc_now().is_some() {
            return Ok(());
        }
        if validity::CLOCK_REQUIRED {
            return Err(Error::NoClock);
        }
        log!(Warn, "no UTC clock (TLS_SetUtcClock): certificate dates NOT checked");
        Ok(())
    }

    /// Read up to `buf.len()` bytes. `Ok(0)` means nothing is available now.
    ///
    /// Errors are sticky. When a call has already read data and then meets
    /// an error (the peer's close_notify, a record that fails to decrypt or
    /// parse, a fatal alert, a transport failure), it returns the data and
    /// leaves the context failed: the next call reports the error. No record
    /// is read after that, so nothing that follows a close_notify or a bad
    /// record is ever parsed.
    ///
    /// The handshake's last flight, when `connect` left it queued, is
    /// handed to the transport first, even when nothing is read: the peer
    /// may be waiting for it before it says anything.
    pub fn recv(&mut self, buf: &mut [u8]) -> Result<usize> {
        self.require_connected()?;
        self.flush_held_flight()?;
        let ssl = self.ssl();
        let mut got = 0;
        let mut tickets = 0;
        while got < buf.len() {
            let rest = &mut buf[got..];
            // SAFETY: `ssl` is a set-up context; `rest` is valid for writes.
            let rc = unsafe { m::ssl_read(ssl, rest.as_mut_ptr(), rest.len()) };
            match rc {
                n if n > 0 => {
                    got += n as usize;
                    self.received = true;
                }
                // A TLS 1.3 NewSessionTicket was read and waits: the next
                // read processes it (below). Bounded per call, so that a
                // peer sending nothing but tickets cannot hold the caller.
                // SAFETY: `ssl` is live and mbedTLS has returned.
                m::ERR_SSL_WANT_READ if tickets < MAX_TICKETS_PER_CALL && unsafe { mbedtls::ticket_pending(ssl) } => {
                    tickets += 1;
                }
                // 0: mbedTLS met empty application-data records (legal in
                // TLS 1.2). The BIO never reports end of stream as 0, so it
                // means "nothing now", never a close.
                0 | m::ERR_SSL_WANT_READ | m::ERR_SSL_WANT_WRITE => break,
                // TLS 1.3: a NewSessionTicket (after the handshake) has
                // been taken into the session; keep it, and read on.
                m::ERR_SSL_RECEIVED_NEW_SESSION_TICKET => self.remember_session(),
                rc => {
                    let e = self.fail_after_handshake(rc, got);
                    if got == 0 {
                        return Err(e);
                    }
                    break;
                }
            }
        }
        Ok(got)
    }

    /// Write all of `data` unless the transport reports it cannot take more
    /// now; returns the count written. After a short count, call again with
    /// the remaining bytes (mbedTLS holds the pending record).
    ///
    /// A failure part-way through (the transport fails after some records
    /// went out) is returned as the error, not as a short count: the
    /// connection is dead, and a count would invite the caller to send the
    /// rest later. The error is sticky, as for `recv`.
    pub fn send(&mut self, data: &[u8]) -> Result<usize> {
        self.require_connected()?;
        let ssl = self.ssl();
        let mut sent = 0;
        while sent < data.len() {
            let rest = &data[sent..];
            // SAFETY: `ssl` is a set-up context; `rest` is valid for reads.
            let rc = unsafe { m::ssl_write(ssl, rest.as_ptr(), rest.len()) };
            match rc {
                n if n > 0 => sent += n as usize,
                // A TLS 1.3 NewSessionTicket that `recv` read was processed
                // first: keep the session, then write.
                m::ERR_SSL_RECEIVED_NEW_SESSION_TICKET => self.remember_session(),
                // 0 is only documented for an empty write; never spin on it.
                0 | m::ERR_SSL_WANT_READ | m::ERR_SSL_WANT_WRITE => break,
                rc => return Err(self.fail_after_handshake(rc, 0)),
            }
        }
        Ok(sent)
    }

    /// Hand the handshake's last flight, if `connect` left it queued, to
    /// the transport (`TLS_Send`/`TLS_Recv` of 0 bytes, and `recv`). A
    /// transport that takes nothing now leaves it queued: `Ok`. A transport
    /// error is the connection's failure, sticky, as a failed send is; a
    /// failed connection returns its error again. Before `connect` there
    /// is nothing to do: `Ok`.
    pub fn flush_held_flight(&mut self) -> Result<()> {
        match self.phase {
            Phase::Initialized => return Ok(()),
            Phase::Failed(e) => return Err(e),
            Phase::Connected => {}
        }
        // SAFETY: a plain read of the live block; mbedTLS is not running.
        if !unsafe { (*self.mbed.ptr()).bio.holds_flight() } {
            return Ok(());
        }
        let r = self.flush_output().map(|_| ());
        self.record_failure(r)
    }

    /// Whether the handshake resumed a cached session.
    pub fn resumed(&self) -> bool {
        self.resumed
    }

    /// Detail of the most recent failure.
    pub fn last_error(&self) -> LastError {
        self.last_error
    }

    fn ssl(&self) -> *mut m::ssl_context {
        // SAFETY: only forms a raw pointer into the live block.
        unsafe { &raw mut (*self.mbed.ptr()).ssl }
    }

    fn require_connected(&self) -> Result<()> {
        match self.phase {
            Phase::Connected => Ok(()),
            // Call TLS_Connect first.
            Phase::Initialized => Err(Error::InvalidState),
            Phase::Failed(e) => Err(e),
        }
    }

    /// Name a bad argument of a call on this context in `TLS_GetLastError`'s
    /// reason, and return it as the call's error. It leaves the context as
    /// it was: not failed, and the code and reason of an earlier failure
    /// are kept.
    pub fn reject(&mut self, bad_argument: &'static CStr) -> Error {
        if self.last_error.code == 0 {
            self.last_error.reason = bad_argument;
        }
        Error::BadParameter(bad_argument)
    }

    /// Record the failure in `r`, if any: the context stays failed and
    /// reports it again.
    fn record_failure<T>(&mut self, r: Result<T>) -> Result<T> {
        r.map_err(|e| self.fail(e))
    }

    /// Make `e` the context's failure (sticky unless it is only about the
    /// call itself) and keep its detail for `TLS_GetLastError`.
    fn fail(&mut self, e: Error) -> Error {
        if !matches!(e, Error::InvalidState | Error::BadParameter(_)) {
            self.phase = Phase::Failed(e);
            // The fatal alert mbedTLS wrote, if any, is still in the flight
            // buffer: one try to deliver it, as before coalescing.
            let _ = self.flush_output();
        }
        self.last_error.code = e.code();
        self.last_error.mbedtls_code = e.mbedtls_code();
        self.last_error.reason = e.reason(self.last_error.verify_flags);
        e
    }

    /// Fail the connection on a read or write error after the handshake,
    /// and say so in the log (once: the failure is sticky). `got`: bytes
    /// this call had read before it.
    ///
    /// In TLS 1.3 the client's handshake is over before the server has
    /// judged its Certificate: a server that required one the token could
    /// not supply ends the connection with a fatal alert on the first read.
    /// That is reported as the credential problem, as TLS 1.2 reports it
    /// from `TLS_Connect`.
    fn fail_after_handshake(&mut self, rc: c_int, got: usize) -> Error {
        let first_read = got == 0 && !self.received;
        // SAFETY: a connected, live context; mbedTLS has returned.
        let tls13 = unsafe { mbedtls::negotiated_version(self.ssl()) } == m::SSL_VERSION_TLS1_3;
        let cause = if rc == m::ERR_SSL_FATAL_ALERT_MESSAGE && first_read && tls13 {
            // SAFETY: mbedTLS has returned; nothing else uses the block.
            unsafe { self.mbed.credential_cause() }
        } else {
            None
        };
        let e = match cause {
            Some(cause) => {
                self.last_error.pkcs11_rv = cause.rv_u64();
                cause.error
            }
            None => self.record_error(rc),
        };
        let e = self.fail(e);
        if !matches!(e, Error::Closed) {
            let last = self.last_error;
            log!(
                Error,
                "connection to ",
                Bytes(self.config.server_name().to_bytes()),
                " failed: ",
                Bytes(last.reason.to_bytes()),
                "; mbedTLS -0x",
                Hex(last.mbedtls_code.unsigned_abs(), 4)
            );
        }
        e
    }

    /// Map an mbedTLS read/write error after the handshake, preferring the
    /// transport's own fault.
    fn record_error(&self, rc: c_int) -> Error {
        match rc {
            m::ERR_SSL_PEER_CLOSE_NOTIFY => Error::Closed,
            m::ERR_SSL_ALLOC_FAILED => Error::NoMemory,
            rc => match self.io_error(rc) {
                Error::Transport => Error::Transport,
                _ => Error::Protocol(rc),
            },
        }
    }

    /// Map an mbedTLS error, preferring the transport's own fault.
    fn io_error(&self, rc: c_int) -> Error {
        // SAFETY: reading a plain field of the live block; mbedTLS is not running.
        let fault = unsafe { (*self.mbed.ptr()).bio.fault };
        match fault {
            Some(TransportError::Failed | TransportError::Overrun) => Error::Transport,
            None => Error::Mbedtls(rc),
        }
    }

    fn setup(&mut self) -> Result<()> {
        // PSA (TLS 1.3, and the crypto under MBEDTLS_USE_PSA_CRYPTO) and the
        // token driver, once for the image.
        let psa = mbedtls::psa::start(crate::pkcs11::TOKEN_SIGN).map_err(|status| {
            log!(Error, "PSA crypto did not start: status -", Dec(status.unsigned_abs()));
            Error::Rng
        })?;
        let s = self.mbed.ptr();
        // SAFETY: every pointer below points into the live, pinned block or
        // into `self.config`/`self.alpn_ptrs`, which outlive the contexts
        // (Connection drops the block first: see field order). mbedTLS is
        // not running concurrently.
        unsafe {
            let drbg = &raw mut (*s).drbg;
            let conf = &raw mut (*s).conf;
            let ssl = &raw mut (*s).ssl;
            let rc = m::ctr_drbg_seed(
                drbg,
                Some(drbg_entropy_callback),
                ptr::null_mut(),
                DRBG_PERSONALISATION.as_ptr(),
                DRBG_PERSONALISATION.len(),
            );
            mbedtls_rc(rc).map_err(|_| Error::Rng)?;
            let rc = m::ssl_config_defaults(conf, m::SSL_IS_CLIENT, m::SSL_TRANSPORT_STREAM, m::SSL_PRESET_DEFAULT);
            mbedtls_rc(rc).map_err(Error::Mbedtls)?;
            m::ssl_conf_authmode(conf, m::SSL_VERIFY_REQUIRED);
            m::ssl_conf_ca_chain(conf, &raw mut (*s).ca_chain, ptr::null_mut());
            let name_check = &raw mut (*s).name_check;
            m::ssl_conf_verify(conf, Some(validity::verify_certificate), name_check.cast());
            m::ssl_conf_rng(conf, Some(m::ctr_drbg_random), drbg.cast());
            m::ssl_conf_ciphersuites(conf, CIPHERSUITES.as_ptr());
            m::ssl_conf_groups(conf, GROUPS.as_ptr());
            m::ssl_conf_sig_algs(conf, SIG_ALGS.as_ptr());
            // Renegotiation stays off: mbedTLS's default, whatever the
            // configuration compiles in.
            let resumption = session_cache::enabled();
            session_cache::configure(conf, resumption);
            #[cfg(mbedtls_tls13)]
            if resumption {
                // TLS 1.3 tickets arrive after the handshake: `recv` is told
                // of each, and keeps the session then.
                m::ssl_conf_tls13_enable_signal_new_session_tickets(
                    conf,
                    m::SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED,
                );
            }
            // Records no larger than the input buffer (none asked with the
            // default 16 KiB buffer); a server may ignore the request.
            let mfl = super::record_size::MAX_FRAGMENT_LENGTH_CODE;
            mbedtls_rc(m::ssl_conf_max_frag_len(conf, mfl)).map_err(Error::Mbedtls)?;
            if !self.alpn_ptrs[0].is_null() {
                let rc = m::ssl_conf_alpn_protocols(conf, self.alpn_ptrs.as_mut_ptr().cast());
                mbedtls_rc(rc).map_err(Error::Mbedtls)?;
            }
            // Client credential from the PKCS#11 token. Without one the
            // handshake still runs: the server may not ask for a certificate.
            let own_key = crate::pkcs11::configure(
                conf,
                &raw mut (*s).own_chain,
                &raw mut (*s).own_key,
                &raw mut (*s).opaque_key,
                psa.token_driver,
            );
            let (min, max) = self.versions(own_key.as_ref().ok())?;
            (*s).credential_failure = own_key.err();
            mbedtls::conf_tls_versions(conf, min, max);
            mbedtls_rc(m::ssl_setup(ssl, conf)).map_err(|rc| match rc {
                m::ERR_SSL_ALLOC_FAILED => Error::NoMemory,
                rc => Error::Mbedtls(rc),
            })?;
            let destination = self.config.server_name();
            let (plan, name_now) =
                ServerNameCheck::plan(destination, self.config.server_name_indication, self.config.verify_host_name);
            if plan.verification_off() {
                log!(
                    Warn,
                    "host-name verification is OFF for ",
                    Bytes(destination.to_bytes()),
                    ": any trusted-CA certificate passes"
                );
            }
            name_check.write(plan);
            plan.apply(ssl, destination, name_now)?;
            m::ssl_set_bio(ssl, (&raw mut (*s).bio).cast(), Some(bio_send), Some(bio_recv), None);
            // Resumption: bound to this destination, these anchors, this
            // client certificate (none when no credential was configured).
            if resumption {
                let identity = (*s).credential_failure.is_none().then_some(&raw const (*s).own_chain);
                self.session_key =
                    SessionKey::derive(self.config.server_name().to_bytes(), &raw const (*s).ca_chain, identity);
                if let Some(key) = &self.session_key {
                    self.offered = session_cache::offer(ssl, key);
                }
            }
        }
        Ok(())
    }

    /// The versions to offer, as mbedTLS's values: the configured range,
    /// capped at TLS 1.2 when the client key cannot sign a TLS 1.3
    /// CertificateVerify (said in the log), and refused when TLS 1.3 is
    /// required then.
    fn versions(
        &mut self,
        own_key: Option<&crate::pkcs11::OwnKey>,
    ) -> Result<(m::ssl_protocol_version, m::ssl_protocol_version)> {
        let (min, mut max) = (self.config.min_version, self.config.max_version);
        if max == TlsVersion::Tls13 && own_key.is_some_and(|k| !k.tls13) {
            if min == TlsVersion::Tls13 {
                log!(Error, "TLS 1.3 required, but the client key cannot sign for it (RSA without CKM_RSA_PKCS_PSS in the token, or no PSA token driver)");
                self.last_error.pkcs11_rv = crate::pkcs11::mechanism_invalid();
                return Err(Error::Sign);
            }
            log!(Warn, "client key cannot sign TLS 1.3 (RSA without CKM_RSA_PKCS_PSS in the token, or no PSA token driver): TLS 1.2 for this identity");
            max = TlsVersion::Tls12;
        }
        let value = |v| match v {
            TlsVersion::Tls12 => m::SSL_VERSION_TLS1_2,
            TlsVersion::Tls13 => m::SSL_VERSION_TLS1_3,
        };
        if max == TlsVersion::Tls13 && super::record_size::RECORD_CONTENT_LEN < 16384 {
            log!(Warn, "TLS 1.3 with a record buffer under 16 KiB: a server record larger than it ends the connection");
        }
        Ok((value(min), value(max)))
    }

    /// Right after a successful handshake: note whether the offered session
    /// was resumed (a resumed handshake never reads a server Certificate),
    /// and keep this session for the next connection (TLS 1.2; a TLS 1.3
    /// session waits for its ticket).
    fn after_handshake(&mut self) {
        // SAFETY: a plain read of the live block; mbedTLS is not running.
        let full = unsafe { (*self.mbed.ptr()).server_certificate_step };
        self.resumed = self.offered && !full;
        self.remember_session();
    }

    /// The largest ticket the next ClientHello can carry in the output
    /// buffer: room for everything else it holds (suites, groups, key
    /// share, signature algorithms, the PSK binder: about 330 bytes; a
    /// 16,100-byte ticket was measured to fit the 16 KiB buffer, 16,150
    /// not) with a margin, plus the server name and the ALPN list.
    fn max_ticket_len(&self) -> usize {
        const CLIENT_HELLO_WITHOUT_NAMES: usize = 512;
        let names: usize = self.config.alpn().chain([self.config.server_name()]).map(|n| n.count_bytes() + 1).sum();
        super::record_size::OUT_CONTENT_LEN.saturating_sub(CLIENT_HELLO_WITHOUT_NAMES + names)
    }

    /// Keep the connection's session in the cache, if it can be resumed.
    fn remember_session(&mut self) {
        if let Some(key) = &self.session_key {
            // SAFETY: the handshake of this live context has completed;
            // mbedTLS is not running.
            unsafe { session_cache::remember(self.ssl(), key, self.max_ticket_len()) };
        }
    }

    /// `mbedtls_ssl_handshake`, one step at a time so that the host-name
    /// plan can act once the ClientHello is written. 0 when the handshake is
    /// over, else the step's code (WANT_READ/WANT_WRITE: call again).
    fn handshake_steps(&mut self) -> c_int {
        let s = self.mbed.ptr();
        // SAFETY: the context was set up by `setup`; mbedTLS runs only
        // inside these calls, and `name_check` lives in the same block.
        unsafe {
            let ssl = &raw mut (*s).ssl;
            loop {
                if mbedtls::handshake_over(ssl) {
                    return 0;
                }
                // The server asked for a certificate when the client's
                // Certificate step writes a record (TLS 1.2 and 1.3 write
                // one, empty or not, exactly then): handed to the transport
                // (TLS 1.2), or held by mbedTLS for the rest of the flight
                // (TLS 1.3).
                let certificate_step = mbedtls::at_client_certificate(ssl);
                let (records, held) = ((*s).bio.records_written, mbedtls::output_held(ssl));
                if mbedtls::at_server_certificate(ssl) {
                    (*s).server_certificate_step = true;
                }
                let rc = m::ssl_handshake_step(ssl);
                if certificate_step && ((*s).bio.records_written != records || mbedtls::output_held(ssl) > held) {
                    (*s).certificate_asked = true;
                }
                if rc != 0 {
                    return rc;
                }
                let rc = (*s).name_check.after_step(ssl, self.config.server_name());
                if rc != 0 {
                    return rc;
                }
            }
        }
    }

    /// Hand the flight buffer to the transport.
    fn flush_output(&mut self) -> Result<Flushed> {
        // SAFETY: the bio lives in the pinned block; mbedTLS is not running.
        unsafe { flush_bio(&raw mut (*self.mbed.ptr()).bio) }.map_err(|_| Error::Transport)
    }

    /// Best effort, from `TLS_Cleanup`: tell the peer the connection ends
    /// (servers drop a session that was not closed cleanly from their
    /// cache). Bounded by [`CLOSE_NOTIFY_BOUND_MS`]; errors are ignored.
    fn send_close_notify(&mut self) {
        if !matches!(self.phase, Phase::Connected) {
            return;
        }
        let ssl = self.ssl();
        let deadline = Deadline::after_ms(CLOSE_NOTIFY_BOUND_MS);
        // Whether the alert record has been written (it may still sit in
        // mbedTLS's output buffer, waiting for room in the transport).
        let mut alert_written = false;
        loop {
            // SAFETY: a connected context; mbedTLS is not running. While
            // mbedTLS holds a partly sent record (the alert, or a record of
            // a short TLS_Send), this call only flushes it.
            let (held, rc) = unsafe { (mbedtls::output_pending(ssl), m::ssl_close_notify(ssl)) };
            match rc {
                0 if held && !alert_written => continue, // an old record left; now the alert
                0 => return,
                m::ERR_SSL_WANT_WRITE | m::ERR_SSL_WANT_READ => alert_written |= !held,
                _ => return,
            }
            if deadline.expired() {
                log!(Debug, "close_notify not sent: transport blocked for 200 ms");
                return;
            }
            pause_for_io();
        }
    }

    fn handshake(&mut self) -> Result<()> {
        let ssl = self.ssl();
        let deadline = Deadline::after_ms(self.config.handshake_timeout_ms);
        loop {
            let rc = self.handshake_steps();
            match rc {
                // Over. When the client spoke last (a resumed handshake),
                // its final flight stays in the flight buffer: it leaves in
                // one transport call with the first record written (the
                // first `send`, or the close_notify of cleanup), and
                // `recv` flushes it before reading. Sent now, it would go
                // alone, the peer would delay its ACK (nothing to answer),
                // and under Nagle the first request would wait ~40 ms.
                0 => {
                    // SAFETY: mbedTLS is not running; the bio is in the pinned block.
                    unsafe { (*self.mbed.ptr()).bio.end_coalescing() };
                    self.phase = Phase::Connected;
                    self.after_handshake();
                    return Ok(());
                }
                m::ERR_SSL_WANT_READ | m::ERR_SSL_WANT_WRITE => {
                    // The transport had nothing now: no progress until it has.
                    if deadline.expired() {
                        return Err(Error::HandshakeTimeout);
                    }
                    pause_for_io();
                }
                rc => {
                    // SAFETY: reads the verify result of a live context.
                    self.last_error.verify_flags = unsafe { m::ssl_get_verify_result(&raw const *ssl) };
                    if self.last_error.verify_flags == u32::MAX {
                        self.last_error.verify_flags = 0; // no certificate was checked
                    }
                    // SAFETY: mbedTLS has returned; nothing else uses the block.
                    if let Some(cause) = unsafe { self.mbed.credential_cause() } {
                        self.last_error.pkcs11_rv = cause.rv_u64();
                        return Err(cause.error);
                    }
                    return Err(match self.io_error(rc) {
                        Error::Transport => Error::Transport,
                        _ if rc == m::ERR_SSL_ALLOC_FAILED => Error::NoMemory,
                        _ => Error::Handshake(rc),
                    });
                }
            }
        }
    }
}
