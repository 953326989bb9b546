//! Nordic nRF52 RNG (nRF52832, nRF52833, nRF52840).
//!
//! Source: nRF52840 Product Specification v1.7, §6.22 "RNG — Random number
//! generator" (same block in the nRF52832 PS v1.4 §26 and nRF52833 PS §6.20):
//!
//! | offset | register | use |
//! |---|---|---|
//! | 0x000 | TASKS_START | write 1: start generating |
//! | 0x004 | TASKS_STOP | write 1: stop |
//! | 0x100 | EVENTS_VALRDY | 1 when VALUE holds a new byte; software writes 0 |
//! | 0x200 | SHORTS | VALRDY_STOP (0), left 0 so generation continues |
//! | 0x504 | CONFIG | DERCEN (0): digital error correction (bias removal) |
//! | 0x508 | VALUE | bits 7:0, the random byte |
//!
//! Base address 0x4000_D000. The PS says bias correction makes the output
//! uniform at the cost of a slower, non-constant generation time (about
//! 120 µs per byte typical with DERCEN on), so every wait is bounded.
//! The block has no error flags: a dead source shows up as no VALRDY
//! (timeout) or as stuck/biased bytes (health tests).
//!
//! Declared min-entropy: 7 bits per byte (bias correction on; Nordic gives
//! no min-entropy figure, so one bit per byte is held back).

use crate::driver::{Driver, Fault, RngBlock, Status};
use crate::regs::{Block, Mmio, Reg, Registers};
use crate::wait::{Spin, WaitPolicy};

/// RNG base address on nRF52832/833/840.
pub const BASE_NRF52: usize = 0x4000_D000;

/// The RNG register block, TASKS_START up to VALUE.
#[derive(Debug, PartialEq, Eq)]
pub enum RngRegisters {}

impl Block for RngRegisters {
    const SIZE: usize = 0x50C;
}

const TASKS_START: Reg<RngRegisters, u32> = Reg::at(0x000);
const EVENTS_VALRDY: Reg<RngRegisters, u32> = Reg::at(0x100);
const CONFIG: Reg<RngRegisters, u32> = Reg::at(0x504);
const VALUE: Reg<RngRegisters, u32> = Reg::at(0x508);

const CONFIG_DERCEN: u32 = 1 << 0;

/// Typical 120 µs per byte with bias correction, no stated maximum: allow
/// 10 ms (≈80 times typical) before calling the block dead.
pub const DEFAULT_WAIT: WaitPolicy = WaitPolicy::new(10_000, 1_000);

/// The nRF52 RNG peripheral.
pub type Nrf52Rng<R = Mmio<RngRegisters>, D = Spin> = Driver<Nrf52Block<R>, D>;

impl Nrf52Rng {
    /// The RNG at [`BASE_NRF52`], polling with a spin loop.
    ///
    /// # Safety
    /// Only on an nRF52, only one instance, and not while the SoftDevice owns
    /// the RNG (with a SoftDevice, use its `sd_rand_*` API through the
    /// `rand-core` adapter instead).
    pub const unsafe fn new_default() -> Self {
        // SAFETY: forwarded to the caller.
        Driver::new(Nrf52Block::new(unsafe { Mmio::new(BASE_NRF52) }), Spin, DEFAULT_WAIT)
    }
}

/// How the nRF52 RNG starts and is read ([`RngBlock`]). After an error the
/// driver starts it from scratch (someone may have stopped it).
pub struct Nrf52Block<R: Registers<RngRegisters>> {
    regs: R,
}

impl<R: Registers<RngRegisters>> Nrf52Block<R> {
    pub const fn new(regs: R) -> Self {
        Nrf52Block { regs }
    }
}

impl<R: Registers<RngRegisters>> RngBlock for Nrf52Block<R> {
    const SAMPLE_BITS: u32 = 8;
    const MIN_ENTROPY: f64 = 7.0;
    type Words = [u32; 1];

    fn start(&mut self) {
        self.regs.write32(CONFIG, CONFIG_DERCEN);
        self.regs.write32(EVENTS_VALRDY, 0);
        self.regs.write32(TASKS_START, 1);
    }

    fn status(&mut self) -> Status {
        if self.regs.read32(EVENTS_VALRDY) == 0 {
            Status::Busy
        } else {
            Status::Ready
        }
    }

    fn read(&mut self, words: &mut [u32; 1]) -> Result<bool, Fault> {
        words[0] = self.regs.read32(VALUE) & 0xFF;
        self.regs.write32(EVENTS_VALRDY, 0);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{assert_lengths_right, random_seed, RecordingDelay, SampleLog, SplitMix64};
    use crate::{EntropyError, EntropySource, HealthTested, NoiseSource};
    use embedded_hal::delay::DelayNs;
    use std::boxed::Box;
    use std::cell::{Cell, RefCell};

    /// The RNG as the PS describes it: after TASKS_START, a byte every
    /// `ready_after` polls of EVENTS_VALRDY; VALUE only meaningful on VALRDY.
    struct SimRng {
        running: Cell<bool>,
        config: Cell<u32>,
        valrdy: Cell<u32>,
        countdown: Cell<u32>,
        ready_after: u32,
        value: Cell<u32>,
        rng: RefCell<SplitMix64>,
        stuck: Option<u8>,
        starts: Cell<u32>,
        log: SampleLog,
    }

    impl SimRng {
        fn new(ready_after: u32) -> &'static Self {
            Self::with_stuck(ready_after, None)
        }

        fn with_stuck(ready_after: u32, stuck: Option<u8>) -> &'static Self {
            Box::leak(Box::new(SimRng {
                running: Cell::new(false),
                config: Cell::new(0),
                valrdy: Cell::new(0),
                countdown: Cell::new(ready_after),
                ready_after,
                value: Cell::new(0),
                rng: RefCell::new(SplitMix64::new(random_seed())),
                stuck,
                starts: Cell::new(0),
                log: SampleLog::default(),
            }))
        }
    }

    fn driver<D: DelayNs>(sim: &'static SimRng, delay: D, wait: WaitPolicy) -> Nrf52Rng<&'static SimRng, D> {
        Driver::new(Nrf52Block::new(sim), delay, wait)
    }

    impl Registers<RngRegisters> for &SimRng {
        fn read32(&self, reg: Reg<RngRegisters, u32>) -> u32 {
            match reg {
                EVENTS_VALRDY => {
                    if self.running.get() && self.valrdy.get() == 0 {
                        let left = self.countdown.get();
                        if left == 0 {
                            assert_eq!(self.config.get() & CONFIG_DERCEN, CONFIG_DERCEN, "bias correction off");
                            let v = self.stuck.unwrap_or_else(|| self.rng.borrow_mut().next() as u8);
                            self.value.set(u32::from(v));
                            self.valrdy.set(1);
                            self.countdown.set(self.ready_after);
                        } else {
                            self.countdown.set(left - 1);
                        }
                    }
                    self.valrdy.get()
                }
                VALUE => {
                    assert_eq!(self.valrdy.get(), 1, "VALUE read without VALRDY");
                    self.log.borrow_mut().push(self.value.get());
                    self.value.get()
                }
                CONFIG => self.config.get(),
                _ => panic!("read of {reg:#x}"),
            }
        }

        fn write32(&self, reg: Reg<RngRegisters, u32>, value: u32) {
            match reg {
                TASKS_START => {
                    assert_eq!(value, 1);
                    self.running.set(true);
                    self.starts.set(self.starts.get() + 1);
                }
                EVENTS_VALRDY => self.valrdy.set(value),
                CONFIG => self.config.set(value),
                _ => panic!("write to {reg:#x}"),
            }
        }
    }

    #[test]
    fn correct_bytes_for_odd_lengths_with_bias_correction_on() {
        assert_lengths_right(0, 0, || {
            let sim = SimRng::new(2);
            (driver(sim, Spin, DEFAULT_WAIT), sim.log.clone())
        });
    }

    #[test]
    fn each_byte_is_read_once_and_the_event_cleared() {
        let sim = SimRng::new(0);
        let mut rng = driver(sim, Spin, DEFAULT_WAIT);
        let a = rng.sample().unwrap();
        assert_eq!(sim.valrdy.get(), 0);
        let b = rng.sample().unwrap();
        assert_eq!(sim.log.borrow().as_slice(), &[a, b]);
        assert_eq!(sim.starts.get(), 1, "started once");
    }

    #[test]
    fn no_valrdy_times_out_within_the_bound_and_restarts_next_time() {
        let sim = SimRng::new(u32::MAX);
        let mut delay = RecordingDelay::default();
        let mut rng = driver(sim, &mut delay, WaitPolicy::new(500, 2_000));
        assert_eq!(rng.sample(), Err(EntropyError::Timeout));
        assert_eq!(rng.sample(), Err(EntropyError::Timeout));
        drop(rng);
        assert_eq!(delay.total_ns, 2 * 499 * 2_000);
        assert_eq!(sim.starts.get(), 2);
    }

    #[test]
    fn stuck_byte_trips_the_health_tests() {
        let sim = SimRng::with_stuck(0, Some(0x5C));
        let mut port = HealthTested::new(driver(sim, Spin, DEFAULT_WAIT));
        let mut out = [0u8; 3];
        assert_eq!(port.fill(&mut out), Err(EntropyError::HealthTestFailed));
        assert_eq!(sim.log.borrow().len(), 7, "RCT cutoff for H=7 is 7");
    }

    #[test]
    fn cutoffs_for_declared_entropy() {
        let c = HealthTested::<Nrf52Rng>::CUTOFFS;
        assert_eq!((c.rct, c.apt, c.apt_window), (7, 27, 512));
    }
}
