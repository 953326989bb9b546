//! NOT A RANDOM NUMBER GENERATOR. Entropy for the QEMU `mps2-an386`
//! emulated board only, which has no RNG peripheral, so that the demo can
//! run a TLS handshake there at all.
//!
//! Each sample is a reading of the board's CMSDK APB timer 0 (a 32-bit
//! down-counter at 25 MHz of QEMU's virtual clock). Without `-icount` the
//! virtual clock follows the host's, so the readings jitter with host
//! scheduling and differ from run to run; with `-icount` they are fully
//! deterministic and every run makes the same "random" keys. Either way an
//! observer who knows roughly when the firmware started can guess them.
//! Keys made from this source protect nothing.
//!
//! Three fences keep it off real devices:
//! - the name of the cargo feature (`insecure-emulator-only`, root crate
//!   `port-insecure-emulator-only`), which no default enables;
//! - a compile error unless the build targets bare-metal ARM *and* the
//!   environment variable `FREERTOS_TLS_BOARD` is `mps2-an386` at compile
//!   time (the board's CMake build sets it; nothing else should);
//! - its samples still pass through the SP 800-90B health tests like every
//!   port, so a stopped timer is still caught. (A counter passes them: the
//!   tests catch broken sources, they cannot prove a source is random.)
//!
//! | offset | register | use |
//! |---|---|---|
//! | 0x00 | CTRL | bit 0 ENABLE |
//! | 0x04 | VALUE | current count, decrements at the APB clock |
//! | 0x08 | RELOAD | value loaded when the count reaches 0 |
//!
//! Declared min-entropy: 1 bit per 32-bit reading, the least the health
//! tests accept, because nothing about a virtual timer deserves more.

use crate::driver::{Driver, Fault, RngBlock, Status};
use crate::regs::{Block, Mmio, Reg, Registers};
use crate::wait::{Spin, WaitPolicy};

// The fence. Under `cfg(test)` the module is built on the host to run its
// tests against a simulated timer; every other build must be the emulator's.
#[cfg(all(not(test), not(all(target_arch = "arm", target_os = "none"))))]
compile_error!("the insecure-emulator-only entropy source is for the QEMU mps2-an386 board (bare-metal ARM) only");

#[cfg(not(test))]
const _: () = assert!(
    is_emulator_board(option_env!("FREERTOS_TLS_BOARD")),
    "the insecure-emulator-only entropy source needs FREERTOS_TLS_BOARD=mps2-an386 at build time: it is for \
     the QEMU emulator only and must never reach a product (select the board's real RNG port instead)"
);

/// Whether the compile-time board name is the emulator's.
const fn is_emulator_board(board: Option<&str>) -> bool {
    let Some(board) = board else { return false };
    let (a, b) = (board.as_bytes(), b"mps2-an386");
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// CMSDK APB timer 0 of the mps2-an386 board.
pub const BASE_MPS2_TIMER0: usize = 0x4000_0000;

/// The CMSDK timer's register block, CTRL up to RELOAD.
#[derive(Debug, PartialEq, Eq)]
pub enum TimerRegisters {}

impl Block for TimerRegisters {
    const SIZE: usize = 0x0C;
}

const CTRL: Reg<TimerRegisters, u32> = Reg::at(0x00);
const VALUE: Reg<TimerRegisters, u32> = Reg::at(0x04);
const RELOAD: Reg<TimerRegisters, u32> = Reg::at(0x08);

const CTRL_ENABLE: u32 = 1 << 0;

/// The counter is always readable: one look, no wait.
const NO_WAIT: WaitPolicy = WaitPolicy::new(1, 0);

/// Timer readings of the emulated board. See the module documentation:
/// insecure by construction.
pub type InsecureEmulatorTimer<R = Mmio<TimerRegisters>> = Driver<TimerBlock<R>, Spin>;

impl InsecureEmulatorTimer {
    /// The timer at [`BASE_MPS2_TIMER0`].
    ///
    /// # Safety
    /// Only on the (emulated) mps2-an386 board, only one instance, and no
    /// other code may use timer 0.
    pub const unsafe fn new_default() -> Self {
        // SAFETY: forwarded to the caller.
        timer(unsafe { Mmio::new(BASE_MPS2_TIMER0) })
    }
}

/// Timer readings over any register block (a simulated one in tests).
pub const fn timer<R: Registers<TimerRegisters>>(regs: R) -> InsecureEmulatorTimer<R> {
    Driver::new(TimerBlock { regs }, Spin, NO_WAIT)
}

/// The timer as an [`RngBlock`]: started once, always ready.
pub struct TimerBlock<R: Registers<TimerRegisters>> {
    regs: R,
}

impl<R: Registers<TimerRegisters>> RngBlock for TimerBlock<R> {
    const SAMPLE_BITS: u32 = 32;
    const MIN_ENTROPY: f64 = 1.0;
    type Words = [u32; 1];

    fn start(&mut self) {
        if !self.is_running() {
            // Free-running over the whole 32-bit range.
            self.regs.write32(RELOAD, u32::MAX);
            self.regs.write32(VALUE, u32::MAX);
            self.regs.write32(CTRL, CTRL_ENABLE);
        }
    }

    fn is_running(&self) -> bool {
        self.regs.read32(CTRL) & CTRL_ENABLE != 0
    }

    fn status(&mut self) -> Status {
        Status::Ready
    }

    fn read(&mut self, words: &mut [u32; 1]) -> Result<bool, Fault> {
        words[0] = self.regs.read32(VALUE);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{assert_lengths_right, SampleLog};
    use crate::{EntropyError, EntropySource, HealthTested, NoiseSource};
    use std::boxed::Box;
    use std::cell::Cell;

    /// The CMSDK timer as QEMU models it, with `step` counts between reads
    /// (0: a stopped timer).
    struct SimTimer {
        ctrl: Cell<u32>,
        reload: Cell<u32>,
        value: Cell<u32>,
        step: u32,
        log: SampleLog,
    }

    fn sim(step: u32) -> &'static SimTimer {
        Box::leak(Box::new(SimTimer {
            ctrl: Cell::new(0),
            reload: Cell::new(0),
            value: Cell::new(0),
            step,
            log: SampleLog::default(),
        }))
    }

    impl Registers<TimerRegisters> for &SimTimer {
        fn read32(&self, reg: Reg<TimerRegisters, u32>) -> u32 {
            match reg {
                CTRL => self.ctrl.get(),
                VALUE => {
                    assert_eq!(self.ctrl.get() & CTRL_ENABLE, CTRL_ENABLE, "VALUE read from a stopped timer");
                    let v = self.value.get();
                    self.value.set(v.checked_sub(self.step).unwrap_or(self.reload.get()));
                    self.log.borrow_mut().push(v);
                    v
                }
                _ => panic!("read at {reg:#x}"),
            }
        }

        fn write32(&self, reg: Reg<TimerRegisters, u32>, value: u32) {
            match reg {
                CTRL => self.ctrl.set(value),
                RELOAD => self.reload.set(value),
                VALUE => self.value.set(value),
                _ => panic!("write at {reg:#x}"),
            }
        }
    }

    #[test]
    fn starts_the_timer_free_running_then_reads_it() {
        let t = sim(37);
        let mut port = timer(t);
        assert_eq!(port.sample(), Ok(u32::MAX));
        assert_eq!(t.reload.get(), u32::MAX);
        assert_eq!(port.sample(), Ok(u32::MAX - 37));
    }

    #[test]
    fn correct_bytes_for_odd_lengths() {
        assert_lengths_right(0, 0, || {
            let t = sim(1013);
            (timer(t), t.log.clone())
        });
    }

    #[test]
    fn a_stopped_timer_trips_the_health_tests() {
        let t = sim(0);
        let mut port = HealthTested::new(timer(t));
        let mut out = [0u8; 4];
        assert_eq!(port.fill(&mut out), Err(EntropyError::HealthTestFailed));
        assert_eq!(t.log.borrow().len(), 41, "RCT cutoff for H=1 is 1 + 40/1");
    }

    #[test]
    fn cutoffs_for_declared_entropy() {
        // H = 1 at alpha = 2^-40: `python3 ports/tools/cutoffs.py`.
        let c = HealthTested::<InsecureEmulatorTimer>::CUTOFFS;
        assert_eq!((c.rct, c.apt, c.apt_window), (41, 337, 512));
    }

    #[test]
    fn only_the_emulator_board_name_passes_the_fence() {
        assert!(is_emulator_board(Some("mps2-an386")));
        for other in [None, Some(""), Some("mps2-an385"), Some("mps2-an3860"), Some("stm32")] {
            assert!(!is_emulator_board(other), "{other:?}");
        }
    }
}
