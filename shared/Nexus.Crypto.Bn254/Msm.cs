namespace Nexus.Crypto.Bn254;

/// <summary>
/// Multi-scalar multiplication Σ kᵢ·Pᵢ on G1 by Pippenger's bucket method: scalars cut into c-bit
/// windows, each window's points summed into 2^c − 1 buckets, buckets folded by a running sum, windows
/// combined by c doublings each. Windows run in parallel. Bases are made affine once so bucket additions
/// are mixed additions; signed digits and batch-affine buckets come with the prover's benchmark.
/// </summary>
public static class Msm
{
    public static G1 Multiply(ReadOnlySpan<G1> points, ReadOnlySpan<Element<Fr>> scalars)
    {
        if (points.Length != scalars.Length)
            throw new ArgumentException($"{points.Length} points but {scalars.Length} scalars");
        var n = points.Length;
        if (n == 0)
            return G1.Infinity;
        var c = WindowBits(n);
        var windows = (254 + c - 1) / c;
        var limbs = new ulong[n * 4];
        for (var i = 0; i < n; i++)
        {
            var (l0, l1, l2, l3) = scalars[i].Canonical();
            (limbs[4 * i], limbs[4 * i + 1], limbs[4 * i + 2], limbs[4 * i + 3]) = (l0, l1, l2, l3);
        }
        // Affine bases (one inversion for all) make every bucket addition a cheaper mixed addition.
        var xs = new Element<Fq>[n];
        var ys = new Element<Fq>[n];
        var finite = new bool[n];
        G1.BatchToAffine(points, xs, ys, finite);
        var sums = new G1[windows];
        Parallel.For(0, windows, w =>
        {
            var buckets = new G1[(1 << c) - 1];
            Array.Fill(buckets, G1.Infinity);
            for (var i = 0; i < n; i++)
            {
                var digit = Digit(limbs, i, w * c, c);
                if (digit != 0 && finite[i])
                    buckets[digit - 1] = buckets[digit - 1].AddAffine(xs[i], ys[i]);
            }
            // Σ d·B_d as a running sum from the top bucket down.
            var running = G1.Infinity;
            var sum = G1.Infinity;
            for (var d = buckets.Length - 1; d >= 0; d--)
            {
                running += buckets[d];
                sum += running;
            }
            sums[w] = sum;
        });
        var result = sums[windows - 1];
        for (var w = windows - 2; w >= 0; w--)
        {
            for (var i = 0; i < c; i++)
                result = result.Double();
            result += sums[w];
        }
        return result;
    }

    /// <summary>About ln n bits per window (the usual optimum for Pippenger), between 2 and 16.</summary>
    internal static int WindowBits(int n) => n < 8 ? 2 : Math.Clamp((int)Math.Round(Math.Log(n)), 2, 16);

    private static int Digit(ulong[] limbs, int index, int bit, int width)
    {
        var limb = bit >> 6;
        var offset = bit & 63;
        var value = limbs[4 * index + limb] >> offset;
        if (offset + width > 64 && limb < 3)
            value |= limbs[4 * index + limb + 1] << (64 - offset);
        return (int)(value & ((1UL << width) - 1));
    }
}
