//! What differs between a FreeRTOS image and a host: clocks, logging, the
//! heap, critical sections, the panic handler. (The C symbols mbedTLS
//! expects from the platform are exported by `ffi::mbedtls_platform`.)

// The back end: monotonic time, deadlines, stamps, the pause for I/O and
// (FreeRTOS) the critical section, one file per kind of build, chosen here
// and nowhere else. `wait` says what each does.
#[cfg_attr(feature = "std", path = "backend/host.rs")]
#[cfg_attr(all(feature = "freertos", not(feature = "std")), path = "backend/freertos.rs")]
#[cfg_attr(not(any(feature = "std", feature = "freertos")), path = "backend/bare.rs")]
mod backend;
pub mod clock;
#[cfg(not(feature = "std"))]
mod heap;
pub(crate) mod hook_cell;
pub mod log;
#[cfg(mbedtls_threading_alt)]
pub(crate) mod mutex;
pub mod wait;

#[cfg(all(feature = "std", feature = "freertos"))]
compile_error!("features `std` (host) and `freertos` (firmware) are exclusive: build with --no-default-features --features freertos,port-...");

/// Without std, a panic calls the firmware's `vAssertCalled` (the usual
/// target of `configASSERT`) with `freertos`, then halts. It never
/// returns and starts no unwind, whatever `panic` profile the firmware's
/// build uses.
#[cfg(not(any(feature = "std", test)))]
#[panic_handler]
fn on_panic(info: &core::panic::PanicInfo<'_>) -> ! {
    #[cfg(feature = "freertos")]
    {
        extern "C" {
            fn vAssertCalled(file: *const core::ffi::c_char, line: core::ffi::c_ulong);
        }
        // The file name is not NUL-terminated: copy its tail (the telling
        // part) onto the stack.
        let mut file = [0u8; 64];
        let (name, line) = info.location().map_or(("?", 0), |l| (l.file(), l.line()));
        // (Checked access: the handler itself must not panic.)
        let tail = name.as_bytes().get(name.len().saturating_sub(file.len() - 1)..).unwrap_or_default();
        for (to, from) in file.iter_mut().zip(tail) {
            *to = *from;
        }
        // SAFETY: vAssertCalled takes a NUL-terminated file name and a line.
        unsafe { vAssertCalled(file.as_ptr().cast(), core::ffi::c_ulong::from(line)) };
    }
    #[cfg(not(feature = "freertos"))]
    let _ = info;
    loop {
        core::hint::spin_loop();
    }
}
