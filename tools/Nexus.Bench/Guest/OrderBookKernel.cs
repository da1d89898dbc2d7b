using System.Numerics;
using System.Runtime.InteropServices;

namespace Nexus.Bench.Guest;

/// <summary>
/// The C# twin of the orderbook app's matching engine and in-memory benchmark
/// (apps/orderbook/src/engine.rs, <c>bench</c>; exported by orderbook.wasm as
/// <c>nexus_bench(n: u32) -> u64</c>): same structures, same rules, same PRNG and checksum, so a
/// benchmark can compare Wasm and C# speed and a test can check that both return the same checksum.
/// Keep the two in step.
/// </summary>
/// <remarks>
/// Structures: each side is a list of price levels sorted so that the best price is last (bids
/// ascending, asks descending), found by binary search; a level is a FIFO of orders (a list plus a
/// head index, ids ascending); an index of (id, price, side) in id order serves cancels, with
/// entries of filled orders left behind and swept when they outnumber the live ones; emptied
/// levels' buffers are reused. Rules: price-time priority, fills at the maker's price, partial
/// fills, the remainder rests; at most <see cref="MaxFills"/> fills per order (the remainder is
/// then dropped); at most <see cref="MaxResting"/> resting orders (an order whose remainder would
/// rest in a full book is rejected before anything changes).
/// <para>Checksums (equal to orderbook.wasm's <c>nexus_bench</c>):
/// n = 1000 → 0x91998fa638285069, n = 100000 → 0x9286832a4675069d.</para>
/// </remarks>
public static class OrderBookKernel
{
    public const int MaxResting = 4000;
    public const int MaxFills = 250;
    public const ulong Seed = 0x9E37_79B9_7F4A_7C15;
    public const ulong ChecksumN1000 = 0x91998fa638285069;
    public const ulong ChecksumN100000 = 0x9286832a4675069d;

    private const byte Buy = 0;
    private const byte Sell = 1;

    /// <summary>
    /// Runs <paramref name="n"/> synthetic inputs through a fresh book and returns a checksum of every
    /// outcome. Input <c>seq</c> draws <c>r = xorshift64()</c>; one in eight (<c>r % 8 == 0</c>) is a
    /// cancel of order <c>seq - 1 - (r &gt;&gt; 32) % 32</c> (skipped when negative) by its owner
    /// (trader <c>target % 8</c>), or by trader <c>(target + 1) % 8</c> when <c>(r &gt;&gt; 48) % 8 == 0</c>;
    /// the others place an order by trader <c>seq % 8</c>: side <c>(r &gt;&gt; 4) &amp; 1</c>, price
    /// <c>994 + (r &gt;&gt; 16) % 21</c> (buy) or <c>986 + (r &gt;&gt; 16) % 21</c> (sell), quantity
    /// <c>1 + (r &gt;&gt; 40) % 100</c>.
    /// </summary>
    public static ulong Run(uint n)
    {
        var book = new Book();
        var fills = new List<Fill>(MaxFills);
        var rng = Seed;
        var cs = 0xcbf2_9ce4_8422_2325UL;
        for (ulong seq = 0; seq < n; seq++)
        {
            var r = XorShift64(ref rng);
            if (r % 8 == 0)
            {
                var back = 1 + (r >> 32) % 32;
                if (back > seq)
                    continue;
                var target = seq - back;
                var who = (r >> 48) % 8 == 0 ? (target + 1) % 8 : target % 8;
                ulong code = book.Cancel(target, Trader(who)) switch
                {
                    CancelResult.Ok => 1,
                    CancelResult.UnknownOrder => 2,
                    _ => 3,
                };
                cs = Mix(cs, code);
                continue;
            }
            var side = (byte)((r >> 4) & 1);
            var price = side == Buy ? 994 + (r >> 16) % 21 : 986 + (r >> 16) % 21;
            var qty = 1 + (r >> 40) % 100;
            var result = book.Place(seq, Trader(seq % 8), side, price, qty, fills, out var rest);
            switch (result)
            {
                case PlaceResult.Ok:
                    foreach (ref readonly var f in CollectionsMarshal.AsSpan(fills))
                    {
                        cs = Mix(cs, f.MakerId);
                        cs = Mix(cs, f.TakerId);
                        cs = Mix(cs, unchecked(f.Price * f.Qty));
                    }
                    cs = Mix(cs, rest);
                    break;
                case PlaceResult.InvalidOrder:
                    cs = Mix(cs, 0x101);
                    break;
                default:
                    cs = Mix(cs, 0x102);
                    break;
            }
        }
        cs = Mix(cs, (ulong)book.Count);
        cs = Mix(cs, (ulong)book.BidLevels);
        cs = Mix(cs, (ulong)book.AskLevels);
        return cs;
    }

    /// <summary>xorshift64 (13, 7, 17).</summary>
    public static ulong XorShift64(ref ulong state)
    {
        var x = state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        state = x;
        return x;
    }

    /// <summary>Checksum step: FNV-1a-style multiply, then a rotation.</summary>
    public static ulong Mix(ulong cs, ulong v) => BitOperations.RotateLeft(unchecked((cs ^ v) * 0x0000_0100_0000_01B3UL), 23);

    /// <summary>Trader <paramref name="i"/>: 19 zero bytes and <c>i + 1</c>.</summary>
    private static Address Trader(ulong i) => new(0, 0, (uint)(i + 1) << 24);

    /// <summary>A 20-byte address as three words (equality only; byte order does not matter here).</summary>
    private readonly struct Address(ulong a, ulong b, uint c) : IEquatable<Address>
    {
        private readonly ulong _a = a;
        private readonly ulong _b = b;
        private readonly uint _c = c;

        public bool Equals(Address other) => _a == other._a && _b == other._b && _c == other._c;
        public override bool Equals(object? obj) => obj is Address other && Equals(other);
        public override int GetHashCode() => HashCode.Combine(_a, _b, _c);
    }

    private struct Order(ulong id, Address trader, ulong qty)
    {
        public readonly ulong Id = id;
        public readonly Address Trader = trader;
        public ulong Qty = qty;
    }

    private readonly struct Fill(ulong makerId, ulong takerId, Address maker, Address taker, ulong price, ulong qty)
    {
        public readonly ulong MakerId = makerId;
        public readonly ulong TakerId = takerId;
        public readonly Address Maker = maker;
        public readonly Address Taker = taker;
        public readonly ulong Price = price;
        public readonly ulong Qty = qty;
    }

    private readonly struct IndexEntry(ulong id, ulong price, byte side)
    {
        public readonly ulong Id = id;
        public readonly ulong Price = price;
        public readonly byte Side = side;
    }

    private enum PlaceResult { Ok, InvalidOrder, BookFull }

    private enum CancelResult { Ok, UnknownOrder, NotOwner }

    /// <summary>All orders resting at one price, oldest first from <see cref="Head"/>. Emptied levels are reused.</summary>
    private sealed class Level
    {
        public ulong Price;
        public readonly List<Order> Orders = [];
        public int Head;

        public bool IsEmpty => Head == Orders.Count;

        public void Push(Order o)
        {
            if (Head >= 32 && Head * 2 >= Orders.Count)
            {
                Orders.RemoveRange(0, Head);
                Head = 0;
            }
            Orders.Add(o);
        }

        /// <summary>Position in <see cref="Orders"/> of live order <paramref name="id"/>, or -1.</summary>
        public int Find(ulong id)
        {
            var span = CollectionsMarshal.AsSpan(Orders);
            int lo = Head, hi = span.Length;
            while (lo < hi)
            {
                var mid = lo + (hi - lo) / 2;
                var m = span[mid].Id;
                if (m == id)
                    return mid;
                if (m < id)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            return -1;
        }
    }

    private sealed class Book
    {
        private readonly List<Level> _bids = [];  // ascending: best (highest) last
        private readonly List<Level> _asks = [];  // descending: best (lowest) last
        private readonly List<IndexEntry> _index = [];
        private readonly Stack<Level> _spare = new();
        private int _live;

        public int Count => _live;
        public int BidLevels => _bids.Count;
        public int AskLevels => _asks.Count;

        /// <summary>Index of <paramref name="price"/> in a side (found), or ~insertion point.</summary>
        private static int Search(List<Level> levels, byte side, ulong price)
        {
            int lo = 0, hi = levels.Count;
            while (lo < hi)
            {
                var mid = lo + (hi - lo) / 2;
                var p = levels[mid].Price;
                if (p == price)
                    return mid;
                // bids ascending, asks descending
                var before = side == Buy ? p < price : p > price;
                if (before)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            return ~lo;
        }

        private void Recycle(Level level)
        {
            level.Orders.Clear();
            level.Head = 0;
            _spare.Push(level);
        }

        private static bool Crosses(byte takerSide, ulong limit, ulong resting) =>
            takerSide == Buy ? resting <= limit : resting >= limit;

        public PlaceResult Place(ulong id, Address trader, byte side, ulong price, ulong qty, List<Fill> fills, out ulong resting)
        {
            fills.Clear();
            resting = 0;
            if (side > Sell || price == 0 || qty == 0)
                return PlaceResult.InvalidOrder;
            if (_live >= MaxResting && WouldRestWhenFull(side, price, qty))
                return PlaceResult.BookFull;
            var opposite = side == Buy ? _asks : _bids;
            var remaining = qty;
            while (remaining > 0 && fills.Count < MaxFills)
            {
                if (opposite.Count == 0)
                    break;
                var level = opposite[^1];
                if (!Crosses(side, price, level.Price))
                    break;
                var orders = CollectionsMarshal.AsSpan(level.Orders);
                while (remaining > 0 && level.Head < orders.Length && fills.Count < MaxFills)
                {
                    ref var maker = ref orders[level.Head];
                    var q = maker.Qty < remaining ? maker.Qty : remaining;
                    fills.Add(new Fill(maker.Id, id, maker.Trader, trader, level.Price, q));
                    maker.Qty -= q;
                    remaining -= q;
                    if (maker.Qty == 0)
                    {
                        level.Head++;
                        _live--;
                    }
                }
                if (level.IsEmpty)
                {
                    opposite.RemoveAt(opposite.Count - 1);
                    Recycle(level);
                }
            }
            if (remaining == 0 || fills.Count >= MaxFills)
                return PlaceResult.Ok;
            Rest(id, trader, side, price, remaining);
            resting = remaining;
            return PlaceResult.Ok;
        }

        private bool WouldRestWhenFull(byte side, ulong price, ulong qty)
        {
            var opposite = side == Buy ? _asks : _bids;
            var remaining = qty;
            var fills = 0;
            var consumed = 0;
            for (var li = opposite.Count - 1; li >= 0; li--)
            {
                var level = opposite[li];
                if (!Crosses(side, price, level.Price))
                    break;
                var orders = CollectionsMarshal.AsSpan(level.Orders);
                for (var i = level.Head; i < orders.Length; i++)
                {
                    if (remaining == 0 || fills >= MaxFills)
                        goto done;
                    fills++;
                    if (orders[i].Qty <= remaining)
                    {
                        remaining -= orders[i].Qty;
                        consumed++;
                    }
                    else
                    {
                        remaining = 0;
                    }
                }
            }
        done:
            return remaining > 0 && fills < MaxFills && _live - consumed >= MaxResting;
        }

        private void Rest(ulong id, Address trader, byte side, ulong price, ulong qty)
        {
            var levels = side == Buy ? _bids : _asks;
            var order = new Order(id, trader, qty);
            var i = Search(levels, side, price);
            if (i >= 0)
            {
                levels[i].Push(order);
            }
            else
            {
                var level = _spare.Count > 0 ? _spare.Pop() : new Level();
                level.Price = price;
                level.Orders.Add(order);
                levels.Insert(~i, level);
            }
            _live++;
            _index.Add(new IndexEntry(id, price, side));
            if (_index.Count >= 2 * _live + 64)
                SweepIndex();
        }

        private void SweepIndex() => _index.RemoveAll(e =>
        {
            var levels = e.Side == Buy ? _bids : _asks;
            var i = Search(levels, e.Side, e.Price);
            return i < 0 || levels[i].Find(e.Id) < 0;
        });

        public CancelResult Cancel(ulong id, Address trader)
        {
            var index = CollectionsMarshal.AsSpan(_index);
            int lo = 0, hi = index.Length, at = -1;
            while (lo < hi)
            {
                var mid = lo + (hi - lo) / 2;
                var m = index[mid].Id;
                if (m == id)
                {
                    at = mid;
                    break;
                }
                if (m < id)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (at < 0)
                return CancelResult.UnknownOrder;
            var e = index[at];
            var levels = e.Side == Buy ? _bids : _asks;
            var li = Search(levels, e.Side, e.Price);
            if (li < 0)
                return CancelResult.UnknownOrder;
            var level = levels[li];
            var oi = level.Find(id);
            if (oi < 0)
                return CancelResult.UnknownOrder;
            if (!level.Orders[oi].Trader.Equals(trader))
                return CancelResult.NotOwner;
            level.Orders.RemoveAt(oi);
            _live--;
            if (level.IsEmpty)
            {
                levels.RemoveAt(li);
                Recycle(level);
            }
            return CancelResult.Ok;
        }
    }
}
