//! The polling loop every peripheral port shares.
//!
//! Each vendor RNG is driven the same way: bring the block up, wait a
//! bounded time for data, read it, and when the block reports a fault,
//! restart it a bounded number of times before reporting a typed error. A
//! port never hands out a word the block marked bad, and never waits
//! without a bound. [`Driver`] is that loop, written once; a vendor module
//! implements [`RngBlock`]: how its block starts, says it is ready or
//! faulty, is read, and recovers. `HealthTested<Driver<_>>` then runs the
//! SP 800-90B tests on every word, as for any [`NoiseSource`].

use crate::wait::{poll, Spin, WaitPolicy};
use crate::{EntropyError, NoiseSource};
use embedded_hal::delay::DelayNs;
use zeroize::Zeroize;

/// What one look at a block's status registers says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Data can be read now ([`RngBlock::read`]).
    Ready,
    /// No data yet: poll again after the wait interval.
    Busy,
    /// No data, because of a condition the block clears by itself (an
    /// out-of-range clock): poll again; if the wait runs out, report this
    /// error rather than [`EntropyError::Timeout`].
    Stalled(EntropyError),
    /// The block reports a fault.
    Fault(Fault),
}

/// A fault a block reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Cured by [`RngBlock::restart`]: tried up to
    /// [`RngBlock::MAX_RESTARTS`] times per sample, then reported.
    Restart(EntropyError),
    /// Not curable by software (only a reset clears it): reported at once.
    Fatal(EntropyError),
}

impl Fault {
    /// The error reported for this fault.
    pub const fn error(self) -> EntropyError {
        match self {
            Fault::Restart(e) | Fault::Fatal(e) => e,
        }
    }
}

/// The words one read of a block yields: `[u32; N]` (1 for a data
/// register, more for a bank read as a whole).
pub trait Words: AsRef<[u32]> + AsMut<[u32]> + Zeroize {
    /// How many words.
    const LEN: usize;
    /// All zero.
    const ZERO: Self;
}

impl<const N: usize> Words for [u32; N] {
    const LEN: usize = N;
    const ZERO: Self = [0; N];
}

/// One vendor RNG block, as [`Driver`] drives it.
pub trait RngBlock {
    /// Significant low bits of each word (see [`NoiseSource::SAMPLE_BITS`]).
    const SAMPLE_BITS: u32;
    /// Declared min-entropy per word (see [`NoiseSource::MIN_ENTROPY`]).
    const MIN_ENTROPY: f64;
    /// Restarts tried after [`Fault::Restart`] within one sample.
    const MAX_RESTARTS: u32 = 0;
    /// The first read after [`start`](Self::start) or
    /// [`restart`](Self::restart) is not used (the manual says so).
    const DISCARD_FIRST_READ: bool = false;

    /// What one read yields.
    type Words: Words;

    /// Configure and start the block. Called before the first sample, after
    /// a reported error, and whenever [`is_running`](Self::is_running) says no.
    fn start(&mut self);

    /// Whether the block still runs as `start` left it; asked before every
    /// sample, for blocks that other code (a low-power driver) may turn off.
    /// The default trusts the block to keep running.
    fn is_running(&self) -> bool {
        true
    }

    /// Look at the status once. May clear flags the manual says to clear on
    /// the way (interrupt flags of transient conditions).
    fn status(&mut self) -> Status;

    /// Read the ready data into `words`. `Ok(false)`: the block says the
    /// read was not valid; keep polling within the same bound. On a fault
    /// or `Ok(false)` the driver wipes `words`.
    fn read(&mut self, words: &mut Self::Words) -> Result<bool, Fault>;

    /// Recover from a [`Fault::Restart`]: clear the fault and start again.
    /// Blocks that report no such fault keep the default.
    fn restart(&mut self) {
        self.start();
    }
}

/// A vendor RNG block driven by the shared loop: a [`NoiseSource`].
pub struct Driver<B: RngBlock, D: DelayNs = Spin> {
    block: B,
    delay: D,
    wait: WaitPolicy,
    started: bool,
    /// The current start's discarded first read is done.
    warmed_up: bool,
    words: B::Words,
    /// Index of the next word of `words` to hand out (`LEN`: none left).
    next: usize,
}

impl<B: RngBlock, D: DelayNs> Driver<B, D> {
    /// Drive `block`, waiting per `wait` with `delay` between polls.
    pub const fn new(block: B, delay: D, wait: WaitPolicy) -> Self {
        Driver { block, delay, wait, started: false, warmed_up: false, words: B::Words::ZERO, next: B::Words::LEN }
    }

    /// The words of the last read, handed-out ones wiped.
    #[cfg(test)]
    pub(crate) fn buffered_words(&self) -> &[u32] {
        self.words.as_ref()
    }

    fn take_word(&mut self) -> Option<u32> {
        let word = self.words.as_mut().get_mut(self.next).map(core::mem::take)?;
        self.next += 1;
        Some(word)
    }

    /// One bounded wait and read.
    fn collect(&mut self) -> Result<(), Fault> {
        let (block, words) = (&mut self.block, &mut self.words);
        let mut stalled = None;
        let mut fault = None;
        let result = poll(&mut self.delay, self.wait, || {
            stalled = None;
            let outcome = match block.status() {
                Status::Ready => match block.read(words) {
                    Ok(true) => return Ok(Some(())),
                    Ok(false) => Ok(None),
                    Err(f) => Err(f),
                },
                Status::Busy => return Ok(None),
                Status::Stalled(e) => {
                    stalled = Some(e);
                    return Ok(None);
                }
                Status::Fault(f) => Err(f),
            };
            words.zeroize();
            outcome.map_err(|f| {
                fault = Some(f);
                f.error()
            })
        });
        result.map_err(|timeout| fault.unwrap_or(Fault::Fatal(stalled.unwrap_or(timeout))))
    }
}

impl<B: RngBlock, D: DelayNs> NoiseSource for Driver<B, D> {
    const SAMPLE_BITS: u32 = B::SAMPLE_BITS;
    const MIN_ENTROPY: f64 = B::MIN_ENTROPY;

    fn sample(&mut self) -> Result<u32, EntropyError> {
        if let Some(word) = self.take_word() {
            return Ok(word);
        }
        let mut restarts = 0;
        // Each start or restart costs at most two collections (a discarded
        // first read, then the word or a fault), so a block that behaves
        // returns within this bound; one that keeps stopping does not.
        for _ in 0..2 * (B::MAX_RESTARTS + 1) {
            if !self.started || !self.block.is_running() {
                self.block.start();
                self.started = true;
                self.warmed_up = !B::DISCARD_FIRST_READ;
            }
            match self.collect() {
                Ok(()) if self.warmed_up => {
                    self.next = 0;
                    return self.take_word().ok_or(EntropyError::Unavailable);
                }
                Ok(()) => {
                    self.words.zeroize();
                    self.warmed_up = true;
                }
                Err(Fault::Restart(_)) if restarts < B::MAX_RESTARTS => {
                    restarts += 1;
                    self.block.restart();
                    self.warmed_up = !B::DISCARD_FIRST_READ;
                }
                Err(fault) => {
                    // Start from scratch next time: the block's state is unknown.
                    self.started = false;
                    return Err(fault.error());
                }
            }
        }
        self.started = false;
        Err(EntropyError::Unavailable)
    }
}

impl<B: RngBlock, D: DelayNs> Drop for Driver<B, D> {
    fn drop(&mut self) {
        self.words.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::RecordingDelay;
    use std::collections::VecDeque;
    use std::vec::Vec;

    /// A block that answers from a script: each look at the status takes
    /// the next entry; a `Ready` entry carries the word (or the read's fault).
    #[derive(Default)]
    struct Scripted {
        looks: VecDeque<Look>,
        starts: u32,
        restarts: u32,
        /// `is_running` answers false this many more times.
        stopped_for: u32,
    }

    #[derive(Clone, Copy)]
    enum Look {
        Word(u32),
        Invalid,
        ReadFault(Fault),
        Status(Status),
    }

    impl Scripted {
        fn new(looks: impl IntoIterator<Item = Look>) -> Self {
            Scripted { looks: looks.into_iter().collect(), ..Scripted::default() }
        }
    }

    impl RngBlock for Scripted {
        const SAMPLE_BITS: u32 = 32;
        const MIN_ENTROPY: f64 = 16.0;
        const MAX_RESTARTS: u32 = 2;
        type Words = [u32; 2];

        fn start(&mut self) {
            self.starts += 1;
        }

        fn is_running(&self) -> bool {
            self.stopped_for == 0
        }

        fn status(&mut self) -> Status {
            self.stopped_for = self.stopped_for.saturating_sub(1);
            match self.looks.front() {
                Some(Look::Status(s)) => {
                    let s = *s;
                    self.looks.pop_front();
                    s
                }
                Some(_) => Status::Ready,
                None => Status::Busy,
            }
        }

        fn read(&mut self, words: &mut [u32; 2]) -> Result<bool, Fault> {
            words.fill(0xAAAA_AAAA);
            match self.looks.pop_front() {
                Some(Look::Word(w)) => {
                    *words = [w, w + 1];
                    Ok(true)
                }
                Some(Look::Invalid) => Ok(false),
                Some(Look::ReadFault(f)) => Err(f),
                _ => unreachable!(),
            }
        }

        fn restart(&mut self) {
            self.restarts += 1;
        }
    }

    fn driver(block: Scripted, polls: u32) -> Driver<Scripted, RecordingDelay> {
        Driver::new(block, RecordingDelay::default(), WaitPolicy::new(polls, 10))
    }

    #[test]
    fn words_of_one_read_are_handed_out_in_order_then_wiped() {
        let mut d = driver(Scripted::new([Look::Word(10), Look::Word(20)]), 5);
        let got: Vec<u32> = (0..4).map(|_| d.sample().unwrap()).collect();
        assert_eq!(got, [10, 11, 20, 21]);
        assert_eq!(d.buffered_words(), [0, 0]);
        assert_eq!(d.block.starts, 1);
    }

    #[test]
    fn busy_and_invalid_reads_share_one_bounded_wait() {
        let busy = Look::Status(Status::Busy);
        let mut d = driver(Scripted::new([busy, Look::Invalid, busy, Look::Word(7)]), 4);
        assert_eq!(d.sample(), Ok(7));
        let mut d = driver(Scripted::new([busy, Look::Invalid, busy, Look::Word(7)]), 3);
        assert_eq!(d.sample(), Err(EntropyError::Timeout), "four looks do not fit in three polls");
        assert_eq!(d.delay.calls, 2, "no pause after the last poll");
    }

    #[test]
    fn a_stall_that_outlasts_the_wait_is_reported_as_itself() {
        let stalled = Look::Status(Status::Stalled(EntropyError::ClockError));
        let mut d = driver(Scripted::new([stalled; 3]), 3);
        assert_eq!(d.sample(), Err(EntropyError::ClockError));
        let mut d = driver(Scripted::new([stalled, stalled, Look::Word(1)]), 3);
        assert_eq!(d.sample(), Ok(1), "a stall that clears in time is no error");
    }

    #[test]
    fn restartable_faults_restart_up_to_the_bound_then_are_reported() {
        let seed = Fault::Restart(EntropyError::SeedError);
        let mut d = driver(Scripted::new([Look::Status(Status::Fault(seed)), Look::ReadFault(seed), Look::Word(3)]), 5);
        assert_eq!(d.sample(), Ok(3));
        assert_eq!(d.block.restarts, 2);
        let mut d = driver(Scripted::new([Look::ReadFault(seed); 3]), 5);
        assert_eq!(d.sample(), Err(EntropyError::SeedError));
        assert_eq!(d.block.restarts, Scripted::MAX_RESTARTS);
        assert_eq!(d.buffered_words(), [0, 0], "the faulty read is wiped");
        assert!(!d.started, "started again next time");
    }

    #[test]
    fn fatal_faults_are_reported_at_once() {
        let fatal = Fault::Fatal(EntropyError::SeedError);
        let mut d = driver(Scripted::new([Look::Status(Status::Fault(fatal)), Look::Word(1)]), 5);
        assert_eq!(d.sample(), Err(EntropyError::SeedError));
        assert_eq!(d.block.restarts, 0);
        assert_eq!(d.sample(), Ok(1));
        assert_eq!(d.block.starts, 2, "started again after the error");
    }

    #[test]
    fn the_first_read_after_each_start_is_discarded_when_asked() {
        let seed = Fault::Restart(EntropyError::SeedError);
        let block = Scripted::new([Look::Word(1), Look::ReadFault(seed), Look::Word(2), Look::Word(3)]);
        let mut d = Driver::new(Discarding(block), RecordingDelay::default(), WaitPolicy::new(5, 10));
        assert_eq!(d.sample(), Ok(3), "1 discarded after start, 2 after the restart");
    }

    #[test]
    fn a_block_that_keeps_stopping_fails_within_a_bound() {
        let block = Scripted { stopped_for: u32::MAX, ..Scripted::new((0..100).map(Look::Word)) };
        let mut d = Driver::new(Discarding(block), RecordingDelay::default(), WaitPolicy::new(5, 10));
        assert_eq!(d.sample(), Err(EntropyError::Unavailable));
        assert_eq!(d.block.0.starts, 2 * (Scripted::MAX_RESTARTS + 1));
    }

    /// [`Scripted`] with `DISCARD_FIRST_READ`.
    struct Discarding(Scripted);

    impl RngBlock for Discarding {
        const SAMPLE_BITS: u32 = 32;
        const MIN_ENTROPY: f64 = 16.0;
        const MAX_RESTARTS: u32 = Scripted::MAX_RESTARTS;
        const DISCARD_FIRST_READ: bool = true;
        type Words = [u32; 2];

        fn start(&mut self) {
            self.0.start();
        }

        fn is_running(&self) -> bool {
            self.0.is_running()
        }

        fn status(&mut self) -> Status {
            self.0.status()
        }

        fn read(&mut self, words: &mut [u32; 2]) -> Result<bool, Fault> {
            self.0.read(words)
        }

        fn restart(&mut self) {
            self.0.restart();
        }
    }
}
