//! Reads QEMU micro:bit's emulated RNG (nRF51, the same register block as
//! nRF52's) through `freertos-rng-ports`' nrf52 port and its SP 800-90B
//! health tests, exactly as a product would (`Nrf52Rng::new_default`: MMIO
//! at 0x4000_D000, spin delay, default bounded wait), and prints what comes
//! out over semihosting for the host to check (scripts/test-microbit-rng.sh):
//!
//! ```text
//! cutoffs rct=7 apt=27 window=512
//! data 3f9a...            (32 bytes per line, hex)
//! ok bytes=4096           (or: fail <reason>)
//! ```
//! QEMU exits 0 after `ok`, 1 after `fail`.
#![no_std]
#![no_main]

mod semihosting;
mod startup;

use freertos_rng_ports::nrf52::Nrf52Rng;
use freertos_rng_ports::{EntropyError, EntropySource, HealthTested};

/// Output bytes to read: enough for the host's byte-frequency statistic
/// (16 expected per value), 2.7 s of virtual time at QEMU's 660 µs a byte.
const OUTPUT_BYTES: usize = 4096;
const LINE_BYTES: usize = 32;

fn main() -> ! {
    let c = HealthTested::<Nrf52Rng>::CUTOFFS;
    let mut line = Line::new();
    line.push(b"cutoffs rct=").number(c.rct).push(b" apt=").number(c.apt);
    line.push(b" window=").number(c.apt_window);
    semihosting::write_line(line.as_bytes());

    // SAFETY: this firmware is the only code on the chip and drives the RNG
    // from this one place; there is no SoftDevice.
    let mut rng = HealthTested::new(unsafe { Nrf52Rng::new_default() });
    let mut block = [0u8; LINE_BYTES];
    for _ in 0..OUTPUT_BYTES / LINE_BYTES {
        if let Err(e) = rng.fill(&mut block) {
            let mut line = Line::new();
            line.push(b"fail ").push(reason(e));
            semihosting::write_line(line.as_bytes());
            semihosting::exit(false);
        }
        let mut line = Line::new();
        line.push(b"data ").hex(&block);
        semihosting::write_line(line.as_bytes());
    }
    let mut line = Line::new();
    line.push(b"ok bytes=").number(OUTPUT_BYTES as u32);
    semihosting::write_line(line.as_bytes());
    semihosting::exit(true)
}

fn reason(e: EntropyError) -> &'static [u8] {
    match e {
        EntropyError::Timeout => b"timeout",
        EntropyError::HealthTestFailed => b"health-test",
        EntropyError::SeedError => b"seed-error",
        EntropyError::ClockError => b"clock-error",
        EntropyError::Unavailable => b"unavailable",
        EntropyError::NoSource => b"no-source",
    }
}

/// One output line, built without `core::fmt`.
struct Line {
    buf: [u8; 90],
    len: usize,
}

impl Line {
    fn new() -> Self {
        Line { buf: [0; 90], len: 0 }
    }

    fn push(&mut self, text: &[u8]) -> &mut Self {
        for &b in text {
            if self.len < self.buf.len() {
                self.buf[self.len] = b;
                self.len += 1;
            }
        }
        self
    }

    fn number(&mut self, mut n: u32) -> &mut Self {
        let mut digits = [0u8; 10];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.push(&digits[i..])
    }

    fn hex(&mut self, bytes: &[u8]) -> &mut Self {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        for &b in bytes {
            self.push(&[DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0xF)]]);
        }
        self
    }

    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    semihosting::write_line(b"fail panic");
    semihosting::exit(false)
}
