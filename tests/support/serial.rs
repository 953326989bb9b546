//! The one lock for what a test binary's tests share process-wide: the
//! session cache and its switches, the hooks (clock, log, date), the
//! SoftHSM2 token in `SOFTHSM2_CONF` (the library initialises the module
//! once per process while a connection is alive) and the credential
//! labels. A test that touches any of these, or whose connections must not
//! meet another test's entries in the cache, holds [`serial`] for its
//! whole run.

use std::cell::Cell;
use std::sync::{Mutex, MutexGuard, PoisonError};

static LOCK: Mutex<()> = Mutex::new(());

thread_local! {
    /// How many [`Serial`] guards this thread holds.
    static HELD: Cell<usize> = const { Cell::new(0) };
}

/// A turn at the process-wide state; released when dropped. Not `Send`
/// (the lock is the thread's).
pub struct Serial {
    _lock: Option<MutexGuard<'static, ()>>,
}

/// Wait for the turn. Poison-tolerant: a test that failed while holding it
/// does not fail the ones after it. Re-entrant on one thread, so helpers
/// that take it (a [`super::ProvisionedDevice`], [`super::cache_turn`])
/// compose with a test that already holds it.
pub fn serial() -> Serial {
    let nested = HELD.with(|held| {
        held.set(held.get() + 1);
        held.get() > 1
    });
    let lock = (!nested).then(|| LOCK.lock().unwrap_or_else(PoisonError::into_inner));
    Serial { _lock: lock }
}

impl Drop for Serial {
    fn drop(&mut self) {
        // The lock (if this guard holds it) is released after this, when
        // the field drops.
        HELD.with(|held| held.set(held.get() - 1));
    }
}
