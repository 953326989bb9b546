//! The seam to mbedTLS: every use of a structure mbedTLS marks private or
//! keeps in its library sources, in one place. The rest of the crate calls
//! mbedTLS's public functions through `mbedtls_sys` and reaches internals
//! only through here, so that a move to another mbedTLS (4.x) starts in
//! this module.
//!
//! Each function here mirrors a 3.6 static inline accessor (which bindgen
//! cannot bind) or reads a field that 3.6 offers no accessor for.

pub mod pk_info;
pub(crate) mod psa;

use mbedtls_sys as m;

/// `mbedtls_ssl_is_handshake_over`.
///
/// # Safety
/// `ssl` points to a live, set-up context that mbedTLS is not running on.
pub(crate) unsafe fn handshake_over(ssl: *const m::ssl_context) -> bool {
    // SAFETY: per the contract; a plain int field.
    unsafe { (*ssl).private_state >= m::SSL_HANDSHAKE_OVER as i32 }
}

/// Whether the handshake has written its ClientHello (3.6 and 2.28 agree:
/// the state after it is SERVER_HELLO).
///
/// # Safety
/// As for [`handshake_over`].
pub(crate) unsafe fn client_hello_written(ssl: *const m::ssl_context) -> bool {
    // SAFETY: per the contract; a plain int field.
    unsafe { (*ssl).private_state > m::SSL_CLIENT_HELLO as i32 }
}

/// Whether the next handshake step writes the client's Certificate message
/// (TLS 1.2: only when the server sent a CertificateRequest).
///
/// # Safety
/// As for [`handshake_over`].
pub(crate) unsafe fn at_client_certificate(ssl: *const m::ssl_context) -> bool {
    // SAFETY: per the contract; a plain int field.
    unsafe { (*ssl).private_state == m::SSL_CLIENT_CERTIFICATE as i32 }
}

/// Whether the next handshake step reads the server's Certificate (a full
/// handshake in TLS 1.2 and 1.3; a resumed one skips this step).
///
/// # Safety
/// As for [`handshake_over`].
pub(crate) unsafe fn at_server_certificate(ssl: *const m::ssl_context) -> bool {
    // SAFETY: per the contract; a plain int field.
    unsafe { (*ssl).private_state == m::SSL_SERVER_CERTIFICATE as i32 }
}

/// Whether a TLS 1.3 NewSessionTicket has been read and waits to be
/// processed: `ssl_read` returned WANT_READ after setting this state, and
/// the next read or write processes it (and returns
/// `ERR_SSL_RECEIVED_NEW_SESSION_TICKET`).
///
/// # Safety
/// As for [`handshake_over`].
pub(crate) unsafe fn ticket_pending(ssl: *const m::ssl_context) -> bool {
    // SAFETY: per the contract; a plain int field.
    cfg!(mbedtls_tls13) && unsafe { (*ssl).private_state == m::SSL_TLS1_3_NEW_SESSION_TICKET as i32 }
}

/// `mbedtls_ssl_get_version_number`: the version negotiated (inline in 3.6).
///
/// # Safety
/// As for [`handshake_over`].
pub(crate) unsafe fn negotiated_version(ssl: *const m::ssl_context) -> m::ssl_protocol_version {
    // SAFETY: per the contract; a plain field.
    unsafe { (*ssl).private_tls_version }
}

/// Bytes of written records mbedTLS holds for the transport (records it
/// has not flushed yet: TLS 1.3 gathers a flight before sending it).
///
/// # Safety
/// As for [`handshake_over`].
pub(crate) unsafe fn output_held(ssl: *const m::ssl_context) -> usize {
    // SAFETY: per the contract; a plain field.
    unsafe { (*ssl).private_out_left }
}

/// Bytes of a written record still waiting for the transport.
///
/// # Safety
/// As for [`handshake_over`].
pub(crate) unsafe fn output_pending(ssl: *const m::ssl_context) -> bool {
    // SAFETY: per the contract; a plain field.
    unsafe { (*ssl).private_out_left != 0 }
}

/// The session the connection runs on, for `ssl_session_save`.
///
/// # Safety
/// As for [`handshake_over`]; the returned reference must not outlive the
/// session (the next handshake or `ssl_free`).
pub(crate) unsafe fn current_session<'a>(ssl: *const m::ssl_context) -> Option<&'a m::ssl_session> {
    // SAFETY: per the contract.
    unsafe { (*ssl).private_session.as_ref() }
}

/// `mbedtls_ssl_conf_{min,max}_tls_version`: the versions a connection
/// may negotiate (inline setters in 3.6).
///
/// # Safety
/// `conf` points to a live configuration not yet used by a context.
pub(crate) unsafe fn conf_tls_versions(
    conf: *mut m::ssl_config,
    min: m::ssl_protocol_version,
    max: m::ssl_protocol_version,
) {
    // SAFETY: per the contract; two plain fields, what the inline setters write.
    unsafe {
        (*conf).private_min_tls_version = min;
        (*conf).private_max_tls_version = max;
    }
}

/// How a saved session can be resumed.
pub(crate) struct Resumable {
    /// The server sent a ticket.
    pub ticket: bool,
    /// The server gave a session ID (it may resume from its cache).
    pub session_id: bool,
    /// The ticket's lifetime hint, when there is a ticket.
    pub ticket_lifetime_s: Option<u32>,
    /// The ticket's length (0: none).
    pub ticket_len: usize,
}

/// What `session` offers for resumption. A TLS 1.3 session resumes by
/// ticket only (its session ID is a legacy field).
pub(crate) fn resumable(session: &m::ssl_session) -> Resumable {
    let ticket = session.private_ticket_len > 0;
    Resumable {
        ticket,
        session_id: session.private_id_len > 0 && session.private_tls_version != m::SSL_VERSION_TLS1_3,
        ticket_lifetime_s: ticket.then_some(session.private_ticket_lifetime),
        ticket_len: session.private_ticket_len,
    }
}

/// The coordinates X, Y and Z of `p` (feature `p256-cortex-m4`). 3.6 keeps
/// them private with no accessor: `mbedtls_ecp_point_write_binary` gives X
/// and Y but not Z, and Z = 1 is what tells a usable public point, as
/// `mbedtls_ecp_check_pubkey` decides.
#[cfg(feature = "p256-cortex-m4")]
pub(crate) fn point_xyz(p: &m::ecp_point) -> (&m::mpi, &m::mpi, &m::mpi) {
    (&p.private_X, &p.private_Y, &p.private_Z)
}

/// X of `p`, writable: the generic ECDH and ECDSA code (`crate::crypto`)
/// copies and reduces it in place, as mbedTLS's ecdh.c and ecdsa.c do.
#[cfg(feature = "p256-cortex-m4")]
pub(crate) fn point_x_mut(p: &mut m::ecp_point) -> &mut m::mpi {
    &mut p.private_X
}
