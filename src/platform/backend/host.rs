//! Host back end (feature `std`): std's monotonic clock, and a pause is a
//! 1 ms sleep. Critical sections come from the critical-section crate's
//! std implementation (its feature `std`, which this feature turns on).

extern crate std;

use core::time::Duration;
use std::sync::OnceLock;
use std::time::Instant;

/// A wait bound of a fixed number of milliseconds from its creation.
pub struct Deadline {
    start: Instant,
    limit: Duration,
}

impl Deadline {
    /// A deadline `ms` milliseconds from now.
    pub fn after_ms(ms: u32) -> Self {
        Deadline { start: Instant::now(), limit: Duration::from_millis(ms.into()) }
    }

    /// Whether the bound has been reached.
    pub fn expired(&self) -> bool {
        self.start.elapsed() >= self.limit
    }
}

/// A reading of the monotonic clock, to tell later how old something is.
pub struct Stamp(Instant);

impl Stamp {
    /// Now (std always has a monotonic clock).
    pub fn now() -> Option<Self> {
        Some(Stamp(Instant::now()))
    }

    /// Whole seconds since the reading.
    pub fn elapsed_s(&self) -> u64 {
        self.0.elapsed().as_secs()
    }
}

/// `Instant` does not wrap: a stamp sees back without bound.
pub(crate) fn stamp_horizon_s() -> u64 {
    u64::MAX
}

/// The transport had nothing: let the thread sleep for a millisecond.
pub fn pause_for_io() {
    std::thread::sleep(Duration::from_millis(1));
}

/// Milliseconds since the first call (mbedTLS's `mbedtls_ms_time`).
#[cfg_attr(not(mbedtls_ms_time_alt), allow(dead_code))]
pub fn monotonic_ms() -> i64 {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    let ms = ORIGIN.get_or_init(Instant::now).elapsed().as_millis();
    i64::try_from(ms).unwrap_or(i64::MAX)
}
