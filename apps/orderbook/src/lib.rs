//! orderbook: a price-time-priority limit order book (matching engine) as a Nexus app.
//!
//! Inputs are the events of `contracts/solidity/OrderBook.sol`:
//! - `OrderPlaced(address indexed trader, uint8 side, uint64 price, uint64 qty)`: places order
//!   `id = the input's sequence number`, side 0 = buy, 1 = sell;
//! - `OrderCancelled(address indexed trader, uint64 orderId)`: cancels a resting order of `trader`.
//!
//! Each fill emits a call output to the emitting OrderBook contract:
//! `settle(uint64 makerOrderId, uint64 takerOrderId, address maker, address taker, uint64 price, uint64 qty)`.
//! The whole book lives under the state key `book` (see `engine::Book::encode`).
//!
//! Reject codes: 1 not an OrderBook event (not an event input, unknown topic 0, wrong topic count),
//! 2 malformed event data or topic, 3 invalid order (side not 0/1, price 0 or qty 0), 4 book full
//! (`MAX_RESTING` orders), 5 unknown order id, 6 cancel by someone other than the order's trader.
//!
//! Also exports `nexus_bench(n) -> u64`: the engine alone over `n` synthetic orders (no host
//! calls), for the Wasm vs C# benchmark (`engine::bench`).
#![no_std]

extern crate alloc;

pub mod engine;

use alloc::vec::Vec;
use engine::{Book, CancelError, Fill, PlaceError, MAX_FILLS};
use nexus_sdk::abi::{word_to_address, Decoder, Encoder};
use nexus_sdk::{input, output, state};

/// Reject codes (the value `nexus_handle` returns).
pub mod code {
    /// Not an OrderBook event.
    pub const NOT_ORDERBOOK_EVENT: u32 = 1;
    /// Event data or topic does not decode.
    pub const MALFORMED: u32 = 2;
    /// Side not 0/1, price 0 or quantity 0.
    pub const INVALID_ORDER: u32 = 3;
    /// The book holds `engine::MAX_RESTING` orders and this one would rest.
    pub const BOOK_FULL: u32 = 4;
    /// No resting order has this id.
    pub const UNKNOWN_ORDER: u32 = 5;
    /// The order belongs to another trader.
    pub const NOT_OWNER: u32 = 6;
}

/// topic 0 of `OrderPlaced(address,uint8,uint64,uint64)` (keccak256 of the signature).
pub const ORDER_PLACED: [u8; 32] = hex32(b"959d7183ae33c98ff0e89de17ee16be8568e424944c0b93f2c0eaf2fa8c6e292");
/// topic 0 of `OrderCancelled(address,uint64)`.
pub const ORDER_CANCELLED: [u8; 32] = hex32(b"54562025d61ffa081c7c7e1b98890e1c4333bbdf640cc5c7e01552908ccfeaf9");
/// Selector of `settle(uint64,uint64,address,address,uint64,uint64)`: the first 4 bytes of
/// keccak256 = 0x5a859a95e64badb344349697db2cfd32e3331ce30f262aeedd780efaeb4147a4.
pub const SETTLE_SELECTOR: [u8; 4] = [0x5a, 0x85, 0x9a, 0x95];

const BOOK_KEY: &[u8] = b"book";

const fn hex32(s: &[u8; 64]) -> [u8; 32] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("bad hex"),
        }
    }
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = nibble(s[2 * i]) << 4 | nibble(s[2 * i + 1]);
        i += 1;
    }
    out
}

/// The `settle` calldata of a fill.
pub fn settle_calldata(f: &Fill) -> Vec<u8> {
    Encoder::with_selector(SETTLE_SELECTOR)
        .u64(f.maker_id)
        .u64(f.taker_id)
        .address(&f.maker)
        .address(&f.taker)
        .u64(f.price)
        .u64(f.qty)
        .finish()
}

fn load_book() -> Book {
    match state::get(BOOK_KEY) {
        None => Book::new(),
        Some(bytes) => match Book::decode(&bytes) {
            Some(b) => b,
            None => nexus_sdk::abort("orderbook: corrupt book state"),
        },
    }
}

fn save_book(book: &Book) {
    if book.is_empty() {
        state::delete(BOOK_KEY);
    } else {
        state::set(BOOK_KEY, &book.encode());
    }
}

fn handle() -> Result<(), u32> {
    let meta = input::meta();
    if meta.kind != input::Kind::Event || meta.topic_count != 2 {
        return Err(code::NOT_ORDERBOOK_EVENT);
    }
    let topic0 = input::topic(0).ok_or(code::NOT_ORDERBOOK_EVENT)?;
    let trader_word = input::topic(1).ok_or(code::MALFORMED)?;
    let trader = word_to_address(&trader_word).map_err(|_| code::MALFORMED)?;
    let data = input::data();
    let mut d = Decoder::new(&data);

    if topic0 == ORDER_PLACED {
        let side = d.u8().map_err(|_| code::MALFORMED)?;
        let price = d.u64().map_err(|_| code::MALFORMED)?;
        let qty = d.u64().map_err(|_| code::MALFORMED)?;
        d.finish().map_err(|_| code::MALFORMED)?;
        let mut book = load_book();
        let mut fills: Vec<Fill> = Vec::with_capacity(MAX_FILLS);
        book.place(meta.seq, &trader, side, price, qty, &mut fills).map_err(|e| match e {
            PlaceError::InvalidOrder => code::INVALID_ORDER,
            PlaceError::BookFull => code::BOOK_FULL,
        })?;
        for f in &fills {
            output::call(&meta.emitter, &settle_calldata(f));
        }
        save_book(&book);
        Ok(())
    } else if topic0 == ORDER_CANCELLED {
        let id = d.u64().map_err(|_| code::MALFORMED)?;
        d.finish().map_err(|_| code::MALFORMED)?;
        let mut book = load_book();
        book.cancel(id, &trader).map_err(|e| match e {
            CancelError::UnknownOrder => code::UNKNOWN_ORDER,
            CancelError::NotOwner => code::NOT_OWNER,
        })?;
        save_book(&book);
        Ok(())
    } else {
        Err(code::NOT_ORDERBOOK_EVENT)
    }
}

nexus_sdk::entry!(handle);

/// The matching engine alone over `n` synthetic orders, in memory, no host calls; returns a
/// checksum (see `engine::bench`). Must be called on a fresh instance.
#[no_mangle]
pub extern "C" fn nexus_bench(n: u32) -> u64 {
    engine::bench(n)
}

#[cfg(test)]
mod tests;
