//! Espressif ESP32 RNG: a single data register, `RNG_DATA_REG`.
//!
//! Source: ESP32 Technical Reference Manual v5.2, ch. 25 "Random Number
//! Generator (RNG)": §25.3 functional description, §25.4 programming
//! procedure, §25.6 `RNG_DATA_REG` (0x3FF7_5144, read-only). Every read
//! returns a 32-bit value; the block has no status, ready or error bits.
//! Other ESP32 family chips have the same register elsewhere: construct the
//! port with [`Esp32Rng::new`] over `Mmio` at that chip's address.
//!
//! **Condition for true randomness** (TRM, and ESP-IDF "Random Number
//! Generation"): noise is mixed into the RNG state only while the RF
//! subsystem (Wi-Fi or Bluetooth) is on, or the SAR ADC entropy source has
//! been switched on with `bootloader_random_enable()` and not yet off with
//! `bootloader_random_disable()`. Otherwise the register gives pseudo-random
//! numbers only. This port cannot see that state: the firmware must meet
//! the condition before the first TLS connection. The health tests catch a
//! stuck or dead register, not a pseudo-random one.
//!
//! Read rate (§25.3): the high-speed ADC feeds 2 bits per APB cycle (80 MHz),
//! so reads should not exceed 5 MHz; the SAR ADC feeds 2 bits per
//! RC_FAST_CLK cycle (8 MHz), i.e. 32 fresh bits every 2 µs. We wait
//! [`DEFAULT_READ_SPACING_NS`] before every read, enough for either source.
//!
//! Declared min-entropy: 8 bits per 32-bit read, a deliberately low claim
//! given the condition above.

use crate::driver::{Driver, Fault, RngBlock, Status};
use crate::regs::{Block, Mmio, Reg, Registers};
use crate::wait::{Spin, WaitPolicy};

/// `RNG_DATA_REG` on ESP32 (the register itself: offset 0 from here).
pub const RNG_DATA_REG_ESP32: usize = 0x3FF7_5144;

/// The RNG's one register, `RNG_DATA_REG`.
#[derive(Debug, PartialEq, Eq)]
pub enum RngRegisters {}

impl Block for RngRegisters {
    const SIZE: usize = 4;
}

const DATA: Reg<RngRegisters, u32> = Reg::at(0x0);

/// 2 µs: 16 RC_FAST_CLK cycles of 2 bits each, the slower of the two sources.
pub const DEFAULT_READ_SPACING_NS: u32 = 2_000;

/// The wait before each read: one look that says "not yet", one interval
/// of `spacing_ns`, and the read (see [`Esp32Block`]).
pub const fn read_spacing(spacing_ns: u32) -> WaitPolicy {
    WaitPolicy::new(2, spacing_ns)
}

/// The ESP32 RNG data register.
pub type Esp32Rng<R = Mmio<RngRegisters>, D = Spin> = Driver<Esp32Block<R>, D>;

impl Esp32Rng {
    /// `RNG_DATA_REG` of the ESP32.
    ///
    /// # Safety
    /// Only on an ESP32. The RF-on / `bootloader_random_enable()` condition
    /// is the caller's to meet (module docs).
    pub const unsafe fn new_default() -> Self {
        // SAFETY: forwarded to the caller.
        let regs = unsafe { Mmio::new(RNG_DATA_REG_ESP32) };
        Driver::new(Esp32Block::new(regs), Spin, read_spacing(DEFAULT_READ_SPACING_NS))
    }
}

/// `RNG_DATA_REG` as an [`RngBlock`]. No ready flag exists; spacing the
/// reads is the only pacing there is. So the register counts as ready one
/// wait interval after the previous read: the first look after a read says
/// [`Status::Busy`], the next [`Status::Ready`]. Driven with
/// [`read_spacing`], every read is preceded by exactly one interval.
pub struct Esp32Block<R: Registers<RngRegisters>> {
    regs: R,
    /// One interval has passed since the last read.
    spaced: bool,
}

impl<R: Registers<RngRegisters>> Esp32Block<R> {
    pub const fn new(regs: R) -> Self {
        Esp32Block { regs, spaced: false }
    }
}

impl<R: Registers<RngRegisters>> RngBlock for Esp32Block<R> {
    const SAMPLE_BITS: u32 = 32;
    const MIN_ENTROPY: f64 = 8.0;
    type Words = [u32; 1];

    /// Nothing to start: the register always reads.
    fn start(&mut self) {}

    fn status(&mut self) -> Status {
        if core::mem::replace(&mut self.spaced, true) {
            Status::Ready
        } else {
            Status::Busy
        }
    }

    fn read(&mut self, words: &mut [u32; 1]) -> Result<bool, Fault> {
        self.spaced = false;
        words[0] = self.regs.read32(DATA);
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
    use std::cell::RefCell;

    /// RNG_DATA_REG: a new value per read; `stuck` models a gated clock or a
    /// broken block that returns one value forever.
    struct SimRng {
        rng: RefCell<SplitMix64>,
        stuck: Option<u32>,
        log: SampleLog,
    }

    fn sim(stuck: Option<u32>) -> &'static SimRng {
        Box::leak(Box::new(SimRng {
            rng: RefCell::new(SplitMix64::new(random_seed())),
            stuck,
            log: SampleLog::default(),
        }))
    }

    fn driver<D: DelayNs>(sim: &'static SimRng, delay: D, spacing_ns: u32) -> Esp32Rng<&'static SimRng, D> {
        Driver::new(Esp32Block::new(sim), delay, read_spacing(spacing_ns))
    }

    impl Registers<RngRegisters> for &SimRng {
        fn read32(&self, reg: Reg<RngRegisters, u32>) -> u32 {
            assert_eq!(reg, DATA);
            let v = self.stuck.unwrap_or_else(|| self.rng.borrow_mut().next() as u32);
            self.log.borrow_mut().push(v);
            v
        }

        fn write32(&self, reg: Reg<RngRegisters, u32>, _: u32) {
            panic!("RNG_DATA_REG is read-only ({reg:#x})")
        }
    }

    #[test]
    fn correct_bytes_for_odd_lengths() {
        assert_lengths_right(0, 0, || {
            let s = sim(None);
            (driver(s, Spin, 0), s.log.clone())
        });
    }

    #[test]
    fn reads_are_spaced() {
        let s = sim(None);
        let mut delay = RecordingDelay::default();
        let mut rng = driver(s, &mut delay, DEFAULT_READ_SPACING_NS);
        for _ in 0..10 {
            rng.sample().unwrap();
        }
        drop(rng);
        assert_eq!((delay.calls, delay.total_ns), (10, 10 * u64::from(DEFAULT_READ_SPACING_NS)));
    }

    #[test]
    fn stuck_register_trips_the_rct() {
        let s = sim(Some(0));
        let mut port = HealthTested::new(driver(s, Spin, 0));
        let mut out = [0u8; 32];
        assert_eq!(port.fill(&mut out), Err(EntropyError::HealthTestFailed));
        assert_eq!(s.log.borrow().len(), 6, "RCT cutoff for H=8 is 6");
    }

    #[test]
    fn cutoffs_for_declared_entropy() {
        let c = HealthTested::<Esp32Rng>::CUTOFFS;
        assert_eq!((c.rct, c.apt, c.apt_window), (6, 20, 512));
    }
}
