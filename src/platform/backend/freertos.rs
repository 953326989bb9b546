//! FreeRTOS back end (feature `freertos`): time is the kernel's tick count,
//! a pause is one tick of `vTaskDelay`, critical sections are the kernel's.
//!
//! Every kernel call goes through `src/platform/freertos_glue.c`, which the
//! firmware compiles against its own FreeRTOS.h and FreeRTOSConfig.h (that
//! file says who compiles it): the width of `TickType_t`, the tick rate and
//! the port's form of the critical section are the firmware's, not
//! declarations copied here.
//!
//! Task context only, as every library entry point: the glue's critical
//! section is `taskENTER_CRITICAL()`, which is not for interrupt handlers
//! (FreeRTOS's Cortex-M ports assert when it is called from one).

use crate::platform::wait::ticks::{ms_now, TickDeadline, TickSource, TickStamp};

// The glue's functions (src/platform/freertos_glue.c).
extern "C" {
    fn freertos_tls_tick_count() -> u32;
    fn freertos_tls_tick_max() -> u32;
    fn freertos_tls_tick_rate_hz() -> u32;
    fn freertos_tls_delay_ticks(ticks: u32);
    fn freertos_tls_enter_critical();
    fn freertos_tls_exit_critical();
}

/// The kernel's tick counter.
struct Kernel;

impl TickSource for Kernel {
    fn count(&self) -> u32 {
        // SAFETY: a kernel query (xTaskGetTickCount), valid from any task.
        unsafe { freertos_tls_tick_count() }
    }

    fn max(&self) -> u32 {
        // SAFETY: returns a constant of the firmware's configuration.
        unsafe { freertos_tls_tick_max() }
    }

    fn rate_hz(&self) -> u32 {
        // SAFETY: returns configTICK_RATE_HZ (checked non-zero when the glue compiles).
        unsafe { freertos_tls_tick_rate_hz() }.max(1)
    }
}

/// A wait bound of a fixed number of milliseconds from its creation, in
/// kernel ticks (rounded up).
pub struct Deadline(TickDeadline);

impl Deadline {
    /// A deadline `ms` milliseconds from now.
    pub fn after_ms(ms: u32) -> Self {
        Deadline(TickDeadline::after_ms(&Kernel, ms))
    }

    /// Whether the bound has been reached.
    pub fn expired(&self) -> bool {
        self.0.expired(&Kernel)
    }
}

/// A reading of the tick count, to tell later how old something is.
pub struct Stamp(TickStamp);

impl Stamp {
    /// Now (the kernel always has a tick count).
    pub fn now() -> Option<Self> {
        Some(Stamp(TickStamp::now(&Kernel)))
    }

    /// Whole seconds since the reading, exact up to the counter's period
    /// ([`stamp_horizon_s`]).
    pub fn elapsed_s(&self) -> u64 {
        self.0.elapsed_s(&Kernel)
    }
}

/// The period of the tick counter the glue hands over, in seconds (49.7
/// days at 1 kHz; 65 s for 16-bit ticks).
pub(crate) fn stamp_horizon_s() -> u64 {
    crate::platform::wait::ticks::horizon_s(&Kernel)
}

/// The transport had nothing: block the calling task for one tick, so
/// that tasks of lower priority run.
pub fn pause_for_io() {
    // SAFETY: vTaskDelay, valid from task context; every library entry
    // point runs in a task.
    unsafe { freertos_tls_delay_ticks(1) }
}

/// The tick count in milliseconds (mbedTLS's `mbedtls_ms_time`). Wraps with
/// the counter: after its largest value it starts again from 0.
#[cfg_attr(not(mbedtls_ms_time_alt), allow(dead_code))]
pub fn monotonic_ms() -> i64 {
    ms_now(&Kernel)
}

/// critical-section over the kernel's nesting critical sections.
struct FreeRtosCriticalSection;
critical_section::set_impl!(FreeRtosCriticalSection);

// SAFETY: taskENTER_CRITICAL/taskEXIT_CRITICAL nest (the kernel counts the
// depth; ESP-IDF's spinlock is recursive on its core), so acquire/release
// pairs may nest as critical-section requires; the library calls them from
// tasks only.
unsafe impl critical_section::Impl for FreeRtosCriticalSection {
    unsafe fn acquire() -> critical_section::RawRestoreState {
        // SAFETY: taskENTER_CRITICAL, valid from task context.
        unsafe { freertos_tls_enter_critical() }
    }

    unsafe fn release(_: critical_section::RawRestoreState) {
        // SAFETY: paired with the acquire above.
        unsafe { freertos_tls_exit_critical() }
    }
}
