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

    /// The block, e.g. to read a diagnostic register.
    pub fn block(&self) -> &B {
        &self.block
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
        loop {
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
    }
}

impl<B: RngBlock, D: DelayNs> Drop for Driver<B, D> {
    fn drop(&mut self) {
        self.words.zeroize();
    }
}
