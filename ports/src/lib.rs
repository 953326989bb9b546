//! Hardware random number generator ports for `freertos-tls`.
//!
//! Two layers:
//! - a port reads one raw sample at a time from a vendor peripheral
//!   ([`NoiseSource`]), with bounded waits and the error recovery its
//!   reference manual prescribes;
//! - [`HealthTested`] runs the NIST SP 800-90B §4.4 continuous health tests
//!   (and the §4.3 start-up test) on those samples and turns them into bytes
//!   ([`EntropySource`]). A failed test latches: no more bytes, ever, until
//!   [`HealthTested::restart`].
//!
//! A port never reports success without writing every byte, and never waits
//! without a bound. Every vendor module is compiled under `cfg(test)` too, so
//! the host tests drive each one against a simulated register block.
#![no_std]
#![forbid(unsafe_op_in_unsafe_fn)]

#[cfg(test)]
extern crate std;

pub mod health;
pub mod regs;
pub mod wait;

#[cfg(any(test, feature = "esp32"))]
pub mod esp32;
#[cfg(any(test, feature = "insecure-emulator-only"))]
pub mod insecure_emulator;
#[cfg(any(test, feature = "kinetis-rnga"))]
pub mod kinetis_rnga;
#[cfg(any(test, feature = "nrf52"))]
pub mod nrf52;
#[cfg(any(test, feature = "nxp-trng"))]
pub mod nxp_trng;
#[cfg(any(test, feature = "posix"))]
pub mod posix;
#[cfg(any(test, feature = "rand-core"))]
pub mod rand_core_adapter;
#[cfg(any(test, feature = "rp2350"))]
pub mod rp2350;
#[cfg(any(test, feature = "samd5x"))]
pub mod samd5x;
#[cfg(any(test, feature = "stm32"))]
pub mod stm32;

#[cfg(test)]
mod testkit;

use core::fmt;

pub use health::HealthTested;

/// Why a source could not deliver entropy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntropyError {
    /// The peripheral did not produce data within its bounded wait.
    Timeout,
    /// The peripheral reported a seed (noise source) error it could not recover from.
    SeedError,
    /// The peripheral reported a clock error it could not recover from.
    ClockError,
    /// A continuous health test (SP 800-90B 4.4) rejected the raw samples.
    HealthTestFailed,
    /// The operating system or HAL reported a failure.
    Unavailable,
    /// No entropy port is selected or registered.
    NoSource,
}

impl fmt::Display for EntropyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EntropyError::Timeout => "entropy source timed out",
            EntropyError::SeedError => "entropy source seed error",
            EntropyError::ClockError => "entropy source clock error",
            EntropyError::HealthTestFailed => "entropy health test failed",
            EntropyError::Unavailable => "entropy source unavailable",
            EntropyError::NoSource => "no entropy source selected",
        })
    }
}

/// A source of true random bytes.
pub trait EntropySource {
    /// Fill all of `out`, or return an error. On error the content of `out`
    /// is unspecified and must not be used.
    fn fill(&mut self, out: &mut [u8]) -> Result<(), EntropyError>;
}

/// Output bytes per critical section of the peripheral ports (see
/// [`NoiseSource::BYTES_PER_SECTION`]).
pub const DEFAULT_BYTES_PER_SECTION: usize = 32;

/// A raw noise source: one peripheral read is one sample.
///
/// `MIN_ENTROPY` is the port's declared min-entropy per sample, in bits
/// (`0 < MIN_ENTROPY <= SAMPLE_BITS`); the health-test cutoffs are computed
/// from it. Declare it conservatively: a lower value means fewer false
/// alarms but slower detection of a degraded source.
pub trait NoiseSource {
    /// Significant low bits of each sample: 8, 16 or 32.
    const SAMPLE_BITS: u32;
    /// Declared min-entropy per sample, in bits.
    const MIN_ENTROPY: f64;

    /// Output bytes one critical section may produce. Small for slow
    /// peripherals, so that interrupts are not held off for long; large for
    /// sources that are fast and cheaper per byte in bulk (the OS).
    const BYTES_PER_SECTION: usize = DEFAULT_BYTES_PER_SECTION;

    /// Read one sample (only the low `SAMPLE_BITS` bits are used), waiting a
    /// bounded time, recovering from peripheral errors as the manual says.
    fn sample(&mut self) -> Result<u32, EntropyError>;

    /// `true` when [`read_samples`](Self::read_samples) reads many samples
    /// at once: [`HealthTested`] then reads a whole request first and tests
    /// it in place before anyone sees it. Peripheral ports leave it `false`:
    /// each sample is tested as it is read, so a failing peripheral is not
    /// read any further.
    const READS_IN_BULK: bool = false;

    /// Read raw samples straight into `out`: whole samples, the low
    /// `SAMPLE_BITS` of each, little-endian (`out.len()` is a multiple of
    /// `SAMPLE_BITS / 8`). Used when [`READS_IN_BULK`](Self::READS_IN_BULK);
    /// the default reads one [`sample`](Self::sample) at a time.
    fn read_samples(&mut self, out: &mut [u8]) -> Result<(), EntropyError> {
        let width = (Self::SAMPLE_BITS / 8) as usize;
        for chunk in out.chunks_exact_mut(width) {
            let bytes = self.sample()?.to_le_bytes();
            chunk.copy_from_slice(&bytes[..width]);
        }
        Ok(())
    }
}

/// An [`EntropySource`] whose output has passed the SP 800-90B health
/// tests: implemented only by [`HealthTested`], so code that accepts a
/// `dyn TestedSource` cannot be handed an untested source.
pub trait TestedSource: EntropySource + sealed::Sealed {
    /// See [`HealthTested::start_up_step`].
    fn start_up_step(&mut self, max_samples: u32) -> Result<bool, EntropyError>;
    /// See [`NoiseSource::BYTES_PER_SECTION`].
    fn bytes_per_section(&self) -> usize;
}

impl<S: NoiseSource> TestedSource for HealthTested<S> {
    fn start_up_step(&mut self, max_samples: u32) -> Result<bool, EntropyError> {
        HealthTested::start_up_step(self, max_samples)
    }

    fn bytes_per_section(&self) -> usize {
        S::BYTES_PER_SECTION
    }
}

mod sealed {
    pub trait Sealed {}
    impl<S: crate::NoiseSource> Sealed for crate::HealthTested<S> {}
}
