//! The Rust global allocator for builds without `std`: the FreeRTOS heap
//! (`pvPortMalloc`/`vPortFree`) with the `freertos` feature, else the C
//! library's `malloc`/`free`. Either way, allocation failure is returned
//! as NULL to the library, which reports `TLS_ERROR_NO_MEMORY`.
//!
//! Both heaps align to at least 8 bytes; larger alignments over-allocate
//! and keep the original pointer just below the aligned block.

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::c_void;

#[cfg(feature = "freertos")]
extern "C" {
    #[link_name = "pvPortMalloc"]
    fn heap_alloc(size: usize) -> *mut c_void;
    #[link_name = "vPortFree"]
    fn heap_free(p: *mut c_void);
}

#[cfg(not(feature = "freertos"))]
extern "C" {
    #[link_name = "malloc"]
    fn heap_alloc(size: usize) -> *mut c_void;
    #[link_name = "free"]
    fn heap_free(p: *mut c_void);
}

/// Alignment both heaps guarantee (portBYTE_ALIGNMENT is 8 on the common ports).
const HEAP_ALIGN: usize = 8;

struct FirmwareHeap;

#[global_allocator]
static HEAP: FirmwareHeap = FirmwareHeap;

// SAFETY: blocks come from the firmware heap and go back to it; alignment
// above HEAP_ALIGN is handled by over-allocating (see module docs).
unsafe impl GlobalAlloc for FirmwareHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= HEAP_ALIGN {
            // SAFETY: plain C allocation of a non-zero size.
            return unsafe { heap_alloc(layout.size()) }.cast();
        }
        let Some(total) = layout.size().checked_add(layout.align() + core::mem::size_of::<usize>()) else {
            return core::ptr::null_mut();
        };
        // SAFETY: as above.
        let raw = unsafe { heap_alloc(total) }.cast::<u8>();
        if raw.is_null() {
            return raw;
        }
        let start = raw as usize + core::mem::size_of::<usize>();
        let aligned = (start + layout.align() - 1) & !(layout.align() - 1);
        let aligned_ptr = raw.wrapping_add(aligned - raw as usize);
        // SAFETY: `aligned - size_of::<usize>() >= raw`, inside the block,
        // and usize-aligned since `aligned` is aligned to more than that.
        unsafe { aligned_ptr.cast::<usize>().sub(1).write(raw as usize) };
        aligned_ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if layout.align() <= HEAP_ALIGN {
            // SAFETY: `ptr` came from heap_alloc in `alloc`.
            unsafe { heap_free(ptr.cast()) };
            return;
        }
        // SAFETY: `alloc` stored the original pointer just below `ptr`.
        let raw = unsafe { ptr.cast::<usize>().sub(1).read() } as *mut c_void;
        // SAFETY: `raw` came from heap_alloc.
        unsafe { heap_free(raw) };
    }
}
