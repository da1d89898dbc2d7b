//! counter: the simplest stateful Nexus app.
//!
//! Input: a `NexusInbox.submit(appId, payload)` submission with `payload = abi.encode(uint256 amount)`.
//! State: `count/` ++ sender (20 bytes) → that sender's count, `total` → the sum of all counts
//! (both uint256, 32 bytes big-endian).
//! Output: one notice per accepted input, `abi.encode(address sender, uint256 newCount, uint256 total)`.
//!
//! Reject codes: 1 amount is zero, 2 payload is not exactly 32 bytes, 3 a count or the total would
//! overflow 2^256, 4 the input is not an inbox submission.
#![no_std]

extern crate alloc;

use alloc::vec::Vec;
use nexus_sdk::abi::{Decoder, Encoder, Word};
use nexus_sdk::{input, output, state};

/// Reject codes (the value `nexus_handle` returns).
pub mod code {
    /// The amount is zero.
    pub const ZERO_AMOUNT: u32 = 1;
    /// The payload is not `abi.encode(uint256)` (exactly 32 bytes).
    pub const MALFORMED: u32 = 2;
    /// The sender's count or the total would overflow uint256.
    pub const OVERFLOW: u32 = 3;
    /// Not an inbox submission (an event input).
    pub const NOT_INBOX: u32 = 4;
}

const TOTAL_KEY: &[u8] = b"total";
const COUNT_PREFIX: &[u8] = b"count/";

/// `a + b` on big-endian 256-bit integers; `None` on overflow.
fn add256(a: &Word, b: &Word) -> Option<Word> {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in (0..32).rev() {
        let s = a[i] as u16 + b[i] as u16 + carry;
        out[i] = s as u8;
        carry = s >> 8;
    }
    if carry != 0 {
        None
    } else {
        Some(out)
    }
}

/// A stored uint256 (absent = 0). A stored value of another length is corrupt state.
fn load(key: &[u8]) -> Word {
    match state::get(key) {
        None => [0u8; 32],
        Some(v) if v.len() == 32 => {
            let mut w = [0u8; 32];
            w.copy_from_slice(&v);
            w
        }
        Some(_) => nexus_sdk::abort("counter: corrupt state value"),
    }
}

fn handle() -> Result<(), u32> {
    let meta = input::meta();
    if meta.kind != input::Kind::Inbox {
        return Err(code::NOT_INBOX);
    }
    let payload = input::data();
    if payload.len() != 32 {
        return Err(code::MALFORMED);
    }
    let amount = Decoder::new(&payload).uint256().map_err(|_| code::MALFORMED)?;
    if amount == [0u8; 32] {
        return Err(code::ZERO_AMOUNT);
    }

    let mut key: Vec<u8> = Vec::with_capacity(COUNT_PREFIX.len() + 20);
    key.extend_from_slice(COUNT_PREFIX);
    key.extend_from_slice(&meta.sender);

    let count = add256(&load(&key), &amount).ok_or(code::OVERFLOW)?;
    let total = add256(&load(TOTAL_KEY), &amount).ok_or(code::OVERFLOW)?;
    state::set(&key, &count);
    state::set(TOTAL_KEY, &total);

    output::notice(&Encoder::new().address(&meta.sender).word(&count).word(&total).finish());
    Ok(())
}

nexus_sdk::entry!(handle);
