//! Cortex-M0 start-up: the vector table, and a reset handler that sets up
//! `.data` and `.bss` (symbols from microbit.ld) before calling `main`.
//! No interrupt is enabled, so only the core exceptions have entries.

extern "C" {
    static mut __data_start: u32;
    static mut __data_end: u32;
    static __data_load: u32;
    static mut __bss_start: u32;
    static mut __bss_end: u32;
}

#[link_section = ".vector_table.reset"]
#[no_mangle]
static RESET_VECTOR: unsafe extern "C" fn() -> ! = reset;

/// NMI, HardFault, 7 reserved, SVCall, 2 reserved, PendSV, SysTick.
#[link_section = ".vector_table.exceptions"]
#[no_mangle]
static EXCEPTION_VECTORS: [unsafe extern "C" fn() -> !; 14] = [fault; 14];

/// Any exception is a bug here: report it and stop the emulator.
unsafe extern "C" fn fault() -> ! {
    crate::semihosting::write_line(b"fail exception");
    crate::semihosting::exit(false)
}

/// # Safety
/// Only the core calls it, once, out of reset.
#[no_mangle]
unsafe extern "C" fn reset() -> ! {
    // SAFETY: the linker script places these symbols at word-aligned bounds
    // of the .data image (flash), .data and .bss (RAM); nothing has read or
    // written RAM yet, so no Rust reference to it exists.
    unsafe {
        let mut dst = &raw mut __data_start;
        let mut src = &raw const __data_load;
        while dst < &raw mut __data_end {
            dst.write_volatile(src.read());
            dst = dst.add(1);
            src = src.add(1);
        }
        let mut dst = &raw mut __bss_start;
        while dst < &raw mut __bss_end {
            dst.write_volatile(0);
            dst = dst.add(1);
        }
    }
    crate::main()
}
