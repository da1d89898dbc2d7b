//! hostile: a Nexus app that misbehaves on purpose, for the runtime's tests. Fed by inbox
//! payloads; the first byte selects the behaviour (an empty payload or an unknown byte returns
//! code 255):
//!
//! | byte | behaviour | expected outcome |
//! |---|---|---|
//! | 0 | `state_set("ok", seq as 8-byte LE)`, return 0 | accepted |
//! | 1 | infinite loop | `OutOfFuel` |
//! | 2 | grow a `Vec` until allocation fails | `AppAborted` "out of memory" |
//! | 3 | `state_set("partial", "1")`, a notice, then `unreachable` | `Trap`, no state, no output |
//! | 4 | NaNs computed several ways, raw bits stored under `nan` | accepted, same bits everywhere |
//! | 5 | one notice of 100 KiB | `AbiMisuse` (output > 64 KiB) |
//! | 6 | `state_set` with key pointer 0xFFFF_FFF0 | `AbiMisuse` (out of memory bounds) |
//! | 7 | `state_set` with a 2 KiB key | `AbiMisuse` (key > 1 KiB) |
//! | 8 | return 42 | `AppRejected`, code 42 |
//! | 9 | unbounded recursion | `Trap` (stack overflow) |
//! | 10 | 300 notices | `AbiMisuse` (> 256 outputs) |
//! | 11 | `state_set` of a 300 KiB value | `AbiMisuse` (value > 256 KiB) |
//! | 12 | `panic!("hostile panic")` | `AppAborted` "panic at hostile/src/lib.rs:…" |
//! | 13 | integer division by zero (divisor = payload byte 1, or 0) | `Trap` |
//! | 14 | `memory.grow` by 60000 pages; `grow` = [1] if it failed, [0] if not; return 0 | accepted |
//! | 15 | `input_read` at offset input_len + 1 | `AbiMisuse` |
//!
//! `nan` (behaviour 4) is the concatenation, little-endian, of: f64 0/0, f64 0*inf,
//! f64 inf-inf, f32 0/0, f32 inf/-1/inf, f32 inf-inf, f64 from_bits(0x7FF0_0000_DEAD_BEEF) + 1,
//! f64 from_bits(0xFFF8_0000_0000_1234) * 2, f32 from_bits(0x7FA0_1234) + 1,
//! f32 from_bits(0xFFC0_0042) - 1, (f32 from_bits(0x7FA0_1234)) as f64,
//! (f64 from_bits(0x7FF0_0000_DEAD_BEEF)) as f32 — 8+8+8+4+4+4+8+8+4+4+8+4 = 72 bytes. With NaN
//! canonicalisation every one of them is the canonical NaN (f64 0x7FF8000000000000,
//! f32 0x7FC00000). (No sqrt(-1): rustc 1.63's `core` has no scalar sqrt, and a C `sqrt` call
//! leaves an `env.sqrt` import behind for LLVM's errno fallback.)
#![no_std]

extern crate alloc;

use alloc::vec;
use alloc::vec::Vec;
use core::ptr;
use nexus_sdk::{input, output, state, sys};

/// Hides a value from the optimiser (a volatile round trip), so nothing is const-folded
/// (`core::hint::black_box` is not stable on rustc 1.63).
#[inline(always)]
fn opaque<T: Copy>(x: T) -> T {
    unsafe { ptr::read_volatile(&x) }
}

#[allow(clippy::eq_op)] // 0/0 and inf-inf are the point
fn nan_games() -> Vec<u8> {
    let mut out = Vec::with_capacity(72);
    let zero64: f64 = opaque(0.0);
    let inf64: f64 = opaque(f64::INFINITY);
    let zero32: f32 = opaque(0.0);
    let neg32: f32 = opaque(-1.0);
    let inf32: f32 = opaque(f32::INFINITY);
    let one64: f64 = opaque(1.0);
    let two64: f64 = opaque(2.0);
    let one32: f32 = opaque(1.0);
    let snan64 = f64::from_bits(opaque(0x7FF0_0000_DEAD_BEEFu64));
    let qnan64 = f64::from_bits(opaque(0xFFF8_0000_0000_1234u64));
    let snan32 = f32::from_bits(opaque(0x7FA0_1234u32));
    let qnan32 = f32::from_bits(opaque(0xFFC0_0042u32));

    out.extend_from_slice(&opaque(zero64 / zero64).to_bits().to_le_bytes());
    out.extend_from_slice(&opaque(zero64 * inf64).to_bits().to_le_bytes());
    out.extend_from_slice(&opaque(inf64 - inf64).to_bits().to_le_bytes());
    out.extend_from_slice(&opaque(zero32 / zero32).to_bits().to_le_bytes());
    out.extend_from_slice(&opaque(inf32 / neg32 / inf32).to_bits().to_le_bytes());
    out.extend_from_slice(&opaque(inf32 - inf32).to_bits().to_le_bytes());
    out.extend_from_slice(&opaque(snan64 + one64).to_bits().to_le_bytes());
    out.extend_from_slice(&opaque(qnan64 * two64).to_bits().to_le_bytes());
    out.extend_from_slice(&opaque(snan32 + one32).to_bits().to_le_bytes());
    out.extend_from_slice(&opaque(qnan32 - one32).to_bits().to_le_bytes());
    out.extend_from_slice(&opaque(snan32 as f64).to_bits().to_le_bytes());
    out.extend_from_slice(&opaque(snan64 as f32).to_bits().to_le_bytes());
    out
}

/// Each frame keeps 512 bytes on the shadow stack (in linear memory, 1 MiB) and uses the result of
/// the recursive call, so it is neither a tail call nor a loop: the shadow stack pointer runs below
/// 0 after about 2,000 frames (an out-of-bounds store, a trap), before Wasmtime's native stack
/// limit is reached, so the depth is the same on every machine.
#[inline(never)]
#[allow(unconditional_recursion)]
fn recurse(depth: u64) -> u64 {
    let mut frame = [0u64; 64];
    unsafe { ptr::write_volatile(&mut frame[(depth % 64) as usize], depth) };
    let below = recurse(opaque(depth + 1));
    below.wrapping_add(unsafe { ptr::read_volatile(&frame[((depth + 1) % 64) as usize]) })
}

fn memory_bomb() -> ! {
    let mut v: Vec<u8> = Vec::new();
    loop {
        // Doubles the capacity without touching the memory; the bump allocator grows the last
        // block in place, so this costs little fuel. It fails at the app's memory limit, and the
        // allocation-error handler aborts with "out of memory".
        let more = v.capacity().max(1 << 20);
        v.reserve_exact(more);
        v.push(1);
        opaque(v.as_ptr());
    }
}

fn divide(divisor: u32) -> u32 {
    let dividend = opaque(1000u32);
    if divisor == 0 {
        // Undefined behaviour on purpose: it lets LLVM emit a bare `i32.div_u`, which traps on a
        // zero divisor (a checked `/` would panic, i.e. abort, instead).
        unsafe { core::hint::unreachable_unchecked() }
    }
    dividend / divisor
}

#[cfg(target_arch = "wasm32")]
fn grow_huge() -> bool {
    core::arch::wasm32::memory_grow(0, 60000) == usize::MAX
}
#[cfg(not(target_arch = "wasm32"))]
fn grow_huge() -> bool {
    true
}

#[cfg(target_arch = "wasm32")]
fn trap() -> ! {
    core::arch::wasm32::unreachable()
}
#[cfg(not(target_arch = "wasm32"))]
fn trap() -> ! {
    panic!("trap")
}

fn handle() -> Result<(), u32> {
    let payload = input::data();
    let op = match payload.first() {
        Some(&b) => b,
        None => return Err(255),
    };
    match op {
        0 => {
            let seq = input::meta().seq;
            state::set(b"ok", &seq.to_le_bytes());
            Ok(())
        }
        1 => {
            let mut i: u64 = 0;
            loop {
                i = opaque(i.wrapping_add(1));
            }
        }
        2 => memory_bomb(),
        3 => {
            state::set(b"partial", b"1");
            output::notice(b"partial");
            trap()
        }
        4 => {
            state::set(b"nan", &nan_games());
            Ok(())
        }
        5 => {
            output::notice(&vec![0x55u8; 100 * 1024]);
            Ok(())
        }
        6 => {
            let val = [1u8; 4];
            unsafe { sys::state_set(0xFFFF_FFF0usize as *const u8, 8, val.as_ptr(), 4) };
            Ok(())
        }
        7 => {
            state::set(&vec![b'k'; 2048], b"x");
            Ok(())
        }
        8 => Err(42),
        9 => {
            let r = recurse(opaque(0));
            state::set(b"recursed", &r.to_le_bytes());
            Ok(())
        }
        10 => {
            for i in 0..300u32 {
                output::notice(&i.to_le_bytes());
            }
            Ok(())
        }
        11 => {
            state::set(b"big", &vec![0xAAu8; 300 * 1024]);
            Ok(())
        }
        12 => panic!("hostile panic"),
        13 => {
            let divisor = payload.get(1).copied().unwrap_or(0) as u32;
            state::set(b"div", &divide(divisor).to_le_bytes());
            Ok(())
        }
        14 => {
            let failed = grow_huge();
            state::set(b"grow", &[failed as u8]);
            Ok(())
        }
        15 => {
            let mut buf = [0u8; 8];
            let len = input::len() as u32;
            unsafe { sys::input_read(buf.as_mut_ptr(), len + 1, 1) };
            Ok(())
        }
        _ => Err(255),
    }
}

nexus_sdk::entry!(handle);
