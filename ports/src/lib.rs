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
//! without a bound: the vendor ports share one polling loop
//! ([`driver::Driver`]) and reach their registers only through typed,
//! bounds-checked [`regs::Reg`] constants. Every vendor module is compiled
//! under `cfg(test)` too, so the host tests drive each one against a
//! simulated register block. Which port the library drives: [`active`].
#![no_std]
#![forbid(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks, clippy::missing_safety_doc, clippy::borrow_as_ptr)]

#[cfg(test)]
extern crate std;

pub mod driver;
pub mod health;
pub mod regs;
pub mod wait;

/// Every port, written once: its feature of this crate (the root crate
/// forwards `port-<feature>` to it), its module, and for the ports built at
/// compile time the driver [`active`] selects and how it is constructed.
/// From this list come the modules, the "at most one port" check and
/// [`active::ActivePort`]. Adding a port: its module, one entry here, one
/// feature line in `Cargo.toml`, one forwarding line in the root
/// `Cargo.toml`, and its row in `ports/README.md`.
macro_rules! ports {
    (
        compiled { $($feature:literal => $module:ident :: $driver:ident = $construct:expr,)* }
        registered_at_run_time { $($run_time_feature:literal => $run_time_module:ident,)* }
    ) => {
        $(
            #[cfg(any(test, feature = $feature))]
            pub mod $module;
        )*
        $(
            #[cfg(any(test, feature = $run_time_feature))]
            pub mod $run_time_module;
        )*

        at_most_one_port!($($feature,)* $($run_time_feature,)*);

        /// The port this build selected with a cargo feature, ready to be
        /// put in the one `static` that drives it.
        pub mod active {
            // The port modules, by the names the list uses; unused when no
            // compiled port is on.
            #[allow(unused_imports)]
            use crate::*;
            $(
                #[cfg(feature = $feature)]
                /// The selected port, health-tested.
                pub type ActivePort = HealthTested<$module::$driver>;
                #[cfg(feature = $feature)]
                /// The selected port, health-tested.
                ///
                /// # Safety
                /// Call once: the value must be the only driver of its
                /// peripheral. Selecting the port's feature states that the
                /// firmware runs on that chip (the port's `new_default`
                /// documents the conditions).
                pub const unsafe fn active_port() -> ActivePort {
                    HealthTested::new($construct)
                }
            )*

            #[cfg(not(any($(feature = $feature),*)))]
            pub use crate::NoPort as ActivePort;

            /// No port built at compile time: one that always fails.
            ///
            /// # Safety
            /// None needed; `unsafe` only to match the other builds.
            #[cfg(not(any($(feature = $feature),*)))]
            pub const unsafe fn active_port() -> ActivePort {
                crate::NoPort
            }
        }
    };
}

/// A `compile_error!` for every pair of port features that are both on.
macro_rules! at_most_one_port {
    ($first:literal, $($rest:literal,)*) => {
        $(
            #[cfg(all(feature = $first, feature = $rest))]
            compile_error!(concat!(
                "entropy ports `", $first, "` and `", $rest, "` are both selected (root crate features `port-",
                $first, "` and `port-", $rest, "`): choose one (a vendor port needs --no-default-features, ",
                "which drops the default port-posix)"
            ));
        )*
        at_most_one_port!($($rest,)*);
    };
    () => {};
}

// SAFETY (every vendor entry below): `active_port`'s caller promises one
// instance, and the port's feature says the firmware runs on that chip
// family, which is what each `new_default` requires.
ports! {
    compiled {
        "posix" => posix::PosixRng = posix::PosixRng::new(),
        // SAFETY: see above.
        "stm32" => stm32::Stm32Rng = unsafe { stm32::Stm32Rng::new_default() },
        // SAFETY: see above.
        "kinetis-rnga" => kinetis_rnga::KinetisRnga = unsafe { kinetis_rnga::KinetisRnga::new_default() },
        // SAFETY: see above.
        "nxp-trng" => nxp_trng::NxpTrng = unsafe { nxp_trng::NxpTrng::new_default() },
        // SAFETY: see above. (Not while a SoftDevice owns the RNG: documented
        // with the port.)
        "nrf52" => nrf52::Nrf52Rng = unsafe { nrf52::Nrf52Rng::new_default() },
        // SAFETY: see above. The RF-on / bootloader_random_enable() condition
        // is the firmware's to meet (documented with the port).
        "esp32" => esp32::Esp32Rng = unsafe { esp32::Esp32Rng::new_default() },
        // SAFETY: see above.
        "rp2350" => rp2350::Rp2350Trng = unsafe { rp2350::Rp2350Trng::new_default() },
        // SAFETY: see above.
        "samd5x" => samd5x::SamD5xTrng = unsafe { samd5x::SamD5xTrng::new_default() },
        // SAFETY: the module only compiles for the emulated mps2-an386 board
        // (its own fence), whose timer 0 nothing else drives.
        "insecure-emulator-only" => insecure_emulator::InsecureEmulatorTimer =
            unsafe { insecure_emulator::InsecureEmulatorTimer::new_default() },
    }
    registered_at_run_time {
        "rand-core" => rand_core_adapter,
    }
}

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
    /// See [`HealthTested::fill_section`].
    fn fill_section(&mut self, out: &mut [u8], start_up_budget: u32) -> Result<bool, EntropyError>;
    /// See [`NoiseSource::BYTES_PER_SECTION`].
    fn bytes_per_section(&self) -> usize;
}

impl<S: NoiseSource> TestedSource for HealthTested<S> {
    fn fill_section(&mut self, out: &mut [u8], start_up_budget: u32) -> Result<bool, EntropyError> {
        HealthTested::fill_section(self, out, start_up_budget)
    }

    fn bytes_per_section(&self) -> usize {
        S::BYTES_PER_SECTION
    }
}

/// What [`active::ActivePort`] is when no port is built at compile time
/// (none selected, or `rand-core`, whose source is registered at run
/// time): every request fails, never silent zeros.
pub struct NoPort;

impl NoPort {
    /// Any size: the first section reports the missing port.
    pub const SECTION_BYTES: usize = DEFAULT_BYTES_PER_SECTION;

    /// Fails (`out` wiped): there is no source to test.
    pub fn fill_section(&mut self, out: &mut [u8], _start_up_budget: u32) -> Result<bool, EntropyError> {
        self.fill(out).map(|()| true)
    }
}

impl EntropySource for NoPort {
    fn fill(&mut self, out: &mut [u8]) -> Result<(), EntropyError> {
        zeroize::Zeroize::zeroize(out);
        Err(EntropyError::NoSource)
    }
}

mod sealed {
    pub trait Sealed {}
    impl<S: crate::NoiseSource> Sealed for crate::HealthTested<S> {}
}
