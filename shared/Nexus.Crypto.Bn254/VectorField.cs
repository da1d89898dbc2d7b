using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nexus.Crypto.Bn254;

/// <summary>
/// Eight field elements at once with AVX-512: each element as nine 29-bit limbs, limb j of the eight
/// elements in one 512-bit vector (one 64-bit lane per element). A 29×29-bit product is 58 bits, so a
/// lane sums the products of a whole multiplication without carrying after each one (32-bit limbs
/// would need a carry step per product: 1.7× the instructions). Montgomery multiplication is CIOS over
/// 29-bit words, so its R is 2²⁶¹ — the <b>vector form</b> of x is x·2²⁶¹ mod p, not <see cref="Element{M}"/>'s
/// x·2²⁵⁶; <see cref="ToVectorForm(Element{M})"/> and <see cref="FromVectorForm(Element{M})"/> convert (one
/// multiplication each), so callers convert data once and keep it in vector form (MSM bases and
/// buckets), or multiply a normal-form value by a vector-form one, which gives normal form (FFT
/// twiddles). Load and Store only move between layouts (a transpose, then 64-bit words split into
/// 29-bit limbs). .NET 10 does not expose AVX-512 IFMA (52-bit multiply-add), hence VPMULUDQ.
/// Callers check <see cref="IsSupported"/>; the scalar code is the fallback.
/// </summary>
internal static class VectorField<M> where M : struct, IModulus
{
    public const int Lanes = 8;
    private const int Limbs = 9;
    private const int Bits = 29;
    private const ulong LimbMask = (1UL << Bits) - 1;

    public static bool IsSupported => Avx512F.IsSupported;

    private static Vector512<ulong> Mask { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector512.Create(LimbMask); }
    private static Vector512<ulong> Inv29 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector512.Create(M.Inv & LimbMask); }
    // p's limbs: constants once inlined (M's properties return literals); without the attribute the JIT
    // kept calls for the longer ones, and those calls spilled every register of the multiplication.
    private static Vector512<ulong> P0 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector512.Create(M.P0 & LimbMask); }
    private static Vector512<ulong> P1 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector512.Create((M.P0 >> 29) & LimbMask); }
    private static Vector512<ulong> P2 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector512.Create(((M.P0 >> 58) | (M.P1 << 6)) & LimbMask); }
    private static Vector512<ulong> P3 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector512.Create((M.P1 >> 23) & LimbMask); }
    private static Vector512<ulong> P4 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector512.Create(((M.P1 >> 52) | (M.P2 << 12)) & LimbMask); }
    private static Vector512<ulong> P5 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector512.Create((M.P2 >> 17) & LimbMask); }
    private static Vector512<ulong> P6 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector512.Create(((M.P2 >> 46) | (M.P3 << 18)) & LimbMask); }
    private static Vector512<ulong> P7 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector512.Create((M.P3 >> 11) & LimbMask); }
    private static Vector512<ulong> P8 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector512.Create(M.P3 >> 40); }

    /// <summary>Eight elements in limb-major form: limb j of element l is lane l of vector j.</summary>
    [InlineArray(Limbs)]
    public struct Block
    {
        private Vector512<ulong> _limb;
    }

    // x·2²⁶¹ = MontMul(x·2²⁵⁶, 2²⁶¹ mod p) in the scalar field; back with 2²⁵¹ mod p. In vector form the
    // same moves multiply by 2²⁶⁶ mod p and 2²⁵⁶ mod p (the vector Montgomery divides by 2²⁶¹).
    private static readonly Element<M> ScalarToVector = Element<M>.Raw((BigInteger.One << 261) % Element<M>.Modulus);
    private static readonly Element<M> ScalarFromVector = Element<M>.Raw((BigInteger.One << 251) % Element<M>.Modulus);
    private static readonly Block BlockToVector = Broadcast((BigInteger.One << 266) % Element<M>.Modulus);
    private static readonly Block BlockFromVector = Broadcast((BigInteger.One << 256) % Element<M>.Modulus);

    /// <summary>x in vector form (x·2²⁶¹ mod p, as an <see cref="Element{M}"/>'s limbs).</summary>
    public static Element<M> ToVectorForm(Element<M> x) => x * ScalarToVector;

    /// <summary>The inverse of <see cref="ToVectorForm(Element{M})"/>.</summary>
    public static Element<M> FromVectorForm(Element<M> x) => x * ScalarFromVector;

    /// <summary>Every value into vector form, in place (eight at a time).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ToVectorForm(Span<Element<M>> values) => Convert(values, BlockToVector, ScalarToVector);

    /// <summary>Every value out of vector form, in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FromVectorForm(Span<Element<M>> values) => Convert(values, BlockFromVector, ScalarFromVector);

    private static void Convert(Span<Element<M>> values, in Block byVector, Element<M> byScalar)
    {
        var i = 0;
        for (; i + Lanes <= values.Length; i += Lanes)
        {
            var eight = values.Slice(i, Lanes);
            Load(eight, out var block);
            Multiply(block, byVector, out block);
            Store(block, eight);
        }
        for (; i < values.Length; i++)
            values[i] *= byScalar;
    }

    private static Block Broadcast(BigInteger v)
    {
        var block = new Block();
        for (var j = 0; j < Limbs; j++)
            block[j] = Vector512.Create((ulong)((v >> (Bits * j)) & LimbMask));
        return block;
    }

    /// <summary>Eight consecutive elements (AoS) into limb-major form.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Load(ReadOnlySpan<Element<M>> eight, out Block block)
    {
        var words = MemoryMarshal.Cast<Element<M>, ulong>(eight);
        var v0 = Vector512.Create<ulong>(words);
        var v1 = Vector512.Create<ulong>(words[8..]);
        var v2 = Vector512.Create<ulong>(words[16..]);
        var v3 = Vector512.Create<ulong>(words[24..]);
        // Word m of the eight elements in one vector: elements 0..3 from v0, v1 and 4..7 from v2, v3.
        var toHalves = Vector512.Create(0UL, 1, 2, 3, 8, 9, 10, 11);
        var pick0 = Vector512.Create(0UL, 4, 8, 12, 0, 0, 0, 0);
        var pick1 = Vector512.Create(1UL, 5, 9, 13, 0, 0, 0, 0);
        var pick2 = Vector512.Create(2UL, 6, 10, 14, 0, 0, 0, 0);
        var pick3 = Vector512.Create(3UL, 7, 11, 15, 0, 0, 0, 0);
        var w0 = Avx512F.PermuteVar8x64x2(Avx512F.PermuteVar8x64x2(v0, pick0, v1), toHalves, Avx512F.PermuteVar8x64x2(v2, pick0, v3));
        var w1 = Avx512F.PermuteVar8x64x2(Avx512F.PermuteVar8x64x2(v0, pick1, v1), toHalves, Avx512F.PermuteVar8x64x2(v2, pick1, v3));
        var w2 = Avx512F.PermuteVar8x64x2(Avx512F.PermuteVar8x64x2(v0, pick2, v1), toHalves, Avx512F.PermuteVar8x64x2(v2, pick2, v3));
        var w3 = Avx512F.PermuteVar8x64x2(Avx512F.PermuteVar8x64x2(v0, pick3, v1), toHalves, Avx512F.PermuteVar8x64x2(v2, pick3, v3));
        Unsafe.SkipInit(out block);
        Split(w0, w1, w2, w3, ref block);
    }

    /// <summary>Limb-major form back to eight consecutive elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Store(in Block block, Span<Element<M>> eight)
    {
        Join(block, out var w0, out var w1, out var w2, out var w3);
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

    /// <summary>Four 64-bit words per lane (a value below 2²⁵⁶) into nine 29-bit limbs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Split(Vector512<ulong> w0, Vector512<ulong> w1, Vector512<ulong> w2, Vector512<ulong> w3, ref Block block)
    {
        var mask = Mask;
        block[0] = w0 & mask;
        block[1] = (w0 >>> 29) & mask;
        block[2] = ((w0 >>> 58) | (w1 << 6)) & mask;
        block[3] = (w1 >>> 23) & mask;
        block[4] = ((w1 >>> 52) | (w2 << 12)) & mask;
        block[5] = (w2 >>> 17) & mask;
        block[6] = ((w2 >>> 46) | (w3 << 18)) & mask;
        block[7] = (w3 >>> 11) & mask;
        block[8] = w3 >>> 40;
    }

    /// <summary>Nine normalised 29-bit limbs back into four 64-bit words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Join(in Block block, out Vector512<ulong> w0, out Vector512<ulong> w1, out Vector512<ulong> w2, out Vector512<ulong> w3)
    {
        w0 = block[0] | (block[1] << 29) | (block[2] << 58);
        w1 = (block[2] >>> 6) | (block[3] << 23) | (block[4] << 52);
        w2 = (block[4] >>> 12) | (block[5] << 17) | (block[6] << 46);
        w3 = (block[6] >>> 18) | (block[7] << 11) | (block[8] << 40);
    }

    /// <summary>
    /// Eight consecutive Fq2 values (eight words each: c0's limbs, then c1's) into limb-major form,
    /// by an 8×8 transpose of 64-bit words (three stages of permutes) — for <typeparamref name="M"/> = Fq.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
        Unsafe.SkipInit(out c0);
        Unsafe.SkipInit(out c1);
        Split(v0, v1, v2, v3, ref c0);
        Split(v4, v5, v6, v7, ref c1);
    }

    /// <summary>The inverse of <see cref="LoadPairs"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void StorePairs(in Block c0, in Block c1, Span<ulong> words64)
    {
        Join(c0, out var v0, out var v1, out var v2, out var v3);
        Join(c1, out var v4, out var v5, out var v6, out var v7);
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Mul(Vector512<ulong> a, Vector512<ulong> b) => Avx512F.Multiply(a.AsUInt32(), b.AsUInt32());

    /// <summary>
    /// a·b·2⁻²⁶¹ mod p in every lane (CIOS over 29-bit words; inputs below p, output below p). Round i adds
    /// a·bᵢ and m·p into 64-bit accumulators, word k in rk, and carries only the word it retires (ri, now
    /// a multiple of 2²⁹) into the next: an accumulator takes at most 18 products below 2⁵⁸ plus a
    /// carry, under 2⁶³. Unrolled, so the accumulators stay in registers (a loop that shifted them moved
    /// them through memory every round and ran three times slower).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(in Block a, in Block b, out Block result)
    {
        var a0 = a[0]; var a1 = a[1]; var a2 = a[2]; var a3 = a[3]; var a4 = a[4];
        var a5 = a[5]; var a6 = a[6]; var a7 = a[7]; var a8 = a[8];
        var mask = Mask;
        var b0 = b[0];
        var r0 = Mul(a0, b0); var r1 = Mul(a1, b0); var r2 = Mul(a2, b0); var r3 = Mul(a3, b0); var r4 = Mul(a4, b0);
        var r5 = Mul(a5, b0); var r6 = Mul(a6, b0); var r7 = Mul(a7, b0); var r8 = Mul(a8, b0);
        var m0 = Mul(r0, Inv29) & mask;
        r0 += Mul(P0, m0); r1 += Mul(P1, m0); r2 += Mul(P2, m0); r3 += Mul(P3, m0); r4 += Mul(P4, m0);
        r5 += Mul(P5, m0); r6 += Mul(P6, m0); r7 += Mul(P7, m0); r8 += Mul(P8, m0);
        r1 += r0 >>> Bits;
        var b1 = b[1];
        r1 += Mul(a0, b1); r2 += Mul(a1, b1); r3 += Mul(a2, b1); r4 += Mul(a3, b1); r5 += Mul(a4, b1);
        r6 += Mul(a5, b1); r7 += Mul(a6, b1); r8 += Mul(a7, b1); var r9 = Mul(a8, b1);
        var m1 = Mul(r1, Inv29) & mask;
        r1 += Mul(P0, m1); r2 += Mul(P1, m1); r3 += Mul(P2, m1); r4 += Mul(P3, m1); r5 += Mul(P4, m1);
        r6 += Mul(P5, m1); r7 += Mul(P6, m1); r8 += Mul(P7, m1); r9 += Mul(P8, m1);
        r2 += r1 >>> Bits;
        var b2 = b[2];
        r2 += Mul(a0, b2); r3 += Mul(a1, b2); r4 += Mul(a2, b2); r5 += Mul(a3, b2); r6 += Mul(a4, b2);
        r7 += Mul(a5, b2); r8 += Mul(a6, b2); r9 += Mul(a7, b2); var r10 = Mul(a8, b2);
        var m2 = Mul(r2, Inv29) & mask;
        r2 += Mul(P0, m2); r3 += Mul(P1, m2); r4 += Mul(P2, m2); r5 += Mul(P3, m2); r6 += Mul(P4, m2);
        r7 += Mul(P5, m2); r8 += Mul(P6, m2); r9 += Mul(P7, m2); r10 += Mul(P8, m2);
        r3 += r2 >>> Bits;
        var b3 = b[3];
        r3 += Mul(a0, b3); r4 += Mul(a1, b3); r5 += Mul(a2, b3); r6 += Mul(a3, b3); r7 += Mul(a4, b3);
        r8 += Mul(a5, b3); r9 += Mul(a6, b3); r10 += Mul(a7, b3); var r11 = Mul(a8, b3);
        var m3 = Mul(r3, Inv29) & mask;
        r3 += Mul(P0, m3); r4 += Mul(P1, m3); r5 += Mul(P2, m3); r6 += Mul(P3, m3); r7 += Mul(P4, m3);
        r8 += Mul(P5, m3); r9 += Mul(P6, m3); r10 += Mul(P7, m3); r11 += Mul(P8, m3);
        r4 += r3 >>> Bits;
        var b4 = b[4];
        r4 += Mul(a0, b4); r5 += Mul(a1, b4); r6 += Mul(a2, b4); r7 += Mul(a3, b4); r8 += Mul(a4, b4);
        r9 += Mul(a5, b4); r10 += Mul(a6, b4); r11 += Mul(a7, b4); var r12 = Mul(a8, b4);
        var m4 = Mul(r4, Inv29) & mask;
        r4 += Mul(P0, m4); r5 += Mul(P1, m4); r6 += Mul(P2, m4); r7 += Mul(P3, m4); r8 += Mul(P4, m4);
        r9 += Mul(P5, m4); r10 += Mul(P6, m4); r11 += Mul(P7, m4); r12 += Mul(P8, m4);
        r5 += r4 >>> Bits;
        var b5 = b[5];
        r5 += Mul(a0, b5); r6 += Mul(a1, b5); r7 += Mul(a2, b5); r8 += Mul(a3, b5); r9 += Mul(a4, b5);
        r10 += Mul(a5, b5); r11 += Mul(a6, b5); r12 += Mul(a7, b5); var r13 = Mul(a8, b5);
        var m5 = Mul(r5, Inv29) & mask;
        r5 += Mul(P0, m5); r6 += Mul(P1, m5); r7 += Mul(P2, m5); r8 += Mul(P3, m5); r9 += Mul(P4, m5);
        r10 += Mul(P5, m5); r11 += Mul(P6, m5); r12 += Mul(P7, m5); r13 += Mul(P8, m5);
        r6 += r5 >>> Bits;
        var b6 = b[6];
        r6 += Mul(a0, b6); r7 += Mul(a1, b6); r8 += Mul(a2, b6); r9 += Mul(a3, b6); r10 += Mul(a4, b6);
        r11 += Mul(a5, b6); r12 += Mul(a6, b6); r13 += Mul(a7, b6); var r14 = Mul(a8, b6);
        var m6 = Mul(r6, Inv29) & mask;
        r6 += Mul(P0, m6); r7 += Mul(P1, m6); r8 += Mul(P2, m6); r9 += Mul(P3, m6); r10 += Mul(P4, m6);
        r11 += Mul(P5, m6); r12 += Mul(P6, m6); r13 += Mul(P7, m6); r14 += Mul(P8, m6);
        r7 += r6 >>> Bits;
        var b7 = b[7];
        r7 += Mul(a0, b7); r8 += Mul(a1, b7); r9 += Mul(a2, b7); r10 += Mul(a3, b7); r11 += Mul(a4, b7);
        r12 += Mul(a5, b7); r13 += Mul(a6, b7); r14 += Mul(a7, b7); var r15 = Mul(a8, b7);
        var m7 = Mul(r7, Inv29) & mask;
        r7 += Mul(P0, m7); r8 += Mul(P1, m7); r9 += Mul(P2, m7); r10 += Mul(P3, m7); r11 += Mul(P4, m7);
        r12 += Mul(P5, m7); r13 += Mul(P6, m7); r14 += Mul(P7, m7); r15 += Mul(P8, m7);
        r8 += r7 >>> Bits;
        var b8 = b[8];
        r8 += Mul(a0, b8); r9 += Mul(a1, b8); r10 += Mul(a2, b8); r11 += Mul(a3, b8); r12 += Mul(a4, b8);
        r13 += Mul(a5, b8); r14 += Mul(a6, b8); r15 += Mul(a7, b8); var r16 = Mul(a8, b8);
        var m8 = Mul(r8, Inv29) & mask;
        r8 += Mul(P0, m8); r9 += Mul(P1, m8); r10 += Mul(P2, m8); r11 += Mul(P3, m8); r12 += Mul(P4, m8);
        r13 += Mul(P5, m8); r14 += Mul(P6, m8); r15 += Mul(P7, m8); r16 += Mul(P8, m8);
        r9 += r8 >>> Bits;
        // Normalise the words (carry through), then subtract p once if needed (the value is below 2p).
        var c = r9 >>> Bits; r9 &= mask;
        r10 += c; c = r10 >>> Bits; r10 &= mask;
        r11 += c; c = r11 >>> Bits; r11 &= mask;
        r12 += c; c = r12 >>> Bits; r12 &= mask;
        r13 += c; c = r13 >>> Bits; r13 &= mask;
        r14 += c; c = r14 >>> Bits; r14 &= mask;
        r15 += c; c = r15 >>> Bits; r15 &= mask;
        r16 += c; c = r16 >>> Bits; r16 &= mask;
        ReduceOnce(r9, r10, r11, r12, r13, r14, r15, r16, c, out result);
    }

    /// <summary>a − b mod p in every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Subtract(in Block a, in Block b, out Block result)
    {
        // a − b by limbs, then p added back where that went negative (the carry out of the top is dropped).
        var borrow = Vector512<ulong>.Zero;
        var d0 = SubtractBorrow(a[0], b[0], ref borrow); var d1 = SubtractBorrow(a[1], b[1], ref borrow);
        var d2 = SubtractBorrow(a[2], b[2], ref borrow); var d3 = SubtractBorrow(a[3], b[3], ref borrow);
        var d4 = SubtractBorrow(a[4], b[4], ref borrow); var d5 = SubtractBorrow(a[5], b[5], ref borrow);
        var d6 = SubtractBorrow(a[6], b[6], ref borrow); var d7 = SubtractBorrow(a[7], b[7], ref borrow);
        var d8 = SubtractBorrow(a[8], b[8], ref borrow);
        var negative = Vector512<ulong>.Zero - borrow;
        var carry = Vector512<ulong>.Zero;
        Unsafe.SkipInit(out result);
        result[0] = AddCarry(d0, P0 & negative, ref carry); result[1] = AddCarry(d1, P1 & negative, ref carry);
        result[2] = AddCarry(d2, P2 & negative, ref carry); result[3] = AddCarry(d3, P3 & negative, ref carry);
        result[4] = AddCarry(d4, P4 & negative, ref carry); result[5] = AddCarry(d5, P5 & negative, ref carry);
        result[6] = AddCarry(d6, P6 & negative, ref carry); result[7] = AddCarry(d7, P7 & negative, ref carry);
        result[8] = AddCarry(d8, P8 & negative, ref carry);
    }

    /// <summary>a + b mod p in every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add(in Block a, in Block b, out Block result)
    {
        var carry = Vector512<ulong>.Zero;
        var s0 = AddCarry(a[0], b[0], ref carry); var s1 = AddCarry(a[1], b[1], ref carry);
        var s2 = AddCarry(a[2], b[2], ref carry); var s3 = AddCarry(a[3], b[3], ref carry);
        var s4 = AddCarry(a[4], b[4], ref carry); var s5 = AddCarry(a[5], b[5], ref carry);
        var s6 = AddCarry(a[6], b[6], ref carry); var s7 = AddCarry(a[7], b[7], ref carry);
        var s8 = a[8] + b[8] + carry; // below 2p: no mask
        ReduceOnce(s0, s1, s2, s3, s4, s5, s6, s7, s8, out result);
    }

    /// <summary>t below 2p (normalised limbs) → t mod p: t − p unless that goes negative.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ReduceOnce(Vector512<ulong> t0, Vector512<ulong> t1, Vector512<ulong> t2, Vector512<ulong> t3,
        Vector512<ulong> t4, Vector512<ulong> t5, Vector512<ulong> t6, Vector512<ulong> t7, Vector512<ulong> t8, out Block result)
    {
        var borrow = Vector512<ulong>.Zero;
        var d0 = SubtractBorrow(t0, P0, ref borrow); var d1 = SubtractBorrow(t1, P1, ref borrow);
        var d2 = SubtractBorrow(t2, P2, ref borrow); var d3 = SubtractBorrow(t3, P3, ref borrow);
        var d4 = SubtractBorrow(t4, P4, ref borrow); var d5 = SubtractBorrow(t5, P5, ref borrow);
        var d6 = SubtractBorrow(t6, P6, ref borrow); var d7 = SubtractBorrow(t7, P7, ref borrow);
        var d8 = SubtractBorrow(t8, P8, ref borrow);
        var keep = Vector512<ulong>.Zero - borrow;
        Unsafe.SkipInit(out result);
        result[0] = Vector512.ConditionalSelect(keep, t0, d0); result[1] = Vector512.ConditionalSelect(keep, t1, d1);
        result[2] = Vector512.ConditionalSelect(keep, t2, d2); result[3] = Vector512.ConditionalSelect(keep, t3, d3);
        result[4] = Vector512.ConditionalSelect(keep, t4, d4); result[5] = Vector512.ConditionalSelect(keep, t5, d5);
        result[6] = Vector512.ConditionalSelect(keep, t6, d6); result[7] = Vector512.ConditionalSelect(keep, t7, d7);
        result[8] = Vector512.ConditionalSelect(keep, t8, d8);
    }

    /// <summary>One limb of a − b − borrow (borrow 0 or 1, updated).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> SubtractBorrow(Vector512<ulong> a, Vector512<ulong> b, ref Vector512<ulong> borrow)
    {
        var d = a - b - borrow;
        borrow = d >>> 63;
        return d & Mask;
    }

    /// <summary>One limb of a + b + carry (carry updated).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> AddCarry(Vector512<ulong> a, Vector512<ulong> b, ref Vector512<ulong> carry)
    {
        var s = a + b + carry;
        carry = s >>> Bits;
        return s & Mask;
    }
}
