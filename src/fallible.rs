//! Allocation that reports failure instead of aborting: on a device the
//! heap runs out, and that must be a `TLS_ERROR_NO_MEMORY`, not a reset.

use alloc::boxed::Box;
use core::alloc::Layout;

/// `Box::new` that hands the value back when the heap is exhausted (so the
/// caller decides what to report, and nothing is dropped behind its back).
pub(crate) fn try_box<T>(value: T) -> Result<Box<T>, T> {
    let layout = Layout::new::<T>();
    if layout.size() == 0 {
        return Ok(Box::new(value)); // zero-sized: no allocation happens
    }
    // SAFETY: the layout has non-zero size.
    let p = unsafe { alloc::alloc::alloc(layout) }.cast::<T>();
    if p.is_null() {
        return Err(value);
    }
    // SAFETY: a fresh allocation with T's layout from the global allocator,
    // exactly what Box::from_raw expects; `write` initialises it.
    unsafe {
        p.write(value);
        Ok(Box::from_raw(p))
    }
}
