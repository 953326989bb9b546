//! Starting mbedTLS's global services once, before the first connection
//! uses them: the mutexes (when the library supplies them) and PSA crypto
//! (TLS 1.3, and the whole of crypto under `MBEDTLS_USE_PSA_CRYPTO`), with
//! the token driver registered first when the configuration has one.
//!
//! PSA keeps its state for the life of the image (its random generator,
//! the key-slot table): the first connection allocates it, and it is not
//! returned.

use core::cell::Cell;

use critical_section::Mutex;
use mbedtls_sys as m;

use crate::platform::wait::retry_within;

/// What [`start`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Started {
    /// Token keys can be PSA opaque keys (the driver is registered).
    pub token_driver: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    NotStarted,
    /// A task is starting PSA now.
    Starting,
    Started(Started),
}

static STATE: Mutex<Cell<State>> = Mutex::new(Cell::new(State::NotStarted));

/// A second task waits this long for the first one's start.
const START_BOUND_MS: u32 = 10_000;

/// The function the token driver signs with (`crate::pkcs11`).
#[cfg_attr(not(mbedtls_token_driver), allow(dead_code))]
pub(crate) type TokenSign = m::freertos_tls_token_sign_t;

/// Start PSA (and the mutexes) if no task has; `Err` with PSA's status
/// when it cannot start (no entropy), in which case the next call tries
/// again. `sign` is the token driver's signing function.
pub(crate) fn start(sign: TokenSign) -> Result<Started, i32> {
    // The state as found, once no other task is starting PSA (a state of
    // `NotStarted` is then this task's to start: it is marked `Starting`).
    let settled = retry_within(START_BOUND_MS, || {
        critical_section::with(|cs| {
            let cell = STATE.borrow(cs);
            match cell.get() {
                State::Starting => None,
                State::NotStarted => {
                    cell.set(State::Starting);
                    Some(State::NotStarted)
                }
                started => Some(started),
            }
        })
    });
    match settled {
        Some(State::Started(started)) => return Ok(started),
        Some(_) => {}
        None => return Err(m::FREERTOS_TLS_PSA_ERROR_BAD_STATE),
    }
    let result = start_now(sign);
    let next = match result {
        Ok(started) => State::Started(started),
        Err(_) => State::NotStarted,
    };
    critical_section::with(|cs| STATE.borrow(cs).set(next));
    result
}

/// Give mbedTLS its mutex functions (once), before the first context that
/// holds a mutex (a DRBG) is initialised: until then mbedTLS's locks fail.
pub(crate) fn register_mutexes() {
    #[cfg(mbedtls_threading_alt)]
    {
        static REGISTERED: Mutex<Cell<bool>> = Mutex::new(Cell::new(false));
        // Inside the section, so that no task can use a mutex before the
        // functions are in place.
        critical_section::with(|cs| {
            if !REGISTERED.borrow(cs).replace(true) {
                crate::platform::mutex::register();
            }
        });
    }
}

fn start_now(sign: TokenSign) -> Result<Started, i32> {
    register_mutexes();
    #[cfg(mbedtls_token_driver)]
    {
        // SAFETY: called once (the state above), before any other PSA call
        // of the library; `sign` lives for the program.
        match unsafe { m::freertos_tls_psa_start(sign) } {
            0 => Ok(Started { token_driver: true }),
            m::FREERTOS_TLS_PSA_NO_DRIVER => Ok(Started { token_driver: false }),
            status => Err(status),
        }
    }
    #[cfg(not(mbedtls_token_driver))]
    {
        let _ = sign;
        // SAFETY: plain initialisation call; idempotent.
        match unsafe { m::psa_crypto_init() } {
            0 => Ok(Started { token_driver: false }),
            status => Err(status),
        }
    }
}
