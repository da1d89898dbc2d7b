//! Host unit tests of the engine (`cargo test -p orderbook`).
#![allow(unused_must_use)]
extern crate std;

use super::engine::*;
use super::*;
use alloc::vec;
use alloc::vec::Vec;

fn t(i: u8) -> [u8; 20] {
    let mut a = [0u8; 20];
    a[19] = i;
    a
}

fn place(b: &mut Book, id: u64, who: u8, side: u8, price: u64, qty: u64) -> (Result<u64, PlaceError>, Vec<Fill>) {
    let mut fills = Vec::new();
    let r = b.place(id, &t(who), side, price, qty, &mut fills);
    (r, fills)
}

fn summary(fills: &[Fill]) -> Vec<(u64, u64, u64)> {
    fills.iter().map(|f| (f.maker_id, f.price, f.qty)).collect()
}

fn roundtrip(b: &Book) -> Book {
    let bytes = b.encode();
    let c = Book::decode(&bytes).expect("decodes");
    assert_eq!(c.encode(), bytes);
    c
}

#[test]
fn price_time_priority_and_partial_fills() {
    let mut b = Book::new();
    assert_eq!(place(&mut b, 1, 1, SELL, 101, 5).0, Ok(5));
    assert_eq!(place(&mut b, 2, 2, SELL, 100, 5).0, Ok(5));
    assert_eq!(place(&mut b, 3, 3, SELL, 100, 5).0, Ok(5));
    assert_eq!(place(&mut b, 4, 4, BUY, 99, 5).0, Ok(5));
    // A buy at 101 for 12: best price first (100: ids 2, 3 FIFO), then 101.
    let (r, fills) = place(&mut b, 5, 5, BUY, 101, 12);
    assert_eq!(r, Ok(0));
    assert_eq!(summary(&fills), vec![(2, 100, 5), (3, 100, 5), (1, 101, 2)]);
    assert_eq!(fills[0].taker_id, 5);
    assert_eq!(fills[0].maker, t(2));
    assert_eq!(fills[0].taker, t(5));
    assert_eq!(b.len(), 2);
    assert_eq!(b.asks()[0].orders()[0].qty, 3);
    // A sell below the best bid: fills at the bid's price, remainder rests.
    let (r, fills) = place(&mut b, 6, 6, SELL, 98, 8);
    assert_eq!(r, Ok(3));
    assert_eq!(summary(&fills), vec![(4, 99, 5)]);
    assert_eq!(b.bids().len(), 0);
    assert_eq!(b.asks().last().unwrap().price, 98);
    let b2 = roundtrip(&b);
    assert_eq!(b2.len(), 2);
}

#[test]
fn invalid_orders() {
    let mut b = Book::new();
    assert_eq!(place(&mut b, 1, 1, 2, 100, 1).0, Err(PlaceError::InvalidOrder));
    assert_eq!(place(&mut b, 2, 1, BUY, 0, 1).0, Err(PlaceError::InvalidOrder));
    assert_eq!(place(&mut b, 3, 1, BUY, 100, 0).0, Err(PlaceError::InvalidOrder));
    assert!(b.is_empty());
}

#[test]
fn cancels() {
    let mut b = Book::new();
    place(&mut b, 1, 1, BUY, 100, 5);
    place(&mut b, 2, 2, BUY, 100, 5);
    place(&mut b, 3, 3, BUY, 90, 5);
    assert_eq!(b.cancel(2, &t(1)), Err(CancelError::NotOwner));
    assert_eq!(b.cancel(9, &t(1)), Err(CancelError::UnknownOrder));
    assert_eq!(b.cancel(2, &t(2)), Ok(()));
    assert_eq!(b.cancel(2, &t(2)), Err(CancelError::UnknownOrder));
    // Filled orders cannot be cancelled.
    let (_, fills) = place(&mut b, 4, 4, SELL, 100, 5);
    assert_eq!(summary(&fills), vec![(1, 100, 5)]);
    assert_eq!(b.cancel(1, &t(1)), Err(CancelError::UnknownOrder));
    assert_eq!(b.cancel(3, &t(3)), Ok(()));
    assert!(b.is_empty());
    assert_eq!(b.encode(), vec![1, 0, 0, 0, 0, 0, 0, 0, 0]);
}

#[test]
fn book_full_rejects_only_orders_that_would_rest() {
    let mut b = Book::new();
    for i in 0..MAX_RESTING as u64 {
        assert_eq!(place(&mut b, i, 1, SELL, 1000 + i % 50, 1).0, Ok(1));
    }
    let id = MAX_RESTING as u64;
    // Would rest (no cross): rejected, nothing changed.
    assert_eq!(place(&mut b, id, 2, BUY, 10, 1).0, Err(PlaceError::BookFull));
    // Fully filled: accepted.
    let (r, fills) = place(&mut b, id + 1, 2, BUY, 1000, 1);
    assert_eq!((r, fills.len()), (Ok(0), 1));
    // One slot free again: rests.
    assert_eq!(place(&mut b, id + 2, 2, BUY, 10, 1).0, Ok(1));
    assert_eq!(b.len(), MAX_RESTING);
    // Consumes the 79 orders left at 1000, freeing room for its remainder.
    let (r, fills) = place(&mut b, id + 4, 2, BUY, 1000, 100);
    assert_eq!((r, fills.len()), (Ok(21), 79));
    assert_eq!(b.len(), MAX_RESTING - 78);
    let bytes = b.encode();
    assert!(bytes.len() <= 256 * 1024);
    roundtrip(&b);
}

#[test]
fn fill_cap_drops_the_remainder() {
    let mut b = Book::new();
    for i in 0..300u64 {
        place(&mut b, i, 1, SELL, 100, 1);
    }
    let (r, fills) = place(&mut b, 1000, 2, BUY, 100, 1000);
    assert_eq!(r, Ok(0));
    assert_eq!(fills.len(), MAX_FILLS);
    assert_eq!(b.len(), 300 - MAX_FILLS);
    assert!(b.bids().is_empty());
}

#[test]
fn decode_rejects_garbage() {
    assert!(Book::decode(&[]).is_none());
    assert!(Book::decode(&[2, 0, 0, 0, 0, 0, 0, 0, 0]).is_none());
    assert!(Book::decode(&[1, 0, 0, 0, 0, 0, 0, 0, 0, 0]).is_none());
    let mut b = Book::new();
    place(&mut b, 1, 1, BUY, 100, 5);
    place(&mut b, 2, 1, SELL, 101, 5);
    let good = b.encode();
    assert!(Book::decode(&good).is_some());
    for cut in 0..good.len() {
        assert!(Book::decode(&good[..cut]).is_none());
    }
    // crossed book
    let mut bad = good.clone();
    // bids: version(1) + count(4) + price(8): set the bid price to 101
    bad[5..13].copy_from_slice(&101u64.to_le_bytes());
    assert!(Book::decode(&bad).is_none());
}

#[test]
fn index_sweep_keeps_cancels_working() {
    let mut b = Book::new();
    let mut id = 0;
    // Many orders that are filled right away leave stale index entries behind.
    for round in 0..500u64 {
        place(&mut b, id, 1, SELL, 100, 1);
        id += 1;
        place(&mut b, id, 2, BUY, 100, 1);
        id += 1;
        place(&mut b, id, 3, BUY, 50 + round % 10, 1);
        id += 1;
    }
    assert_eq!(b.len(), 500);
    // Cancel every resting order through the index.
    for i in 0..id {
        let r = b.cancel(i, &t(3));
        assert_eq!(r.is_ok(), i % 3 == 2, "order {}", i);
    }
    assert!(b.is_empty());
}

#[test]
fn settle_calldata_layout() {
    let f = Fill { maker_id: 1, taker_id: 2, maker: t(3), taker: t(4), price: 5, qty: 6 };
    let c = settle_calldata(&f);
    assert_eq!(c.len(), 4 + 6 * 32);
    assert_eq!(&c[..4], &SETTLE_SELECTOR);
    assert_eq!(c[4 + 31], 1);
    assert_eq!(c[4 + 63], 2);
    assert_eq!(c[4 + 95], 3);
    assert_eq!(c[4 + 127], 4);
    assert_eq!(c[4 + 159], 5);
    assert_eq!(c[4 + 191], 6);
    assert_eq!(ORDER_PLACED[0], 0x95);
    assert_eq!(ORDER_CANCELLED[31], 0xf9);
}

#[test]
fn bench_checksums() {
    // Also recorded in engine::bench and in OrderBookKernel.cs (C#), which must return the same.
    assert_eq!(bench(1000), 0x9199_8fa6_3828_5069);
    assert_eq!(bench(100_000), 0x9286_832a_4675_069d);
}

#[test]
fn cancel_after_decode_rebuilds_the_index() {
    let mut b = Book::new();
    place(&mut b, 1, 1, BUY, 100, 5);
    place(&mut b, 2, 2, SELL, 105, 5);
    place(&mut b, 3, 3, BUY, 99, 5);
    let mut c = roundtrip(&b);
    // A placement after decode, then cancels of old and new orders.
    assert_eq!(place(&mut c, 4, 4, SELL, 106, 1).0, Ok(1));
    assert_eq!(c.cancel(4, &t(4)), Ok(()));
    assert_eq!(c.cancel(1, &t(2)), Err(CancelError::NotOwner));
    assert_eq!(c.cancel(1, &t(1)), Ok(()));
    assert_eq!(c.cancel(3, &t(3)), Ok(()));
    assert_eq!(c.cancel(2, &t(2)), Ok(()));
    assert!(c.is_empty());
}
