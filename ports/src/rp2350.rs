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

use crate::regs::{Mmio, Registers};
use crate::wait::{poll, Spin, WaitPolicy};
use crate::{EntropyError, NoiseSource};
use embedded_hal::delay::DelayNs;
use zeroize::Zeroize;

/// TRNG base address on RP2350.
pub const BASE_RP2350: usize = 0x400F_0000;

const RNG_IMR: usize = 0x100;
const RNG_ISR: usize = 0x104;
const RNG_ICR: usize = 0x108;
const EHR_DATA0: usize = 0x114;
const RND_SOURCE_ENABLE: usize = 0x12C;
const TRNG_DEBUG_CONTROL: usize = 0x138;
const TRNG_SW_RESET: usize = 0x140;

const EHR_WORDS: usize = 6;

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
pub struct Rp2350Trng<R: Registers = Mmio, D: DelayNs = Spin> {
    regs: R,
    delay: D,
    wait: WaitPolicy,
    configured: bool,
    words: [u32; EHR_WORDS],
    next: usize,
}

impl Rp2350Trng {
    /// The TRNG at [`BASE_RP2350`], polling with a spin loop.
    ///
    /// # Safety
    /// Only on an RP2350, one instance, and not while the boot ROM or
    /// another driver uses the TRNG.
    pub const unsafe fn new_default() -> Self {
        // SAFETY: forwarded to the caller.
        Self::new(unsafe { Mmio::new(BASE_RP2350) }, Spin, DEFAULT_WAIT)
    }
}

impl<R: Registers, D: DelayNs> Rp2350Trng<R, D> {
    pub const fn new(regs: R, delay: D, wait: WaitPolicy) -> Self {
        Rp2350Trng { regs, delay, wait, configured: false, words: [0; EHR_WORDS], next: EHR_WORDS }
    }

    fn configure(&mut self) {
        self.regs.write32(TRNG_DEBUG_CONTROL, 0);
        self.regs.write32(RNG_IMR, ALL_INTERRUPTS);
        self.regs.write32(RNG_ICR, ALL_INTERRUPTS);
        self.configured = true;
    }

    /// Wait for one good 192-bit collection and copy it out.
    /// `Err(SeedError)` means the TRNG needs a reset.
    fn collect(&mut self) -> Result<(), EntropyError> {
        self.regs.write32(RND_SOURCE_ENABLE, 1);
        let regs = &self.regs;
        poll(&mut self.delay, self.wait, || {
            let isr = regs.read32(RNG_ISR);
            if isr & ISR_AUTOCORR_ERR != 0 {
                return Err(EntropyError::SeedError);
            }
            if isr & (ISR_VN_ERR | ISR_CRNGT_ERR) != 0 {
                // This collection failed the block's own tests: drop it.
                regs.write32(RNG_ICR, isr & (ISR_VN_ERR | ISR_CRNGT_ERR | ISR_EHR_VALID));
                return Ok(None);
            }
            Ok((isr & ISR_EHR_VALID != 0).then_some(()))
        })?;
        for (i, w) in self.words.iter_mut().enumerate() {
            *w = self.regs.read32(EHR_DATA0 + 4 * i);
        }
        self.regs.write32(RNG_ICR, ISR_EHR_VALID);
        self.next = 0;
        Ok(())
    }
}

impl<R: Registers, D: DelayNs> NoiseSource for Rp2350Trng<R, D> {
    const SAMPLE_BITS: u32 = 32;
    const MIN_ENTROPY: f64 = 16.0;

    fn sample(&mut self) -> Result<u32, EntropyError> {
        let mut resets = 0;
        while self.next == EHR_WORDS {
            if !self.configured {
                self.configure();
            }
            match self.collect() {
                Ok(()) => {}
                Err(EntropyError::SeedError) if resets < MAX_RESETS => {
                    resets += 1;
                    self.regs.write32(TRNG_SW_RESET, 1);
                    self.configured = false;
                }
                Err(e) => {
                    self.configured = false;
                    return Err(e);
                }
            }
        }
        let word = core::mem::take(&mut self.words[self.next]);
        self.next += 1;
        Ok(word)
    }
}

impl<R: Registers, D: DelayNs> Drop for Rp2350Trng<R, D> {
    fn drop(&mut self) {
        self.words.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{assert_lengths_right, random_seed, RecordingDelay, SampleLog, SplitMix64};
    use crate::{EntropySource, HealthTested};
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

    impl Registers for &SimTrng {
        fn read32(&self, offset: usize) -> u32 {
            match offset {
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
                o if (EHR_DATA0..EHR_DATA0 + 4 * EHR_WORDS).contains(&o) => {
                    assert_eq!(self.isr.get(), ISR_EHR_VALID, "EHR read without a valid collection");
                    let w = self.ehr.borrow()[(o - EHR_DATA0) / 4];
                    self.log.borrow_mut().push(w);
                    w
                }
                _ => panic!("read at {offset:#x}"),
            }
        }

        fn write32(&self, offset: usize, value: u32) {
            match offset {
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
                _ => panic!("write at {offset:#x}"),
            }
        }

        fn read8(&self, _: usize) -> u8 {
            unreachable!()
        }

        fn write8(&self, _: usize, _: u8) {
            unreachable!()
        }
    }

    #[test]
    fn correct_bytes_for_odd_lengths() {
        assert_lengths_right(0, EHR_WORDS - 1, || {
            let s = sim(2);
            (Rp2350Trng::new(s, Spin, DEFAULT_WAIT), s.log.clone())
        });
    }

    #[test]
    fn vn_and_crngt_errors_drop_the_collection_and_continue() {
        let s = sim(1);
        s.errors.borrow_mut().extend([(2, ISR_VN_ERR), (3, ISR_CRNGT_ERR)]);
        let mut trng = Rp2350Trng::new(s, Spin, DEFAULT_WAIT);
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
        let mut trng = Rp2350Trng::new(s, Spin, DEFAULT_WAIT);
        trng.sample().unwrap();
        assert_eq!(s.resets.get(), 1);
        assert_eq!(s.debug_control.get(), 0, "reconfigured after the reset");
    }

    #[test]
    fn dead_source_is_reported_after_bounded_resets() {
        let s = Box::leak(Box::new(SimTrng { dead: true, ..SimTrng::new(0) }));
        let mut trng = Rp2350Trng::new(&*s, Spin, DEFAULT_WAIT);
        assert_eq!(trng.sample(), Err(EntropyError::SeedError));
        assert_eq!(s.resets.get(), MAX_RESETS);
        assert!(s.log.borrow().is_empty());
    }

    #[test]
    fn no_collection_times_out_within_the_bound() {
        let s = sim(u32::MAX);
        let mut delay = RecordingDelay::default();
        let mut trng = Rp2350Trng::new(s, &mut delay, WaitPolicy::new(64, 5_000));
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
        let mut port = HealthTested::new(Rp2350Trng::new(&*s, Spin, DEFAULT_WAIT));
        let mut out = [0u8; 4];
        assert_eq!(port.fill(&mut out), Err(EntropyError::HealthTestFailed));
        assert_eq!(s.collections.get(), 1, "RCT (cutoff 4) fires inside the first 6-word collection");
    }
}
