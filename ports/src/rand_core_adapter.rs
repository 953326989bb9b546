//! Adapter for any HAL RNG that implements `rand_core` 0.6 [`RngCore`], so
//! boards without a port here still plug in (and still get health tests).
//!
//! Why 0.6: it is the version the embedded HALs implement for their RNG
//! peripherals (stm32f4xx-hal, nrf-hal, rp2040-hal/rp235x-hal, embassy-*,
//! esp-hal's `rand_core-06` support), so it is what serves HAL users.
//!
//! `CryptoRng` is not required: HALs often implement only `RngCore` for a
//! true hardware RNG, and the samples go through the SP 800-90B health
//! tests here anyway.
//!
//! Each sample is one 32-bit `try_fill_bytes` call. The min-entropy per
//! sample is the integrator's claim, `MIN_ENTROPY_BITS` (default 8, the
//! conservative end of what the ports here declare); set it from the
//! vendor's documentation.

use crate::{EntropyError, NoiseSource};
use rand_core::RngCore;
use zeroize::Zeroize;

/// A `rand_core` 0.6 RNG as a raw noise source of 32-bit samples.
pub struct RandCoreNoise<R: RngCore, const MIN_ENTROPY_BITS: u32 = 8> {
    rng: R,
}

impl<R: RngCore, const MIN_ENTROPY_BITS: u32> RandCoreNoise<R, MIN_ENTROPY_BITS> {
    pub const fn new(rng: R) -> Self {
        RandCoreNoise { rng }
    }

    pub fn into_inner(self) -> R {
        self.rng
    }
}

impl<R: RngCore, const MIN_ENTROPY_BITS: u32> NoiseSource for RandCoreNoise<R, MIN_ENTROPY_BITS> {
    const SAMPLE_BITS: u32 = 32;
    const MIN_ENTROPY: f64 = MIN_ENTROPY_BITS as f64;

    fn sample(&mut self) -> Result<u32, EntropyError> {
        let mut bytes = [0u8; 4];
        // try_fill_bytes, not next_u32: HALs report hardware errors only here.
        let result = self.rng.try_fill_bytes(&mut bytes).map(|()| u32::from_le_bytes(bytes));
        bytes.zeroize();
        result.map_err(|_| EntropyError::Unavailable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{assert_lengths_right, random_seed, SampleLog, SplitMix64};
    use crate::{EntropySource, HealthTested};

    /// A HAL-like RNG: SplitMix64 words, optionally failing or stuck.
    struct HalRng {
        rng: SplitMix64,
        stuck: Option<u32>,
        fail: bool,
        log: SampleLog,
    }

    impl RngCore for HalRng {
        fn next_u32(&mut self) -> u32 {
            panic!("the adapter must use try_fill_bytes")
        }

        fn next_u64(&mut self) -> u64 {
            panic!("the adapter must use try_fill_bytes")
        }

        fn fill_bytes(&mut self, _: &mut [u8]) {
            panic!("the adapter must use try_fill_bytes")
        }

        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
            if self.fail {
                return Err(rand_core::Error::from(
                    core::num::NonZeroU32::new(rand_core::Error::CUSTOM_START).unwrap(),
                ));
            }
            for chunk in dest.chunks_mut(4) {
                let w = self.stuck.unwrap_or(self.rng.next() as u32);
                self.log.borrow_mut().push(w);
                chunk.copy_from_slice(&w.to_le_bytes()[..chunk.len()]);
            }
            Ok(())
        }
    }

    fn hal(stuck: Option<u32>, fail: bool) -> HalRng {
        HalRng { rng: SplitMix64::new(random_seed()), stuck, fail, log: SampleLog::default() }
    }

    #[test]
    fn correct_bytes_for_odd_lengths() {
        assert_lengths_right(0, 0, || {
            let h = hal(None, false);
            let log = h.log.clone();
            (RandCoreNoise::<_, 16>::new(h), log)
        });
    }

    #[test]
    fn hal_errors_are_reported() {
        let mut port = HealthTested::new(RandCoreNoise::<_>::new(hal(None, true)));
        let mut out = [7u8; 9];
        assert_eq!(port.fill(&mut out), Err(EntropyError::Unavailable));
        assert_eq!(out, [0; 9]);
    }

    #[test]
    fn stuck_hal_rng_trips_the_rct_at_its_declared_entropy() {
        let h = hal(Some(42), false);
        let log = h.log.clone();
        let mut port = HealthTested::new(RandCoreNoise::<_, 8>::new(h));
        let mut out = [0u8; 4];
        assert_eq!(port.fill(&mut out), Err(EntropyError::HealthTestFailed));
        assert_eq!(log.borrow().len(), 6);
        let c = HealthTested::<RandCoreNoise<HalRng, 8>>::CUTOFFS;
        assert_eq!((c.rct, c.apt), (6, 20));
    }
}
