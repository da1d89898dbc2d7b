//! Raw host imports of ABI `nexus_v1` (see ABI.md). Pointers and lengths are `i32` on the wire,
//! read as unsigned by the host; a range outside the memory or over a limit is an ABI misuse that
//! rejects the input. Prefer the safe wrappers of the crate root; these are public for apps that
//! need exact control (and for the hostile test app, which misuses them on purpose).
//!
//! On targets other than wasm32 (host unit tests) every function is a stub that panics.
#![allow(missing_docs, clippy::missing_safety_doc)]

#[cfg(target_arch = "wasm32")]
#[link(wasm_import_module = "nexus_v1")]
extern "C" {
    /// Writes the 208-byte metadata record at `dst`.
    pub fn input_meta(dst: *mut u8);
    /// Length of the input bytes.
    pub fn input_len() -> i32;
    /// Copies up to `len` input bytes from `offset` to `dst`; returns the count copied.
    pub fn input_read(dst: *mut u8, offset: u32, len: u32) -> i32;
    /// Writes topic `index` (32 bytes) at `dst`; 0, or -1 when there is no such topic.
    pub fn input_topic(index: u32, dst: *mut u8) -> i32;
    /// -1 if absent, else the value length, having copied `min(len, cap)` bytes to `dst`.
    pub fn state_get(key: *const u8, key_len: u32, dst: *mut u8, cap: u32) -> i32;
    /// Sets a key.
    pub fn state_set(key: *const u8, key_len: u32, val: *const u8, val_len: u32);
    /// Removes a key; 1 if it existed, else 0.
    pub fn state_delete(key: *const u8, key_len: u32) -> i32;
    /// Emits a notice output.
    pub fn emit_notice(ptr: *const u8, len: u32);
    /// Emits a call output to the 20-byte address at `target`.
    pub fn emit_call(target: *const u8, data: *const u8, data_len: u32);
    /// Rejects the input (`AppAborted`) with a UTF-8 message; does not return.
    pub fn abort(msg: *const u8, msg_len: u32);
    /// A developer log line (not consensus).
    pub fn debug_log(msg: *const u8, msg_len: u32);
}

#[cfg(not(target_arch = "wasm32"))]
mod stubs {
    fn no_host() -> ! {
        panic!("nexus_v1 host functions exist only on wasm32 (inside the Nexus runtime)")
    }
    pub unsafe fn input_meta(_dst: *mut u8) {
        no_host()
    }
    pub unsafe fn input_len() -> i32 {
        no_host()
    }
    pub unsafe fn input_read(_dst: *mut u8, _offset: u32, _len: u32) -> i32 {
        no_host()
    }
    pub unsafe fn input_topic(_index: u32, _dst: *mut u8) -> i32 {
        no_host()
    }
    pub unsafe fn state_get(_key: *const u8, _key_len: u32, _dst: *mut u8, _cap: u32) -> i32 {
        no_host()
    }
    pub unsafe fn state_set(_key: *const u8, _key_len: u32, _val: *const u8, _val_len: u32) {
        no_host()
    }
    pub unsafe fn state_delete(_key: *const u8, _key_len: u32) -> i32 {
        no_host()
    }
    pub unsafe fn emit_notice(_ptr: *const u8, _len: u32) {
        no_host()
    }
    pub unsafe fn emit_call(_target: *const u8, _data: *const u8, _data_len: u32) {
        no_host()
    }
    pub unsafe fn abort(_msg: *const u8, _msg_len: u32) {
        no_host()
    }
    pub unsafe fn debug_log(_msg: *const u8, _msg_len: u32) {
        no_host()
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub use stubs::*;
