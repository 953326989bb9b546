//! Raspberry Pi RP2350 TRNG.
//!
//! Source: RP2350 Datasheet, §12.12 "TRNG" (list of registers), base
//! address `TRNG_BASE` = 0x400F_0000 (§2.2 address map).
//!
//! | offset | register | bits used |
//! |---|---|---|
//! | 0x100 | RNG_IMR | all four masked (1): we poll |
//! | 0x104 | RNG_ISR | EHR_VALID (0), AUTOCORR_ERR (1), CRNGT_ERR (2), VN_ERR (3) |
//! | 0x108 | RNG_ICR | write 1 to clear the matching ISR bit (not AUTOCORR_ERR) |
//! | 0x114..0x128 | EHR_DATA0..5 | the 192 collected bits |
//! | 0x12C | RND_SOURCE_ENABLE | RND_SRC_EN (0) |
//! | 0x138 | TRNG_DEBUG_CONTROL | bypass bits (1..3): kept 0, so the von Neumann corrector, CRNGT and autocorrelation tests stay on |
//! | 0x140 | TRNG_SW_RESET | write 1: reset the TRNG |
//!
//! Error handling, as the register descriptions say:
//! - VN_ERR (32 identical raw bits) and CRNGT_ERR (two equal consecutive
//!   16-bit blocks): the collection is bad; clear the bit through RNG_ICR and
//!   wait for a new 192-bit collection;
//! - AUTOCORR_ERR (autocorrelation test failed four times in a row): the
//!   TRNG stops and only a TRNG reset clears it; we reset through
//!   TRNG_SW_RESET and start again, a bounded number of times.
//!
//! Declared min-entropy: 16 bits per 32-bit EHR word (von Neumann corrected;
//! the datasheet gives no min-entropy figure, so we claim half).

use crate::driver::{Driver, Fault, RngBlock, Status};
use crate::regs::{Block, Mmio, Reg, Registers};
use crate::wait::{Spin, WaitPolicy};
use crate::EntropyError;

/// TRNG base address on RP2350.
pub const BASE_RP2350: usize = 0x400F_0000;

/// The TRNG register block, up to TRNG_SW_RESET.
#[derive(Debug, PartialEq, Eq)]
pub enum TrngRegisters {}

impl Block for TrngRegisters {
    const SIZE: usize = 0x144;
}

const EHR_WORDS: usize = 6;

const RNG_IMR: Reg<TrngRegisters, u32> = Reg::at(0x100);
const RNG_ISR: Reg<TrngRegisters, u32> = Reg::at(0x104);
const RNG_ICR: Reg<TrngRegisters, u32> = Reg::at(0x108);
const EHR_DATA: [Reg<TrngRegisters, u32>; EHR_WORDS] = Reg::bank(0x114);
const RND_SOURCE_ENABLE: Reg<TrngRegisters, u32> = Reg::at(0x12C);
const TRNG_DEBUG_CONTROL: Reg<TrngRegisters, u32> = Reg::at(0x138);
const TRNG_SW_RESET: Reg<TrngRegisters, u32> = Reg::at(0x140);

const ISR_EHR_VALID: u32 = 1 << 0;
const ISR_AUTOCORR_ERR: u32 = 1 << 1;
const ISR_CRNGT_ERR: u32 = 1 << 2;
const ISR_VN_ERR: u32 = 1 << 3;
const ALL_INTERRUPTS: u32 = 0xF;

/// TRNG resets after autocorrelation failures in one `sample` call.
const MAX_RESETS: u32 = 3;

/// With the reset SAMPLE_CNT1 (0xFFFF clocks between samples) a 192-bit
/// collection takes tens of milliseconds at 150 MHz (more with von Neumann
/// discards); allow ~500 ms.
pub const DEFAULT_WAIT: WaitPolicy = WaitPolicy::new(500_000, 1_000);

/// The RP2350 TRNG.
pub type Rp2350Trng<R = Mmio<TrngRegisters>, D = Spin> = Driver<Rp2350Block<R>, D>;

impl Rp2350Trng {
    /// The TRNG at [`BASE_RP2350`], polling with a spin loop.
    ///
    /// # Safety
    /// Only on an RP2350, one instance, and not while the boot ROM or
    /// another driver uses the TRNG.
    pub const unsafe fn new_default() -> Self {
        // SAFETY: forwarded to the caller.
        Driver::new(Rp2350Block::new(unsafe { Mmio::new(BASE_RP2350) }), Spin, DEFAULT_WAIT)
    }
}

/// How the RP2350 TRNG starts, reports and recovers ([`RngBlock`]).
pub struct Rp2350Block<R: Registers<TrngRegisters>> {
    regs: R,
}

impl<R: Registers<TrngRegisters>> Rp2350Block<R> {
    pub const fn new(regs: R) -> Self {
        Rp2350Block { regs }
    }
}

impl<R: Registers<TrngRegisters>> RngBlock for Rp2350Block<R> {
    const SAMPLE_BITS: u32 = 32;
    const MIN_ENTROPY: f64 = 16.0;
    const MAX_RESTARTS: u32 = MAX_RESETS;
    type Words = [u32; EHR_WORDS];

    /// Hardware tests on, interrupts masked (we poll), collecting.
    fn start(&mut self) {
        self.regs.write32(TRNG_DEBUG_CONTROL, 0);
        self.regs.write32(RNG_IMR, ALL_INTERRUPTS);
        self.regs.write32(RNG_ICR, ALL_INTERRUPTS);
        self.regs.write32(RND_SOURCE_ENABLE, 1);
    }

    fn status(&mut self) -> Status {
        let isr = self.regs.read32(RNG_ISR);
        if isr & ISR_AUTOCORR_ERR != 0 {
            // The TRNG has stopped; only a reset clears it.
            return Status::Fault(Fault::Restart(EntropyError::SeedError));
        }
        if isr & (ISR_VN_ERR | ISR_CRNGT_ERR) != 0 {
            // This collection failed the block's own tests: drop it.
            self.regs.write32(RNG_ICR, isr & (ISR_VN_ERR | ISR_CRNGT_ERR | ISR_EHR_VALID));
            return Status::Busy;
        }
        if isr & ISR_EHR_VALID != 0 {
            Status::Ready
        } else {
            Status::Busy
        }
    }

    fn read(&mut self, words: &mut [u32; EHR_WORDS]) -> Result<bool, Fault> {
        for (word, reg) in words.iter_mut().zip(EHR_DATA) {
            *word = self.regs.read32(reg);
        }
        self.regs.write32(RNG_ICR, ISR_EHR_VALID);
        // Collect the next 192 bits.
        self.regs.write32(RND_SOURCE_ENABLE, 1);
        Ok(true)
    }

    fn restart(&mut self) {
        self.regs.write32(TRNG_SW_RESET, 1);
        self.start();
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

    /// The TRNG per the register descriptions: with the source enabled, a
    /// collection completes `ready_after` ISR reads later; scripted errors
    /// replace chosen collections; AUTOCORR_ERR is cleared only by reset.
    struct SimTrng {
        isr: Cell<u32>,
        source_on: Cell<bool>,
        debug_control: Cell<u32>,
        countdown: Cell<u32>,
        ready_after: u32,
        ehr: RefCell<[u32; EHR_WORDS]>,
        rng: RefCell<SplitMix64>,
        /// ISR error bits to raise instead of completing collection n (1-based).
        errors: RefCell<Vec<(u32, u32)>>,
        /// AUTOCORR_ERR comes back after every reset.
        dead: bool,
        /// Every collection holds this word (a broken block the built-in tests miss).
        stuck: Option<u32>,
        collections: Cell<u32>,
        resets: Cell<u32>,
        log: SampleLog,
    }

    impl SimTrng {
        fn new(ready_after: u32) -> Self {
            SimTrng {
                isr: Cell::new(0),
                source_on: Cell::new(false),
                debug_control: Cell::new(0xF),
                countdown: Cell::new(ready_after),
                ready_after,
                ehr: RefCell::new([0; EHR_WORDS]),
                rng: RefCell::new(SplitMix64::new(random_seed())),
                errors: RefCell::new(Vec::new()),
                dead: false,
                stuck: None,
                collections: Cell::new(0),
                resets: Cell::new(0),
                log: SampleLog::default(),
            }
        }
    }

    fn sim(ready_after: u32) -> &'static SimTrng {
        Box::leak(Box::new(SimTrng::new(ready_after)))
    }

    fn driver<D: DelayNs>(sim: &'static SimTrng, delay: D, wait: WaitPolicy) -> Rp2350Trng<&'static SimTrng, D> {
        Driver::new(Rp2350Block::new(sim), delay, wait)
    }

    impl Registers<TrngRegisters> for &SimTrng {
        fn read32(&self, reg: Reg<TrngRegisters, u32>) -> u32 {
            match reg {
                RNG_ISR => {
                    let isr = self.isr.get();
                    if self.source_on.get() && isr == 0 {
                        match self.countdown.get() {
                            0 => {
                                assert_eq!(self.debug_control.get(), 0, "a hardware test is bypassed");
                                let n = self.collections.get() + 1;
                                self.collections.set(n);
                                let scripted = self.errors.borrow().iter().find(|(at, _)| *at == n).map(|e| e.1);
                                if self.dead {
                                    self.isr.set(ISR_AUTOCORR_ERR);
                                } else if let Some(bits) = scripted {
                                    self.isr.set(bits);
                                } else {
                                    let mut rng = self.rng.borrow_mut();
                                    self.ehr
                                        .borrow_mut()
                                        .iter_mut()
                                        .for_each(|w| *w = self.stuck.unwrap_or(rng.next() as u32));
                                    self.isr.set(ISR_EHR_VALID);
                                }
                                self.countdown.set(self.ready_after);
                            }
                            k => self.countdown.set(k - 1),
                        }
                    }
                    self.isr.get()
                }
                r if EHR_DATA.contains(&r) => {
                    assert_eq!(self.isr.get(), ISR_EHR_VALID, "EHR read without a valid collection");
                    let w = self.ehr.borrow()[EHR_DATA.iter().position(|&ehr| ehr == r).unwrap_or(0)];
                    self.log.borrow_mut().push(w);
                    w
                }
                _ => panic!("read at {reg:#x}"),
            }
        }

        fn write32(&self, reg: Reg<TrngRegisters, u32>, value: u32) {
            match reg {
                RNG_IMR => assert_eq!(value, ALL_INTERRUPTS),
                RNG_ICR => self.isr.set(self.isr.get() & !(value & !ISR_AUTOCORR_ERR)),
                RND_SOURCE_ENABLE => self.source_on.set(value & 1 != 0),
                TRNG_DEBUG_CONTROL => self.debug_control.set(value),
                TRNG_SW_RESET => {
                    self.resets.set(self.resets.get() + 1);
                    self.isr.set(0);
                    self.source_on.set(false);
                    self.debug_control.set(0xF); // make the port set it again
                    self.countdown.set(self.ready_after);
                }
                _ => panic!("write at {reg:#x}"),
            }
        }
    }

    #[test]
    fn correct_bytes_for_odd_lengths() {
        assert_lengths_right(0, EHR_WORDS - 1, || {
            let s = sim(2);
            (driver(s, Spin, DEFAULT_WAIT), s.log.clone())
        });
    }

    #[test]
    fn vn_and_crngt_errors_drop_the_collection_and_continue() {
        let s = sim(1);
        s.errors.borrow_mut().extend([(2, ISR_VN_ERR), (3, ISR_CRNGT_ERR)]);
        let mut trng = driver(s, Spin, DEFAULT_WAIT);
        let got: Vec<u32> = (0..12).map(|_| trng.sample().unwrap()).collect();
        assert_eq!(s.collections.get(), 4, "two good, two rejected");
        assert_eq!(&got[..], &s.log.borrow()[..]);
        assert_eq!(s.resets.get(), 0);
        assert_eq!(s.isr.get() & (ISR_VN_ERR | ISR_CRNGT_ERR), 0);
    }

    #[test]
    fn autocorrelation_failure_resets_the_trng() {
        let s = sim(1);
        s.errors.borrow_mut().push((1, ISR_AUTOCORR_ERR));
        let mut trng = driver(s, Spin, DEFAULT_WAIT);
        trng.sample().unwrap();
        assert_eq!(s.resets.get(), 1);
        assert_eq!(s.debug_control.get(), 0, "reconfigured after the reset");
    }

    #[test]
    fn dead_source_is_reported_after_bounded_resets() {
        let s = Box::leak(Box::new(SimTrng { dead: true, ..SimTrng::new(0) }));
        let mut trng = driver(&*s, Spin, DEFAULT_WAIT);
        assert_eq!(trng.sample(), Err(EntropyError::SeedError));
        assert_eq!(s.resets.get(), MAX_RESETS);
        assert!(s.log.borrow().is_empty());
    }

    #[test]
    fn no_collection_times_out_within_the_bound() {
        let s = sim(u32::MAX);
        let mut delay = RecordingDelay::default();
        let mut trng = driver(s, &mut delay, WaitPolicy::new(64, 5_000));
        assert_eq!(trng.sample(), Err(EntropyError::Timeout));
        drop(trng);
        assert_eq!(delay.total_ns, 63 * 5_000);
    }

    #[test]
    fn cutoffs_for_declared_entropy() {
        let c = HealthTested::<Rp2350Trng>::CUTOFFS;
        assert_eq!((c.rct, c.apt, c.apt_window), (4, 6, 512));
    }

    #[test]
    fn stuck_ehr_trips_the_rct() {
        let s = Box::leak(Box::new(SimTrng { stuck: Some(0x0F0F_0F0F), ..SimTrng::new(0) }));
        let mut port = HealthTested::new(driver(&*s, Spin, DEFAULT_WAIT));
        let mut out = [0u8; 4];
        assert_eq!(port.fill(&mut out), Err(EntropyError::HealthTestFailed));
        assert_eq!(s.collections.get(), 1, "RCT (cutoff 4) fires inside the first 6-word collection");
    }
}
