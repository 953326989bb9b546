//! NXP Kinetis RNGA (K64F, and the other K2x/K6x parts with an RNGA).
//!
//! Source: K64 Sub-Family Reference Manual (K64P144M120SF5RM), ch. 34
//! "Random Number Generator Accelerator (RNGA)": §34.2 memory map and
//! register definitions, §34.3 functional description.
//!
//! | offset | register | bits used |
//! |---|---|---|
//! | 0x0 | RNG_CR | GO (0), HA (1) high assurance, INTM (2) mask IRQ, CLRI (3) clear ERRI, SLP (4) sleep |
//! | 0x4 | RNG_SR | SECV (0) security violation, LRS (1) last read was an underflow, ORU (2), ERRI (3), SLP (4), OREG_LVL (15:8) |
//! | 0xC | RNG_OR | 32-bit random word; read only when OREG_LVL > 0 |
//!
//! Base address 0x4002_9000. The board must gate the RNGA clock on first
//! (SIM_SCGC6.RNGA, bit 9); otherwise OREG_LVL stays 0 and the port times out.
//!
//! Error handling, as the manual describes the bits:
//! - reading RNG_OR while it is empty is an underflow: SR.LRS, SR.ORU and
//!   SR.ERRI are set and the value is not random. We only read with
//!   OREG_LVL > 0, still check LRS after each read, discard such a word, and
//!   clear the error with CR.CLRI;
//! - with HA set, SR.SECV reports a security violation; it only clears on
//!   reset, so the port reports [`EntropyError::SeedError`] for good.
//!
//! Declared min-entropy: 8 bits per 32-bit word. The RNGA mixes its ring
//! oscillators through a shift register and NXP gives no min-entropy figure;
//! the low claim keeps the health tests free of false alarms.

use crate::driver::{Driver, Fault, RngBlock, Status};
use crate::regs::{Block, Mmio, Reg, Registers};
use crate::wait::{Spin, WaitPolicy};
use crate::EntropyError;

/// RNGA base address on K64F (and K60/K66/K22 family members with an RNGA).
pub const BASE_K64: usize = 0x4002_9000;

/// The RNGA register block (RNG_CR .. RNG_OR).
#[derive(Debug, PartialEq, Eq)]
pub enum RngaRegisters {}

impl Block for RngaRegisters {
    const SIZE: usize = 0x10;
}

const CR: Reg<RngaRegisters, u32> = Reg::at(0x0);
const SR: Reg<RngaRegisters, u32> = Reg::at(0x4);
const OR: Reg<RngaRegisters, u32> = Reg::at(0xC);

const CR_GO: u32 = 1 << 0;
const CR_HA: u32 = 1 << 1;
const CR_INTM: u32 = 1 << 2;
const CR_CLRI: u32 = 1 << 3;
const CR_SLP: u32 = 1 << 4;
const SR_SECV: u32 = 1 << 0;
const SR_LRS: u32 = 1 << 1;
const SR_ERRI: u32 = 1 << 3;
const SR_OREG_LVL: u32 = 0xFF << 8;

/// The manual states no maximum time per word; allow ~10 ms (10 000 polls
/// 1 µs apart) before calling the block dead.
pub const DEFAULT_WAIT: WaitPolicy = WaitPolicy::new(10_000, 1_000);

/// The Kinetis RNGA.
pub type KinetisRnga<R = Mmio<RngaRegisters>, D = Spin> = Driver<RngaBlock<R>, D>;

impl KinetisRnga {
    /// The RNGA at [`BASE_K64`], polling with a spin loop.
    ///
    /// # Safety
    /// Only on a Kinetis part with an RNGA at that address, one instance.
    pub const unsafe fn new_default() -> Self {
        // SAFETY: forwarded to the caller.
        Driver::new(RngaBlock::new(unsafe { Mmio::new(BASE_K64) }), Spin, DEFAULT_WAIT)
    }
}

/// How the RNGA starts, reports and recovers ([`RngBlock`]).
pub struct RngaBlock<R: Registers<RngaRegisters>> {
    regs: R,
}

impl<R: Registers<RngaRegisters>> RngaBlock<R> {
    pub const fn new(regs: R) -> Self {
        RngaBlock { regs }
    }

    /// Running, high assurance on, interrupt masked (we poll), not asleep.
    const fn wanted(cr: u32) -> u32 {
        (cr | CR_GO | CR_HA | CR_INTM) & !CR_SLP
    }

    fn clear_error(&self) {
        self.regs.write32(CR, self.regs.read32(CR) | CR_CLRI);
    }
}

impl<R: Registers<RngaRegisters>> RngBlock for RngaBlock<R> {
    const SAMPLE_BITS: u32 = 32;
    const MIN_ENTROPY: f64 = 8.0;
    type Words = [u32; 1];

    fn start(&mut self) {
        let cr = self.regs.read32(CR);
        if cr != Self::wanted(cr) {
            self.regs.write32(CR, Self::wanted(cr));
        }
    }

    /// Checked every sample: other code may have put the RNGA to sleep.
    fn is_running(&self) -> bool {
        let cr = self.regs.read32(CR);
        cr == Self::wanted(cr)
    }

    fn status(&mut self) -> Status {
        let sr = self.regs.read32(SR);
        if sr & SR_SECV != 0 {
            // Clears only on reset.
            return Status::Fault(Fault::Fatal(EntropyError::SeedError));
        }
        if sr & SR_ERRI != 0 {
            self.clear_error();
        }
        if sr & SR_OREG_LVL == 0 {
            Status::Busy
        } else {
            Status::Ready
        }
    }

    fn read(&mut self, words: &mut [u32; 1]) -> Result<bool, Fault> {
        words[0] = self.regs.read32(OR);
        if self.regs.read32(SR) & SR_LRS != 0 {
            // An underflow read: not random. Clear and wait for a real word.
            self.clear_error();
            return Ok(false);
        }
        Ok(true)
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

    /// The RNGA as ch. 34 describes it: a one-word output register filled
    /// `fill_after` status reads after GO or after the last read; an empty
    /// read sets LRS/ORU/ERRI and returns 0; SECV is sticky.
    struct SimRnga {
        cr: Cell<u32>,
        sr: Cell<u32>,
        countdown: Cell<u32>,
        fill_after: u32,
        rng: RefCell<SplitMix64>,
        stuck: Option<u32>,
        /// Make the next filled word "vanish" before the read (models a read
        /// racing another bus master): that read underflows.
        underflow_next: Cell<bool>,
        log: SampleLog,
    }

    const SR_ORU: u32 = 1 << 2;

    fn driver<D: DelayNs>(sim: &'static SimRnga, delay: D, wait: WaitPolicy) -> KinetisRnga<&'static SimRnga, D> {
        Driver::new(RngaBlock::new(sim), delay, wait)
    }

    fn sim(fill_after: u32) -> &'static SimRnga {
        Box::leak(Box::new(sim_owned(fill_after)))
    }

    impl Registers<RngaRegisters> for &SimRnga {
        fn read32(&self, reg: Reg<RngaRegisters, u32>) -> u32 {
            match reg {
                CR => self.cr.get(),
                SR => {
                    let mut sr = self.sr.get();
                    let running = self.cr.get() & CR_GO != 0 && self.cr.get() & CR_SLP == 0;
                    if running && sr & SR_OREG_LVL == 0 {
                        match self.countdown.get() {
                            0 => sr |= 1 << 8,
                            n => self.countdown.set(n - 1),
                        }
                    }
                    self.sr.set(sr);
                    sr
                }
                OR => {
                    let sr = self.sr.get();
                    if sr & SR_OREG_LVL == 0 || self.underflow_next.replace(false) {
                        self.sr.set((sr & !SR_OREG_LVL) | SR_LRS | SR_ORU | SR_ERRI);
                        self.countdown.set(self.fill_after);
                        return 0;
                    }
                    self.sr.set(sr & !(SR_OREG_LVL | SR_LRS));
                    self.countdown.set(self.fill_after);
                    let v = self.stuck.unwrap_or_else(|| self.rng.borrow_mut().next() as u32);
                    self.log.borrow_mut().push(v);
                    v
                }
                _ => panic!("read at {reg:#x}"),
            }
        }

        fn write32(&self, reg: Reg<RngaRegisters, u32>, value: u32) {
            assert_eq!(reg, CR, "write at {reg:#x}");
            if value & CR_CLRI != 0 {
                self.sr.set(self.sr.get() & !(SR_ERRI | SR_ORU));
            }
            self.cr.set(value & !CR_CLRI); // CLRI is self-clearing
        }
    }

    #[test]
    fn correct_bytes_for_odd_lengths() {
        assert_lengths_right(0, 0, || {
            let s = sim(2);
            (driver(s, Spin, DEFAULT_WAIT), s.log.clone())
        });
    }

    #[test]
    fn starts_in_high_assurance_mode_out_of_sleep() {
        let s = sim(0);
        s.cr.set(CR_SLP);
        driver(s, Spin, DEFAULT_WAIT).sample().unwrap();
        assert_eq!(s.cr.get(), CR_GO | CR_HA | CR_INTM);
    }

    #[test]
    fn underflow_read_is_discarded_and_the_error_cleared() {
        let s = sim(1);
        let mut rnga = driver(s, Spin, DEFAULT_WAIT);
        rnga.sample().unwrap();
        s.underflow_next.set(true);
        let w = rnga.sample().unwrap();
        assert_ne!(w, 0);
        assert_eq!(s.log.borrow().len(), 2, "the underflowed read is not a sample");
        assert_eq!(w, s.log.borrow()[1]);
        assert_eq!(s.sr.get() & SR_ERRI, 0, "ERRI cleared with CLRI");
    }

    #[test]
    fn security_violation_is_reported_without_reading() {
        let s = sim(0);
        s.sr.set(SR_SECV);
        let mut rnga = driver(s, Spin, DEFAULT_WAIT);
        assert_eq!(rnga.sample(), Err(EntropyError::SeedError));
        assert_eq!(rnga.sample(), Err(EntropyError::SeedError), "sticky until reset");
        assert!(s.log.borrow().is_empty());
    }

    #[test]
    fn empty_output_register_times_out_within_the_bound() {
        let s = sim(u32::MAX);
        let mut delay = RecordingDelay::default();
        let mut rnga = driver(s, &mut delay, WaitPolicy::new(100, 10_000));
        assert_eq!(rnga.sample(), Err(EntropyError::Timeout));
        drop(rnga);
        assert_eq!(delay.total_ns, 99 * 10_000);
    }

    #[test]
    fn stuck_output_trips_the_rct() {
        let s = Box::leak(Box::new(SimRnga { stuck: Some(0xFFFF_FFFF), ..sim_owned(0) }));
        let mut port = HealthTested::new(driver(&*s, Spin, DEFAULT_WAIT));
        let mut out = [0u8; 1];
        assert_eq!(port.fill(&mut out), Err(EntropyError::HealthTestFailed));
        assert_eq!(s.log.borrow().len(), 6, "RCT cutoff for H=8 is 6");
    }

    fn sim_owned(fill_after: u32) -> SimRnga {
        SimRnga {
            cr: Cell::new(0),
            sr: Cell::new(0),
            countdown: Cell::new(fill_after),
            fill_after,
            rng: RefCell::new(SplitMix64::new(random_seed())),
            stuck: None,
            underflow_next: Cell::new(false),
            log: SampleLog::default(),
        }
    }

    #[test]
    fn cutoffs_for_declared_entropy() {
        let c = HealthTested::<KinetisRnga>::CUTOFFS;
        assert_eq!((c.rct, c.apt, c.apt_window), (6, 20, 512));
    }
}
