//! Register access: one tiny trait so a port runs against real MMIO on the
//! chip and against a simulated peripheral in host tests.

/// A peripheral's register block, addressed by byte offset.
///
/// Methods take `&self`: hardware registers change on their own, so a
/// simulated block needs interior mutability anyway.
pub trait Registers {
    fn read32(&self, offset: usize) -> u32;
    fn write32(&self, offset: usize, value: u32);
    /// Byte-wide access, for peripherals with 8-bit registers at unaligned
    /// offsets (a 32-bit access there would fault).
    fn read8(&self, offset: usize) -> u8;
    fn write8(&self, offset: usize, value: u8);
}

/// Memory-mapped registers at a fixed base address.
#[derive(Debug)]
pub struct Mmio {
    base: usize,
}

impl Mmio {
    /// # Safety
    /// `base` must be the address of the peripheral's register block on the
    /// chip this code runs on, and this handle must be the only code driving
    /// that peripheral (other code would race its status and data registers).
    pub const unsafe fn new(base: usize) -> Self {
        Mmio { base }
    }
}

impl Registers for Mmio {
    fn read32(&self, offset: usize) -> u32 {
        // SAFETY: `new`'s contract makes base+offset a device register; ports
        // only pass offsets of their own block's registers, aligned for the width.
        unsafe { core::ptr::read_volatile((self.base + offset) as *const u32) }
    }

    fn write32(&self, offset: usize, value: u32) {
        // SAFETY: as in `read32`.
        unsafe { core::ptr::write_volatile((self.base + offset) as *mut u32, value) }
    }

    fn read8(&self, offset: usize) -> u8 {
        // SAFETY: as in `read32`.
        unsafe { core::ptr::read_volatile((self.base + offset) as *const u8) }
    }

    fn write8(&self, offset: usize, value: u8) {
        // SAFETY: as in `read32`.
        unsafe { core::ptr::write_volatile((self.base + offset) as *mut u8, value) }
    }
}
