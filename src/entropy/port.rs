//! Which entropy port this build uses: one `port-*` cargo feature (the CMake
//! option `FREERTOS_TLS_RNG_PORT` maps to it). Each compile-time port is
//! wrapped in the SP 800-90B health tests and built as a `const` static.

#[allow(unused_imports)] // not used by the no-port and rand-core builds
use freertos_rng_ports::HealthTested;

/// A `compile_error!` for every pair of `port-*` features that are both on.
macro_rules! at_most_one_port {
    ($first:literal $(, $rest:literal)*) => {
        $(
            #[cfg(all(feature = $first, feature = $rest))]
            compile_error!(concat!(
                "entropy ports `", $first, "` and `", $rest, "` are both selected: choose one ",
                "(a vendor port needs --no-default-features, which drops port-posix)"
            ));
        )*
        at_most_one_port!($($rest),*);
    };
    () => {};
}

at_most_one_port!(
    "port-posix",
    "port-stm32",
    "port-kinetis-rnga",
    "port-nxp-trng",
    "port-nrf52",
    "port-esp32",
    "port-rp2350",
    "port-samd5x",
    "port-rand-core",
    "port-insecure-emulator-only"
);

#[cfg(feature = "port-posix")]
pub(super) type Active = HealthTested<freertos_rng_ports::posix::PosixRng>;
#[cfg(feature = "port-posix")]
pub(super) const fn new_active() -> Active {
    HealthTested::new(freertos_rng_ports::posix::PosixRng::new())
}

// SAFETY (each vendor port below): the `port-<vendor>` feature says this
// firmware runs on that chip family, so the default base address is the
// peripheral's; the one static built from it is the only driver of it.

#[cfg(feature = "port-stm32")]
pub(super) type Active = HealthTested<freertos_rng_ports::stm32::Stm32Rng>;
#[cfg(feature = "port-stm32")]
pub(super) const fn new_active() -> Active {
    // SAFETY: see above.
    HealthTested::new(unsafe { freertos_rng_ports::stm32::Stm32Rng::new_default() })
}

#[cfg(feature = "port-kinetis-rnga")]
pub(super) type Active = HealthTested<freertos_rng_ports::kinetis_rnga::KinetisRnga>;
#[cfg(feature = "port-kinetis-rnga")]
pub(super) const fn new_active() -> Active {
    // SAFETY: see above.
    HealthTested::new(unsafe { freertos_rng_ports::kinetis_rnga::KinetisRnga::new_default() })
}

#[cfg(feature = "port-nxp-trng")]
pub(super) type Active = HealthTested<freertos_rng_ports::nxp_trng::NxpTrng>;
#[cfg(feature = "port-nxp-trng")]
pub(super) const fn new_active() -> Active {
    // SAFETY: see above.
    HealthTested::new(unsafe { freertos_rng_ports::nxp_trng::NxpTrng::new_default() })
}

#[cfg(feature = "port-nrf52")]
pub(super) type Active = HealthTested<freertos_rng_ports::nrf52::Nrf52Rng>;
#[cfg(feature = "port-nrf52")]
pub(super) const fn new_active() -> Active {
    // SAFETY: see above.
    HealthTested::new(unsafe { freertos_rng_ports::nrf52::Nrf52Rng::new_default() })
}

#[cfg(feature = "port-esp32")]
pub(super) type Active = HealthTested<freertos_rng_ports::esp32::Esp32Rng>;
#[cfg(feature = "port-esp32")]
pub(super) const fn new_active() -> Active {
    // SAFETY: see above. The RF-on / bootloader_random_enable() condition is
    // the firmware's to meet (documented in the port).
    HealthTested::new(unsafe { freertos_rng_ports::esp32::Esp32Rng::new_default() })
}

#[cfg(feature = "port-rp2350")]
pub(super) type Active = HealthTested<freertos_rng_ports::rp2350::Rp2350Trng>;
#[cfg(feature = "port-rp2350")]
pub(super) const fn new_active() -> Active {
    // SAFETY: see above.
    HealthTested::new(unsafe { freertos_rng_ports::rp2350::Rp2350Trng::new_default() })
}

#[cfg(feature = "port-samd5x")]
pub(super) type Active = HealthTested<freertos_rng_ports::samd5x::SamD5xTrng>;
#[cfg(feature = "port-samd5x")]
pub(super) const fn new_active() -> Active {
    // SAFETY: see above.
    HealthTested::new(unsafe { freertos_rng_ports::samd5x::SamD5xTrng::new_default() })
}

#[cfg(feature = "port-insecure-emulator-only")]
pub(super) type Active = HealthTested<freertos_rng_ports::insecure_emulator::InsecureEmulatorTimer>;
#[cfg(feature = "port-insecure-emulator-only")]
pub(super) const fn new_active() -> Active {
    // SAFETY: the feature only compiles for the emulated mps2-an386 board
    // (the ports crate enforces it), whose timer 0 nothing else drives.
    HealthTested::new(unsafe { freertos_rng_ports::insecure_emulator::InsecureEmulatorTimer::new_default() })
}

#[cfg(not(any(
    feature = "port-posix",
    feature = "port-stm32",
    feature = "port-kinetis-rnga",
    feature = "port-nxp-trng",
    feature = "port-nrf52",
    feature = "port-esp32",
    feature = "port-rp2350",
    feature = "port-samd5x",
    feature = "port-rand-core",
    feature = "port-insecure-emulator-only"
)))]
pub(super) use no_port::{new_active, Active};

/// No port selected: every request fails (never silent zeros).
#[cfg(not(any(
    feature = "port-posix",
    feature = "port-stm32",
    feature = "port-kinetis-rnga",
    feature = "port-nxp-trng",
    feature = "port-nrf52",
    feature = "port-esp32",
    feature = "port-rp2350",
    feature = "port-samd5x",
    feature = "port-rand-core",
    feature = "port-insecure-emulator-only"
)))]
mod no_port {
    use freertos_rng_ports::{EntropyError, EntropySource};

    pub(in crate::entropy) type Active = NoPort;

    pub(in crate::entropy) const fn new_active() -> Active {
        NoPort
    }

    pub(in crate::entropy) struct NoPort;

    impl NoPort {
        /// Any size: the first section reports the missing port.
        pub(in crate::entropy) const SECTION_BYTES: usize = freertos_rng_ports::DEFAULT_BYTES_PER_SECTION;

        pub(in crate::entropy) fn start_up_step(&mut self, _max_samples: u32) -> Result<bool, EntropyError> {
            Err(EntropyError::NoSource)
        }
    }

    impl EntropySource for NoPort {
        fn fill(&mut self, out: &mut [u8]) -> Result<(), EntropyError> {
            zeroize::Zeroize::zeroize(out);
            Err(EntropyError::NoSource)
        }
    }
}
