//! Register access that safe code cannot misuse.
//!
//! A port names its peripheral's register block with a [`Block`] (how many
//! bytes it spans) and each register with a typed [`Reg`] constant. A `Reg`
//! can only be made by [`Reg::at`], which refuses an offset outside the
//! block or misaligned for the register's width; as a `const` that check
//! runs at compile time. The one `unsafe` step is [`Mmio::new`]: promising
//! that a base address really is such a block on this chip. After that,
//! every access a safe caller can express lands on a register of that block.
//!
//! The same traits let a port run against a simulated peripheral in the
//! host tests ([`Registers`], [`ByteRegisters`]).

use core::marker::PhantomData;
use core::mem::size_of;

/// A peripheral's register block. Implemented by one marker type per
/// peripheral, in the port's module.
pub trait Block {
    /// Bytes from the block's base address that its registers span.
    const SIZE: usize;
}

/// The widths a register can have.
pub trait Width: sealed::Sealed + Copy {}
impl Width for u8 {}
impl Width for u32 {}

mod sealed {
    pub trait Sealed {}
    impl Sealed for u8 {}
    impl Sealed for u32 {}
}

/// A `W`-wide register of block `B`: a byte offset that lies inside the
/// block and is aligned for `W` (guaranteed by [`Reg::at`], the only way to
/// make one).
#[derive(Debug, PartialEq, Eq)]
pub struct Reg<B, W> {
    offset: usize,
    _register: PhantomData<fn() -> (B, W)>,
}

impl<B, W> Clone for Reg<B, W> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<B, W> Copy for Reg<B, W> {}

impl<B: Block, W: Width> Reg<B, W> {
    /// The register at `offset` bytes from the block's base.
    ///
    /// # Panics
    /// If the register would reach past the end of the block, or `offset`
    /// is not a multiple of the register's width. Declared as a `const`,
    /// that is a compile error.
    pub const fn at(offset: usize) -> Self {
        assert!(B::SIZE >= size_of::<W>() && offset <= B::SIZE - size_of::<W>(), "register outside its block");
        assert!(offset % size_of::<W>() == 0, "register misaligned for its width");
        Reg { offset, _register: PhantomData }
    }

    /// `N` consecutive registers from `first` (a bank of data words).
    ///
    /// # Panics
    /// As [`Reg::at`], for any of them.
    pub const fn bank<const N: usize>(first: usize) -> [Self; N] {
        let mut bank = [Reg { offset: 0, _register: PhantomData }; N];
        let mut i = 0;
        while i < N {
            bank[i] = Reg::at(first + i * size_of::<W>());
            i += 1;
        }
        bank
    }

    /// Byte offset from the block's base.
    pub const fn offset(self) -> usize {
        self.offset
    }
}

/// Shows the offset, e.g. in a simulated block's panic messages.
impl<B, W> core::fmt::LowerHex for Reg<B, W> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::LowerHex::fmt(&self.offset, f)
    }
}

/// Word-wide access to the registers of block `B`.
///
/// Methods take `&self`: hardware registers change on their own, so a
/// simulated block needs interior mutability anyway.
pub trait Registers<B: Block> {
    fn read32(&self, reg: Reg<B, u32>) -> u32;
    fn write32(&self, reg: Reg<B, u32>, value: u32);
}

/// Byte-wide access too, for peripherals with 8-bit registers at unaligned
/// offsets (a 32-bit access there would fault).
pub trait ByteRegisters<B: Block>: Registers<B> {
    fn read8(&self, reg: Reg<B, u8>) -> u8;
    fn write8(&self, reg: Reg<B, u8>, value: u8);
}

/// The memory-mapped registers of one `B` block at a fixed base address.
#[derive(Debug)]
pub struct Mmio<B> {
    base: usize,
    _block: PhantomData<B>,
}

impl<B: Block> Mmio<B> {
    /// The block at `base`.
    ///
    /// # Panics
    /// If `base` is not 4-byte aligned (a compile error in a `const`).
    ///
    /// # Safety
    /// - `base` must be the address of a `B` register block on the chip this
    ///   code runs on: every register of `B` (`base + offset` for each
    ///   [`Reg`] of `B`) may be read and written with volatile accesses of
    ///   its width, and such accesses touch that peripheral only, never
    ///   memory that Rust code uses;
    /// - this handle must be the only code driving that peripheral (other
    ///   code would race its status and data registers).
    pub const unsafe fn new(base: usize) -> Self {
        assert!(base % size_of::<u32>() == 0, "register block base misaligned");
        Mmio { base, _block: PhantomData }
    }

    fn address<W: Width>(&self, reg: Reg<B, W>) -> usize {
        self.base + reg.offset
    }
}

impl<B: Block> Registers<B> for Mmio<B> {
    fn read32(&self, reg: Reg<B, u32>) -> u32 {
        let register = core::ptr::with_exposed_provenance::<u32>(self.address(reg));
        // SAFETY: `reg` is inside the block and 4-byte aligned (`Reg::at`),
        // the base is 4-byte aligned, and `new`'s contract makes every such
        // address a device register of this block.
        unsafe { register.read_volatile() }
    }

    fn write32(&self, reg: Reg<B, u32>, value: u32) {
        let register = core::ptr::with_exposed_provenance_mut::<u32>(self.address(reg));
        // SAFETY: as in `read32`.
        unsafe { register.write_volatile(value) }
    }
}

impl<B: Block> ByteRegisters<B> for Mmio<B> {
    fn read8(&self, reg: Reg<B, u8>) -> u8 {
        let register = core::ptr::with_exposed_provenance::<u8>(self.address(reg));
        // SAFETY: `reg` is inside the block (`Reg::at`) and `new`'s contract
        // makes it a device register of this block.
        unsafe { register.read_volatile() }
    }

    fn write8(&self, reg: Reg<B, u8>, value: u8) {
        let register = core::ptr::with_exposed_provenance_mut::<u8>(self.address(reg));
        // SAFETY: as in `read8`.
        unsafe { register.write_volatile(value) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Eq)]
    enum Twelve {}
    impl Block for Twelve {
        const SIZE: usize = 12;
    }

    #[test]
    fn registers_inside_the_block_and_aligned_are_accepted() {
        assert_eq!(Reg::<Twelve, u32>::at(8).offset(), 8);
        assert_eq!(Reg::<Twelve, u8>::at(11).offset(), 11);
        let bank = Reg::<Twelve, u32>::bank::<3>(0);
        assert_eq!(bank.map(Reg::offset), [0, 4, 8]);
    }

    #[test]
    fn a_register_past_the_end_is_refused() {
        for offset in [12, 9, usize::MAX - 2, usize::MAX] {
            assert!(std::panic::catch_unwind(|| Reg::<Twelve, u32>::at(offset)).is_err(), "{offset:#x}");
        }
        assert!(std::panic::catch_unwind(|| Reg::<Twelve, u8>::at(12)).is_err());
        assert!(std::panic::catch_unwind(|| Reg::<Twelve, u32>::bank::<4>(0)).is_err());
    }

    #[test]
    fn a_misaligned_register_is_refused() {
        for offset in [1, 2, 3, 6] {
            assert!(std::panic::catch_unwind(|| Reg::<Twelve, u32>::at(offset)).is_err(), "{offset:#x}");
        }
    }
}
