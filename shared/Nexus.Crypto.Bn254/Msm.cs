using System.Runtime.CompilerServices;

namespace Nexus.Crypto.Bn254;

/// <summary>
/// Multi-scalar multiplication Σ kᵢ·Pᵢ by Pippenger's bucket method, for G1 and G2: scalars cut into
/// c-bit signed windows, each window's points summed into 2^(c−1) buckets, buckets folded by a running
/// sum, windows combined by c doublings each. Windows run in parallel. Bases are affine; from 2¹³
/// points on, buckets are summed with batched affine additions (<see cref="BatchAffineWindow{F, A}"/>;
/// smaller windows have too few buckets for big batches), below with mixed Jacobian additions.
/// </summary>
public static class Msm
{
    public static G1 Multiply(ReadOnlySpan<G1> points, ReadOnlyMemory<Element<Fr>> scalars)
    {
        // One inversion for all bases.
        var jacobian = new (Element<Fq>, Element<Fq>, Element<Fq>)[points.Length];
        for (var i = 0; i < points.Length; i++)
            jacobian[i] = (points[i].X, points[i].Y, points[i].Z);
        return Multiply(Jacobian<Element<Fq>>.ToAffineAll(jacobian), scalars);
    }

    /// <summary>
    /// Whether the batched additions (G1 and G2) run on AVX-512 (eight at once); on by default where the CPU has it.
    /// Benchmarks turn it off to measure the scalar code, which is also the fallback everywhere else.
    /// </summary>
    public static bool UseSimd { get; set; } = VectorField<Fq>.IsSupported;

    public static G1 Multiply(ReadOnlyMemory<Affine<Element<Fq>>> bases, ReadOnlyMemory<Element<Fr>> scalars) =>
        Multiply(bases, scalars, BatchAffineFrom, UseSimd);

    /// <summary>With the batched affine path from <paramref name="batchAffineFrom"/> points, SIMD or not (tests compare the paths).</summary>
    internal static G1 Multiply(ReadOnlyMemory<Affine<Element<Fq>>> bases, ReadOnlyMemory<Element<Fr>> scalars, int batchAffineFrom, bool simd)
    {
        var (x, y, z) = simd && VectorField<Fq>.IsSupported
            ? Pippenger<Element<Fq>, VectorBatch<Element<Fq>, VectorField<Fq>.Block, FqVector>>(bases, scalars, batchAffineFrom)
            : Pippenger<Element<Fq>, ScalarBatch<Element<Fq>>>(bases, scalars, batchAffineFrom);
        return new G1(x, y, z);
    }

    public static G2 Multiply(ReadOnlyMemory<Affine<Fq2>> bases, ReadOnlyMemory<Element<Fr>> scalars) =>
        Multiply(bases, scalars, BatchAffineFrom, UseSimd);

    internal static G2 Multiply(ReadOnlyMemory<Affine<Fq2>> bases, ReadOnlyMemory<Element<Fr>> scalars, int batchAffineFrom, bool simd)
    {
        var (x, y, z) = simd && VectorField<Fq>.IsSupported
            ? Pippenger<Fq2, VectorBatch<Fq2, Fq2Block, Fq2Vector>>(bases, scalars, batchAffineFrom)
            : Pippenger<Fq2, ScalarBatch<Fq2>>(bases, scalars, batchAffineFrom);
        return new G2(x, y, z);
    }

    /// <summary>From this many points on, buckets are summed with batched affine additions.</summary>
    internal const int BatchAffineFrom = 1 << 13;

    /// <summary>Additions per batch (one field inversion each).</summary>
    private const int MaxBatch = 512;

    private static (F X, F Y, F Z) Pippenger<F, A>(ReadOnlyMemory<Affine<F>> bases, ReadOnlyMemory<Element<Fr>> scalars, int batchAffineFrom)
        where F : struct, IField<F> where A : IBatchArithmetic<F>
    {
        if (bases.Length != scalars.Length)
            throw new ArgumentException($"{bases.Length} points but {scalars.Length} scalars");
        var n = bases.Length;
        (F X, F Y, F Z) infinity = (F.One, F.One, F.Zero);
        if (n == 0)
            return infinity;
        var c = WindowBits(n);
        var windows = 254 / c + 1;
        var digits = SignedDigits(scalars.Span, c, windows);
        var sums = new (F X, F Y, F Z)[windows];
        var batched = n >= batchAffineFrom;
        Parallel.For(0, windows, w => sums[w] = Window<F, A>(bases.Span, digits, windows, w, c, batched));
        var result = sums[windows - 1];
        for (var w = windows - 2; w >= 0; w--)
        {
            for (var i = 0; i < c; i++)
                result = Jacobian<F>.Double(result.X, result.Y, result.Z);
            result = Jacobian<F>.Add(result.X, result.Y, result.Z, sums[w].X, sums[w].Y, sums[w].Z);
        }
        return result;
    }

    /// <summary>Σ digitᵢ·Pᵢ for one window: bucket sums, then the running-sum fold.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (F X, F Y, F Z) Window<F, A>(ReadOnlySpan<Affine<F>> points, short[] digits, int windows, int w, int c, bool batched)
        where F : struct, IField<F> where A : IBatchArithmetic<F>
    {
        (F X, F Y, F Z) infinity = (F.One, F.One, F.Zero);
        var n = points.Length;
        var bucketCount = 1 << (c - 1);
        (F X, F Y, F Z)[] buckets;
        if (batched)
        {
            var window = new BatchAffineWindow<F, A>(bucketCount, Math.Clamp(bucketCount / 4, 1, MaxBatch));
            for (var i = 0; i < n; i++)
            {
                int digit = digits[i * windows + w];
                if (digit == 0 || points[i].IsInfinity)
                    continue;
                window.Add(Math.Abs(digit) - 1, points[i].X, digit > 0 ? points[i].Y : -points[i].Y);
            }
            buckets = window.Finish();
        }
        else
        {
            buckets = new (F X, F Y, F Z)[bucketCount];
            Array.Fill(buckets, infinity);
            for (var i = 0; i < n; i++)
            {
                int digit = digits[i * windows + w];
                if (digit == 0 || points[i].IsInfinity)
                    continue;
                ref var b = ref buckets[Math.Abs(digit) - 1];
                b = Jacobian<F>.AddMixed(b.X, b.Y, b.Z, points[i].X, digit > 0 ? points[i].Y : -points[i].Y);
            }
        }
        // Σ d·B_d as a running sum from the top bucket down.
        var running = infinity;
        var sum = infinity;
        for (var d = buckets.Length - 1; d >= 0; d--)
        {
            ref var b = ref buckets[d];
            // Buckets summed in affine form (Z = 1) take the cheaper mixed addition.
            running = b.Z.Equals(F.One)
                ? Jacobian<F>.AddMixed(running.X, running.Y, running.Z, b.X, b.Y)
                : Jacobian<F>.Add(running.X, running.Y, running.Z, b.X, b.Y, b.Z);
            sum = Jacobian<F>.Add(sum.X, sum.Y, sum.Z, running.X, running.Y, running.Z);
        }
        return sum;
    }

    /// <summary>
    /// Signed digits in [−2^(c−1), 2^(c−1)]: half the buckets (a negative digit adds −P, free on a
    /// curve); one more window than 254/c takes the last carry.
    /// </summary>
    private static short[] SignedDigits(ReadOnlySpan<Element<Fr>> scalars, int c, int windows)
    {
        var digits = new short[scalars.Length * windows];
        for (var i = 0; i < scalars.Length; i++)
        {
            var (l0, l1, l2, l3) = scalars[i].Canonical();
            ulong[] limbs = [l0, l1, l2, l3];
            var carry = 0;
            for (var w = 0; w < windows; w++)
            {
                var d = Bits(limbs, w * c, c) + carry;
                carry = d > 1 << (c - 1) ? 1 : 0;
                digits[i * windows + w] = (short)(d - (carry << c));
            }
        }
        return digits;
    }

    /// <summary>
    /// About ln n bits per window, one more from 2¹³ points on (signed digits halve the buckets; measured
    /// best on this machine), between 2 and 15 (digits fit a short).
    /// </summary>
    internal static int WindowBits(int n) => n < 8 ? 2 : Math.Clamp((int)Math.Round(Math.Log(n)) + (n >= 1 << 13 ? 1 : 0), 2, 15);

    /// <summary>The <paramref name="width"/> bits of a 256-bit value starting at <paramref name="bit"/> (zero past the top).</summary>
    private static int Bits(ulong[] limbs, int bit, int width)
    {
        var limb = bit >> 6;
        if (limb > 3)
            return 0;
        var offset = bit & 63;
        var value = limbs[limb] >> offset;
        if (offset + width > 64 && limb < 3)
            value |= limbs[limb + 1] << (64 - offset);
        return (int)(value & ((1UL << width) - 1));
    }
}
