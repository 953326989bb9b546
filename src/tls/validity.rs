//! Certificate validity dates: what happens when the device has a clock,
//! has none, or uses the original library's `DateIsInThePast` hook.
//!
//! mbedTLS checks both dates of every certificate in the chain against
//! `mbedtls_time` (`ffi::mbedtls_platform`, over `platform::clock`). With
//! no clock it sees the epoch and marks every certificate not yet valid;
//! [`verify_certificate`] clears those date flags instead, since the dates
//! are unknown, not wrong. The time is never unknown silently:
//! `Connection::connect` first logs a warning (to the log hook, or
//! `vLoggingPrintf`; nowhere when neither is set up) or, built with
//! `require-clock`, refuses to connect before the handshake.

use core::ffi::c_int;

use core::ffi::c_void;
use mbedtls_sys as m;

use super::server_name::ServerNameCheck;
use crate::c_types::{BaseType_t, DateIsInThePast_t};
use crate::platform::clock;
use crate::platform::hook_cell::HookCell;

/// The original library's hook, told each certificate's `valid_to` date.
static DATE_IS_IN_THE_PAST: HookCell<DateIsInThePast_t> = HookCell::new(None);

pub fn set_date_is_in_the_past(hook: DateIsInThePast_t) {
    DATE_IS_IN_THE_PAST.set(hook);
}

const DATE_FLAGS: u32 = (m::X509_BADCERT_EXPIRED | m::X509_BADCERT_FUTURE) as u32;

/// `f_vrfy` for `mbedtls_ssl_conf_verify`, called once per chain certificate.
///
/// `ctx` is the connection's [`ServerNameCheck`] (or NULL): the leaf's name
/// check for IP literals and for a caller that switched it off.
///
/// # Safety
/// `crt` must be NULL or a live certificate, `flags` NULL or writable, and
/// `ctx` NULL or a `ServerNameCheck` that outlives the call, as mbedTLS's
/// verification passes them.
pub(crate) unsafe extern "C" fn verify_certificate(
    ctx: *mut c_void,
    crt: *mut m::x509_crt,
    depth: c_int,
    flags: *mut u32,
) -> c_int {
    if crt.is_null() || flags.is_null() {
        return m::ERR_X509_BAD_INPUT_DATA;
    }
    // SAFETY: mbedTLS passes the certificate being checked and its flags.
    let (crt, flags) = unsafe { (&*crt, &mut *flags) };
    if clock::utc_now().is_none() {
        // No time source: mbedTLS compared against the epoch. Dates are
        // unknown, not wrong; `connect` has already warned about it.
        *flags &= !DATE_FLAGS;
    }
    if let Some(hook) = DATE_IS_IN_THE_PAST.get() {
        let to = &crt.valid_to;
        if hook(to.day as BaseType_t, to.mon as BaseType_t, to.year as BaseType_t) != 0 {
            *flags |= m::X509_BADCERT_EXPIRED as u32;
        }
    }
    if depth == 0 && !ctx.is_null() {
        // SAFETY: `setup` registered the ServerNameCheck inside the
        // connection's pinned block, which outlives the handshake; mbedTLS
        // only reads it through this callback.
        let name_check = unsafe { &*ctx.cast::<ServerNameCheck>() };
        name_check.check_leaf(crt, flags);
    }
    0
}

/// Whether builds with `require-clock` refuse to connect without a clock.
pub(crate) const CLOCK_REQUIRED: bool = cfg!(feature = "require-clock");
