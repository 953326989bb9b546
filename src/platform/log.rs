//! Log lines go to a C hook the firmware registers, never to stdout.
//!
//! With the `log-vloggingprintf` feature and no hook registered, lines go to
//! FreeRTOS's conventional `vLoggingPrintf` sink (the one `configPRINTF`
//! usually maps to). Otherwise an unregistered hook means silence.
//!
//! Without feature `texts` (a firmware build that saves their flash) no
//! line is written at all: `log!` compiles to nothing.

use core::ffi::c_char;

use super::hook_cell::HookCell;
use crate::c_types::{BaseType_t, TLSLogHook_t};

/// Severity of a log line (the `xLevel` argument of the hook). The
/// header's scale has 3 (info) too; the library writes no line at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(i32)]
pub enum Level {
    Error = 1,
    Warn = 2,
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

/// One piece of a log line. Lines are put together from these rather than
/// with `core::fmt`: the formatting machinery would cost a firmware image
/// more flash than everything this library logs.
#[derive(Clone, Copy)]
pub enum Part<'a> {
    /// Text, which may not be UTF-8 (a C string's bytes). `log!` makes
    /// string literals into this.
    Bytes(&'a [u8]),
    /// Decimal.
    Dec(u32),
    /// Upper-case hexadecimal, zero-padded to at least `digits` digits.
    Hex(u32, usize),
}

/// Put the line together (cut at [`LINE_MAX`] bytes, a NUL shown as `?`)
/// and pass it to the hook, or to `vLoggingPrintf` (see the module text).
pub fn write(level: Level, parts: &[Part<'_>]) {
    let hook = HOOK.get();
    if hook.is_none() && !cfg!(feature = "log-vloggingprintf") {
        return;
    }
    let mut line = Line::EMPTY;
    line.compose(parts);
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
    // SAFETY: "%s" with one NUL-terminated string argument.
    unsafe { vLoggingPrintf(c"%s\r\n".as_ptr(), text) };
}

#[cfg(not(feature = "log-vloggingprintf"))]
fn default_sink(_text: *const c_char) {}

/// A fixed line buffer: the last byte stays NUL.
struct Line {
    buf: [u8; LINE_MAX + 1],
    len: usize,
}

impl Line {
    const EMPTY: Line = Line { buf: [0; LINE_MAX + 1], len: 0 };

    /// Append `parts` (composed in place: a returned line would be copied).
    fn compose(&mut self, parts: &[Part<'_>]) {
        for part in parts {
            match *part {
                Part::Bytes(b) => self.push(b),
                Part::Dec(v) => self.number(v, 10, 1),
                Part::Hex(v, digits) => self.number(v, 16, digits),
            }
        }
    }

    /// One copy for text and numbers.
    #[inline(never)]
    fn push(&mut self, bytes: &[u8]) {
        for &b in bytes {
            // Room is checked through `get_mut`: a full line drops the rest.
            let Some(slot) = self.buf[..LINE_MAX].get_mut(self.len) else { return };
            *slot = if b == 0 { b'?' } else { b };
            self.len += 1;
        }
    }

    /// `value` in `base` (10 or 16), at least `digits` (1..=10) digits.
    fn number(&mut self, mut value: u32, base: u32, digits: usize) {
        // Filled from the end: the least significant digit last.
        const MAX_DIGITS: usize = 10;
        let mut text = [b'0'; MAX_DIGITS];
        let mut start = MAX_DIGITS;
        while start > 0 && (value != 0 || MAX_DIGITS - start < digits.max(1)) {
            start -= 1;
            if let Some(slot) = text.get_mut(start) {
                *slot = b"0123456789ABCDEF"[(value % base) as usize & 15];
            }
            value /= base;
        }
        self.push(text.get(start..).unwrap_or_default());
    }
}

/// `log!(Warn, "text ", Dec(n), " more")`: a log line from [`Part`]s
/// (string literals become `Bytes`). Without feature `texts` the line is
/// still type-checked, but compiled out, texts and all.
macro_rules! log {
    ($level:ident, $($part:expr),+ $(,)?) => {
        if cfg!(feature = "texts") {
            $crate::platform::log::write($crate::platform::log::Level::$level, &[$($crate::platform::log::IntoPart::into_part($part)),+])
        }
    };
}
pub(crate) use log;

/// What `log!` accepts: a `&str` or a [`Part`].
pub trait IntoPart<'a> {
    fn into_part(self) -> Part<'a>;
}

impl<'a> IntoPart<'a> for &'a str {
    fn into_part(self) -> Part<'a> {
        Part::Bytes(self.as_bytes())
    }
}

impl<'a> IntoPart<'a> for Part<'a> {
    fn into_part(self) -> Part<'a> {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(parts: &[Part<'_>]) -> alloc::string::String {
        let mut line = Line::EMPTY;
        line.compose(parts);
        alloc::string::String::from_utf8(line.buf[..line.len].to_vec()).unwrap()
    }

    #[test]
    fn numbers_as_format_would_write_them() {
        use Part::*;
        assert_eq!(text(&[Dec(0), Bytes(b" "), Dec(200), Bytes(b" "), Dec(u32::MAX)]), "0 200 4294967295");
        assert_eq!(text(&[Hex(0x7200, 4), Bytes(b" "), Hex(0x50, 4), Bytes(b" "), Hex(0, 1)]), "7200 0050 0");
        assert_eq!(text(&[Hex(0x12345, 4), Bytes(b" "), Hex(u32::MAX, 1), Bytes(b" "), Hex(8, 1)]), "12345 FFFFFFFF 8");
        assert_eq!(text(&[Bytes(b"a\0b")]), "a?b");
    }

    #[test]
    fn long_lines_are_cut() {
        let long = [b'x'; 300];
        assert_eq!(text(&[Part::Bytes(&long), Part::Dec(5)]).len(), LINE_MAX);
    }
}
