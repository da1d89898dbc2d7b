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
    /// <summary>Into and out of vector form (see <see cref="VectorField{M}"/>): one value, or many in place.</summary>
    static abstract F ToVectorForm(F x);
    static abstract F FromVectorForm(F x);
    static abstract void ToVectorForm(Span<F> values);
    static abstract void FromVectorForm(Span<F> values);

    /// <summary>
    /// The batch inverts through norms in Fq: 1/d = conj(d)/N(d). For Fq2, N(d) = d0² + d1², so the prefix
    /// products are Fq multiplications, not Fq2 ones (7 Fq multiplications per element, not 9); for Fq,
    /// N(d) = d and conj(d)·s = s, which is Montgomery's trick itself.
    /// </summary>
    static abstract void Norm(in B x, out VectorField<Fq>.Block norm);
    /// <summary>conj(x)·s for s in Fq.</summary>
    static abstract void ConjugateTimes(in B x, in VectorField<Fq>.Block s, out B result);
}

/// <summary>Fq on AVX-512: one <see cref="VectorField{M}.Block"/>.</summary>
internal readonly struct FqVector : IVectorOps<Element<Fq>, VectorField<Fq>.Block>
{
    public static void Load(ReadOnlySpan<Element<Fq>> eight, out VectorField<Fq>.Block block) => VectorField<Fq>.Load(eight, out block);
    public static void Store(in VectorField<Fq>.Block block, Span<Element<Fq>> eight) => VectorField<Fq>.Store(block, eight);
    public static void Multiply(in VectorField<Fq>.Block a, in VectorField<Fq>.Block b, out VectorField<Fq>.Block result) => VectorField<Fq>.Multiply(a, b, out result);
    public static void Square(in VectorField<Fq>.Block a, out VectorField<Fq>.Block result) => VectorField<Fq>.Multiply(a, a, out result);
    public static void Subtract(in VectorField<Fq>.Block a, in VectorField<Fq>.Block b, out VectorField<Fq>.Block result) => VectorField<Fq>.Subtract(a, b, out result);
    public static Element<Fq> ToVectorForm(Element<Fq> x) => VectorField<Fq>.ToVectorForm(x);
    public static Element<Fq> FromVectorForm(Element<Fq> x) => VectorField<Fq>.FromVectorForm(x);
    public static void ToVectorForm(Span<Element<Fq>> values) => VectorField<Fq>.ToVectorForm(values);
    public static void FromVectorForm(Span<Element<Fq>> values) => VectorField<Fq>.FromVectorForm(values);
    public static void Norm(in VectorField<Fq>.Block x, out VectorField<Fq>.Block norm) => norm = x;
    public static void ConjugateTimes(in VectorField<Fq>.Block x, in VectorField<Fq>.Block s, out VectorField<Fq>.Block result) => result = s;
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
        Unsafe.SkipInit(out block);
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
        Unsafe.SkipInit(out result);
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
        Unsafe.SkipInit(out result);
        VectorField<Fq>.Multiply(sum, difference, out result.C0);
        VectorField<Fq>.Add(cross, cross, out result.C1);
    }

    public static void Subtract(in Fq2Block a, in Fq2Block b, out Fq2Block result)
    {
        Unsafe.SkipInit(out result);
        VectorField<Fq>.Subtract(a.C0, b.C0, out result.C0);
        VectorField<Fq>.Subtract(a.C1, b.C1, out result.C1);
    }

    // Fq2's vector form is its coordinates' (the conversions are multiplications by field constants).
    public static Fq2 ToVectorForm(Fq2 x) => new(VectorField<Fq>.ToVectorForm(x.C0), VectorField<Fq>.ToVectorForm(x.C1));
    public static Fq2 FromVectorForm(Fq2 x) => new(VectorField<Fq>.FromVectorForm(x.C0), VectorField<Fq>.FromVectorForm(x.C1));
    public static void ToVectorForm(Span<Fq2> values) => VectorField<Fq>.ToVectorForm(MemoryMarshal.Cast<Fq2, Element<Fq>>(values));
    public static void FromVectorForm(Span<Fq2> values) => VectorField<Fq>.FromVectorForm(MemoryMarshal.Cast<Fq2, Element<Fq>>(values));

    public static void Norm(in Fq2Block x, out VectorField<Fq>.Block norm)
    {
        VectorField<Fq>.Multiply(x.C0, x.C0, out var a);
        VectorField<Fq>.Multiply(x.C1, x.C1, out var b);
        VectorField<Fq>.Add(a, b, out norm);
    }

    private static readonly VectorField<Fq>.Block Zero = default;

    public static void ConjugateTimes(in Fq2Block x, in VectorField<Fq>.Block s, out Fq2Block result)
    {
        Unsafe.SkipInit(out result);
        VectorField<Fq>.Multiply(x.C0, s, out result.C0);
        VectorField<Fq>.Multiply(x.C1, s, out var t);
        VectorField<Fq>.Subtract(Zero, t, out result.C1);
    }
}

/// <summary>
/// The affine-batch arithmetic (<see cref="IBatchArithmetic{F}"/>) on AVX-512, eight additions per step,
/// for Fq (G1) and Fq2 (G2), on values in vector form (the caller converts bases once and keeps buckets
/// in that form). The batch inversion runs over the denominators' norms in Fq
/// (<see cref="IVectorOps{F, B}.Norm"/>) as sixteen interleaved prefix-product chains (two vectors of
/// lanes, even and odd blocks, so two multiplication chains overlap) and inverts their sixteen products
/// together; a last part-filled block is padded with harmless additions (x1 = 0, x2 non-zero).
/// </summary>
internal readonly struct VectorBatch<F, B, V> : IBatchArithmetic<F>
    where F : unmanaged, IField<F> where B : struct where V : IVectorOps<F, B>
{
    private const int L = 8;

    public static bool HasOwnForm => true;
    public static F ToBatchForm(F x) => V.ToVectorForm(x);
    public static F FromBatchForm(F x) => V.FromVectorForm(x);
    public static void ToBatchForm(Span<F> values) => V.ToVectorForm(values);
    public static void FromBatchForm(Span<F> values) => V.FromVectorForm(values);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddAll(Span<F> x1, Span<F> y1, ReadOnlySpan<F> x2, ReadOnlySpan<F> y2, Span<F> scratch)
    {
        var n = x1.Length;
        var full = n / L;
        var blocks = (n + L - 1) / L;
        // The padded last block: x1 = 0, x2 = F.One's limbs (any non-zero value: dx only has to be
        // invertible), y = 0; its results are dropped.
        Span<F> px1 = stackalloc F[L], py1 = stackalloc F[L], px2 = stackalloc F[L], py2 = stackalloc F[L], pScratch = stackalloc F[2 * L];
        var rest = n - full * L;
        if (rest > 0)
        {
            // Stack memory is not zeroed in this assembly (SkipLocalsInit): set every padding lane.
            px1.Clear();
            py1.Clear();
            py2.Clear();
            px2.Fill(F.One);
            x1[(full * L)..].CopyTo(px1);
            y1[(full * L)..].CopyTo(py1);
            x2[(full * L)..].CopyTo(px2);
            y2[(full * L)..].CopyTo(py2);
        }
        // Per block, sixteen Fq of scratch: the chain's product before it, then the block's norms.
        var fqScratch = MemoryMarshal.Cast<F, Element<Fq>>(scratch);
        var fqPadded = MemoryMarshal.Cast<F, Element<Fq>>(pScratch);
        Span<Element<Fq>> ones = stackalloc Element<Fq>[L];
        ones.Fill(VectorField<Fq>.ToVectorForm(Element<Fq>.One));
        VectorField<Fq>.Load(ones, out var accEven);
        var accOdd = accEven;
        for (var k = 0; k < blocks; k++)
        {
            ref var acc = ref (k & 1) == 0 ? ref accEven : ref accOdd;
            var padded = k == full;
            var fq = padded ? fqPadded : fqScratch.Slice(k * 2 * L, 2 * L);
            VectorField<Fq>.Store(acc, fq[..L]);
            V.Load(padded ? px2 : x2.Slice(k * L, L), out var bx2);
            V.Load(padded ? px1 : x1.Slice(k * L, L), out var bx1);
            V.Subtract(bx2, bx1, out var dx);
            V.Norm(dx, out var norm);
            VectorField<Fq>.Store(norm, fq[L..]);
            VectorField<Fq>.Multiply(acc, norm, out acc);
        }
        Span<Element<Fq>> totals = stackalloc Element<Fq>[2 * L];
        VectorField<Fq>.Store(accEven, totals[..L]);
        VectorField<Fq>.Store(accOdd, totals[L..]);
        VectorField<Fq>.FromVectorForm(totals);
        FieldBatch.Invert(totals);
        VectorField<Fq>.ToVectorForm(totals);
        VectorField<Fq>.Load(totals[..L], out var invEven);
        VectorField<Fq>.Load(totals[L..], out var invOdd);
        for (var k = blocks - 1; k >= 0; k--)
        {
            ref var inv = ref (k & 1) == 0 ? ref invEven : ref invOdd;
            var at = k * L;
            var padded = k == full;
            var fq = padded ? fqPadded : fqScratch.Slice(k * 2 * L, 2 * L);
            V.Load(padded ? px2 : x2.Slice(at, L), out var bx2);
            V.Load(padded ? px1 : x1.Slice(at, L), out var bx1);
            V.Load(padded ? py2 : y2.Slice(at, L), out var by2);
            V.Load(padded ? py1 : y1.Slice(at, L), out var by1);
            VectorField<Fq>.Load(fq[..L], out var before);
            VectorField<Fq>.Load(fq[L..], out var norm);
            V.Subtract(bx2, bx1, out var dx);
            VectorField<Fq>.Multiply(inv, before, out var normInv);
            VectorField<Fq>.Multiply(inv, norm, out inv);
            V.ConjugateTimes(dx, normInv, out var dxInv);
            // λ = (y2 − y1)/(x2 − x1), x3 = λ² − x1 − x2, y3 = λ(x1 − x3) − y1.
            V.Subtract(by2, by1, out var dy);
            V.Multiply(dy, dxInv, out var lambda);
            V.Square(lambda, out var l2);
            V.Subtract(l2, bx1, out var t);
            V.Subtract(t, bx2, out var x3);
            V.Subtract(bx1, x3, out var d);
            V.Multiply(lambda, d, out var ly);
            V.Subtract(ly, by1, out var y3);
            V.Store(x3, padded ? px1 : x1.Slice(at, L));
            V.Store(y3, padded ? py1 : y1.Slice(at, L));
        }
        if (rest > 0)
        {
            px1[..rest].CopyTo(x1[(full * L)..]);
            py1[..rest].CopyTo(y1[(full * L)..]);
        }
    }
}
