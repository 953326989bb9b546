//! The opaque context handed to C: the only place a `Connection` becomes a
//! raw pointer and back.

use core::ffi::c_void;

use alloc::boxed::Box;

use crate::error::{Error, Result};
use crate::fallible::try_box;
use crate::tls::Connection;

/// Move `conn` to the heap (failing cleanly on OOM) and give C its address.
pub(crate) fn into_raw(conn: Connection) -> Result<*mut c_void> {
    try_box(conn).map(|b| Box::into_raw(b).cast()).map_err(|_| Error::NoMemory)
}

/// Borrow the connection behind a handle; NULL is a bad parameter.
///
/// # Safety
/// `ctx` must be NULL or a handle from [`into_raw`] not yet released, with
/// no other borrow of it alive (the API is not reentrant per context).
pub(crate) unsafe fn borrow<'a>(ctx: *mut c_void) -> Result<&'a mut Connection> {
    // SAFETY: guaranteed by the caller, as documented above.
    unsafe { ctx.cast::<Connection>().as_mut() }.ok_or(super::params::CONTEXT_NULL)
}

/// Take back ownership and drop the connection. NULL is a no-op.
///
/// # Safety
/// As for [`borrow`]; the handle must not be used again.
pub(crate) unsafe fn release(ctx: *mut c_void) {
    if !ctx.is_null() {
        // SAFETY: `ctx` came from `into_raw`, i.e. from Box::into_raw.
        drop(unsafe { Box::from_raw(ctx.cast::<Connection>()) });
    }
}
