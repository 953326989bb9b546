//! ARM semihosting, the two calls this firmware needs: write a line to the
//! host's console and end the emulator with a status. QEMU serves them with
//! `-semihosting-config enable=on,target=native`.

use core::arch::asm;

const SYS_WRITE0: u32 = 0x04;
const SYS_EXIT: u32 = 0x18;
/// `ADP_Stopped_ApplicationExit`: QEMU exits with status 0.
const EXIT_SUCCESS: u32 = 0x2_0026;
/// `ADP_Stopped_RunTimeErrorUnknown`: QEMU exits with status 1.
const EXIT_FAILURE: u32 = 0x2_0023;

fn call(op: u32, arg: usize) {
    // SAFETY: `bkpt 0xab` is the semihosting trap; it reads r0/r1 and
    // memory r1 points to (a live, NUL-terminated buffer for SYS_WRITE0),
    // and writes only r0.
    unsafe { asm!("bkpt #0xab", inout("r0") op => _, in("r1") arg, options(nostack)) };
}

/// Writes `text` followed by a newline. Lines longer than the buffer are cut.
pub fn write_line(text: &[u8]) {
    let mut line = [0u8; 96];
    let n = text.len().min(line.len() - 2);
    line[..n].copy_from_slice(&text[..n]);
    line[n] = b'\n';
    // line[n + 1] is already the terminating NUL.
    call(SYS_WRITE0, line.as_ptr() as usize);
}

/// Ends the emulator: status 0 when `ok`, 1 otherwise.
pub fn exit(ok: bool) -> ! {
    loop {
        call(SYS_EXIT, if ok { EXIT_SUCCESS } else { EXIT_FAILURE } as usize);
    }
}
