using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nexus.Crypto.Bn254;

/// <summary>
/// Multi-scalar multiplication Σ kᵢ·Pᵢ by Pippenger's bucket method, for G1 and G2: scalars cut into
/// c-bit signed windows, each window's points summed into 2^(c−1) buckets, buckets folded by a running
/// sum, windows combined by c doublings each. Windows run in parallel. Bases are affine; from 2¹⁰
/// points on, buckets are summed with batched affine additions (<see cref="BatchAffineWindow{F, A}"/>;
/// smaller windows have too few buckets for big batches), below with mixed Jacobian additions. The
/// batched path also folds with batches, one addition per window per step (the fold was a fifth of a
/// G1 MSM and a third of a G2 one in Jacobian form). On AVX-512 the bases are converted once into the
/// vector form and the buckets stay in it until the fold ends.
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

    /// <summary>
    /// From this many points on, buckets are summed (and folded) with batched affine additions (measured:
    /// at 2¹⁰ points the two paths tie on G1 and batches win on G2; at 2¹² batches take half the time).
    /// </summary>
    internal const int BatchAffineFrom = 1 << 10;

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
        var c = WindowBits(n, n >= batchAffineFrom);
        var (limbs, bits) = CanonicalScalars(scalars);
        if (bits == 0)
            return infinity;
        // Only as many windows as the largest scalar needs, one more for the signed digits' last carry:
        // an MSM of small scalars (a chunk of the scalars' low or high bits, bits of a witness) skips the rest.
        var windows = bits / c + 1;
        var digits = SignedDigits(limbs, c, windows);
        var sums = new (F X, F Y, F Z)[windows];
        if (n >= batchAffineFrom)
        {
            ReadOnlyMemory<Affine<F>> points = A.HasOwnForm ? InBatchForm<F, A>(bases) : bases;
            var buckets = new Affine<F>[windows][];
            Parallel.For(0, windows, w => buckets[w] = AffineBuckets<F, A>(points.Span, digits.AsSpan(w * n, n), c));
            FoldAffine<F, A>(buckets, sums);
        }
        else
            Parallel.For(0, windows, w => sums[w] = JacobianWindow(bases.Span, digits.AsSpan(w * n, n), c));
        var result = sums[windows - 1];
        for (var w = windows - 2; w >= 0; w--)
        {
            for (var i = 0; i < c; i++)
                result = Jacobian<F>.Double(result.X, result.Y, result.Z);
            result = Jacobian<F>.Add(result.X, result.Y, result.Z, sums[w].X, sums[w].Y, sums[w].Z);
        }
        return result;
    }

    private const int Chunk = 4096;

    /// <summary>body(k, from, to) for the k-th run of <see cref="Chunk"/> indices of [0, n), in parallel.</summary>
    private static void InChunks(int n, Action<int, int, int> body) =>
        Parallel.For(0, (n + Chunk - 1) / Chunk, k => body(k, k * Chunk, Math.Min(n, (k + 1) * Chunk)));

    /// <summary>A copy of the bases in the batch arithmetic's form (converted once for all windows).</summary>
    private static Affine<F>[] InBatchForm<F, A>(ReadOnlyMemory<Affine<F>> bases)
        where F : struct, IField<F> where A : IBatchArithmetic<F>
    {
        var copy = bases.ToArray();
        InChunks(copy.Length, (_, from, to) => A.ToBatchForm(MemoryMarshal.Cast<Affine<F>, F>(copy.AsSpan(from, to - from))));
        return copy;
    }

    /// <summary>One window's buckets summed with batched affine additions (batch form, (0, 0) when empty).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Affine<F>[] AffineBuckets<F, A>(ReadOnlySpan<Affine<F>> points, ReadOnlySpan<short> digits, int c)
        where F : struct, IField<F> where A : IBatchArithmetic<F>
    {
        var bucketCount = 1 << (c - 1);
        // Half the buckets per batch: bigger batches share an inversion more widely, and the waiting list
        // takes the points that meet their bucket twice (measured: as fast at 2¹⁶, faster below).
        var window = new BatchAffineWindow<F, A>(bucketCount, Math.Clamp(bucketCount / 2, 1, MaxBatch));
        for (var i = 0; i < points.Length; i++)
        {
            int digit = digits[i];
            if (digit == 0 || points[i].IsInfinity)
                continue;
            window.Add(Math.Abs(digit) - 1, points[i].X, digit > 0 ? points[i].Y : -points[i].Y);
        }
        return window.Finish();
    }

    /// <summary>Additions per step of the batched fold (lanes: windows × bucket segments).</summary>
    private const int FoldLanes = 128;

    /// <summary>
    /// Σ (d+1)·B_d of every window into <paramref name="sums"/>. The buckets are cut into segments, and each
    /// (window, segment) folds its own running sum from the segment's top bucket down (running += B_d;
    /// sum += running), all of them together as one affine batch per step, so an inversion is shared by
    /// about <see cref="FoldLanes"/> additions; segments are shared out among the cores. A segment starting
    /// at bucket lo contributes sum + lo·running.
    /// </summary>
    private static void FoldAffine<F, A>(Affine<F>[][] buckets, (F X, F Y, F Z)[] sums)
        where F : struct, IField<F> where A : IBatchArithmetic<F>
    {
        var windows = buckets.Length;
        var bucketCount = buckets[0].Length;
        var cores = Math.Max(1, Environment.ProcessorCount);
        var segments = Math.Clamp((FoldLanes + windows - 1) / windows, 1, bucketCount);
        segments = Math.Min(bucketCount, (segments + cores - 1) / cores * cores);
        var length = (bucketCount + segments - 1) / segments;
        segments = (bucketCount + length - 1) / length;
        var parts = new (F X, F Y, F Z)[windows, segments];
        var groups = Math.Min(cores, segments);
        Parallel.For(0, groups, g => FoldSegments<F, A>(buckets, g * segments / groups, (g + 1) * segments / groups, length, parts));
        for (var w = 0; w < windows; w++)
        {
            var total = parts[w, 0];
            for (var s = 1; s < segments; s++)
                total = Jacobian<F>.Add(total.X, total.Y, total.Z, parts[w, s].X, parts[w, s].Y, parts[w, s].Z);
            sums[w] = total;
        }
    }

    /// <summary>Folds segments [<paramref name="from"/>, <paramref name="to"/>) of every window (see <see cref="FoldAffine{F, A}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FoldSegments<F, A>(Affine<F>[][] buckets, int from, int to, int length, (F X, F Y, F Z)[,] parts)
        where F : struct, IField<F> where A : IBatchArithmetic<F>
    {
        var windows = buckets.Length;
        var bucketCount = buckets[0].Length;
        var lanes = windows * (to - from);
        // Accumulators 0..lanes−1 are the running sums, lanes..2·lanes−1 the sums; lane = window·(to−from) + segment.
        var acc = new BatchAffineWindow<F, A>(2 * lanes, lanes);
        for (var step = length - 1; step >= 0; step--)
        {
            for (var s = from; s < to; s++)
            {
                var d = s * length + step;
                if (d >= bucketCount)
                    continue;
                for (var w = 0; w < windows; w++)
                {
                    var b = buckets[w][d];
                    if (!b.IsInfinity)
                        acc.Add(w * (to - from) + s - from, b.X, b.Y);
                }
            }
            acc.Flush();
            for (var lane = 0; lane < lanes; lane++)
            {
                var running = acc[lane];
                if (!running.IsInfinity)
                    acc.Add(lanes + lane, running.X, running.Y);
            }
            acc.Flush();
        }
        for (var w = 0; w < windows; w++)
            for (var s = from; s < to; s++)
            {
                var lane = w * (to - from) + s - from;
                var sum = FromBatch(acc[lanes + lane]);
                var running = FromBatch(acc[lane]);
                // + lo·running, lo = s·length (at most c − 1 bits).
                var multiple = Jacobian<F>.Multiply(running.X, running.Y, running.Z, s * length);
                parts[w, s] = Jacobian<F>.Add(sum.X, sum.Y, sum.Z, multiple.X, multiple.Y, multiple.Z);
            }

        static (F X, F Y, F Z) FromBatch(Affine<F> p) =>
            p.IsInfinity ? (F.One, F.One, F.Zero) : (A.FromBatchForm(p.X), A.FromBatchForm(p.Y), F.One);
    }

    /// <summary>Σ digitᵢ·Pᵢ for one window of a small MSM: mixed Jacobian bucket additions, then the running-sum fold.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (F X, F Y, F Z) JacobianWindow<F>(ReadOnlySpan<Affine<F>> points, ReadOnlySpan<short> digits, int c)
        where F : struct, IField<F>
    {
        (F X, F Y, F Z) infinity = (F.One, F.One, F.Zero);
        var buckets = new (F X, F Y, F Z)[1 << (c - 1)];
        Array.Fill(buckets, infinity);
        for (var i = 0; i < points.Length; i++)
        {
            int digit = digits[i];
            if (digit == 0 || points[i].IsInfinity)
                continue;
            ref var b = ref buckets[Math.Abs(digit) - 1];
            b = Jacobian<F>.AddMixed(b.X, b.Y, b.Z, points[i].X, digit > 0 ? points[i].Y : -points[i].Y);
        }
        var running = infinity;
        var sum = infinity;
        for (var d = buckets.Length - 1; d >= 0; d--)
        {
            running = Jacobian<F>.Add(running.X, running.Y, running.Z, buckets[d].X, buckets[d].Y, buckets[d].Z);
            sum = Jacobian<F>.Add(sum.X, sum.Y, sum.Z, running.X, running.Y, running.Z);
        }
        return sum;
    }

    /// <summary>The scalars' canonical limbs (out of Montgomery form) and the bit length of the largest.</summary>
    private static ((ulong, ulong, ulong, ulong)[] Limbs, int Bits) CanonicalScalars(ReadOnlyMemory<Element<Fr>> scalars)
    {
        var n = scalars.Length;
        var limbs = new (ulong, ulong, ulong, ulong)[n];
        var bits = new int[(n + Chunk - 1) / Chunk];
        InChunks(n, (k, from, to) => bits[k] = Canonical(scalars.Span, limbs, from, to));
        return (limbs, bits.Max());
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Canonical(ReadOnlySpan<Element<Fr>> scalars, (ulong, ulong, ulong, ulong)[] limbs, int from, int to)
    {
        ulong l0 = 0, l1 = 0, l2 = 0, l3 = 0;
        for (var i = from; i < to; i++)
        {
            limbs[i] = scalars[i].Canonical();
            l0 |= limbs[i].Item1;
            l1 |= limbs[i].Item2;
            l2 |= limbs[i].Item3;
            l3 |= limbs[i].Item4;
        }
        return l3 != 0 ? 256 - BitOperations.LeadingZeroCount(l3) : l2 != 0 ? 192 - BitOperations.LeadingZeroCount(l2)
            : l1 != 0 ? 128 - BitOperations.LeadingZeroCount(l1) : 64 - BitOperations.LeadingZeroCount(l0);
    }

    /// <summary>
    /// Signed digits in [−2^(c−1), 2^(c−1)]: half the buckets (a negative digit adds −P, free on a
    /// curve); window-major (window w's digits are [w·n, (w+1)·n)), so each window reads its own run.
    /// </summary>
    private static short[] SignedDigits((ulong, ulong, ulong, ulong)[] limbs, int c, int windows)
    {
        var digits = new short[limbs.Length * windows];
        InChunks(limbs.Length, (_, from, to) => SignedDigits(limbs, digits, from, to, c, windows));
        return digits;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SignedDigits((ulong, ulong, ulong, ulong)[] limbs, short[] digits, int from, int to, int c, int windows)
    {
        var n = limbs.Length;
        for (var i = from; i < to; i++)
        {
            var carry = 0;
            for (var w = 0; w < windows; w++)
            {
                var d = Bits(limbs[i], w * c, c) + carry;
                carry = d > 1 << (c - 1) ? 1 : 0;
                digits[w * n + i] = (short)(d - (carry << c));
            }
        }
    }

    /// <summary>
    /// About ln n bits per window for the Jacobian path; for the batched one, one more and at least 10, so
    /// a window has enough buckets for batches that share an inversion widely (measured on this machine
    /// after the 29-bit vector field and the batched fold: at 2¹² points 10 bits take half the time of 8,
    /// at 2¹⁶ 12 bits beat 11 and 13). Between 2 and 15 (digits fit a short).
    /// </summary>
    internal static int WindowBits(int n, bool batched) => n < 8 ? 2
        : !batched ? Math.Clamp((int)Math.Round(Math.Log(n)), 2, 15)
        : Math.Clamp(Math.Max((int)Math.Round(Math.Log(n)) + 1, 10), 2, 15);

    /// <summary>The <paramref name="width"/> bits of a 256-bit value starting at <paramref name="bit"/> (zero past the top).</summary>
    private static int Bits((ulong, ulong, ulong, ulong) limbs, int bit, int width)
    {
        var limb = bit >> 6;
        if (limb > 3)
            return 0;
        var offset = bit & 63;
        var value = Limb(limbs, limb) >> offset;
        if (offset + width > 64 && limb < 3)
            value |= Limb(limbs, limb + 1) << (64 - offset);
        return (int)(value & ((1UL << width) - 1));
    }

    private static ulong Limb((ulong L0, ulong L1, ulong L2, ulong L3) limbs, int i) =>
        i switch { 0 => limbs.L0, 1 => limbs.L1, 2 => limbs.L2, _ => limbs.L3 };
}
