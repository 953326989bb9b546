//! Bounded waits for the network: a deadline, a stamp that tells how old
//! something is, and a pause that lets other tasks run while the transport
//! has nothing ("0 = nothing now").
//!
//! Each kind of build has its own back end (`platform/backend/`, chosen in
//! `platform/mod.rs`), with the same items:
//!
//! | item | host (`std`) | FreeRTOS (`freertos`) | bare (neither) |
//! | --- | --- | --- | --- |
//! | [`Deadline`] | `std::time::Instant` | the kernel's tick count | expired when made: no retry |
//! | [`Stamp::now`] | a reading | a reading | `None`: no clock |
//! | [`pause_for_io`] | 1 ms sleep | one tick of `vTaskDelay` | returns at once |
//! | [`monotonic_ms`] | since the first call | the tick count in ms (wraps with it) | 0 |
//! | `stamp_horizon_s` | unbounded | the tick counter's period | 0 |
//!
//! A bare build has neither a clock to bound a wait nor a scheduler to give
//! the CPU to, so it does not wait: every deadline has passed when it is
//! made, and a caller that finds the transport empty gives up at once (a
//! handshake ends with `TLS_ERROR_HANDSHAKE_FAILED`, reason "TLS handshake
//! timed out"; close_notify is not sent). Its transport must block until it has data or its own timeout
//! passes, as the original library's did.
//!
//! What is here is what every back end on a wrapping tick counter shares:
//! elapsed ticks across a wrap, milliseconds to ticks, and the deadline and
//! stamp made of them (`ticks`; the FreeRTOS back end reads the kernel's
//! counter, the tests a fake one).

/// How far back a [`Stamp`] can see, in seconds: callers keep ages well
/// below it (the session cache refuses lifetimes above half of it).
pub(crate) use super::backend::stamp_horizon_s;
pub use super::backend::{monotonic_ms, pause_for_io, Deadline, Stamp};

/// Call `attempt` until it returns `Some`, pausing for I/O between tries,
/// for at most `bound_ms` after the first miss: `None` once that has
/// passed. The clock is read only after a miss, so a first try that
/// succeeds costs nothing more. What the library's claims on shared state
/// (a mutex, PSA's start, the PKCS#11 module's lifecycle) wait with.
pub(crate) fn retry_within<T>(bound_ms: u32, mut attempt: impl FnMut() -> Option<T>) -> Option<T> {
    let mut deadline = None;
    loop {
        if let Some(done) = attempt() {
            return Some(done);
        }
        if deadline.get_or_insert_with(|| Deadline::after_ms(bound_ms)).expired() {
            return None;
        }
        pause_for_io();
    }
}

#[cfg(any(test, feature = "freertos"))]
pub(crate) mod ticks {
    //! Time on a 32-bit tick counter that counts from 0 to its largest
    //! value and then starts again from 0: 2^32 - 1, or 2^16 - 1 for
    //! FreeRTOS's 16-bit `TickType_t` (of a 64-bit one the glue hands over
    //! the low 32 bits, which wrap like a 32-bit counter).

    /// A wrapping tick counter: the kernel's, or a test's.
    pub(crate) trait TickSource {
        /// The count now.
        fn count(&self) -> u32;
        /// The largest count, 2^n - 1; the count after it is 0.
        fn max(&self) -> u32;
        /// Ticks per second, at least 1 (a divisor).
        fn rate_hz(&self) -> u32;
    }

    /// Ticks from `start` to `now`, two readings of a counter whose largest
    /// count is `max` (2^n - 1). Correct across one wrap, which is all a
    /// wait shorter than the counter's period can see (49.7 days for 32
    /// bits at 1 kHz, 65 s for 16 bits).
    pub(crate) const fn ticks_between(start: u32, now: u32, max: u32) -> u32 {
        now.wrapping_sub(start) & max
    }

    /// Ticks that cover at least `ms` milliseconds at `rate_hz`: rounded
    /// up, at least one, at most `max` (a longer wait could not be told
    /// from a shorter one after the wrap).
    pub(crate) const fn ticks_for_ms(ms: u32, rate_hz: u32, max: u32) -> u32 {
        // Both factors are below 2^32: no overflow.
        let t = (ms as u64 * rate_hz as u64).div_ceil(1000);
        if t == 0 {
            1
        } else if t > max as u64 {
            max
        } else {
            t as u32
        }
    }

    /// The count in whole milliseconds; it wraps with the counter.
    pub(crate) fn ms_now(clock: &impl TickSource) -> i64 {
        // At most (2^32 - 1) * 1000: no overflow.
        (i64::from(clock.count()) * 1000) / i64::from(clock.rate_hz())
    }

    /// A bound of a number of milliseconds from its creation, in ticks.
    pub(crate) struct TickDeadline {
        start: u32,
        limit: u32,
    }

    impl TickDeadline {
        pub(crate) fn after_ms(clock: &impl TickSource, ms: u32) -> Self {
            TickDeadline { start: clock.count(), limit: ticks_for_ms(ms, clock.rate_hz(), clock.max()) }
        }

        pub(crate) fn expired(&self, clock: &impl TickSource) -> bool {
            ticks_between(self.start, clock.count(), clock.max()) >= self.limit
        }
    }

    /// A reading of the counter, to tell later how old something is.
    pub(crate) struct TickStamp(u32);

    impl TickStamp {
        pub(crate) fn now(clock: &impl TickSource) -> Self {
            TickStamp(clock.count())
        }

        /// Whole seconds since the reading; exact below the counter's
        /// period ([`horizon_s`]).
        pub(crate) fn elapsed_s(&self, clock: &impl TickSource) -> u64 {
            u64::from(ticks_between(self.0, clock.count(), clock.max()) / clock.rate_hz())
        }
    }

    /// The counter's period in whole seconds: how far back a stamp sees.
    pub(crate) fn horizon_s(clock: &impl TickSource) -> u64 {
        u64::from(clock.max() / clock.rate_hz())
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use core::cell::Cell;

    use super::ticks::*;
    use super::*;

    /// A tick counter the test moves by hand.
    struct FakeTicks {
        now: Cell<u32>,
        max: u32,
        rate_hz: u32,
    }

    impl FakeTicks {
        fn new(start: u32, max: u32, rate_hz: u32) -> Self {
            FakeTicks { now: Cell::new(start), max, rate_hz }
        }

        fn advance(&self, ticks: u32) {
            self.now.set(self.now.get().wrapping_add(ticks) & self.max);
        }
    }

    impl TickSource for FakeTicks {
        fn count(&self) -> u32 {
            self.now.get()
        }
        fn max(&self) -> u32 {
            self.max
        }
        fn rate_hz(&self) -> u32 {
            self.rate_hz
        }
    }

    /// The counters the glue hands over: 16-bit ticks, and 32-bit ones (or
    /// the low half of 64-bit ones).
    const WIDTHS: [u32; 2] = [u16::MAX as u32, u32::MAX];

    #[test]
    fn a_deadline_fires_on_time_across_the_wrap_for_every_tick_width() {
        for max in WIDTHS {
            // Made 5 ticks before the wrap, as after 49.7 days at 1 kHz
            // with 32-bit ticks.
            let clock = FakeTicks::new(max - 5, max, 1000);
            let deadline = TickDeadline::after_ms(&clock, 10);
            clock.advance(9); // wrapped: now 3
            assert_eq!(clock.count(), 3);
            assert!(!deadline.expired(&clock), "max {max:#x}: 9 of 10 ticks");
            clock.advance(1);
            assert!(deadline.expired(&clock), "max {max:#x}: 10 of 10 ticks");
            clock.advance(1000);
            assert!(deadline.expired(&clock), "max {max:#x}: long after");
        }
    }

    #[test]
    fn a_deadline_longer_than_the_counter_period_still_fires() {
        // 16-bit ticks at 1 kHz wrap after 65.5 s; a 100 s bound is cut to
        // the period rather than never reached.
        let max = u32::from(u16::MAX);
        let clock = FakeTicks::new(0, max, 1000);
        let deadline = TickDeadline::after_ms(&clock, 100_000);
        clock.advance(max - 1);
        assert!(!deadline.expired(&clock));
        clock.advance(1);
        assert!(deadline.expired(&clock));
    }

    #[test]
    fn a_stamp_ages_in_whole_seconds_across_the_wrap() {
        let clock = FakeTicks::new(u32::MAX - 50, u32::MAX, 100);
        let stamp = TickStamp::now(&clock);
        clock.advance(99);
        assert_eq!(stamp.elapsed_s(&clock), 0);
        clock.advance(1);
        assert_eq!(stamp.elapsed_s(&clock), 1);
        clock.advance(100 * 3600);
        assert_eq!(stamp.elapsed_s(&clock), 3601);
        // The horizon is the period: 2^32 ticks at 100 Hz, 497 days.
        assert_eq!(horizon_s(&clock), 42_949_672);
    }

    #[test]
    fn ticks_round_up_and_stay_within_the_counter() {
        assert_eq!(ticks_for_ms(1, 100, u32::MAX), 1); // 0.1 tick -> 1
        assert_eq!(ticks_for_ms(15, 100, u32::MAX), 2); // 1.5 ticks -> 2
        assert_eq!(ticks_for_ms(20, 100, u32::MAX), 2);
        assert_eq!(ticks_for_ms(0, 1000, u32::MAX), 1);
        assert_eq!(ticks_for_ms(u32::MAX, 10_000, u32::MAX), u32::MAX);
        assert_eq!(ticks_for_ms(70_000, 1000, u32::from(u16::MAX)), u32::from(u16::MAX));
        assert_eq!(ticks_for_ms(1001, 100, u32::MAX), 101); // 100.1 -> 101
    }

    #[test]
    fn ticks_convert_to_milliseconds_without_overflow() {
        let ms = |count, rate_hz| ms_now(&FakeTicks::new(count, u32::MAX, rate_hz));
        assert_eq!(ms(1500, 1000), 1500);
        assert_eq!(ms(3, 100), 30);
        assert_eq!(ms(1, 3), 333);
        // The last count of a 32-bit counter: the next one is 0.
        assert_eq!(ms(u32::MAX, 1000), 4_294_967_295);
        assert_eq!(ms(u32::MAX, 1), 4_294_967_295_000);
    }

    #[test]
    fn the_host_deadline_is_not_expired_before_its_bound_and_is_after() {
        let start = std::time::Instant::now();
        let deadline = Deadline::after_ms(50);
        // Checked only while less than the bound has surely passed.
        if start.elapsed() < core::time::Duration::from_millis(40) {
            assert!(!deadline.expired());
        }
        std::thread::sleep(core::time::Duration::from_millis(60));
        assert!(deadline.expired());
    }

    #[test]
    fn the_host_stamp_never_runs_ahead_of_the_time_that_passed() {
        let stamp = Stamp::now().expect("std has a monotonic clock");
        let start = std::time::Instant::now();
        std::thread::sleep(core::time::Duration::from_millis(1100));
        let aged = stamp.elapsed_s();
        assert!(aged >= 1, "1.1 s passed, the stamp says {aged} s");
        assert!(aged <= start.elapsed().as_secs() + 1);
        assert_eq!(stamp_horizon_s(), u64::MAX);
    }

    #[test]
    fn host_milliseconds_do_not_go_backwards() {
        let a = monotonic_ms();
        std::thread::sleep(core::time::Duration::from_millis(5));
        let b = monotonic_ms();
        assert!(b >= a + 5, "{a} then {b}");
    }
}
