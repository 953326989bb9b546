//! Microchip SAM D5x/E5x TRNG (also SAM L2x: the same TRNG block, U2242).
//!
//! Source: SAM D5x/E5x Family Data Sheet (DS60001507), ch. 44 "TRNG – True
//! Random Number Generator": §44.6 functional description, §44.7 register
//! summary. The control and flag registers are 8 bits wide at byte
//! offsets, so they are accessed byte-wide:
//!
//! | offset | register | bits used |
//! |---|---|---|
//! | 0x00 | CTRLA (8) | ENABLE (1); RUNSTDBY (6) left 0 |
//! | 0x0A | INTFLAG (8) | DATARDY (0): set when DATA holds a new word; cleared by reading DATA |
//! | 0x20 | DATA (32) | the random word |
//!
//! Base address 0x4200_2800 (APB C). The board must enable the TRNG's bus
//! clock (MCLK APBCMASK.TRNG) first; without it DATARDY never rises and the
//! port times out. A new word is ready every 84 APB clock cycles (§44.6).
//! The block reports no errors: a dead source shows up as a timeout, a
//! stuck or biased one in the health tests.
//!
//! Declared min-entropy: 16 bits per 32-bit word. Microchip reports
//! statistical test results but no min-entropy figure, so we claim half.

use crate::driver::{Driver, Fault, RngBlock, Status};
use crate::regs::{Block, ByteRegisters, Mmio, Reg};
use crate::wait::{Spin, WaitPolicy};

/// TRNG base address on SAM D5x/E5x.
pub const BASE_SAMD5X: usize = 0x4200_2800;

/// The TRNG register block, CTRLA up to DATA.
#[derive(Debug, PartialEq, Eq)]
pub enum TrngRegisters {}

impl Block for TrngRegisters {
    const SIZE: usize = 0x24;
}

const CTRLA: Reg<TrngRegisters, u8> = Reg::at(0x00);
const INTFLAG: Reg<TrngRegisters, u8> = Reg::at(0x0A);
const DATA: Reg<TrngRegisters, u32> = Reg::at(0x20);

const CTRLA_ENABLE: u8 = 1 << 1;
const INTFLAG_DATARDY: u8 = 1 << 0;

/// 84 APB cycles is under 2 µs even at 48 MHz; 10 000 polls at 1 µs is
/// thousands of times that.
pub const DEFAULT_WAIT: WaitPolicy = WaitPolicy::new(10_000, 1_000);

/// The SAM D5x/E5x TRNG.
pub type SamD5xTrng<R = Mmio<TrngRegisters>, D = Spin> = Driver<SamD5xBlock<R>, D>;

impl SamD5xTrng {
    /// The TRNG at [`BASE_SAMD5X`], polling with a spin loop.
    ///
    /// # Safety
    /// Only on a SAM D5x/E5x, and only one instance.
    pub const unsafe fn new_default() -> Self {
        // SAFETY: forwarded to the caller.
        Driver::new(SamD5xBlock::new(unsafe { Mmio::new(BASE_SAMD5X) }), Spin, DEFAULT_WAIT)
    }
}

/// How the SAM D5x TRNG starts and is read ([`RngBlock`]).
pub struct SamD5xBlock<R: ByteRegisters<TrngRegisters>> {
    regs: R,
}

impl<R: ByteRegisters<TrngRegisters>> SamD5xBlock<R> {
    pub const fn new(regs: R) -> Self {
        SamD5xBlock { regs }
    }
}

impl<R: ByteRegisters<TrngRegisters>> RngBlock for SamD5xBlock<R> {
    const SAMPLE_BITS: u32 = 32;
    const MIN_ENTROPY: f64 = 16.0;
    type Words = [u32; 1];

    fn start(&mut self) {
        let ctrla = self.regs.read8(CTRLA);
        if ctrla & CTRLA_ENABLE == 0 {
            self.regs.write8(CTRLA, ctrla | CTRLA_ENABLE);
        }
    }

    /// Checked every sample: a low-power driver elsewhere may have disabled it.
    fn is_running(&self) -> bool {
        self.regs.read8(CTRLA) & CTRLA_ENABLE != 0
    }

    fn status(&mut self) -> Status {
        if self.regs.read8(INTFLAG) & INTFLAG_DATARDY != 0 {
            Status::Ready
        } else {
            Status::Busy
        }
    }

    fn read(&mut self, words: &mut [u32; 1]) -> Result<bool, Fault> {
        words[0] = self.regs.read32(DATA);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{assert_lengths_right, random_seed, RecordingDelay, SampleLog, SplitMix64};
    use crate::regs::Registers;
    use crate::{EntropyError, EntropySource, HealthTested, NoiseSource};
    use embedded_hal::delay::DelayNs;
    use std::boxed::Box;
    use std::cell::{Cell, RefCell};

    /// The TRNG as the data sheet describes it: DATARDY `ready_after` flag
    /// reads after enable or after a DATA read; reading DATA clears it.
    struct SimTrng {
        ctrla: Cell<u8>,
        ready: Cell<bool>,
        countdown: Cell<u32>,
        ready_after: u32,
        rng: RefCell<SplitMix64>,
        stuck: Option<u32>,
        log: SampleLog,
    }

    fn sim(ready_after: u32, stuck: Option<u32>) -> &'static SimTrng {
        Box::leak(Box::new(SimTrng {
            ctrla: Cell::new(0),
            ready: Cell::new(false),
            countdown: Cell::new(ready_after),
            ready_after,
            rng: RefCell::new(SplitMix64::new(random_seed())),
            stuck,
            log: SampleLog::default(),
        }))
    }

    fn driver<D: DelayNs>(sim: &'static SimTrng, delay: D, wait: WaitPolicy) -> SamD5xTrng<&'static SimTrng, D> {
        Driver::new(SamD5xBlock::new(sim), delay, wait)
    }

    impl Registers<TrngRegisters> for &SimTrng {
        fn read32(&self, reg: Reg<TrngRegisters, u32>) -> u32 {
            assert_eq!(reg, DATA);
            assert!(self.ready.get(), "DATA read before DATARDY");
            self.ready.set(false);
            self.countdown.set(self.ready_after);
            let v = self.stuck.unwrap_or_else(|| self.rng.borrow_mut().next() as u32);
            self.log.borrow_mut().push(v);
            v
        }

        fn write32(&self, reg: Reg<TrngRegisters, u32>, _: u32) {
            panic!("32-bit write at {reg:#x}")
        }
    }

    impl ByteRegisters<TrngRegisters> for &SimTrng {
        fn read8(&self, reg: Reg<TrngRegisters, u8>) -> u8 {
            match reg {
                CTRLA => self.ctrla.get(),
                INTFLAG => {
                    if self.ctrla.get() & CTRLA_ENABLE != 0 && !self.ready.get() {
                        match self.countdown.get() {
                            0 => self.ready.set(true),
                            n => self.countdown.set(n - 1),
                        }
                    }
                    u8::from(self.ready.get())
                }
                _ => panic!("8-bit read at {reg:#x}"),
            }
        }

        fn write8(&self, reg: Reg<TrngRegisters, u8>, value: u8) {
            assert_eq!(reg, CTRLA, "8-bit write at {reg:#x}");
            self.ctrla.set(value);
        }
    }

    #[test]
    fn correct_bytes_for_odd_lengths() {
        assert_lengths_right(0, 0, || {
            let s = sim(3, None);
            (driver(s, Spin, DEFAULT_WAIT), s.log.clone())
        });
    }

    #[test]
    fn enables_the_trng_and_re_enables_it_if_disabled() {
        let s = sim(0, None);
        let mut trng = driver(s, Spin, DEFAULT_WAIT);
        trng.sample().unwrap();
        assert_eq!(s.ctrla.get() & CTRLA_ENABLE, CTRLA_ENABLE);
        s.ctrla.set(0);
        trng.sample().unwrap();
        assert_eq!(s.ctrla.get() & CTRLA_ENABLE, CTRLA_ENABLE);
    }

    #[test]
    fn no_datardy_times_out_within_the_bound() {
        let s = sim(u32::MAX, None);
        let mut delay = RecordingDelay::default();
        let mut trng = driver(s, &mut delay, WaitPolicy::new(300, 1_000));
        assert_eq!(trng.sample(), Err(EntropyError::Timeout));
        drop(trng);
        assert_eq!(delay.total_ns, 299 * 1_000);
        assert!(s.log.borrow().is_empty());
    }

    #[test]
    fn stuck_output_trips_the_rct() {
        let s = sim(0, Some(0x1234_5678));
        let mut port = HealthTested::new(driver(s, Spin, DEFAULT_WAIT));
        let mut out = [0u8; 5];
        assert_eq!(port.fill(&mut out), Err(EntropyError::HealthTestFailed));
        assert_eq!(s.log.borrow().len(), 4, "RCT cutoff for H=16 is 4");
    }

    #[test]
    fn cutoffs_for_declared_entropy() {
        let c = HealthTested::<SamD5xTrng>::CUTOFFS;
        assert_eq!((c.rct, c.apt, c.apt_window), (4, 6, 512));
    }
}
