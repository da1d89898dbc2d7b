//! wasm32 runtime support: the global allocator, the panic handler and the allocation-error
//! handler.
//!
//! The allocator is a bump allocator. Every input runs on a fresh instance (ABI.md), so memory is
//! never handed back: a `dealloc` only rolls the bump pointer back when it frees the last block,
//! and `realloc` of the last block grows or shrinks it in place (a growing `Vec` that is the most
//! recent allocation never copies). The heap starts at the linker's `__heap_base` and grows the
//! linear memory with `memory.grow` as needed; when that fails (the app's memory limit) `alloc`
//! returns null, so `try_reserve` and friends see the failure and everything else ends in the
//! allocation-error handler: `abort("out of memory")`.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::panic::PanicInfo;
use core::ptr;

const PAGE: usize = 65536;

extern "C" {
    /// First byte after the static data and the stack (provided by wasm-ld).
    static __heap_base: u8;
}

/// The bump allocator. Single-threaded (wasm32 without threads), so plain statics suffice.
pub struct Bump;

static mut NEXT: usize = 0;
static mut END: usize = 0;
/// Set when the last allocation failed: lets the panic handler report "out of memory" where the
/// compiler's default allocation-error handler panics instead of calling ours (rustc >= 1.68).
static mut OOM: bool = false;

#[inline]
unsafe fn init() {
    if NEXT == 0 {
        NEXT = &__heap_base as *const u8 as usize;
        END = wasm32::memory_size(0).saturating_mul(PAGE);
    }
}

/// Makes `[.., new_next)` usable, growing the memory if needed; false if the memory cannot grow.
#[inline]
unsafe fn ensure(new_next: usize) -> bool {
    if new_next <= END {
        return true;
    }
    // Checked: near the 4 GiB top of a wasm32 memory these sums would wrap in a release build.
    let pages = match (new_next - END).checked_add(PAGE - 1) {
        Some(bytes) => bytes / PAGE,
        None => return false,
    };
    if wasm32::memory_grow(0, pages) == usize::MAX {
        return false;
    }
    END = END.saturating_add(pages.saturating_mul(PAGE));
    true
}

#[inline]
unsafe fn fail() -> *mut u8 {
    OOM = true;
    ptr::null_mut()
}

unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        init();
        let align = layout.align();
        let start = match NEXT.checked_add(align - 1) {
            Some(v) => v & !(align - 1),
            None => return fail(),
        };
        let new_next = match start.checked_add(layout.size()) {
            Some(v) => v,
            None => return fail(),
        };
        if !ensure(new_next) {
            return fail();
        }
        NEXT = new_next;
        OOM = false;
        start as *mut u8
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        // Only the last block can be handed back.
        if p as usize + layout.size() == NEXT {
            NEXT = p as usize;
        }
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = p as usize;
        if old + layout.size() == NEXT {
            // The last block: grow or shrink it in place.
            let new_next = match old.checked_add(new_size) {
                Some(v) => v,
                None => return fail(),
            };
            if !ensure(new_next) {
                return fail();
            }
            NEXT = new_next;
            OOM = false;
            return p;
        }
        if new_size <= layout.size() {
            return p;
        }
        let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
        let q = self.alloc(new_layout);
        if !q.is_null() {
            ptr::copy_nonoverlapping(p, q, layout.size());
        }
        q
    }
}

#[global_allocator]
static ALLOCATOR: Bump = Bump;

/// Appends `s` to `buf` at `*n`, truncating at the buffer's end.
fn put(buf: &mut [u8], n: &mut usize, s: &[u8]) {
    for &b in s {
        if *n == buf.len() {
            return;
        }
        buf[*n] = b;
        *n += 1;
    }
}

fn put_u32(buf: &mut [u8], n: &mut usize, mut v: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    put(buf, n, &digits[i..]);
}

/// Panics abort the input: "panic at <file>:<line>:<col>" (the message itself would need
/// `core::fmt`, which costs tens of KiB of code), or "out of memory" after a failed allocation.
#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    if unsafe { OOM } {
        crate::abort("out of memory");
    }
    let mut buf = [0u8; 256];
    let mut n = 0;
    put(&mut buf, &mut n, b"panic");
    if let Some(loc) = info.location() {
        put(&mut buf, &mut n, b" at ");
        put(&mut buf, &mut n, loc.file().as_bytes());
        put(&mut buf, &mut n, b":");
        put_u32(&mut buf, &mut n, loc.line());
        put(&mut buf, &mut n, b":");
        put_u32(&mut buf, &mut n, loc.column());
    }
    // Cut on a UTF-8 boundary (the file name may be non-ASCII).
    let msg = match core::str::from_utf8(&buf[..n]) {
        Ok(s) => s,
        Err(e) => unsafe { core::str::from_utf8_unchecked(&buf[..e.valid_up_to()]) },
    };
    crate::abort(msg)
}

/// rustc < 1.68 only (see build.rs): later compilers route allocation failures to the panic
/// handler, which reports them the same way through the `OOM` flag.
#[cfg(nexus_alloc_error_handler)]
#[alloc_error_handler]
fn oom(_layout: Layout) -> ! {
    crate::abort("out of memory")
}
