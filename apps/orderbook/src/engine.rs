//! The matching engine: a price-time-priority limit order book, pure (no host calls), shared by the
//! app (`nexus_handle`) and the in-memory benchmark (`nexus_bench`).
//!
//! Mirrored line for line in C# by `tools/Nexus.Bench/Guest/OrderBookKernel.cs`: keep both in step
//! (same structures, same rules, same PRNG and checksum; a test compares the checksums).
//!
//! Structures:
//! - each side is a `Vec<Level>` sorted so that the best price is LAST (bids ascending, asks
//!   descending): the best level is popped in O(1) when emptied, and a price is found by binary
//!   search;
//! - a level is a FIFO of orders: a `Vec<Order>` plus a head index (filled orders are skipped by
//!   moving the head; the consumed prefix is dropped when it dominates). Orders enter a level in id
//!   order, so a level is sorted by id and an order is found by binary search;
//! - `index`: (id, price, side) of resting orders in id order, for cancels. Ids only grow, so a new
//!   entry is an append; entries of orders that were filled are left in place (a lookup then misses
//!   the order in its level) and swept out when they outnumber the live ones;
//! - emptied levels' buffers are kept in `spare` and reused (the wasm allocator never frees).
//!
//! Rules: a buy matches asks priced <= its limit (lowest first), a sell matches bids priced >= its
//! limit (highest first), FIFO within a price, at the resting (maker) order's price; partial fills;
//! the remainder rests at the limit price. At most `MAX_FILLS` fills per order (a call output each,
//! and an input has at most 256 outputs): an order that reaches it stops matching and its remainder
//! is dropped, not rested. At most `MAX_RESTING` resting orders: an order whose remainder would rest
//! when the book (after its own fills) is full is rejected as a whole, before anything changes.

use alloc::vec::Vec;

/// Most resting orders in the book (the encoded book must stay under the 256 KiB value limit:
/// 36 bytes per order plus 12 per level).
pub const MAX_RESTING: usize = 4000;
/// Most fills per incoming order.
pub const MAX_FILLS: usize = 250;

/// Order side.
pub const BUY: u8 = 0;
/// Order side.
pub const SELL: u8 = 1;

/// A resting order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Order {
    pub id: u64,
    pub trader: [u8; 20],
    pub qty: u64,
}

/// One match between a resting (maker) order and an incoming (taker) order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fill {
    pub maker_id: u64,
    pub taker_id: u64,
    pub maker: [u8; 20],
    pub taker: [u8; 20],
    pub price: u64,
    pub qty: u64,
}

/// All orders resting at one price, oldest first from `head`.
#[derive(Clone, Debug)]
pub struct Level {
    pub price: u64,
    orders: Vec<Order>,
    head: usize,
}

impl Level {
    /// The live orders, oldest first.
    pub fn orders(&self) -> &[Order] {
        &self.orders[self.head..]
    }

    fn is_empty(&self) -> bool {
        self.head == self.orders.len()
    }

    fn push(&mut self, o: Order) {
        if self.head >= 32 && self.head * 2 >= self.orders.len() {
            self.orders.drain(..self.head);
            self.head = 0;
        }
        self.orders.push(o);
    }

    /// Position in `orders` of the live order `id`.
    fn find(&self, id: u64) -> Option<usize> {
        self.orders[self.head..].binary_search_by(|o| o.id.cmp(&id)).ok().map(|i| i + self.head)
    }
}

#[derive(Clone, Copy, Debug)]
struct IndexEntry {
    id: u64,
    price: u64,
    side: u8,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlaceError {
    /// Side not 0/1, price 0 or quantity 0.
    InvalidOrder,
    /// The remainder would rest and the book holds `MAX_RESTING` orders.
    BookFull,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CancelError {
    /// No resting order has this id (never placed, filled or cancelled).
    UnknownOrder,
    /// The order belongs to another trader.
    NotOwner,
}

/// The order book.
#[derive(Clone, Debug, Default)]
pub struct Book {
    /// Ascending by price: best (highest) bid last.
    bids: Vec<Level>,
    /// Descending by price: best (lowest) ask last.
    asks: Vec<Level>,
    index: Vec<IndexEntry>,
    /// True after `decode`: the index is rebuilt by the first `cancel` that needs it (most inputs
    /// are placements, which then skip sorting it).
    index_stale: bool,
    live: usize,
    spare: Vec<Vec<Order>>,
}

/// Position of `price` in a side (`Ok`) or where to insert it (`Err`).
fn search(levels: &[Level], side: u8, price: u64) -> Result<usize, usize> {
    if side == BUY {
        levels.binary_search_by(|l| l.price.cmp(&price))
    } else {
        levels.binary_search_by(|l| price.cmp(&l.price))
    }
}

/// Whether a resting price on the opposite side crosses an incoming limit.
#[inline]
fn crosses(taker_side: u8, limit: u64, resting: u64) -> bool {
    if taker_side == BUY {
        resting <= limit
    } else {
        resting >= limit
    }
}

impl Book {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of resting orders.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Bid levels, best (highest) last.
    pub fn bids(&self) -> &[Level] {
        &self.bids
    }

    /// Ask levels, best (lowest) last.
    pub fn asks(&self) -> &[Level] {
        &self.asks
    }

    /// Places order `id` (ids must grow from call to call). `fills` is cleared and receives the
    /// fills in execution order. Returns the quantity left resting in the book.
    pub fn place(
        &mut self,
        id: u64,
        trader: &[u8; 20],
        side: u8,
        price: u64,
        qty: u64,
        fills: &mut Vec<Fill>,
    ) -> Result<u64, PlaceError> {
        fills.clear();
        if side > SELL || price == 0 || qty == 0 {
            return Err(PlaceError::InvalidOrder);
        }
        if self.live >= MAX_RESTING && self.would_rest_when_full(side, price, qty) {
            return Err(PlaceError::BookFull);
        }
        let opposite = if side == BUY { &mut self.asks } else { &mut self.bids };
        let mut remaining = qty;
        while remaining > 0 && fills.len() < MAX_FILLS {
            let level = match opposite.last_mut() {
                Some(l) if crosses(side, price, l.price) => l,
                _ => break,
            };
            while remaining > 0 && level.head < level.orders.len() && fills.len() < MAX_FILLS {
                let maker = &mut level.orders[level.head];
                let q = if maker.qty < remaining { maker.qty } else { remaining };
                fills.push(Fill {
                    maker_id: maker.id,
                    taker_id: id,
                    maker: maker.trader,
                    taker: *trader,
                    price: level.price,
                    qty: q,
                });
                maker.qty -= q;
                remaining -= q;
                if maker.qty == 0 {
                    level.head += 1;
                    self.live -= 1;
                }
            }
            if level.is_empty() {
                let mut l = opposite.pop().unwrap();
                l.orders.clear();
                self.spare.push(l.orders);
            }
        }
        if remaining == 0 || fills.len() >= MAX_FILLS {
            return Ok(0);
        }
        self.rest(id, trader, side, price, remaining);
        Ok(remaining)
    }

    /// With a full book: would the order (after matching) leave a remainder to rest while the book
    /// is still full? Simulates the matching without changing anything.
    fn would_rest_when_full(&self, side: u8, price: u64, qty: u64) -> bool {
        let opposite = if side == BUY { &self.asks } else { &self.bids };
        let mut remaining = qty;
        let mut fills = 0usize;
        let mut consumed = 0usize;
        'levels: for level in opposite.iter().rev() {
            if !crosses(side, price, level.price) {
                break;
            }
            for o in level.orders() {
                if remaining == 0 || fills >= MAX_FILLS {
                    break 'levels;
                }
                fills += 1;
                if o.qty <= remaining {
                    remaining -= o.qty;
                    consumed += 1;
                } else {
                    remaining = 0;
                }
            }
        }
        remaining > 0 && fills < MAX_FILLS && self.live - consumed >= MAX_RESTING
    }

    fn rest(&mut self, id: u64, trader: &[u8; 20], side: u8, price: u64, qty: u64) {
        let levels = if side == BUY { &mut self.bids } else { &mut self.asks };
        let order = Order { id, trader: *trader, qty };
        match search(levels, side, price) {
            Ok(i) => levels[i].push(order),
            Err(i) => {
                let mut orders = self.spare.pop().unwrap_or_default();
                orders.push(order);
                levels.insert(i, Level { price, orders, head: 0 });
            }
        }
        self.live += 1;
        if !self.index_stale {
            self.index.push(IndexEntry { id, price, side });
            if self.index.len() >= 2 * self.live + 64 {
                self.sweep_index();
            }
        }
    }

    /// Rebuilds the index from the levels (after `decode`).
    fn rebuild_index(&mut self) {
        self.index.clear();
        for (side, levels) in [(BUY, &self.bids), (SELL, &self.asks)] {
            for l in levels.iter() {
                for o in l.orders() {
                    self.index.push(IndexEntry { id: o.id, price: l.price, side });
                }
            }
        }
        self.index.sort_unstable_by_key(|e| e.id);
        self.index_stale = false;
    }

    /// Drops index entries of orders that are no longer resting.
    fn sweep_index(&mut self) {
        let (bids, asks) = (&self.bids, &self.asks);
        self.index.retain(|e| {
            let levels = if e.side == BUY { bids } else { asks };
            match search(levels, e.side, e.price) {
                Ok(i) => levels[i].find(e.id).is_some(),
                Err(_) => false,
            }
        });
    }

    /// Cancels resting order `id` on behalf of `trader`.
    pub fn cancel(&mut self, id: u64, trader: &[u8; 20]) -> Result<(), CancelError> {
        if self.index_stale {
            self.rebuild_index();
        }
        let e = match self.index.binary_search_by(|e| e.id.cmp(&id)) {
            Ok(i) => self.index[i],
            Err(_) => return Err(CancelError::UnknownOrder),
        };
        let levels = if e.side == BUY { &mut self.bids } else { &mut self.asks };
        let li = search(levels, e.side, e.price).map_err(|_| CancelError::UnknownOrder)?;
        let level = &mut levels[li];
        let oi = level.find(id).ok_or(CancelError::UnknownOrder)?;
        if level.orders[oi].trader != *trader {
            return Err(CancelError::NotOwner);
        }
        level.orders.remove(oi);
        self.live -= 1;
        if level.is_empty() {
            let mut l = levels.remove(li);
            l.orders.clear();
            self.spare.push(l.orders);
        }
        Ok(())
    }

    /// The compact binary form stored in the app's state (version 1):
    /// `u8 version`, then bids and asks, each `u32 levels` and per level `u64 price`,
    /// `u32 count`, `count × (u64 id, [u8; 20] trader, u64 qty)`; levels in the in-memory order
    /// (best last), orders oldest first, integers little-endian.
    pub fn encode(&self) -> Vec<u8> {
        let levels = self.bids.len() + self.asks.len();
        let mut out = Vec::with_capacity(1 + 8 + levels * 12 + self.live * 36);
        out.push(1u8);
        for side in [&self.bids, &self.asks] {
            out.extend_from_slice(&(side.len() as u32).to_le_bytes());
            for l in side.iter() {
                out.extend_from_slice(&l.price.to_le_bytes());
                out.extend_from_slice(&(l.orders().len() as u32).to_le_bytes());
                for o in l.orders() {
                    out.extend_from_slice(&o.id.to_le_bytes());
                    out.extend_from_slice(&o.trader);
                    out.extend_from_slice(&o.qty.to_le_bytes());
                }
            }
        }
        out
    }

    /// Parses [`Book::encode`]'s form, checking its invariants (version, level order, ids ascending
    /// within a level, positive prices and quantities, the size cap, no crossed book, no trailing
    /// bytes); `None` if it is not a valid book. Only this app writes the state, so this is a guard
    /// against bugs, not against an adversary.
    pub fn decode(b: &[u8]) -> Option<Book> {
        let mut r = Reader { b, at: 0 };
        if r.bytes(1)?[0] != 1 {
            return None;
        }
        let mut book = Book::new();
        for side in [BUY, SELL] {
            let n = r.u32()? as usize;
            if n > MAX_RESTING {
                return None;
            }
            let mut levels: Vec<Level> = Vec::with_capacity(n);
            for _ in 0..n {
                let price = r.u64()?;
                let count = r.u32()? as usize;
                if price == 0 || count == 0 || count > MAX_RESTING - book.live {
                    return None;
                }
                if let Some(prev) = levels.last() {
                    let ordered = if side == BUY { prev.price < price } else { prev.price > price };
                    if !ordered {
                        return None;
                    }
                }
                let mut orders = Vec::with_capacity(count);
                for _ in 0..count {
                    let id = r.u64()?;
                    let mut trader = [0u8; 20];
                    trader.copy_from_slice(r.bytes(20)?);
                    let qty = r.u64()?;
                    if qty == 0 {
                        return None;
                    }
                    if let Some(prev) = orders.last() {
                        let prev: &Order = prev;
                        if prev.id >= id {
                            return None;
                        }
                    }
                    orders.push(Order { id, trader, qty });
                }
                book.live += count;
                levels.push(Level { price, orders, head: 0 });
            }
            if side == BUY {
                book.bids = levels;
            } else {
                book.asks = levels;
            }
        }
        if r.at != b.len() {
            return None;
        }
        // A crossed book cannot come out of the engine.
        if let (Some(bid), Some(ask)) = (book.bids.last(), book.asks.last()) {
            if bid.price >= ask.price {
                return None;
            }
        }
        book.index_stale = true;
        Some(book)
    }
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let s = self.b.get(self.at..end)?;
        self.at = end;
        Some(s)
    }
    fn u32(&mut self) -> Option<u32> {
        let mut a = [0u8; 4];
        a.copy_from_slice(self.bytes(4)?);
        Some(u32::from_le_bytes(a))
    }
    fn u64(&mut self) -> Option<u64> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.bytes(8)?);
        Some(u64::from_le_bytes(a))
    }
}

// ---------------------------------------------------------------------------------------------
// Benchmark: the engine alone, in memory, over synthetic orders. Mirrored by OrderBookKernel.Run.
// ---------------------------------------------------------------------------------------------

/// PRNG seed of the benchmark.
pub const BENCH_SEED: u64 = 0x9E37_79B9_7F4A_7C15;

/// xorshift64 (13, 7, 17).
#[inline]
pub fn xorshift64(state: &mut u64) -> u64 {
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    x
}

/// Checksum step: FNV-1a-style multiply, then a rotation.
#[inline]
pub fn mix(cs: u64, v: u64) -> u64 {
    (cs ^ v).wrapping_mul(0x0000_0100_0000_01B3).rotate_left(23)
}

/// Trader `i` of the benchmark: 19 zero bytes and `i + 1`.
#[inline]
fn bench_trader(i: u64) -> [u8; 20] {
    let mut t = [0u8; 20];
    t[19] = (i + 1) as u8;
    t
}

/// Runs `n` synthetic inputs through a fresh book; returns a checksum of every outcome.
///
/// Input `seq` (0..n) draws `r = xorshift64()`. One in eight is a cancel of order
/// `seq - 1 - (r >> 32) % 32` (skipped when that is negative) by its owner, except when
/// `(r >> 48) % 8 == 0`: then by the next trader (a non-owner). The others place an order by trader
/// `seq % 8`: side `(r >> 4) & 1`, price `994 + (r >> 16) % 21` for a buy and `986 + (r >> 16) % 21`
/// for a sell, quantity `1 + (r >> 40) % 100`.
/// The checksum starts at 0xcbf29ce484222325 and mixes, per fill, the maker id, the taker id and
/// price × qty, then per placed order the resting quantity (or 0x100 + error code), per cancel
/// 1 / 2 unknown / 3 not owner; at the end the resting count and the bid and ask level counts.
///
/// Checksums (this code on wasm32 as `nexus_bench` and on the host, and the C# mirror
/// `OrderBookKernel.Run`): n = 1000 → 0x91998fa638285069, n = 100000 → 0x9286832a4675069d.
pub fn bench(n: u32) -> u64 {
    let mut book = Book::new();
    let mut fills: Vec<Fill> = Vec::with_capacity(MAX_FILLS);
    let mut rng = BENCH_SEED;
    let mut cs: u64 = 0xcbf2_9ce4_8422_2325;
    for seq in 0..n as u64 {
        let r = xorshift64(&mut rng);
        if r % 8 == 0 {
            let back = 1 + (r >> 32) % 32;
            if back > seq {
                continue;
            }
            let target = seq - back;
            let who = if (r >> 48) % 8 == 0 { (target + 1) % 8 } else { target % 8 };
            let code = match book.cancel(target, &bench_trader(who)) {
                Ok(()) => 1,
                Err(CancelError::UnknownOrder) => 2,
                Err(CancelError::NotOwner) => 3,
            };
            cs = mix(cs, code);
            continue;
        }
        let side = ((r >> 4) & 1) as u8;
        // Buyers bid up to 4 above, sellers ask down to 4 below a band of 21 ticks around 1000:
        // most orders cross, and the book stays shallow instead of piling up at the band's ends.
        let price = if side == BUY { 994 + (r >> 16) % 21 } else { 986 + (r >> 16) % 21 };
        let qty = 1 + (r >> 40) % 100;
        match book.place(seq, &bench_trader(seq % 8), side, price, qty, &mut fills) {
            Ok(rest) => {
                for f in fills.iter() {
                    cs = mix(cs, f.maker_id);
                    cs = mix(cs, f.taker_id);
                    cs = mix(cs, f.price.wrapping_mul(f.qty));
                }
                cs = mix(cs, rest);
            }
            Err(PlaceError::InvalidOrder) => cs = mix(cs, 0x101),
            Err(PlaceError::BookFull) => cs = mix(cs, 0x102),
        }
    }
    cs = mix(cs, book.len() as u64);
    cs = mix(cs, book.bids.len() as u64);
    cs = mix(cs, book.asks.len() as u64);
    cs
}
