//! Log lines go to a C hook the firmware registers, never to stdout.
//!
//! With the `log-vloggingprintf` feature and no hook registered, lines go to
//! FreeRTOS's conventional `vLoggingPrintf` sink (the one `configPRINTF`
//! usually maps to). Otherwise an unregistered hook means silence.

use core::ffi::c_char;
use core::fmt::{self, Write};

use super::hook_cell::HookCell;
use crate::c_types::{BaseType_t, TLSLogHook_t};

/// Severity of a log line (the `xLevel` argument of the hook).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(i32)]
pub enum Level {
    Error = 1,
    Warn = 2,
    Info = 3,
    Debug = 4,
}

/// The registered sink. It is given a NUL-terminated line without a
/// trailing newline, valid during the call.
static HOOK: HookCell<TLSLogHook_t> = HookCell::new(None);

/// Longest line passed to the hook; longer lines are cut, never allocated.
const LINE_MAX: usize = 160;

pub fn set_hook(hook: TLSLogHook_t) {
    HOOK.set(hook);
}

/// Format one line on the stack and hand it to the sink.
pub fn write(level: Level, args: fmt::Arguments<'_>) {
    let hook = HOOK.get();
    if hook.is_none() && !cfg!(feature = "log-vloggingprintf") {
        return;
    }
    let mut line = Line { buf: [0; LINE_MAX + 1], len: 0 };
    let _ = line.write_fmt(args); // truncation is fine for a log line
    let text = line.buf.as_ptr().cast::<c_char>();
    match hook {
        Some(hook) => hook(level as BaseType_t, text),
        None => default_sink(text),
    }
}

#[cfg(feature = "log-vloggingprintf")]
fn default_sink(text: *const c_char) {
    extern "C" {
        fn vLoggingPrintf(format: *const c_char, ...);
    }
    // SAFETY: the firmware provides vLoggingPrintf (a printf-like function);
    // "%s\r\n" with one NUL-terminated string argument matches its format.
    unsafe { vLoggingPrintf(c"%s\r\n".as_ptr(), text) };
}

#[cfg(not(feature = "log-vloggingprintf"))]
fn default_sink(_text: *const c_char) {}

struct Line {
    buf: [u8; LINE_MAX + 1],
    len: usize,
}

impl Write for Line {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &b in s.as_bytes() {
            // Keep the last byte for the NUL; replace NULs inside the text.
            if self.len == LINE_MAX {
                return Err(fmt::Error);
            }
            self.buf[self.len] = if b == 0 { b'?' } else { b };
            self.len += 1;
        }
        Ok(())
    }
}

macro_rules! log {
    ($level:ident, $($arg:tt)*) => {
        $crate::platform::log::write($crate::platform::log::Level::$level, format_args!($($arg)*))
    };
}
pub(crate) use log;
