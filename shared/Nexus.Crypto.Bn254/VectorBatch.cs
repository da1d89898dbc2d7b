using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nexus.Crypto.Bn254;

/// <summary>Eight values of a field in vector form, and the operations the batched additions need.</summary>
internal interface IVectorOps<F, B> where F : struct, IField<F> where B : struct
{
    static abstract void Load(ReadOnlySpan<F> eight, out B block);
    static abstract void Store(in B block, Span<F> eight);
    static abstract void Multiply(in B a, in B b, out B result);
    static abstract void Square(in B a, out B result);
    static abstract void Subtract(in B a, in B b, out B result);
}

/// <summary>Fq on AVX-512: one <see cref="VectorField{M}.Block"/>.</summary>
internal readonly struct FqVector : IVectorOps<Element<Fq>, VectorField<Fq>.Block>
{
    public static void Load(ReadOnlySpan<Element<Fq>> eight, out VectorField<Fq>.Block block) => VectorField<Fq>.Load(eight, out block);
    public static void Store(in VectorField<Fq>.Block block, Span<Element<Fq>> eight) => VectorField<Fq>.Store(block, eight);
    public static void Multiply(in VectorField<Fq>.Block a, in VectorField<Fq>.Block b, out VectorField<Fq>.Block result) => VectorField<Fq>.Multiply(a, b, out result);
    public static void Square(in VectorField<Fq>.Block a, out VectorField<Fq>.Block result) => VectorField<Fq>.Multiply(a, a, out result);
    public static void Subtract(in VectorField<Fq>.Block a, in VectorField<Fq>.Block b, out VectorField<Fq>.Block result) => VectorField<Fq>.Subtract(a, b, out result);
}

/// <summary>Eight Fq2 values: their real and imaginary parts as two Fq blocks.</summary>
internal struct Fq2Block
{
    public VectorField<Fq>.Block C0, C1;
}

/// <summary>Fq2 on AVX-512 (Karatsuba: three Fq vector multiplications per product).</summary>
internal readonly struct Fq2Vector : IVectorOps<Fq2, Fq2Block>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load(ReadOnlySpan<Fq2> eight, out Fq2Block block)
    {
        block = default;
        VectorField<Fq>.LoadPairs(MemoryMarshal.Cast<Fq2, ulong>(eight), out block.C0, out block.C1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(in Fq2Block block, Span<Fq2> eight) =>
        VectorField<Fq>.StorePairs(block.C0, block.C1, MemoryMarshal.Cast<Fq2, ulong>(eight));

    public static void Multiply(in Fq2Block a, in Fq2Block b, out Fq2Block result)
    {
        VectorField<Fq>.Multiply(a.C0, b.C0, out var v0);
        VectorField<Fq>.Multiply(a.C1, b.C1, out var v1);
        VectorField<Fq>.Add(a.C0, a.C1, out var sa);
        VectorField<Fq>.Add(b.C0, b.C1, out var sb);
        VectorField<Fq>.Multiply(sa, sb, out var s);
        result = default;
        VectorField<Fq>.Subtract(v0, v1, out result.C0);
        VectorField<Fq>.Subtract(s, v0, out var t);
        VectorField<Fq>.Subtract(t, v1, out result.C1);
    }

    /// <summary>(a0 + a1·u)² = (a0 + a1)(a0 − a1) + 2·a0·a1·u.</summary>
    public static void Square(in Fq2Block a, out Fq2Block result)
    {
        VectorField<Fq>.Add(a.C0, a.C1, out var sum);
        VectorField<Fq>.Subtract(a.C0, a.C1, out var difference);
        VectorField<Fq>.Multiply(a.C0, a.C1, out var cross);
        result = default;
        VectorField<Fq>.Multiply(sum, difference, out result.C0);
        VectorField<Fq>.Add(cross, cross, out result.C1);
    }

    public static void Subtract(in Fq2Block a, in Fq2Block b, out Fq2Block result)
    {
        result = default;
        VectorField<Fq>.Subtract(a.C0, b.C0, out result.C0);
        VectorField<Fq>.Subtract(a.C1, b.C1, out result.C1);
    }
}

/// <summary>
/// The affine-batch arithmetic (<see cref="IBatchArithmetic{F}"/>) on AVX-512, eight additions per step,
/// for Fq (G1) and Fq2 (G2). The batch inversion runs sixteen interleaved prefix-product chains (two
/// vectors of lanes, even and odd blocks, so two multiplication chains overlap) and inverts their
/// sixteen products together; a tail of fewer than eight additions is done by the scalar code.
/// </summary>
internal readonly struct VectorBatch<F, B, V> : IBatchArithmetic<F>
    where F : unmanaged, IField<F> where B : struct where V : IVectorOps<F, B>
{
    private const int L = 8;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddAll(Span<F> x1, Span<F> y1, ReadOnlySpan<F> x2, ReadOnlySpan<F> y2, Span<F> scratch)
    {
        var n = x1.Length;
        var blocks = n / L;
        var full = blocks * L;
        if (blocks == 0)
        {
            ScalarBatch<F>.AddAll(x1, y1, x2, y2, scratch);
            return;
        }
        Span<F> ones = stackalloc F[L];
        ones.Fill(F.One);
        V.Load(ones, out var accEven);
        var accOdd = accEven;
        // scratch holds the chain's product before each block; dx is recomputed on the way back.
        for (var k = 0; k < blocks; k++)
        {
            ref var acc = ref (k & 1) == 0 ? ref accEven : ref accOdd;
            V.Store(acc, scratch.Slice(k * L, L));
            V.Load(x2.Slice(k * L, L), out var bx2);
            V.Load(x1.Slice(k * L, L), out var bx1);
            V.Subtract(bx2, bx1, out var dx);
            V.Multiply(acc, dx, out acc);
        }
        Span<F> totals = stackalloc F[2 * L];
        V.Store(accEven, totals[..L]);
        V.Store(accOdd, totals[L..]);
        FieldBatch.Invert(totals);
        V.Load(totals[..L], out var invEven);
        V.Load(totals[L..], out var invOdd);
        for (var k = blocks - 1; k >= 0; k--)
        {
            ref var inv = ref (k & 1) == 0 ? ref invEven : ref invOdd;
            var at = k * L;
            V.Load(x2.Slice(at, L), out var bx2);
            V.Load(x1.Slice(at, L), out var bx1);
            V.Load(y2.Slice(at, L), out var by2);
            V.Load(y1.Slice(at, L), out var by1);
            V.Load(scratch.Slice(at, L), out var before);
            V.Subtract(bx2, bx1, out var dx);
            V.Multiply(inv, before, out var dxInv);
            V.Multiply(inv, dx, out inv);
            V.Subtract(by2, by1, out var dy);
            V.Multiply(dy, dxInv, out var lambda);
            V.Square(lambda, out var l2);
            V.Subtract(l2, bx1, out var t);
            V.Subtract(t, bx2, out var x3);
            V.Subtract(bx1, x3, out var d);
            V.Multiply(lambda, d, out var ly);
            V.Subtract(ly, by1, out var y3);
            V.Store(x3, x1.Slice(at, L));
            V.Store(y3, y1.Slice(at, L));
        }
        if (full < n)
            ScalarBatch<F>.AddAll(x1[full..], y1[full..], x2[full..], y2[full..], scratch[full..]);
    }
}
