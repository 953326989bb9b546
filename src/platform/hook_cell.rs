//! The cell holding one hook the firmware registers (clock, log sink,
//! expiry check): set and read from any task. Not from interrupt
//! handlers: the critical section is the kernel's task-level one
//! (`taskENTER_CRITICAL`), as for every library entry point.
//!
//! A `Cell` inside a critical section instead of an atomic integer and a
//! `transmute`: a function pointer needs no unsafe code to be stored this
//! way, and each access is a load or a store, so the section stays short.

use core::cell::Cell;

use critical_section::Mutex;

/// One registered hook; `H` is its C type (an `Option` of a function
/// pointer, `None` meaning not registered).
pub(crate) struct HookCell<H: Copy>(Mutex<Cell<H>>);

impl<H: Copy> HookCell<H> {
    pub(crate) const fn new(unset: H) -> Self {
        HookCell(Mutex::new(Cell::new(unset)))
    }

    pub(crate) fn set(&self, hook: H) {
        critical_section::with(|cs| self.0.borrow(cs).set(hook));
    }

    /// The hook as registered now. Call it outside the section: a copy
    /// is returned, so the hook may run for as long as it likes.
    pub(crate) fn get(&self) -> H {
        critical_section::with(|cs| self.0.borrow(cs).get())
    }
}
