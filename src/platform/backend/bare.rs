//! Bare back end (neither `std` nor `freertos`: another RTOS, or none).
//! There is no clock to bound a wait and no scheduler to give the CPU to,
//! so nothing waits: a deadline has passed when it is made, and whoever
//! finds the transport empty gives up at once instead of polling it in a
//! loop. The transport bounds the wait itself, by blocking until it has
//! data or its own timeout passes (as the original library required).
//! Critical sections: the firmware provides the critical-section crate's
//! implementation (`critical_section::set_impl!`).

/// A bound that has always passed: a caller makes no second attempt.
pub struct Deadline(());

impl Deadline {
    /// Expired already: `ms` cannot be measured here.
    pub fn after_ms(ms: u32) -> Self {
        let _ = ms;
        Deadline(())
    }

    /// Always: see the module.
    pub fn expired(&self) -> bool {
        true
    }
}

/// Never made: [`Stamp::now`] has nothing to read.
pub struct Stamp(());

impl Stamp {
    /// `None`: no monotonic clock, so callers refuse what they could
    /// never expire (the session cache stays off).
    pub fn now() -> Option<Self> {
        None
    }

    /// Never called: no stamp exists.
    pub fn elapsed_s(&self) -> u64 {
        0
    }
}

/// No clock, no horizon.
pub(crate) fn stamp_horizon_s() -> u64 {
    0
}

/// Returns at once (callers check their deadline first, which has passed,
/// so none gets here to retry).
pub fn pause_for_io() {}

/// No clock: always 0.
#[cfg_attr(not(mbedtls_ms_time_alt), allow(dead_code))]
pub fn monotonic_ms() -> i64 {
    0
}
