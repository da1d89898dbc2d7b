namespace Nexus.Crypto.Bn254;

/// <summary>
/// Multi-scalar multiplication Σ kᵢ·Pᵢ on G1 by Pippenger's bucket method: scalars cut into c-bit
/// signed windows, each window's points summed into 2^(c−1) buckets, buckets folded by a running sum,
/// windows combined by c doublings each. Windows run in parallel. Bases are made affine once so bucket
/// additions are mixed additions. Batch-affine buckets and splitting a window across cores are next.
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
        // Signed digits in [−2^(c−1), 2^(c−1)]: half the buckets (a negative digit adds −P, free on a
        // curve); one more window takes the last carry.
        var windows = 254 / c + 1;
        var digits = new short[n * windows];
        for (var i = 0; i < n; i++)
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
        // Affine bases (one inversion for all) make every bucket addition a cheaper mixed addition.
        var xs = new Element<Fq>[n];
        var ys = new Element<Fq>[n];
        var finite = new bool[n];
        G1.BatchToAffine(points, xs, ys, finite);
        var sums = new G1[windows];
        Parallel.For(0, windows, w =>
        {
            var buckets = new G1[1 << (c - 1)];
            Array.Fill(buckets, G1.Infinity);
            for (var i = 0; i < n; i++)
            {
                int digit = digits[i * windows + w];
                if (digit == 0 || !finite[i])
                    continue;
                buckets[Math.Abs(digit) - 1] = digit > 0
                    ? buckets[digit - 1].AddAffine(xs[i], ys[i])
                    : buckets[-digit - 1].AddAffine(xs[i], -ys[i]);
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
