//! NIST SP 800-90B health tests on raw samples, and [`HealthTested`], which
//! puts them between any [`NoiseSource`] and its users.
//!
//! - Repetition Count Test (§4.4.1) and Adaptive Proportion Test (§4.4.2) on
//!   every sample, with cutoffs from [`cutoff`] (α = 2^-40).
//! - Start-up test (§4.3, requirement 9): the same two tests over the first
//!   [`STARTUP_SAMPLES`] samples, which are then discarded.
//! - A failure latches: a source that failed once gives nothing more until
//!   [`HealthTested::restart`] (which re-runs the start-up test).

mod bytes;
pub mod cutoff;

use crate::{EntropyError, EntropySource, NoiseSource};
use zeroize::Zeroize;

/// Samples run through the tests and discarded before any output.
pub const STARTUP_SAMPLES: u32 = 1024;

/// Repetition Count Test: fails on `cutoff` identical samples in a row.
#[derive(Debug)]
pub struct RepetitionCountTest {
    cutoff: u32,
    last: u32,
    run: u32,
}

impl RepetitionCountTest {
    pub const fn new(cutoff: u32) -> Self {
        RepetitionCountTest { cutoff, last: 0, run: 0 }
    }

    /// Feed one sample; `false` means the test failed.
    #[inline]
    pub fn feed(&mut self, sample: u32) -> bool {
        if self.run > 0 && sample == self.last {
            self.run += 1;
        } else {
            self.last = sample;
            self.run = 1;
        }
        self.run < self.cutoff
    }

    fn reset(&mut self) {
        self.last.zeroize();
        self.run = 0;
    }
}

/// Adaptive Proportion Test: in each window of `window` samples, fails when
/// the window's first sample occurs `cutoff` times.
#[derive(Debug)]
pub struct AdaptiveProportionTest {
    cutoff: u32,
    window: u32,
    first: u32,
    count: u32,
    seen: u32,
}

impl AdaptiveProportionTest {
    pub const fn new(cutoff: u32, window: u32) -> Self {
        AdaptiveProportionTest { cutoff, window, first: 0, count: 0, seen: 0 }
    }

    /// Feed one sample; `false` means the test failed.
    #[inline]
    pub fn feed(&mut self, sample: u32) -> bool {
        if self.seen == 0 {
            self.first = sample;
            self.count = 1;
        } else if sample == self.first {
            self.count += 1;
        }
        self.seen += 1;
        let ok = self.count < self.cutoff;
        if self.seen == self.window {
            self.seen = 0;
        }
        ok
    }

    fn reset(&mut self) {
        self.first.zeroize();
        self.count = 0;
        self.seen = 0;
    }
}

/// Cutoffs for a source with declared min-entropy `h` bits per sample of
/// `sample_bits` bits, at α = 2^-[`cutoff::ALPHA_LOG2`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cutoffs {
    pub rct: u32,
    pub apt: u32,
    pub apt_window: u32,
}

impl Cutoffs {
    pub const fn for_source(sample_bits: u32, h: f64) -> Self {
        assert!(sample_bits == 8 || sample_bits == 16 || sample_bits == 32, "samples are 8, 16 or 32 bits");
        assert!(h <= sample_bits as f64, "min-entropy above the sample width");
        let window = cutoff::apt_window(sample_bits);
        Cutoffs {
            rct: cutoff::rct_cutoff(h, cutoff::ALPHA_LOG2),
            apt: cutoff::apt_cutoff(h, window, cutoff::ALPHA_LOG2),
            apt_window: window,
        }
    }
}

/// Which test rejected the samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    RepetitionCount,
    AdaptiveProportion,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Start-up test running; this many samples still to test and discard.
    StartingUp(u32),
    Running,
    Failed(Failure),
}

/// A [`NoiseSource`] behind SP 800-90B health tests: an [`EntropySource`]
/// whose bytes are the low `SAMPLE_BITS` of tested samples, little-endian.
pub struct HealthTested<S: NoiseSource> {
    source: S,
    rct: RepetitionCountTest,
    apt: AdaptiveProportionTest,
    state: State,
}

impl<S: NoiseSource> HealthTested<S> {
    /// The cutoffs this source is tested with (computed at compile time).
    pub const CUTOFFS: Cutoffs = Cutoffs::for_source(S::SAMPLE_BITS, S::MIN_ENTROPY);
    /// Output bytes per critical section for this source (see
    /// [`NoiseSource::BYTES_PER_SECTION`]).
    pub const SECTION_BYTES: usize = S::BYTES_PER_SECTION;
    const SAMPLE_BYTES: usize = (S::SAMPLE_BITS / 8) as usize;
    const SAMPLE_MASK: u32 = if S::SAMPLE_BITS == 32 { u32::MAX } else { (1 << S::SAMPLE_BITS) - 1 };

    pub const fn new(source: S) -> Self {
        let c = Self::CUTOFFS;
        HealthTested {
            source,
            rct: RepetitionCountTest::new(c.rct),
            apt: AdaptiveProportionTest::new(c.apt, c.apt_window),
            state: State::StartingUp(STARTUP_SAMPLES),
        }
    }

    /// Clear a latched failure and run the start-up test again.
    pub fn restart(&mut self) {
        self.rct.reset();
        self.apt.reset();
        self.state = State::StartingUp(STARTUP_SAMPLES);
    }

    /// The test that failed, if any (output is then refused).
    pub fn failure(&self) -> Option<Failure> {
        match self.state {
            State::Failed(f) => Some(f),
            _ => None,
        }
    }

    pub fn source_mut(&mut self) -> &mut S {
        &mut self.source
    }

    /// Run both tests on `sample`; latches `Failed` if either rejects it.
    #[inline]
    fn check(&mut self, sample: u32) -> Result<(), EntropyError> {
        // Both tests see every sample, even when the first one already failed.
        let rct_ok = self.rct.feed(sample);
        let apt_ok = self.apt.feed(sample);
        if rct_ok && apt_ok {
            return Ok(());
        }
        let failure = if rct_ok { Failure::AdaptiveProportion } else { Failure::RepetitionCount };
        self.state = State::Failed(failure);
        Err(EntropyError::HealthTestFailed)
    }

    /// [`check`](Self::check) on every whole sample of `bytes`. Byte samples
    /// take the word-at-a-time path when nothing fails in them.
    fn check_all(&mut self, bytes: &[u8]) -> Result<(), EntropyError> {
        if Self::SAMPLE_BYTES == 1 && bytes::advance_if_passing(&mut self.rct, &mut self.apt, bytes) {
            return Ok(());
        }
        bytes
            .chunks_exact(Self::SAMPLE_BYTES)
            .try_for_each(|sample| self.check(sample.iter().rev().fold(0, |word, &b| (word << 8) | u32::from(b))))
    }

    /// One sample that passed both tests; latches `Failed` otherwise.
    fn tested_sample(&mut self) -> Result<u32, EntropyError> {
        let sample = self.source.sample()? & Self::SAMPLE_MASK;
        self.check(sample)?;
        Ok(sample)
    }

    /// Run at most `max_samples` more samples of the start-up test;
    /// `Ok(true)` once it is complete. Lets a caller that holds a critical
    /// section per call keep interrupt latency bounded on slow sources.
    pub fn start_up_step(&mut self, max_samples: u32) -> Result<bool, EntropyError> {
        let mut budget = max_samples;
        loop {
            match self.state {
                State::Failed(_) => return Err(EntropyError::HealthTestFailed),
                State::Running => return Ok(true),
                State::StartingUp(0) => self.state = State::Running,
                State::StartingUp(_) if budget == 0 => return Ok(false),
                State::StartingUp(remaining) => {
                    let mut discarded = self.tested_sample()?;
                    discarded.zeroize();
                    self.state = State::StartingUp(remaining - 1);
                    budget -= 1;
                }
            }
        }
    }

    /// One bounded piece of work, for a caller that holds a critical
    /// section per call: while the start-up test runs, at most
    /// `start_up_budget` of its samples (`Ok(false)`: nothing written, call
    /// again); once it is complete, all of `out` (`Ok(true)`). Start-up
    /// samples and output never share a call. On error `out` is wiped.
    pub fn fill_section(&mut self, out: &mut [u8], start_up_budget: u32) -> Result<bool, EntropyError> {
        let result = match self.state {
            State::Running if S::READS_IN_BULK => self.fill_bulk(out).map(|()| true),
            State::Running => self.fill_sample_by_sample(out).map(|()| true),
            _ => self.start_up_step(start_up_budget).map(|_| false),
        };
        if result.is_err() {
            out.zeroize();
        }
        result
    }

    fn fill_sample_by_sample(&mut self, out: &mut [u8]) -> Result<(), EntropyError> {
        for chunk in out.chunks_mut(Self::SAMPLE_BYTES) {
            let mut sample = self.tested_sample()?;
            for byte in chunk {
                *byte = sample as u8;
                sample >>= 8;
            }
            // A short last chunk drops the sample's remaining bytes: never reused.
            sample.zeroize();
        }
        Ok(())
    }

    fn fill_bulk(&mut self, out: &mut [u8]) -> Result<(), EntropyError> {
        let whole = out.len() - out.len() % Self::SAMPLE_BYTES;
        let (body, tail) = out.split_at_mut(whole);
        // Whole samples in one read, tested in place; on a failure the
        // caller wipes `out`, so an untested or rejected sample never leaves.
        self.source.read_samples(body)?;
        self.check_all(body)?;
        if !tail.is_empty() {
            let mut bytes = self.tested_sample()?.to_le_bytes();
            tail.copy_from_slice(&bytes[..tail.len()]);
            bytes.zeroize();
        }
        Ok(())
    }
}

impl<S: NoiseSource> EntropySource for HealthTested<S> {
    /// The whole start-up test first if it has not run, then `out`; on
    /// error `out` is wiped.
    fn fill(&mut self, out: &mut [u8]) -> Result<(), EntropyError> {
        while !self.fill_section(out, u32::MAX)? {}
        Ok(())
    }
}

impl<S: NoiseSource> Drop for HealthTested<S> {
    fn drop(&mut self) {
        // The tests hold recent output samples.
        self.rct.reset();
        self.apt.reset();
    }
}

#[cfg(test)]
mod tests;
