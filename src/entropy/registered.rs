//! `port-rand-core`: the firmware registers its source at run time.
//!
//! For boards without a port here whose HAL has an RNG implementing
//! `rand_core` 0.6: wrap it as `HealthTested::new(RandCoreNoise::new(rng))`,
//! put that in a `static` (or leak a box) and call [`register_source`] once,
//! before the first TLS connection. Only health-tested sources are accepted.

use core::cell::RefCell;
use critical_section::Mutex;
use freertos_rng_ports::{EntropyError, TestedSource};

type Registered = &'static mut (dyn TestedSource + Send);

static SOURCE: Mutex<RefCell<Option<Registered>>> = Mutex::new(RefCell::new(None));

/// Make `source` the entropy port. Replaces a source registered before.
pub fn register_source(source: Registered) {
    critical_section::with(|cs| *SOURCE.borrow_ref_mut(cs) = Some(source));
}

/// Fill `out` from the registered source; nothing registered is an error.
pub(super) fn fill(out: &mut [u8]) -> Result<(), EntropyError> {
    // Nothing registered: any size will do, the first section reports it.
    let section_bytes =
        with_source(|source| Ok(source.bytes_per_section())).unwrap_or(freertos_rng_ports::DEFAULT_BYTES_PER_SECTION);
    super::fill_in_sections(out, section_bytes, |chunk, start_up_budget| {
        with_source(|source| source.fill_section(chunk, start_up_budget))
    })
}

fn with_source<T>(
    f: impl FnOnce(&mut (dyn TestedSource + Send)) -> Result<T, EntropyError>,
) -> Result<T, EntropyError> {
    // Already borrowed: called from inside a section, e.g. by the source
    // itself, or from an interrupt handler against the rules (see
    // `compiled::fill`): busy, not a panic.
    critical_section::with(|cs| match SOURCE.borrow(cs).try_borrow_mut() {
        Ok(mut registered) => match registered.as_deref_mut() {
            Some(source) => f(source),
            None => Err(EntropyError::NoSource),
        },
        Err(_) => Err(EntropyError::Unavailable),
    })
}
