//! `posix` port: the operating system's random source (`getrandom(2)` on
//! Linux), for the FreeRTOS POSIX simulator and host tests.
//!
//! Samples are bytes with a declared min-entropy of 8 bits each: the kernel
//! promises full-entropy output once its pool is initialised (getrandom(2)
//! blocks until then). The health tests still run, so a broken or stubbed
//! `getrandom` cannot pass silently.

use crate::{EntropyError, NoiseSource};
use zeroize::Zeroize;

const BUFFER: usize = 256;

/// The host operating system's cryptographic random source, read in
/// `BUFFER`-byte blocks; each byte is handed out once and then wiped.
pub struct PosixRng {
    buf: [u8; BUFFER],
    next: usize,
}

impl PosixRng {
    pub const fn new() -> Self {
        PosixRng { buf: [0; BUFFER], next: BUFFER }
    }
}

impl Default for PosixRng {
    fn default() -> Self {
        Self::new()
    }
}

impl NoiseSource for PosixRng {
    const SAMPLE_BITS: u32 = 8;
    const MIN_ENTROPY: f64 = 8.0;
    /// A system call per 32 bytes would cost more than the bytes; a host
    /// (or the simulator, whose critical sections only mask signals) can
    /// afford long sections.
    const BYTES_PER_SECTION: usize = 64 * 1024;
    const READS_IN_BULK: bool = true;

    fn sample(&mut self) -> Result<u32, EntropyError> {
        if self.next == BUFFER {
            getrandom::fill(&mut self.buf).map_err(|_| EntropyError::Unavailable)?;
            self.next = 0;
        }
        let byte = core::mem::take(&mut self.buf[self.next]);
        self.next += 1;
        Ok(u32::from(byte))
    }

    fn read_samples(&mut self, out: &mut [u8]) -> Result<(), EntropyError> {
        getrandom::fill(out).map_err(|_| EntropyError::Unavailable)
    }
}

impl Drop for PosixRng {
    fn drop(&mut self) {
        self.buf.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EntropySource, HealthTested};

    #[test]
    fn fills_odd_lengths_and_bytes_differ_between_calls() {
        let mut port = HealthTested::new(PosixRng::new());
        for len in [1usize, 3, 5, 4097] {
            let mut a = std::vec![0u8; len];
            let mut b = std::vec![0u8; len];
            port.fill(&mut a).unwrap();
            port.fill(&mut b).unwrap();
            if len >= 5 {
                // 2^-40 chance of a false failure.
                assert_ne!(a, b, "two draws of {len} bytes were equal");
            }
        }
    }

    #[test]
    fn cutoffs_for_declared_entropy() {
        let c = HealthTested::<PosixRng>::CUTOFFS;
        assert_eq!((c.rct, c.apt, c.apt_window), (6, 20, 512));
    }

    #[test]
    fn consumed_bytes_are_wiped_from_the_buffer() {
        let mut rng = PosixRng::new();
        for _ in 0..10 {
            rng.sample().unwrap();
        }
        assert!(rng.buf[..10].iter().all(|&b| b == 0));
    }
}
