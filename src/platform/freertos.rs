//! FreeRTOS kernel glue (`freertos` feature): critical sections and the
//! tick count. These are the kernel symbols the library links against.

extern "C" {
    fn vPortEnterCritical();
    fn vPortExitCritical();
    // TickType_t is 32 bits on the usual configurations. When a port makes
    // it 64 bits, the low 32 bits arrive in the same register, and the
    // wrapping arithmetic below stays correct.
    fn xTaskGetTickCount() -> u32;
    // TickType_t argument, passed in the same register as u32.
    fn vTaskDelay(ticks: u32);
}

/// Kernel tick rate, from the firmware's `configTICK_RATE_HZ` (the CMake
/// build passes it; 1000 Hz otherwise).
pub(crate) const TICK_RATE_HZ: u32 = parse_u32(option_env!("FREERTOS_TLS_TICK_RATE_HZ"), 1000);

const fn parse_u32(s: Option<&str>, default: u32) -> u32 {
    let Some(s) = s else { return default };
    let b = s.as_bytes();
    let mut i = 0;
    let mut v: u32 = 0;
    while i < b.len() {
        assert!(b[i].is_ascii_digit(), "FREERTOS_TLS_TICK_RATE_HZ must be a decimal number");
        v = v * 10 + (b[i] - b'0') as u32;
        i += 1;
    }
    assert!(v > 0, "FREERTOS_TLS_TICK_RATE_HZ must not be 0");
    v
}

/// The kernel's tick counter (wraps; compare with `wait::ticks_between`).
pub(crate) fn tick_count() -> u32 {
    // SAFETY: plain kernel query, callable from any task.
    unsafe { xTaskGetTickCount() }
}

/// Block the calling task for one tick.
pub(crate) fn delay_one_tick() {
    // SAFETY: kernel call valid from task context; every library entry
    // point runs in a task.
    unsafe { vTaskDelay(1) }
}

/// critical-section over the FreeRTOS kernel's nesting critical sections.
/// Not for use from interrupt handlers: no library entry point runs there.
struct FreeRtosCriticalSection;
critical_section::set_impl!(FreeRtosCriticalSection);

// SAFETY: vPortEnterCritical/vPortExitCritical nest (the kernel counts the
// depth), so acquire/release pairs may nest as critical-section requires.
unsafe impl critical_section::Impl for FreeRtosCriticalSection {
    unsafe fn acquire() -> critical_section::RawRestoreState {
        // SAFETY: kernel call valid from task context.
        unsafe { vPortEnterCritical() }
    }

    unsafe fn release(_: critical_section::RawRestoreState) {
        // SAFETY: paired with the acquire above.
        unsafe { vPortExitCritical() }
    }
}
