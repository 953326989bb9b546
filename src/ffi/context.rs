//! The calls that create, drive and free one TLS context: the original
//! `TLS_Init`, `TLS_Connect`, `TLS_Recv`, `TLS_Send`, `TLS_Cleanup`, and
//! the `TLS_GetLastError` extension.

use core::ffi::{c_uchar, c_void};

use super::types::{BaseType_t, TLSLastError_t, TLSParams_t};
use super::{as_base_type, handle, on_context, params, report, slice, status, MAX_IO};
use crate::error::Error;
use crate::tls::Connection;

/// Create a TLS context from `pxParams` and store it in `*ppvContext`.
///
/// Copies everything it needs (host name, trust anchors, ALPN names), so
/// the caller's strings may be freed afterwards. Performs no I/O.
///
/// Returns 0 on success. On failure returns a negative code and stores
/// NULL in `*ppvContext` (when `ppvContext` itself is not NULL), so a
/// following `TLS_Cleanup(*ppvContext)` is harmless. A bad parameter is
/// named in a log line (see `TLS_SetLogHook`).
///
/// # Safety
/// `pxParams` must point to a `TLSParams_t` whose `ulSize` is set.
#[no_mangle]
pub unsafe extern "C" fn TLS_Init(ppvContext: *mut *mut c_void, pxParams: *mut TLSParams_t) -> BaseType_t {
    if ppvContext.is_null() {
        return report(Error::BadParameter(c"ppvContext: NULL"));
    }
    // SAFETY: checked non-NULL; the caller owns the pointer variable.
    unsafe { ppvContext.write(core::ptr::null_mut()) };
    if pxParams.is_null() {
        return report(Error::BadParameter(c"pxParams: NULL"));
    }
    // SAFETY: non-NULL, and the caller promises a TLSParams_t with ulSize.
    let made = unsafe { params::connection(pxParams) }.and_then(handle::into_raw);
    status(made.map(|ctx| {
        // SAFETY: checked non-NULL above.
        unsafe { ppvContext.write(ctx) }
    }))
}

/// Perform the TLS handshake, verifying the server.
///
/// Returns 0 on success, `TLS_ERROR_HANDSHAKE_FAILED` when the handshake
/// or server verification fails or times out (`TLS_GetLastError` says
/// why), `TLS_ERROR_RNG` when no entropy is available, another negative
/// code otherwise.
///
/// **The handshake's last bytes may still be in the library when this
/// returns.** When the client speaks last (a resumed session: the server
/// has already sent its Finished), its final ChangeCipherSpec and Finished
/// (about 50 bytes) are held and leave in the same `pxNetworkSend` call as
/// the first record of the first `TLS_Send` (so that, with Nagle's
/// algorithm on, the first request does not wait ~40 ms for a delayed
/// ACK). Every `TLS_Recv` hands them to the transport before it reads, and
/// `TLS_Cleanup` sends them ahead of its close_notify. Until then the
/// server has not finished its handshake and sends nothing. A caller that
/// writes first (coreMQTT sends CONNECT, then reads CONNACK; an HTTP client
/// sends its request), or reads with a blocking or timed `pxNetworkRecv`,
/// needs to do nothing. A caller that waits for the socket to become
/// readable (select, a FreeRTOS+TCP socket event, an lwIP callback) before
/// its first `TLS_Recv` or `TLS_Send`, for a server that speaks first,
/// must call one of them first: `TLS_Send(pvContext, NULL, 0)` or
/// `TLS_Recv(pvContext, NULL, 0)` sends the held bytes and reads nothing
/// (returns 0, or a negative code); so does any `TLS_Recv` before it
/// reads.
///
/// # Safety
/// `pvContext` must be NULL or a live context from `TLS_Init`.
#[no_mangle]
pub unsafe extern "C" fn TLS_Connect(pvContext: *mut c_void) -> BaseType_t {
    // SAFETY: per the contract above.
    status(unsafe { handle::borrow(pvContext) }.and_then(Connection::connect))
}

/// Read up to `xReadLength` decrypted bytes into `pucReadBuffer`.
///
/// Returns the number of bytes read: possibly fewer than asked, 0 when the
/// transport has nothing now; negative on error or after the peer closed:
/// `TLS_ERROR_CONNECTION_CLOSED` (the peer's close_notify),
/// `TLS_ERROR_PROTOCOL` (a record that fails to decrypt or
/// parse, a fatal alert; the mbedTLS code is in `TLS_GetLastError`),
/// `TLS_ERROR_TRANSPORT`, `TLS_ERROR_NO_MEMORY`, `TLS_ERROR_BAD_PARAMETER`;
/// `TLS_ERROR_INVALID_STATE` before `TLS_Connect`, and the code of a
/// failed `TLS_Connect` after one.
///
/// Errors are sticky: once one is returned, every later `TLS_Recv` and
/// `TLS_Send` returns it again. Data read before an error in the same call
/// is returned first; the error comes on the next call, and no record
/// after it (e.g. after a close_notify) is ever parsed.
///
/// Before it reads, every call (also one with `xReadLength` 0, and one
/// that finds nothing to read) first hands the handshake bytes
/// `TLS_Connect` may have held (see there) to `pxNetworkSend`. A transport
/// error on that send is returned as `TLS_ERROR_TRANSPORT`, sticky, as
/// from `TLS_Send`. With `xReadLength` 0 nothing is read; the return is
/// 0 or the error (also a sticky one from before).
///
/// # Safety
/// `pvContext` as for `TLS_Connect`; `pucReadBuffer` valid for
/// `xReadLength` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn TLS_Recv(
    pvContext: *mut c_void,
    pucReadBuffer: *mut c_uchar,
    xReadLength: usize,
) -> BaseType_t {
    let call = |conn: &mut Connection| {
        // SAFETY: the caller promises `xReadLength` writable bytes (a
        // prefix of them is taken), not used elsewhere during the call.
        let Some(buf) = (unsafe { slice::bytes_mut(pucReadBuffer, xReadLength.min(MAX_IO)) }) else {
            return Err(conn.reject(c"pucReadBuffer: NULL"));
        };
        if buf.is_empty() {
            return conn.flush_held_flight().map(|()| 0);
        }
        conn.recv(buf).map(byte_count)
    };
    // SAFETY: per the contract above.
    unsafe { on_context(pvContext, call) }
}

/// Encrypt and send `xMsgLength` bytes of `pucMsg`.
///
/// Returns the number of bytes written: all of them, or fewer when the
/// transport reported it could take no more now (send the rest later);
/// negative on error (the codes of `TLS_Recv`). A failure part-way through
/// a long message is returned as the error, not as a short count: the
/// connection is dead. Errors are sticky, as for `TLS_Recv`; after the
/// peer's close_notify `TLS_Send` returns `TLS_ERROR_CONNECTION_CLOSED`.
///
/// The first call after `TLS_Connect` may carry the handshake's held last
/// bytes (see `TLS_Connect`) in the same `pxNetworkSend` call as its first
/// record; the count returned is still of `pucMsg`'s bytes only. With
/// `xMsgLength` 0 it sends only those held bytes, if any, and returns 0,
/// or the error (also a sticky one from before).
///
/// # Safety
/// `pvContext` as for `TLS_Connect`; `pucMsg` valid for `xMsgLength` bytes.
#[no_mangle]
pub unsafe extern "C" fn TLS_Send(pvContext: *mut c_void, pucMsg: *const c_uchar, xMsgLength: usize) -> BaseType_t {
    let call = |conn: &mut Connection| {
        // SAFETY: the caller promises `xMsgLength` readable bytes (a
        // prefix of them is taken), not written during the call.
        let Some(data) = (unsafe { slice::bytes(pucMsg, xMsgLength.min(MAX_IO)) }) else {
            return Err(conn.reject(c"pucMsg: NULL"));
        };
        if data.is_empty() {
            return conn.flush_held_flight().map(|()| 0);
        }
        conn.send(data).map(byte_count)
    };
    // SAFETY: per the contract above.
    unsafe { on_context(pvContext, call) }
}

/// A byte count of at most `MAX_IO`, which fits by construction.
fn byte_count(n: usize) -> BaseType_t {
    n as BaseType_t
}

/// Close the connection and free the context and everything it holds;
/// session keys are wiped. When the handshake has completed and no error
/// has occurred, first sends a TLS close_notify alert through
/// `pxNetworkSend` (best effort, as the original did; behind the
/// handshake bytes `TLS_Connect` may have held, in the same call): bounded
/// to 200 ms while a non-blocking transport returns 0, transport errors
/// ignored; the transport is not read. Call it before closing the socket. NULL is
/// accepted and ignored.
///
/// # Safety
/// `pvContext` must be NULL or a live context; it is invalid afterwards.
#[no_mangle]
pub unsafe extern "C" fn TLS_Cleanup(pvContext: *mut c_void) {
    // SAFETY: per the contract above.
    unsafe { handle::release(pvContext) }
}

/// Extension: copy the detail of the context's most recent failure into
/// `*pxError` (an mbedTLS code, server-certificate verify flags, a PKCS#11
/// return value, and which check failed or which argument was bad).
/// Returns 0, or `TLS_ERROR_BAD_PARAMETER` for NULL arguments.
///
/// # Safety
/// `pvContext` as for `TLS_Connect`; `pxError` writable.
#[no_mangle]
pub unsafe extern "C" fn TLS_GetLastError(pvContext: *mut c_void, pxError: *mut TLSLastError_t) -> BaseType_t {
    if pxError.is_null() {
        return report(Error::BadParameter(c"pxError: NULL"));
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
    // SAFETY: per the contract above.
    unsafe { on_context(pvContext, call) }
}
