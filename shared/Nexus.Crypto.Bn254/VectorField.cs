using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nexus.Crypto.Bn254;

/// <summary>
/// Eight field elements at once with AVX-512: each element as eight 32-bit limbs, limb j of the eight
/// elements in one 512-bit vector (one 64-bit lane per element, so a 32×32-bit product fits its lane).
/// Montgomery multiplication is CIOS over 32-bit words with R = 2²⁵⁶, the same Montgomery form as
/// <see cref="Element{M}"/>, so values move between the two by a transpose (four permutes per limb
/// pair), never a conversion. .NET does not expose AVX-512 IFMA (52-bit multiply-add), hence 32-bit
/// limbs and VPMULUDQ. Callers check <see cref="IsSupported"/>; the scalar code is the fallback.
/// </summary>
internal static class VectorField<M> where M : struct, IModulus
{
    public const int Lanes = 8;
    private const int Limbs = 8;

    public static bool IsSupported => Avx512F.IsSupported;

    private static readonly Vector512<ulong> Mask32 = Vector512.Create(0xFFFF_FFFFUL);
    private static readonly Vector512<ulong> Inv32 = Vector512.Create(M.Inv & 0xFFFF_FFFFUL);
    private static readonly Vector512<ulong>[] P =
    [
        Vector512.Create(M.P0 & 0xFFFF_FFFF), Vector512.Create(M.P0 >> 32),
        Vector512.Create(M.P1 & 0xFFFF_FFFF), Vector512.Create(M.P1 >> 32),
        Vector512.Create(M.P2 & 0xFFFF_FFFF), Vector512.Create(M.P2 >> 32),
        Vector512.Create(M.P3 & 0xFFFF_FFFF), Vector512.Create(M.P3 >> 32),
    ];

    /// <summary>Eight elements in limb-major form: limb j of element l is lane l of vector j.</summary>
    [InlineArray(Limbs)]
    public struct Block
    {
        private Vector512<ulong> _limb;
    }

    /// <summary>Eight consecutive elements (AoS) into limb-major form.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load(ReadOnlySpan<Element<M>> eight, out Block block)
    {
        var words = MemoryMarshal.Cast<Element<M>, ulong>(eight);
        var v0 = Vector512.Create<ulong>(words);
        var v1 = Vector512.Create<ulong>(words[8..]);
        var v2 = Vector512.Create<ulong>(words[16..]);
        var v3 = Vector512.Create<ulong>(words[24..]);
        block = default;
        for (var m = 0; m < 4; m++)
        {
            var pick = Vector512.Create((ulong)m, (ulong)(m + 4), (ulong)(m + 8), (ulong)(m + 12), 0, 0, 0, 0);
            var low = Avx512F.PermuteVar8x64x2(v0, pick, v1);   // elements 0..3 in lanes 0..3
            var high = Avx512F.PermuteVar8x64x2(v2, pick, v3);  // elements 4..7 in lanes 0..3
            var w = Avx512F.PermuteVar8x64x2(low, Vector512.Create(0UL, 1, 2, 3, 8, 9, 10, 11), high);
            block[2 * m] = w & Mask32;
            block[2 * m + 1] = w >>> 32;
        }
    }

    /// <summary>Limb-major form back to eight consecutive elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(in Block block, Span<Element<M>> eight)
    {
        var w0 = block[0] | (block[1] << 32);
        var w1 = block[2] | (block[3] << 32);
        var w2 = block[4] | (block[5] << 32);
        var w3 = block[6] | (block[7] << 32);
        var lowPairs = Vector512.Create(0UL, 8, 1, 9, 2, 10, 3, 11);
        var highPairs = Vector512.Create(4UL, 12, 5, 13, 6, 14, 7, 15);
        var firstTwo = Vector512.Create(0UL, 1, 8, 9, 2, 3, 10, 11);
        var lastTwo = Vector512.Create(4UL, 5, 12, 13, 6, 7, 14, 15);
        var p01 = Avx512F.PermuteVar8x64x2(w0, lowPairs, w1);
        var p23 = Avx512F.PermuteVar8x64x2(w2, lowPairs, w3);
        var q01 = Avx512F.PermuteVar8x64x2(w0, highPairs, w1);
        var q23 = Avx512F.PermuteVar8x64x2(w2, highPairs, w3);
        var words = MemoryMarshal.Cast<Element<M>, ulong>(eight);
        Avx512F.PermuteVar8x64x2(p01, firstTwo, p23).CopyTo(words);
        Avx512F.PermuteVar8x64x2(p01, lastTwo, p23).CopyTo(words[8..]);
        Avx512F.PermuteVar8x64x2(q01, firstTwo, q23).CopyTo(words[16..]);
        Avx512F.PermuteVar8x64x2(q01, lastTwo, q23).CopyTo(words[24..]);
    }

    /// <summary>
    /// Eight consecutive Fq2 values (eight words each: c0's limbs, then c1's) into limb-major form,
    /// by an 8×8 transpose of 64-bit words (three stages of permutes) — for <typeparamref name="M"/> = Fq.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadPairs(ReadOnlySpan<ulong> words64, out Block c0, out Block c1)
    {
        var v0 = Vector512.Create<ulong>(words64);
        var v1 = Vector512.Create<ulong>(words64[8..]);
        var v2 = Vector512.Create<ulong>(words64[16..]);
        var v3 = Vector512.Create<ulong>(words64[24..]);
        var v4 = Vector512.Create<ulong>(words64[32..]);
        var v5 = Vector512.Create<ulong>(words64[40..]);
        var v6 = Vector512.Create<ulong>(words64[48..]);
        var v7 = Vector512.Create<ulong>(words64[56..]);
        Transpose(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7);
        c0 = default;
        c1 = default;
        Split(v0, ref c0, 0); Split(v1, ref c0, 1); Split(v2, ref c0, 2); Split(v3, ref c0, 3);
        Split(v4, ref c1, 0); Split(v5, ref c1, 1); Split(v6, ref c1, 2); Split(v7, ref c1, 3);
    }

    /// <summary>The inverse of <see cref="LoadPairs"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePairs(in Block c0, in Block c1, Span<ulong> words64)
    {
        var v0 = c0[0] | (c0[1] << 32);
        var v1 = c0[2] | (c0[3] << 32);
        var v2 = c0[4] | (c0[5] << 32);
        var v3 = c0[6] | (c0[7] << 32);
        var v4 = c1[0] | (c1[1] << 32);
        var v5 = c1[2] | (c1[3] << 32);
        var v6 = c1[4] | (c1[5] << 32);
        var v7 = c1[6] | (c1[7] << 32);
        Transpose(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7);
        v0.CopyTo(words64);
        v1.CopyTo(words64[8..]);
        v2.CopyTo(words64[16..]);
        v3.CopyTo(words64[24..]);
        v4.CopyTo(words64[32..]);
        v5.CopyTo(words64[40..]);
        v6.CopyTo(words64[48..]);
        v7.CopyTo(words64[56..]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Split(Vector512<ulong> word, ref Block block, int m)
    {
        block[2 * m] = word & Mask32;
        block[2 * m + 1] = word >>> 32;
    }

    /// <summary>8×8 transpose of 64-bit words (row i, lane j) ↔ (row j, lane i).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(ref Vector512<ulong> v0, ref Vector512<ulong> v1, ref Vector512<ulong> v2, ref Vector512<ulong> v3,
        ref Vector512<ulong> v4, ref Vector512<ulong> v5, ref Vector512<ulong> v6, ref Vector512<ulong> v7)
    {
        var evens = Vector512.Create(0UL, 8, 2, 10, 4, 12, 6, 14);
        var odds = Vector512.Create(1UL, 9, 3, 11, 5, 13, 7, 15);
        var t0 = Avx512F.PermuteVar8x64x2(v0, evens, v1); var t1 = Avx512F.PermuteVar8x64x2(v0, odds, v1);
        var t2 = Avx512F.PermuteVar8x64x2(v2, evens, v3); var t3 = Avx512F.PermuteVar8x64x2(v2, odds, v3);
        var t4 = Avx512F.PermuteVar8x64x2(v4, evens, v5); var t5 = Avx512F.PermuteVar8x64x2(v4, odds, v5);
        var t6 = Avx512F.PermuteVar8x64x2(v6, evens, v7); var t7 = Avx512F.PermuteVar8x64x2(v6, odds, v7);
        var lowPairs = Vector512.Create(0UL, 1, 8, 9, 4, 5, 12, 13);
        var highPairs = Vector512.Create(2UL, 3, 10, 11, 6, 7, 14, 15);
        var u0 = Avx512F.PermuteVar8x64x2(t0, lowPairs, t2); var u2 = Avx512F.PermuteVar8x64x2(t0, highPairs, t2);
        var u1 = Avx512F.PermuteVar8x64x2(t1, lowPairs, t3); var u3 = Avx512F.PermuteVar8x64x2(t1, highPairs, t3);
        var u4 = Avx512F.PermuteVar8x64x2(t4, lowPairs, t6); var u6 = Avx512F.PermuteVar8x64x2(t4, highPairs, t6);
        var u5 = Avx512F.PermuteVar8x64x2(t5, lowPairs, t7); var u7 = Avx512F.PermuteVar8x64x2(t5, highPairs, t7);
        var lowHalves = Vector512.Create(0UL, 1, 2, 3, 8, 9, 10, 11);
        var highHalves = Vector512.Create(4UL, 5, 6, 7, 12, 13, 14, 15);
        v0 = Avx512F.PermuteVar8x64x2(u0, lowHalves, u4); v4 = Avx512F.PermuteVar8x64x2(u0, highHalves, u4);
        v1 = Avx512F.PermuteVar8x64x2(u1, lowHalves, u5); v5 = Avx512F.PermuteVar8x64x2(u1, highHalves, u5);
        v2 = Avx512F.PermuteVar8x64x2(u2, lowHalves, u6); v6 = Avx512F.PermuteVar8x64x2(u2, highHalves, u6);
        v3 = Avx512F.PermuteVar8x64x2(u3, lowHalves, u7); v7 = Avx512F.PermuteVar8x64x2(u3, highHalves, u7);
    }

    /// <summary>a·b·R⁻¹ mod p in every lane (CIOS; inputs below p, output below p).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(in Block a, in Block b, out Block result)
    {
        var mask = Mask32;
        Vector512<ulong> t0 = default, t1 = default, t2 = default, t3 = default, t4 = default, t5 = default, t6 = default, t7 = default, t8 = default;
        for (var i = 0; i < Limbs; i++)
        {
            var bi = b[i].AsUInt32();
            // t += a·bᵢ
            var s = t0 + Avx512F.Multiply(a[0].AsUInt32(), bi); t0 = s & mask; var c = s >>> 32;
            s = t1 + Avx512F.Multiply(a[1].AsUInt32(), bi) + c; t1 = s & mask; c = s >>> 32;
            s = t2 + Avx512F.Multiply(a[2].AsUInt32(), bi) + c; t2 = s & mask; c = s >>> 32;
            s = t3 + Avx512F.Multiply(a[3].AsUInt32(), bi) + c; t3 = s & mask; c = s >>> 32;
            s = t4 + Avx512F.Multiply(a[4].AsUInt32(), bi) + c; t4 = s & mask; c = s >>> 32;
            s = t5 + Avx512F.Multiply(a[5].AsUInt32(), bi) + c; t5 = s & mask; c = s >>> 32;
            s = t6 + Avx512F.Multiply(a[6].AsUInt32(), bi) + c; t6 = s & mask; c = s >>> 32;
            s = t7 + Avx512F.Multiply(a[7].AsUInt32(), bi) + c; t7 = s & mask; c = s >>> 32;
            s = t8 + c; t8 = s & mask; var t9 = s >>> 32;
            // t = (t + m·p) / 2³², m making the low word zero
            var m = Avx512F.Multiply(t0.AsUInt32(), Inv32.AsUInt32()).AsUInt32();
            s = t0 + Avx512F.Multiply(P[0].AsUInt32(), m); c = s >>> 32;
            s = t1 + Avx512F.Multiply(P[1].AsUInt32(), m) + c; t0 = s & mask; c = s >>> 32;
            s = t2 + Avx512F.Multiply(P[2].AsUInt32(), m) + c; t1 = s & mask; c = s >>> 32;
            s = t3 + Avx512F.Multiply(P[3].AsUInt32(), m) + c; t2 = s & mask; c = s >>> 32;
            s = t4 + Avx512F.Multiply(P[4].AsUInt32(), m) + c; t3 = s & mask; c = s >>> 32;
            s = t5 + Avx512F.Multiply(P[5].AsUInt32(), m) + c; t4 = s & mask; c = s >>> 32;
            s = t6 + Avx512F.Multiply(P[6].AsUInt32(), m) + c; t5 = s & mask; c = s >>> 32;
            s = t7 + Avx512F.Multiply(P[7].AsUInt32(), m) + c; t6 = s & mask; c = s >>> 32;
            s = t8 + c; t7 = s & mask; c = s >>> 32;
            t8 = t9 + c;
        }
        result = default;
        result[0] = t0; result[1] = t1; result[2] = t2; result[3] = t3;
        result[4] = t4; result[5] = t5; result[6] = t6; result[7] = t7;
        ReduceOnce(ref result, t8);
    }

    /// <summary>a − b mod p in every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Subtract(in Block a, in Block b, out Block result)
    {
        var mask = Mask32;
        result = default;
        var borrow = Vector512<ulong>.Zero;
        for (var j = 0; j < Limbs; j++)
        {
            var d = a[j] - b[j] - borrow;
            borrow = d >>> 63;
            result[j] = d & mask;
        }
        // Negative: add p back (where borrow is 1).
        var negative = Vector512<ulong>.Zero - borrow;
        var carry = Vector512<ulong>.Zero;
        for (var j = 0; j < Limbs; j++)
        {
            var s = result[j] + (P[j] & negative) + carry;
            carry = s >>> 32;
            result[j] = s & mask;
        }
    }

    /// <summary>a + b mod p in every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add(in Block a, in Block b, out Block result)
    {
        var mask = Mask32;
        result = default;
        var carry = Vector512<ulong>.Zero;
        for (var j = 0; j < Limbs; j++)
        {
            var s = a[j] + b[j] + carry;
            carry = s >>> 32;
            result[j] = s & mask;
        }
        ReduceOnce(ref result, carry);
    }

    /// <summary>t (with top word <paramref name="top"/>) below 2p → t mod p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ReduceOnce(ref Block t, Vector512<ulong> top)
    {
        var mask = Mask32;
        Block d = default;
        var borrow = Vector512<ulong>.Zero;
        for (var j = 0; j < Limbs; j++)
        {
            var x = t[j] - P[j] - borrow;
            borrow = x >>> 63;
            d[j] = x & mask;
        }
        // t − p went negative (and t had no top word): keep t.
        var keep = Vector512<ulong>.Zero - ((top - borrow) >>> 63);
        for (var j = 0; j < Limbs; j++)
            t[j] = Vector512.ConditionalSelect(keep, t[j], d[j]);
    }
}
