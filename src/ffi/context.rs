//! The calls that create, drive and free one TLS context: the original
//! `TLS_Init`, `TLS_Connect`, `TLS_Recv`, `TLS_Send`, `TLS_Cleanup`, and
//! the `TLS_GetLastError` extension.

use core::ffi::{c_uchar, c_void};

use super::types::{BaseType_t, TLSLastError_t, TLSParams_t};
use super::{as_base_type, handle, on_context, params, report, status};
use crate::tls::Connection;

/// @brief Create a TLS context for one connection to pxParams->pcDestination.
///
/// Copies everything it needs (host name, trust anchors, ALPN names) and
/// parses the trust anchors, so the caller's strings may be freed once it
/// returns. Performs no I/O. A refused parameter is named in a log line
/// (see TLS_SetLogHook), since there is no context to ask TLS_GetLastError.
///
/// @param ppvContext Where the new context is stored; on failure NULL is
/// stored there (when ppvContext itself is not NULL), so a following
/// TLS_Cleanup( *ppvContext ) is harmless.
/// @param pxParams The connection parameters, with ulSize set to
/// sizeof( TLSParams_t ) as the caller compiled it (the first published
/// layout, without ALPN, is accepted too). Strings are NUL-terminated;
/// pcServerCertificate, when not NULL, is PEM text of
/// ulServerCertificateLength bytes counting its NUL. Read only during the
/// call.
///
/// @return 0 on success, or:
/// - TLS_ERROR_BAD_PARAMETER: ppvContext or pxParams NULL, an unknown
///   ulSize, a NULL transport callback, pcDestination NULL, empty or over
///   255 bytes, trust anchors that do not parse or whose length does not
///   count the NUL, or an ALPN list that is NULL, longer than 16 names or
///   holds a NULL or empty name or one over 255 bytes.
/// - TLS_ERROR_NO_MEMORY: an allocation failed.
///
/// Calling context: a task, never an interrupt. Waits for nothing: it
/// allocates from the heap and parses the trust anchors.
#[no_mangle]
pub unsafe extern "C" fn TLS_Init(ppvContext: *mut *mut c_void, pxParams: *mut TLSParams_t) -> BaseType_t {
    if ppvContext.is_null() {
        return report(params::CONTEXT_OUT_NULL);
    }
    // SAFETY: checked non-NULL; the caller owns the pointer variable.
    unsafe { ppvContext.write(core::ptr::null_mut()) };
    if pxParams.is_null() {
        return report(params::PARAMS_NULL);
    }
    // SAFETY: non-NULL, and the caller promises a TLSParams_t with ulSize.
    let made = unsafe { params::connection(pxParams) }.and_then(handle::into_raw);
    status(made.map(|ctx| {
        // SAFETY: checked non-NULL above.
        unsafe { ppvContext.write(ctx) }
    }))
}

/// @brief Perform the TLS handshake with the server, verifying it.
///
/// The handshake's last bytes may still be in the library when this
/// returns. When the client speaks last (a resumed session: the server has
/// already sent its Finished), its final ChangeCipherSpec and Finished
/// (about 50 bytes) are held and leave in the same pxNetworkSend call as
/// the first record of the first TLS_Send (so that, with Nagle's algorithm
/// on, the first request does not wait about 40 ms for a delayed ACK).
/// Every TLS_Recv hands them to the transport before it reads, and
/// TLS_Cleanup sends them ahead of its close_notify. Until then the server
/// has not finished its handshake and sends nothing. A caller that writes
/// first (coreMQTT sends CONNECT, then reads CONNACK; an HTTP client sends
/// its request), or reads with a blocking or timed pxNetworkRecv, needs to
/// do nothing. A caller that waits for the socket to become readable
/// (select, a FreeRTOS+TCP socket event, an lwIP callback) before its first
/// TLS_Recv or TLS_Send, for a server that speaks first, must call one of
/// them first: TLS_Send( pvContext, NULL, 0 ) or TLS_Recv( pvContext, NULL,
/// 0 ) sends the held bytes and reads nothing (returns 0, or a negative
/// code); so does any TLS_Recv before it reads.
///
/// @param pvContext A context from TLS_Init not yet passed to TLS_Cleanup,
/// or NULL (refused).
///
/// @return 0 on success, or (TLS_GetLastError gives the detail):
/// - TLS_ERROR_HANDSHAKE_FAILED: the handshake or the server's verification
///   failed, or timed out, or mbedTLS refused the configuration.
/// - TLS_ERROR_RNG: no entropy (mbedtls_hardware_poll failed).
/// - TLS_ERROR_NO_PRIVATE_KEY, TLS_ERROR_NO_CERTIFICATE, TLS_ERROR_SIGN: the
///   server asked for a client certificate and the PKCS#11 token could not
///   supply the key, the certificate or the signature.
/// - TLS_ERROR_TRANSPORT: a transport callback failed.
/// - TLS_ERROR_NO_MEMORY: an allocation failed.
/// - TLS_ERROR_INVALID_STATE: TLS_Connect was already called on pvContext.
/// - TLS_ERROR_BAD_PARAMETER: pvContext is NULL.
///
/// Calling context: a task, never an interrupt; one call at a time per
/// context (different tasks may drive different contexts at once). Blocks
/// the calling task: waiting for the server is bounded by the handshake
/// timeout (10000 ms unless set with TLS_SetHandshakeTimeout); time spent
/// inside the transport callbacks, the PKCS#11 module and the handshake's
/// own computation comes on top.
#[no_mangle]
pub unsafe extern "C" fn TLS_Connect(pvContext: *mut c_void) -> BaseType_t {
    // SAFETY: the pointer rules of the @param lines above.
    status(unsafe { handle::borrow(pvContext) }.and_then(Connection::connect))
}

/// @brief Read up to xReadLength decrypted bytes into pucReadBuffer.
///
/// Errors are sticky: once one is returned, every later TLS_Recv and
/// TLS_Send returns it again. Data read before an error in the same call is
/// returned first; the error comes on the next call, and no record after it
/// (e.g. after a close_notify) is ever parsed.
///
/// Before it reads, every call (also one with xReadLength 0, and one that
/// finds nothing to read) first hands the handshake bytes TLS_Connect may
/// have held (see there) to pxNetworkSend. A transport error on that send
/// is returned as TLS_ERROR_TRANSPORT, sticky, as from TLS_Send.
///
/// @param pvContext A connected context from TLS_Init, or NULL (refused).
/// @param pucReadBuffer Where the bytes go: xReadLength writable bytes; may
/// be NULL only when xReadLength is 0.
/// @param xReadLength The most bytes to read; 0 reads nothing (the call
/// only sends held handshake bytes).
///
/// @return The number of bytes read, possibly fewer than asked; 0 when the
/// transport has nothing now (and for an xReadLength of 0). Negative on
/// error:
/// - TLS_ERROR_CONNECTION_CLOSED: the peer sent its close_notify.
/// - TLS_ERROR_PROTOCOL: a record failed to decrypt or parse, or a fatal
///   alert came (the mbedTLS code is in TLS_GetLastError).
/// - TLS_ERROR_TRANSPORT: a transport callback failed.
/// - TLS_ERROR_NO_MEMORY: an allocation failed.
/// - TLS_ERROR_INVALID_STATE: before TLS_Connect.
/// - TLS_ERROR_BAD_PARAMETER: pvContext NULL, or pucReadBuffer NULL with a
///   length.
/// - the code of an earlier failure, including a failed TLS_Connect's.
///
/// Calling context: a task, never an interrupt; one call at a time per
/// context. Waits for the network only inside pxNetworkRecv and
/// pxNetworkSend: it blocks as long as they do.
#[no_mangle]
pub unsafe extern "C" fn TLS_Recv(
    pvContext: *mut c_void,
    pucReadBuffer: *mut c_uchar,
    xReadLength: usize,
) -> BaseType_t {
    let call = |conn: &mut Connection| {
        // SAFETY: the caller promises `xReadLength` writable bytes, not
        // used elsewhere during the call.
        let buf = unsafe { params::read_buffer(pucReadBuffer, xReadLength) }.map_err(|bad| conn.reject(bad))?;
        if buf.is_empty() {
            return conn.flush_held_flight().map(|()| 0);
        }
        conn.recv(buf).map(byte_count)
    };
    // SAFETY: the pointer rules of the @param lines above.
    unsafe { on_context(pvContext, call) }
}

/// @brief Encrypt and send xMsgLength bytes of pucMsg.
///
/// A failure part-way through a long message is returned as the error, not
/// as a short count: the connection is dead. Errors are sticky, as for
/// TLS_Recv; after the peer's close_notify TLS_Send returns
/// TLS_ERROR_CONNECTION_CLOSED.
///
/// The first call after TLS_Connect may carry the handshake's held last
/// bytes (see TLS_Connect) in the same pxNetworkSend call as its first
/// record; the count returned is still of pucMsg's bytes only.
///
/// @param pvContext A connected context from TLS_Init, or NULL (refused).
/// @param pucMsg The bytes to send: xMsgLength readable bytes; may be NULL
/// only when xMsgLength is 0.
/// @param xMsgLength How many bytes to send; 0 sends only the held
/// handshake bytes, if any.
///
/// @return The number of bytes sent: all of them, or fewer when the
/// transport reported it could take no more now (send the rest later); 0
/// for an xMsgLength of 0. Negative on error, with the codes of TLS_Recv
/// (pucMsg in place of pucReadBuffer).
///
/// Calling context: a task, never an interrupt; one call at a time per
/// context. Waits for the network only inside pxNetworkSend: it blocks
/// as long as that does.
#[no_mangle]
pub unsafe extern "C" fn TLS_Send(pvContext: *mut c_void, pucMsg: *const c_uchar, xMsgLength: usize) -> BaseType_t {
    let call = |conn: &mut Connection| {
        // SAFETY: the caller promises `xMsgLength` readable bytes, not
        // written during the call.
        let data = unsafe { params::message(pucMsg, xMsgLength) }.map_err(|bad| conn.reject(bad))?;
        if data.is_empty() {
            return conn.flush_held_flight().map(|()| 0);
        }
        conn.send(data).map(byte_count)
    };
    // SAFETY: the pointer rules of the @param lines above.
    unsafe { on_context(pvContext, call) }
}

/// A byte count of at most `MAX_IO`, which fits by construction.
fn byte_count(n: usize) -> BaseType_t {
    n as BaseType_t
}

/// @brief Close the connection and free the context and everything it
/// holds; session keys are wiped.
///
/// When the handshake has completed and no error has occurred, first sends
/// a TLS close_notify alert through pxNetworkSend (best effort, as the
/// original did; behind the handshake bytes TLS_Connect may have held, in
/// the same call); transport errors are ignored and the transport is not
/// read. Call it before closing the socket.
///
/// @param pvContext A context from TLS_Init, or NULL (ignored). It is
/// invalid once this returns.
///
/// Calling context: a task, never an interrupt; no other call may be using
/// pvContext. Blocks at most 200 ms while a non-blocking transport takes
/// nothing, plus the time pxNetworkSend itself blocks.
#[no_mangle]
pub unsafe extern "C" fn TLS_Cleanup(pvContext: *mut c_void) {
    // SAFETY: the pointer rules of the @param lines above.
    unsafe { handle::release(pvContext) }
}

/// @brief Copy the detail of the context's most recent failure into
/// *pxError.
///
/// The detail is the code returned, an mbedTLS code, the server
/// certificate's verify flags, a PKCS#11 return value, and which check
/// failed (or, while nothing has failed, which argument a call on the
/// context last refused).
///
/// @param pvContext A context from TLS_Init, or NULL (refused).
/// @param pxError Where the detail is written.
///
/// @return 0, or TLS_ERROR_BAD_PARAMETER when pvContext or pxError is NULL.
///
/// Calling context: a task, never an interrupt; one call at a time per
/// context. Does not block.
#[no_mangle]
pub unsafe extern "C" fn TLS_GetLastError(pvContext: *mut c_void, pxError: *mut TLSLastError_t) -> BaseType_t {
    if pxError.is_null() {
        return report(params::ERROR_OUT_NULL);
    }
    let call = |conn: &mut Connection| {
        let last = conn.last_error();
        let detail = TLSLastError_t {
            xCode: as_base_type(last.code),
            lMbedtlsCode: last.mbedtls_code,
            ulVerifyFlags: last.verify_flags,
            ulPkcs11ReturnValue: last.pkcs11_rv as core::ffi::c_ulong,
            pcReason: last.reason.as_ptr(),
        };
        // SAFETY: checked non-NULL; the caller owns the struct.
        unsafe { pxError.write(detail) };
        Ok(0)
    };
    // SAFETY: the pointer rules of the @param lines above.
    unsafe { on_context(pvContext, call) }
}
