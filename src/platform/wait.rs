//! Bounded waits for the network: a deadline that survives a wrap of the
//! kernel's tick counter, and a pause that lets other tasks run while the
//! transport has nothing ("0 = nothing now").

/// Elapsed ticks between two readings of a wrapping 32-bit tick counter.
/// Correct across one wrap, which is all a wait shorter than the counter's
/// period (49.7 days at 1 kHz) can see.
#[cfg_attr(not(any(test, feature = "freertos")), allow(dead_code))]
pub(crate) const fn ticks_between(start: u32, now: u32) -> u32 {
    now.wrapping_sub(start)
}

/// Ticks that cover at least `ms` milliseconds at `rate_hz` (rounded up,
/// at least one, saturating at the counter's period).
#[cfg_attr(not(any(test, feature = "freertos")), allow(dead_code))]
pub(crate) const fn ticks_for_ms(ms: u32, rate_hz: u32) -> u32 {
    let t = (ms as u64 * rate_hz as u64).div_ceil(1000);
    if t == 0 {
        1
    } else if t > u32::MAX as u64 {
        u32::MAX
    } else {
        t as u32
    }
}

/// A wait bound of a fixed number of milliseconds from its creation.
pub struct Deadline(Inner);

#[cfg(feature = "std")]
struct Inner {
    start: std::time::Instant,
    limit: core::time::Duration,
}

#[cfg(all(not(feature = "std"), feature = "freertos"))]
struct Inner {
    start: u32,
    limit: u32,
}

#[cfg(not(any(feature = "std", feature = "freertos")))]
struct Inner;

#[cfg(feature = "std")]
extern crate std;

/// Milliseconds on a monotonic clock with an arbitrary origin (mbedTLS's
/// `mbedtls_ms_time`). On FreeRTOS the tick counter, which wraps: after
/// 2^32 ticks the value starts again from 0.
#[cfg_attr(not(mbedtls_ms_time_alt), allow(dead_code))]
pub fn monotonic_ms() -> i64 {
    #[cfg(feature = "std")]
    {
        static ORIGIN: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        let ms = ORIGIN.get_or_init(std::time::Instant::now).elapsed().as_millis();
        i64::try_from(ms).unwrap_or(i64::MAX)
    }
    #[cfg(all(not(feature = "std"), feature = "freertos"))]
    {
        i64::from(super::freertos::tick_count()) * 1000 / i64::from(super::freertos::TICK_RATE_HZ)
    }
    #[cfg(not(any(feature = "std", feature = "freertos")))]
    {
        0
    }
}

impl Deadline {
    /// A deadline `ms` milliseconds from now.
    pub fn after_ms(ms: u32) -> Self {
        #[cfg(feature = "std")]
        return Deadline(Inner {
            start: std::time::Instant::now(),
            limit: core::time::Duration::from_millis(ms.into()),
        });
        #[cfg(all(not(feature = "std"), feature = "freertos"))]
        return Deadline(Inner {
            start: super::freertos::tick_count(),
            limit: ticks_for_ms(ms, super::freertos::TICK_RATE_HZ),
        });
        #[cfg(not(any(feature = "std", feature = "freertos")))]
        {
            let _ = ms;
            Deadline(Inner)
        }
    }

    /// Whether the bound has been reached.
    pub fn expired(&self) -> bool {
        #[cfg(feature = "std")]
        return self.0.start.elapsed() >= self.0.limit;
        #[cfg(all(not(feature = "std"), feature = "freertos"))]
        return ticks_between(self.0.start, super::freertos::tick_count()) >= self.0.limit;
        // With neither std nor a kernel there is no time source: the wait is
        // bounded by the transport alone, as in the original library.
        #[cfg(not(any(feature = "std", feature = "freertos")))]
        false
    }
}

/// How far back a [`Stamp`] can see: the period of the kernel's 32-bit
/// tick counter, unbounded with `std`, nothing without a clock.
#[cfg(feature = "std")]
pub(crate) const STAMP_HORIZON_S: u64 = u64::MAX;
#[cfg(all(not(feature = "std"), feature = "freertos"))]
pub(crate) const STAMP_HORIZON_S: u64 = u32::MAX as u64 / super::freertos::TICK_RATE_HZ as u64;
#[cfg(not(any(feature = "std", feature = "freertos")))]
pub(crate) const STAMP_HORIZON_S: u64 = 0;

/// A reading of the monotonic clock, to tell later how old something is
/// (session-cache entries). `None` from [`Stamp::now`] when the build has
/// no time source, so callers can refuse what they could never expire.
pub struct Stamp(StampInner);

#[cfg(feature = "std")]
struct StampInner(std::time::Instant);

#[cfg(all(not(feature = "std"), feature = "freertos"))]
struct StampInner(u32);

/// Never made: [`Stamp::now`] has nothing to read.
#[cfg(not(any(feature = "std", feature = "freertos")))]
struct StampInner;

impl Stamp {
    /// Now, or `None` without a monotonic clock.
    pub fn now() -> Option<Self> {
        #[cfg(feature = "std")]
        return Some(Stamp(StampInner(std::time::Instant::now())));
        #[cfg(all(not(feature = "std"), feature = "freertos"))]
        return Some(Stamp(StampInner(super::freertos::tick_count())));
        #[cfg(not(any(feature = "std", feature = "freertos")))]
        None
    }

    /// Whole seconds since the reading. On the kernel's 32-bit tick this
    /// is exact up to the counter's period (49.7 days at 1 kHz); callers
    /// keep their limits well below it.
    pub fn elapsed_s(&self) -> u64 {
        #[cfg(feature = "std")]
        return self.0 .0.elapsed().as_secs();
        #[cfg(all(not(feature = "std"), feature = "freertos"))]
        return u64::from(ticks_between(self.0 .0, super::freertos::tick_count()))
            / u64::from(super::freertos::TICK_RATE_HZ);
        #[cfg(not(any(feature = "std", feature = "freertos")))]
        0
    }
}

/// The transport had nothing: give the CPU away before trying again.
/// Under FreeRTOS this blocks the calling task for one tick, so tasks of
/// lower priority run; on a host the thread sleeps for a millisecond.
pub fn pause_for_io() {
    #[cfg(feature = "std")]
    std::thread::sleep(core::time::Duration::from_millis(1));
    #[cfg(all(not(feature = "std"), feature = "freertos"))]
    super::freertos::delay_one_tick();
    #[cfg(not(any(feature = "std", feature = "freertos")))]
    core::hint::spin_loop();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_ticks_survive_the_wrap() {
        // A counter that starts just below the wrap, as after 49.7 days.
        let start = u32::MAX - 5;
        let limit = ticks_for_ms(10, 1000);
        assert_eq!(limit, 10);
        assert!(ticks_between(start, u32::MAX) < limit);
        assert!(ticks_between(start, 3) < limit); // wrapped: 9 ticks
        assert!(ticks_between(start, 4) >= limit); // wrapped: 10 ticks
                                                   // The old millisecond arithmetic never fired after the wrap.
        assert_eq!(u64::from(4u32).saturating_sub(u64::from(start)), 0);
    }

    #[test]
    fn ticks_round_up_and_saturate() {
        assert_eq!(ticks_for_ms(1, 100), 1); // 0.1 tick -> 1
        assert_eq!(ticks_for_ms(15, 100), 2);
        assert_eq!(ticks_for_ms(0, 1000), 1);
        assert_eq!(ticks_for_ms(u32::MAX, 10_000), u32::MAX);
    }

    #[test]
    fn stamp_ages_on_the_host() {
        let s = Stamp::now().expect("std has a monotonic clock");
        assert_eq!(s.elapsed_s(), 0);
        std::thread::sleep(core::time::Duration::from_millis(1100));
        assert_eq!(s.elapsed_s(), 1);
    }

    #[test]
    fn deadline_fires_on_the_host() {
        let d = Deadline::after_ms(20);
        assert!(!d.expired());
        std::thread::sleep(core::time::Duration::from_millis(25));
        assert!(d.expired());
    }
}
