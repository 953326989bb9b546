//! NXP TRNG (the "RNG4/TRNG" block of i.MX RT10xx and Kinetis K8x).
//!
//! Source: i.MX RT1060 Processor Reference Manual (IMXRT1060RM), ch. "True
//! Random Number Generator (TRNG)": functional description and memory map;
//! the same block is TRNG0 in the K82 Sub-Family Reference Manual (K82P121M150SF5RM).
//!
//! | offset | register | bits used |
//! |---|---|---|
//! | 0x00 | MCTL | RST_DEF (6), FCT_FAIL (8), ENT_VAL (10), ERR (12, write 1 to clear), PRGM (16) |
//! | 0x3C | STATUS | which statistical test failed (diagnostics only) |
//! | 0x40..0x7C | ENT0..ENT15 | 512 bits of entropy, valid while ENT_VAL = 1 |
//!
//! Base addresses: 0x400C_C000 on i.MX RT1050/1060/1064, 0x400A_0000 (TRNG0)
//! on K81/K82. LPC55Sxx is *not* covered: its RNG is a different block (use
//! the `rand-core` adapter with the HAL's driver there).
//!
//! Procedure: program mode (PRGM = 1) with RST_DEF to load the default
//! configuration, then run mode (PRGM = 0) starts entropy generation. When
//! ENT_VAL is set, read ENT0..ENT15; reading ENT15 clears ENT_VAL and starts
//! the next generation. A failed self test sets ERR (FCT_FAIL also when the
//! oscillator frequency is out of range): go back to program mode, clear ERR
//! by writing 1, and return to run mode to restart. The ENT words read
//! before an error are discarded.
//!
//! NXP's SDK driver also reads ENT0 once after ENT15 because some revisions
//! do not clear ENT_VAL otherwise; we do the same (the word is not used).
//!
//! Declared min-entropy: 16 bits per 32-bit ENT word (NXP gives no figure
//! for the default configuration; we claim half).

use crate::driver::{Driver, Fault, RngBlock, Status};
use crate::regs::{Block, Mmio, Reg, Registers};
use crate::wait::{Spin, WaitPolicy};
use crate::EntropyError;

/// TRNG base address on i.MX RT1050/1060/1064.
pub const BASE_IMXRT10XX: usize = 0x400C_C000;
/// TRNG0 base address on Kinetis K81/K82.
pub const BASE_K8X: usize = 0x400A_0000;

/// The TRNG register block, MCTL up to ENT15.
#[derive(Debug, PartialEq, Eq)]
pub enum TrngRegisters {}

impl Block for TrngRegisters {
    const SIZE: usize = 0x80;
}

const ENT_WORDS: usize = 16;

const MCTL: Reg<TrngRegisters, u32> = Reg::at(0x00);
const ENT: [Reg<TrngRegisters, u32>; ENT_WORDS] = Reg::bank(0x40);

const MCTL_RST_DEF: u32 = 1 << 6;
const MCTL_FCT_FAIL: u32 = 1 << 8;
const MCTL_ENT_VAL: u32 = 1 << 10;
const MCTL_ERR: u32 = 1 << 12;
const MCTL_PRGM: u32 = 1 << 16;

/// Restarts after self-test errors in one `sample` call before giving up.
const MAX_RESTARTS: u32 = 3;

/// A 512-bit generation with default settings takes milliseconds; allow
/// up to ~100 ms (100 000 polls 1 µs apart).
pub const DEFAULT_WAIT: WaitPolicy = WaitPolicy::new(100_000, 1_000);

/// The NXP TRNG.
pub type NxpTrng<R = Mmio<TrngRegisters>, D = Spin> = Driver<TrngBlock<R>, D>;

impl NxpTrng {
    /// The TRNG at [`BASE_IMXRT10XX`], polling with a spin loop.
    ///
    /// # Safety
    /// Only on an i.MX RT10xx, one instance. (On K8x use [`Driver::new`]
    /// with `TrngBlock::new(Mmio::new(BASE_K8X))`.)
    pub const unsafe fn new_default() -> Self {
        // SAFETY: forwarded to the caller.
        Driver::new(TrngBlock::new(unsafe { Mmio::new(BASE_IMXRT10XX) }), Spin, DEFAULT_WAIT)
    }
}

/// How the TRNG starts, reports and recovers ([`RngBlock`]).
pub struct TrngBlock<R: Registers<TrngRegisters>> {
    regs: R,
}

impl<R: Registers<TrngRegisters>> TrngBlock<R> {
    pub const fn new(regs: R) -> Self {
        TrngBlock { regs }
    }
}

impl<R: Registers<TrngRegisters>> RngBlock for TrngBlock<R> {
    const SAMPLE_BITS: u32 = 32;
    const MIN_ENTROPY: f64 = 16.0;
    const MAX_RESTARTS: u32 = MAX_RESTARTS;
    type Words = [u32; ENT_WORDS];

    /// Program mode with defaults, clear any error, back to run mode.
    fn start(&mut self) {
        self.regs.write32(MCTL, MCTL_PRGM | MCTL_RST_DEF | MCTL_ERR);
        self.regs.write32(MCTL, 0);
    }

    fn status(&mut self) -> Status {
        let mctl = self.regs.read32(MCTL);
        if mctl & MCTL_ERR != 0 {
            let error = if mctl & MCTL_FCT_FAIL != 0 { EntropyError::ClockError } else { EntropyError::SeedError };
            Status::Fault(Fault::Restart(error))
        } else if mctl & MCTL_ENT_VAL == 0 {
            Status::Busy
        } else {
            Status::Ready
        }
    }

    fn read(&mut self, words: &mut [u32; ENT_WORDS]) -> Result<bool, Fault> {
        for (word, reg) in words.iter_mut().zip(ENT) {
            *word = self.regs.read32(reg);
        }
        let _ = self.regs.read32(ENT[0]);
        // An error raised while we read means the block is not good.
        if self.regs.read32(MCTL) & MCTL_ERR != 0 {
            return Err(Fault::Restart(EntropyError::SeedError));
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
    use std::vec::Vec;

    /// The TRNG as the RM describes it: in run mode a block is ready
    /// `ready_after` MCTL reads after the previous ENT15 read; ENT regs are
    /// only meaningful while ENT_VAL; ERR is write-1-to-clear and only in
    /// program mode does RST_DEF apply.
    struct SimTrng {
        mctl: Cell<u32>,
        countdown: Cell<u32>,
        ready_after: u32,
        block: RefCell<[u32; ENT_WORDS]>,
        rng: RefCell<SplitMix64>,
        /// Raise ERR instead of completing these blocks (1-based).
        error_at_block: RefCell<Vec<u32>>,
        /// FCT_FAIL that survives restarts (a dead oscillator).
        permanent_fct_fail: bool,
        blocks: Cell<u32>,
        restarts: Cell<u32>,
        log: SampleLog,
        stale_reads: Cell<u32>,
    }

    impl SimTrng {
        fn new(ready_after: u32) -> Self {
            SimTrng {
                mctl: Cell::new(MCTL_PRGM),
                countdown: Cell::new(ready_after),
                ready_after,
                block: RefCell::new([0; ENT_WORDS]),
                rng: RefCell::new(SplitMix64::new(random_seed())),
                error_at_block: RefCell::new(Vec::new()),
                permanent_fct_fail: false,
                blocks: Cell::new(0),
                restarts: Cell::new(0),
                log: SampleLog::default(),
                stale_reads: Cell::new(0),
            }
        }
    }

    fn driver<D: DelayNs>(sim: &'static SimTrng, delay: D, wait: WaitPolicy) -> NxpTrng<&'static SimTrng, D> {
        Driver::new(TrngBlock::new(sim), delay, wait)
    }

    fn sim(ready_after: u32) -> &'static SimTrng {
        Box::leak(Box::new(SimTrng::new(ready_after)))
    }

    impl Registers<TrngRegisters> for &SimTrng {
        fn read32(&self, reg: Reg<TrngRegisters, u32>) -> u32 {
            if reg == MCTL {
                let mut m = self.mctl.get();
                let run = m & MCTL_PRGM == 0;
                if run && m & (MCTL_ENT_VAL | MCTL_ERR) == 0 {
                    match self.countdown.get() {
                        0 => {
                            let n = self.blocks.get() + 1;
                            self.blocks.set(n);
                            if self.permanent_fct_fail {
                                m |= MCTL_ERR | MCTL_FCT_FAIL;
                            } else if self.error_at_block.borrow().contains(&n) {
                                m |= MCTL_ERR;
                            } else {
                                let mut rng = self.rng.borrow_mut();
                                self.block.borrow_mut().iter_mut().for_each(|w| *w = rng.next() as u32);
                                m |= MCTL_ENT_VAL;
                            }
                        }
                        k => self.countdown.set(k - 1),
                    }
                }
                self.mctl.set(m);
                return m;
            }
            let i = ENT.iter().position(|&ent| ent == reg).unwrap_or_else(|| panic!("read at {reg:#x}"));
            let m = self.mctl.get();
            if m & MCTL_ENT_VAL == 0 {
                // Outside ENT_VAL the block reads as zero; only the SDK's dummy ENT0 read may land here.
                assert_eq!(i, 0, "ENT{i} read without ENT_VAL");
                self.stale_reads.set(self.stale_reads.get() + 1);
                return 0;
            }
            let w = self.block.borrow()[i];
            self.log.borrow_mut().push(w);
            if i == ENT_WORDS - 1 {
                self.mctl.set(m & !MCTL_ENT_VAL);
                self.countdown.set(self.ready_after);
            }
            w
        }

        fn write32(&self, reg: Reg<TrngRegisters, u32>, value: u32) {
            assert_eq!(reg, MCTL, "write at {reg:#x}");
            let mut m = self.mctl.get();
            if value & MCTL_ERR != 0 {
                m &= !(MCTL_ERR | MCTL_FCT_FAIL);
            }
            if value & MCTL_PRGM != 0 {
                if value & MCTL_RST_DEF != 0 {
                    self.restarts.set(self.restarts.get() + 1);
                }
                m = (m | MCTL_PRGM) & !MCTL_ENT_VAL;
            } else if m & MCTL_PRGM != 0 {
                m &= !MCTL_PRGM;
                self.countdown.set(self.ready_after);
            }
            self.mctl.set(m);
        }
    }

    #[test]
    fn correct_bytes_for_odd_lengths() {
        assert_lengths_right(0, ENT_WORDS - 1, || {
            let s = sim(3);
            (driver(s, Spin, DEFAULT_WAIT), s.log.clone())
        });
    }

    #[test]
    fn words_come_from_the_block_in_order_and_blocks_are_not_reused() {
        let s = sim(2);
        let mut trng = driver(s, Spin, DEFAULT_WAIT);
        let got: Vec<u32> = (0..40).map(|_| trng.sample().unwrap()).collect();
        let log = s.log.borrow();
        assert_eq!(log.len(), 48, "three whole blocks read");
        assert_eq!(&got[..], &log[..40]);
        assert_eq!(s.stale_reads.get(), 3, "one dummy ENT0 read after each ENT15");
        assert_eq!(trng.buffered_words()[..8], [0; 8], "handed-out words wiped from the buffer");
    }

    #[test]
    fn self_test_error_restarts_and_discards() {
        let s = sim(1);
        s.error_at_block.borrow_mut().push(2);
        let mut trng = driver(s, Spin, DEFAULT_WAIT);
        let got: Vec<u32> = (0..32).map(|_| trng.sample().unwrap()).collect();
        assert_eq!(s.restarts.get(), 2, "initial start plus one restart after ERR");
        assert_eq!(s.mctl.get() & MCTL_ERR, 0);
        assert_eq!(&got[..], &s.log.borrow()[..32]);
    }

    #[test]
    fn persistent_frequency_failure_is_a_clock_error_after_bounded_restarts() {
        let s = Box::leak(Box::new(SimTrng { permanent_fct_fail: true, ..SimTrng::new(1) }));
        let mut trng = driver(&*s, Spin, DEFAULT_WAIT);
        assert_eq!(trng.sample(), Err(EntropyError::ClockError));
        assert_eq!(s.restarts.get(), 1 + MAX_RESTARTS);
        assert!(s.log.borrow().is_empty());
    }

    #[test]
    fn no_entropy_times_out_within_the_bound() {
        let s = sim(u32::MAX);
        let mut delay = RecordingDelay::default();
        let mut trng = driver(s, &mut delay, WaitPolicy::new(50, 20_000));
        assert_eq!(trng.sample(), Err(EntropyError::Timeout));
        drop(trng);
        assert_eq!(delay.total_ns, 49 * 20_000);
        let mut port = HealthTested::new(driver(s, Spin, WaitPolicy::new(5, 0)));
        let mut out = [1u8; 3];
        assert_eq!(port.fill(&mut out), Err(EntropyError::Timeout));
        assert_eq!(out, [0; 3]);
    }

    #[test]
    fn cutoffs_for_declared_entropy() {
        let c = HealthTested::<NxpTrng>::CUTOFFS;
        assert_eq!((c.rct, c.apt, c.apt_window), (4, 6, 512));
    }
}
