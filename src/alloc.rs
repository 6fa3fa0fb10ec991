//! The process's allocator, chosen once before its first allocation: mimalloc (extraction
//! allocates many small strings; mimalloc spends about a third of the system allocator's
//! instructions on them), or the system allocator when `POLICYKG_SYSTEM_ALLOCATOR` is set.
//! Query workers set it: they run under an address-space limit (`RLIMIT_AS`), and mimalloc
//! reserves a 1 GiB arena up front, which would leave RocksDB no room for its cache.
//!
//! The choice is made at the first allocation from the environment, read without allocating,
//! and never changes afterwards: every block is freed by the allocator that gave it. (Two
//! threads deciding at once read the same environment and store the same choice.)

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU8, Ordering};

const UNDECIDED: u8 = 0;
const MIMALLOC: u8 = 1;
const SYSTEM: u8 = 2;

static CHOICE: AtomicU8 = AtomicU8::new(UNDECIDED);

pub struct Chosen;

#[inline]
fn choice() -> u8 {
    match CHOICE.load(Ordering::Relaxed) {
        UNDECIDED => decide(),
        c => c,
    }
}

#[cold]
fn decide() -> u8 {
    // SAFETY: getenv reads the environment with a NUL-terminated name and allocates nothing;
    // nothing in this program changes that variable.
    #[cfg(unix)]
    let set = unsafe { !libc::getenv(c"POLICYKG_SYSTEM_ALLOCATOR".as_ptr()).is_null() };
    #[cfg(not(unix))]
    let set = false;
    let c = if set { SYSTEM } else { MIMALLOC };
    CHOICE.store(c, Ordering::Relaxed);
    c
}

// SAFETY: every call is forwarded to one allocator, the same for the whole process.
unsafe impl GlobalAlloc for Chosen {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match choice() {
            MIMALLOC => unsafe { mimalloc::MiMalloc.alloc(layout) },
            _ => unsafe { System.alloc(layout) },
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match choice() {
            MIMALLOC => unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) },
            _ => unsafe { System.alloc_zeroed(layout) },
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        match choice() {
            MIMALLOC => unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) },
            _ => unsafe { System.dealloc(ptr, layout) },
        }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        match choice() {
            MIMALLOC => unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) },
            _ => unsafe { System.realloc(ptr, layout, new_size) },
        }
    }
}
