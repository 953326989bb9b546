//! FreeRTOS kernel glue (`freertos` feature): critical sections and the
//! tick count. These are the kernel symbols the library links against.

extern "C" {
    fn vPortEnterCritical();
    fn vPortExitCritical();
    // TickType_t is 32 bits on the usual configurations. When a port makes
    // it 64 bits, the low 32 bits arrive in the same register, and the
    // wrapping arithmetic below stays correct.
    fn xTaskGetTickCount() -> u32;
}

/// Kernel tick rate, from the firmware's `configTICK_RATE_HZ` (the CMake
/// build passes it; 1000 Hz otherwise).
const TICK_RATE_HZ: u32 = parse_u32(option_env!("FREERTOS_TLS_TICK_RATE_HZ"), 1000);

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

/// Milliseconds since the scheduler started, wrapping with the tick count.
pub fn monotonic_ms() -> u64 {
    // SAFETY: plain kernel query, callable from any task.
    let ticks = unsafe { xTaskGetTickCount() };
    u64::from(ticks) * 1000 / u64::from(TICK_RATE_HZ)
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
