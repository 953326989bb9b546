//! STM32 RNG (F4, F7, L4): the AHB2 true random number generator.
//!
//! Source: ST RM0090 (STM32F405/415, F407/417, F42x/43x) ch. 24 "Random
//! number generator (RNG)", §24.3 functional description and §24.4 registers;
//! RM0385 (STM32F75x/74x) ch. 22 "True random number generator (RNG)";
//! RM0351 (STM32L4x5/x6) ch. 27 "True random number generator (RNG)",
//! §27.3.7 "Error management". The register block is the same on all three:
//!
//! | offset | register | bits used |
//! |---|---|---|
//! | 0x00 | RNG_CR | RNGEN (2); L4 also CED (5): 0 = clock error detection on, left 0 |
//! | 0x04 | RNG_SR | DRDY (0), CECS (1), SECS (2), CEIS (5, rc_w0), SEIS (6, rc_w0) |
//! | 0x08 | RNG_DR | 32-bit random word, valid when DRDY = 1 |
//!
//! Base address 0x5006_0800 on F4, F7 and L4 (AHB2). The board must enable
//! the RNG's bus clock (RCC AHB2ENR) and its 48 MHz kernel clock first;
//! without them DRDY never rises and [`Stm32Rng`] times out.
//!
//! Error handling, as the manuals prescribe:
//! - seed error (SECS/SEIS): RNG_DR must not be used; clear SEIS by writing
//!   0, then clear and set RNGEN to restart the generator;
//! - clock error (CECS/CEIS): clear CEIS; the RNG resumes by itself once
//!   the clock is right (CECS clears), so we keep polling within the bound;
//! - RM0090 §24.3.1 (FIPS 140-2 continuous test): the first word after
//!   setting RNGEN is not used, and a word equal to the previous one is a
//!   failure; we treat it like a seed error and restart.
//!
//! Declared min-entropy: 16 bits per 32-bit word. The output is the
//! peripheral's post-processed value and ST gives no min-entropy for these
//! families (AN4230 only reports statistical tests), so we claim half.

use crate::driver::{Driver, Fault, RngBlock, Status};
use crate::regs::{Block, Mmio, Reg, Registers};
use crate::wait::{Spin, WaitPolicy};
use crate::EntropyError;
use zeroize::Zeroize;

/// RNG base address on STM32F4, STM32F7 and STM32L4.
pub const BASE_F4_F7_L4: usize = 0x5006_0800;

/// The RNG register block (RNG_CR, RNG_SR, RNG_DR).
#[derive(Debug, PartialEq, Eq)]
pub enum RngRegisters {}

impl Block for RngRegisters {
    const SIZE: usize = 0x0C;
}

const CR: Reg<RngRegisters, u32> = Reg::at(0x00);
const SR: Reg<RngRegisters, u32> = Reg::at(0x04);
const DR: Reg<RngRegisters, u32> = Reg::at(0x08);

const CR_RNGEN: u32 = 1 << 2;
const SR_DRDY: u32 = 1 << 0;
const SR_CECS: u32 = 1 << 1;
const SR_SECS: u32 = 1 << 2;
const SR_CEIS: u32 = 1 << 5;
const SR_SEIS: u32 = 1 << 6;

/// Restarts tried after seed errors in one `sample` call before giving up.
const MAX_RESTARTS: u32 = 3;

/// A new word takes 40-46 RNG clock cycles (RM0090 §24.3.1); at 48 MHz that
/// is about 1 µs. 10 000 polls at 1 µs give ~10 ms, far above that.
pub const DEFAULT_WAIT: WaitPolicy = WaitPolicy::new(10_000, 1_000);

/// The STM32 RNG peripheral.
pub type Stm32Rng<R = Mmio<RngRegisters>, D = Spin> = Driver<Stm32Block<R>, D>;

impl Stm32Rng {
    /// The RNG at [`BASE_F4_F7_L4`], polling with a spin loop.
    ///
    /// # Safety
    /// Only on an STM32F4/F7/L4 with an RNG, and only one instance.
    pub const unsafe fn new_default() -> Self {
        // SAFETY: forwarded to the caller.
        Driver::new(Stm32Block::new(unsafe { Mmio::new(BASE_F4_F7_L4) }), Spin, DEFAULT_WAIT)
    }
}

/// How the STM32 RNG starts, reports and recovers ([`RngBlock`]).
pub struct Stm32Block<R: Registers<RngRegisters>> {
    regs: R,
    /// The last word read, for the manual's comparison with the next one.
    previous: Option<u32>,
}

impl<R: Registers<RngRegisters>> Stm32Block<R> {
    pub const fn new(regs: R) -> Self {
        Stm32Block { regs, previous: None }
    }
}

impl<R: Registers<RngRegisters>> RngBlock for Stm32Block<R> {
    const SAMPLE_BITS: u32 = 32;
    const MIN_ENTROPY: f64 = 16.0;
    const MAX_RESTARTS: u32 = MAX_RESTARTS;
    const DISCARD_FIRST_READ: bool = true;
    type Words = [u32; 1];

    fn start(&mut self) {
        if self.regs.read32(CR) & CR_RNGEN == 0 {
            self.regs.write32(CR, self.regs.read32(CR) | CR_RNGEN);
        }
    }

    fn status(&mut self) -> Status {
        let sr = self.regs.read32(SR);
        if sr & (SR_SECS | SR_SEIS) != 0 {
            return Status::Fault(Fault::Restart(EntropyError::SeedError));
        }
        if sr & SR_CEIS != 0 {
            // rc_w0: writing 1 leaves the other flag alone.
            self.regs.write32(SR, !SR_CEIS);
        }
        if sr & SR_CECS != 0 {
            Status::Stalled(EntropyError::ClockError)
        } else if sr & SR_DRDY == 0 {
            Status::Busy
        } else {
            Status::Ready
        }
    }

    fn read(&mut self, words: &mut [u32; 1]) -> Result<bool, Fault> {
        let word = self.regs.read32(DR);
        if self.previous == Some(word) {
            return Err(Fault::Restart(EntropyError::SeedError));
        }
        self.previous = Some(word);
        words[0] = word;
        Ok(true)
    }

    fn restart(&mut self) {
        self.regs.write32(SR, !SR_SEIS);
        self.regs.write32(CR, self.regs.read32(CR) & !CR_RNGEN);
        self.regs.write32(CR, self.regs.read32(CR) | CR_RNGEN);
        self.previous = None;
    }
}

impl<R: Registers<RngRegisters>> Drop for Stm32Block<R> {
    fn drop(&mut self) {
        // The last word handed out, kept for the manual's comparison.
        if let Some(word) = self.previous.as_mut() {
            word.zeroize();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{assert_lengths_right, random_seed, RecordingDelay, SampleLog, SplitMix64};
    use crate::{EntropySource, HealthTested, NoiseSource};
    use embedded_hal::delay::DelayNs;
    use std::boxed::Box;
    use std::cell::{Cell, RefCell};
    use std::vec::Vec;

    /// The RNG as RM0090 describes it: DRDY `ready_after` status reads after
    /// enable or after each DR read; seed and clock errors on demand.
    struct SimRng {
        cr: Cell<u32>,
        sr: Cell<u32>,
        polls_until_ready: Cell<u32>,
        ready_after: u32,
        rng: RefCell<SplitMix64>,
        stuck_value: Option<u32>,
        /// Seed errors to raise instead of producing these words (1-based).
        seed_error_at: RefCell<Vec<u32>>,
        /// Log length at each enable: the index of the first word after it.
        enable_marks: RefCell<Vec<usize>>,
        /// A seed error that survives restarts (a dead noise source).
        permanent_seed_error: bool,
        /// Status reads for which the clock stays wrong (`u32::MAX`: forever).
        clock_error_polls: Cell<u32>,
        reads: Cell<u32>,
        enables: Cell<u32>,
        log: SampleLog,
    }

    impl SimRng {
        fn new(ready_after: u32) -> Self {
            SimRng {
                cr: Cell::new(0),
                sr: Cell::new(0),
                polls_until_ready: Cell::new(u32::MAX),
                ready_after,
                rng: RefCell::new(SplitMix64::new(random_seed())),
                stuck_value: None,
                seed_error_at: RefCell::new(Vec::new()),
                enable_marks: RefCell::new(Vec::new()),
                permanent_seed_error: false,
                clock_error_polls: Cell::new(0),
                reads: Cell::new(0),
                enables: Cell::new(0),
                log: SampleLog::default(),
            }
        }
    }

    impl Registers<RngRegisters> for &SimRng {
        fn read32(&self, reg: Reg<RngRegisters, u32>) -> u32 {
            match reg {
                CR => self.cr.get(),
                SR => {
                    let mut sr = self.sr.get();
                    if self.clock_error_polls.get() > 0 {
                        self.clock_error_polls.set(self.clock_error_polls.get().saturating_sub(1));
                        sr |= SR_CECS | SR_CEIS;
                    } else {
                        sr &= !SR_CECS;
                        // The generator runs only when enabled, clocked and seeded.
                        if self.cr.get() & CR_RNGEN != 0 && sr & SR_SECS == 0 {
                            let left = self.polls_until_ready.get();
                            let next = self.reads.get() + 1;
                            if left == 0 && self.seed_error_at.borrow().contains(&next) {
                                self.seed_error_at.borrow_mut().retain(|&n| n != next);
                                sr |= SR_SECS | SR_SEIS;
                            } else if left == 0 {
                                sr |= SR_DRDY;
                            } else {
                                self.polls_until_ready.set(left - 1);
                            }
                        }
                    }
                    self.sr.set(sr);
                    sr
                }
                DR => {
                    let sr = self.sr.get();
                    assert!(sr & SR_DRDY != 0, "DR read before DRDY");
                    assert!(sr & (SR_SECS | SR_SEIS) == 0, "DR read during a seed error");
                    let n = self.reads.get() + 1;
                    self.reads.set(n);
                    let word = self.stuck_value.unwrap_or_else(|| self.rng.borrow_mut().next() as u32);
                    self.log.borrow_mut().push(word);
                    self.sr.set(sr & !SR_DRDY);
                    self.polls_until_ready.set(self.ready_after);
                    word
                }
                _ => panic!("read of unknown offset {:#x}", reg.offset()),
            }
        }

        fn write32(&self, reg: Reg<RngRegisters, u32>, value: u32) {
            match reg {
                CR => {
                    let was = self.cr.get() & CR_RNGEN;
                    self.cr.set(value);
                    if was == 0 && value & CR_RNGEN != 0 {
                        self.enables.set(self.enables.get() + 1);
                        self.enable_marks.borrow_mut().push(self.log.borrow().len());
                        self.polls_until_ready.set(self.ready_after);
                        if !self.permanent_seed_error {
                            self.sr.set(self.sr.get() & !SR_SECS);
                        }
                    }
                }
                // rc_w0 flags; DRDY/CECS/SECS are read-only.
                SR => self.sr.set(self.sr.get() & (value | !(SR_SEIS | SR_CEIS))),
                _ => panic!("write to read-only or unknown offset {:#x}", reg.offset()),
            }
        }

    }

    fn driver<D: DelayNs>(sim: &'static SimRng, delay: D, wait: WaitPolicy) -> Stm32Rng<&'static SimRng, D> {
        Driver::new(Stm32Block::new(sim), delay, wait)
    }

    fn leak(sim: SimRng) -> &'static SimRng {
        Box::leak(Box::new(sim))
    }

    #[test]
    fn correct_bytes_for_odd_lengths() {
        assert_lengths_right(1, 0, || {
            let sim = leak(SimRng::new(3));
            (driver(sim, Spin, DEFAULT_WAIT), sim.log.clone())
        });
    }

    #[test]
    fn first_word_after_enable_is_not_used() {
        let sim = leak(SimRng::new(2));
        let mut rng = driver(sim, Spin, DEFAULT_WAIT);
        let w = rng.sample().unwrap();
        assert_eq!(sim.log.borrow().len(), 2);
        assert_eq!(w, sim.log.borrow()[1]);
        assert_eq!(sim.cr.get() & CR_RNGEN, CR_RNGEN);
    }

    #[test]
    fn seed_error_restarts_the_rng_and_recovers() {
        let sim = leak(SimRng::new(1));
        sim.seed_error_at.borrow_mut().extend([5, 9]);
        let mut rng = driver(sim, Spin, DEFAULT_WAIT);
        let words: Vec<u32> = (0..20).map(|_| rng.sample().unwrap()).collect();
        assert_eq!(sim.enables.get(), 3, "RNGEN cleared and set again after each seed error");
        assert_eq!(sim.sr.get() & (SR_SEIS | SR_SECS), 0, "seed error cleared");
        let log = sim.log.borrow();
        let marks = sim.enable_marks.borrow();
        assert_eq!(marks.len(), 3);
        assert_eq!(log.len(), 20 + 3, "one word discarded per enable");
        for &m in marks.iter() {
            assert!(!words.contains(&log[m]), "first word after an enable was used");
        }
        let used: Vec<u32> = log.iter().enumerate().filter(|(i, _)| !marks.contains(i)).map(|(_, &w)| w).collect();
        assert_eq!(words, used);
    }

    #[test]
    fn permanent_seed_error_is_reported_after_bounded_restarts() {
        let mut sim = SimRng::new(1);
        sim.permanent_seed_error = true;
        let sim = leak(sim);
        sim.sr.set(SR_SECS | SR_SEIS);
        let mut rng = driver(sim, Spin, DEFAULT_WAIT);
        assert_eq!(rng.sample(), Err(EntropyError::SeedError));
        assert_eq!(sim.enables.get(), 1 + MAX_RESTARTS);
        assert_eq!(sim.reads.get(), 0, "no data read during a seed error");
    }

    #[test]
    fn transient_clock_error_is_cleared_and_waited_out() {
        let sim = leak(SimRng::new(1));
        sim.clock_error_polls.set(50);
        let mut rng = driver(sim, Spin, DEFAULT_WAIT);
        rng.sample().unwrap();
        assert_eq!(sim.sr.get() & SR_CEIS, 0, "CEIS cleared");
    }

    #[test]
    fn persistent_clock_error_is_reported_after_the_timeout() {
        let sim = leak(SimRng::new(1));
        sim.clock_error_polls.set(u32::MAX);
        let mut delay = RecordingDelay::default();
        let mut rng = driver(sim, &mut delay, WaitPolicy::new(200, 500));
        assert_eq!(rng.sample(), Err(EntropyError::ClockError));
        drop(rng);
        assert_eq!(delay.total_ns, 199 * 500, "waited exactly the configured bound");
    }

    #[test]
    fn no_data_ready_times_out_within_the_bound() {
        let sim = leak(SimRng::new(u32::MAX));
        let mut delay = RecordingDelay::default();
        let mut rng = driver(sim, &mut delay, WaitPolicy::new(1000, 1_000));
        assert_eq!(rng.sample(), Err(EntropyError::Timeout));
        drop(rng);
        assert_eq!(delay.calls, 999);
        let mut port = HealthTested::new(driver(sim, Spin, WaitPolicy::new(10, 0)));
        let mut out = [0xAAu8; 7];
        assert_eq!(port.fill(&mut out), Err(EntropyError::Timeout));
        assert_eq!(out, [0; 7]);
    }

    #[test]
    fn slow_data_ready_within_the_bound_succeeds() {
        let sim = leak(SimRng::new(900));
        let mut rng = driver(sim, Spin, WaitPolicy::new(1000, 0));
        rng.sample().unwrap();
    }

    #[test]
    fn stuck_output_is_refused() {
        let mut sim = SimRng::new(1);
        sim.stuck_value = Some(0xDEAD_BEEF);
        let sim = leak(sim);
        let mut port = HealthTested::new(driver(sim, Spin, DEFAULT_WAIT));
        let mut out = [0u8; 16];
        // The manual's own comparison catches it first: restarts, then a seed error.
        assert_eq!(port.fill(&mut out), Err(EntropyError::SeedError));
        assert_eq!(out, [0; 16]);
        assert!(sim.enables.get() > 1);
    }

    #[test]
    fn cutoffs_for_declared_entropy() {
        let c = HealthTested::<Stm32Rng>::CUTOFFS;
        assert_eq!((c.rct, c.apt, c.apt_window), (4, 6, 512));
    }
}
