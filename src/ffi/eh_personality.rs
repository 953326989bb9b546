//! `rust_eh_personality` for FreeRTOS POSIX-simulator images (no std on a
//! Linux target).
//!
//! Host targets ship a `core` built for unwinding, whose unwind tables name
//! `rust_eh_personality`; without std nothing provides it. This library
//! never unwinds there: the no-std panic handler (`platform`) halts without
//! starting an unwind, so the personality routine is never called and an
//! empty symbol satisfies the linker. Bare-metal targets need none.

#[no_mangle]
pub extern "C" fn rust_eh_personality() {}
