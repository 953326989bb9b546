//! Bounded waiting: every poll loop in a port goes through [`poll`], which
//! gives up after a fixed number of polls, pausing between them with an
//! `embedded-hal` 1.0 [`DelayNs`].

use crate::EntropyError;
use embedded_hal::delay::DelayNs;

/// How long a port waits for its peripheral: at most `max_polls` polls,
/// `interval_ns` apart, so the timeout is about `max_polls * interval_ns`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitPolicy {
    pub max_polls: u32,
    pub interval_ns: u32,
}

impl WaitPolicy {
    pub const fn new(max_polls: u32, interval_ns: u32) -> Self {
        WaitPolicy { max_polls, interval_ns }
    }
}

/// A delay with no timer: `ns` spin-loop iterations, which lasts at least
/// `ns` nanoseconds on a core clocked at up to 1 GHz (every MCU here). The
/// bound that matters, the poll count, holds whatever the clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct Spin;

impl DelayNs for Spin {
    fn delay_ns(&mut self, ns: u32) {
        for _ in 0..ns {
            core::hint::spin_loop();
        }
    }
}

/// Poll `check` until it yields a value or an error, at most
/// `policy.max_polls` times; [`EntropyError::Timeout`] after that.
pub fn poll<T, D: DelayNs>(
    delay: &mut D,
    policy: WaitPolicy,
    mut check: impl FnMut() -> Result<Option<T>, EntropyError>,
) -> Result<T, EntropyError> {
    for attempt in 0..policy.max_polls {
        if let Some(value) = check()? {
            return Ok(value);
        }
        if attempt + 1 < policy.max_polls {
            delay.delay_ns(policy.interval_ns);
        }
    }
    Err(EntropyError::Timeout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::RecordingDelay;

    #[test]
    fn gives_up_after_max_polls_having_waited_the_timeout() {
        let mut delay = RecordingDelay::default();
        let mut polls = 0;
        let r: Result<(), _> = poll(&mut delay, WaitPolicy::new(10, 1_000), || {
            polls += 1;
            Ok(None)
        });
        assert_eq!(r, Err(EntropyError::Timeout));
        assert_eq!(polls, 10);
        assert_eq!(delay.total_ns, 9_000);
    }

    #[test]
    fn returns_as_soon_as_ready_and_passes_errors_through() {
        let mut delay = RecordingDelay::default();
        let mut polls = 0;
        let r = poll(&mut delay, WaitPolicy::new(10, 5), || {
            polls += 1;
            Ok((polls == 3).then_some(polls))
        });
        assert_eq!(r, Ok(3));
        assert_eq!(delay.total_ns, 10);
        let r: Result<(), _> = poll(&mut delay, WaitPolicy::new(10, 5), || Err(EntropyError::SeedError));
        assert_eq!(r, Err(EntropyError::SeedError));
    }
}
