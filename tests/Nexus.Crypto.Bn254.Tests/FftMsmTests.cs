using System.Numerics;

namespace Nexus.Crypto.Bn254.Tests;

public sealed class FftMsmTests
{
    [Fact]
    public void The_root_of_unity_has_the_right_order()
    {
        for (var log = 0; log <= Fft.MaxLog2; log += 7)
        {
            var w = Fft.Root(log);
            w.Pow(BigInteger.Pow(2, log)).ShouldBe(Element<Fr>.One);
            if (log > 0)
                w.Pow(BigInteger.Pow(2, log - 1)).ShouldNotBe(Element<Fr>.One);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(64)]
    public void The_transform_is_polynomial_evaluation_at_the_roots_and_the_inverse_undoes_it(int n)
    {
        var random = new Random(n);
        var coefficients = Enumerable.Range(0, n).Select(_ => RandomValues.Fr(random)).ToArray();
        var values = (Element<Fr>[])coefficients.Clone();
        Fft.Forward(values);
        var w = Fft.Root(BitOperations.Log2((uint)n));
        for (var i = 0; i < n; i++)
            values[i].ShouldBe(Evaluate(coefficients, w.Pow(i)));
        Fft.Inverse(values);
        values.ShouldBe(coefficients);

        var shift = Fft.MultiplicativeGenerator;
        var coset = (Element<Fr>[])coefficients.Clone();
        Fft.ForwardOnCoset(coset, shift);
        for (var i = 0; i < n; i++)
            coset[i].ShouldBe(Evaluate(coefficients, shift * w.Pow(i)));
        // Subgroup evaluations straight to the coset (the prover's step), with SIMD and without.
        foreach (var simd in new[] { true, false })
        {
            Fft.UseSimd = simd;
            var moved = (Element<Fr>[])coefficients.Clone();
            Fft.Forward(moved);
            Fft.ToCoset(moved, shift);
            Fft.UseSimd = true;
            moved.ShouldBe(coset);
        }
        Fft.InverseOnCoset(coset, shift);
        coset.ShouldBe(coefficients);
    }

    [Fact]
    public void A_large_transform_round_trips_through_the_parallel_stages()
    {
        var random = new Random(5);
        var coefficients = Enumerable.Range(0, 1 << 15).Select(_ => RandomValues.Fr(random)).ToArray();
        var values = (Element<Fr>[])coefficients.Clone();
        Fft.Forward(values);
        values[12345].ShouldBe(Evaluate(coefficients, Fft.Root(15).Pow(12345)));
        Fft.Inverse(values);
        values.ShouldBe(coefficients);
        Should.Throw<ArgumentException>(() => Fft.Forward(new Element<Fr>[12]));

        // The same transform with scalar butterflies only.
        var scalar = (Element<Fr>[])coefficients.Clone();
        var simd = (Element<Fr>[])coefficients.Clone();
        Fft.Forward(simd);
        try
        {
            Fft.UseSimd = false;
            Fft.Forward(scalar);
        }
        finally
        {
            Fft.UseSimd = true;
        }
        simd.ShouldBe(scalar);
    }

    private static Element<Fr> Evaluate(Element<Fr>[] coefficients, Element<Fr> x)
    {
        var result = Element<Fr>.Zero;
        for (var i = coefficients.Length - 1; i >= 0; i--)
            result = result * x + coefficients[i];
        return result;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100)]
    [InlineData(300)]
    public void Msm_equals_the_naive_sum(int n)
    {
        var random = new Random(n + 1);
        // Bases in Jacobian form with Z ≠ 1 (sums), and the point at infinity among them.
        var points = Enumerable.Range(0, n).Select(i => i % 11 == 4 ? G1.Infinity : G1.Generator.Multiply(RandomValues.Fr(random).ToBigInteger()) + G1.Generator).ToArray();
        var scalars = Enumerable.Range(0, n).Select(i => i % 17 == 3 ? Element<Fr>.Zero : i % 13 == 5 ? -Element<Fr>.One : RandomValues.Fr(random)).ToArray();
        var expected = G1.Infinity;
        for (var i = 0; i < n; i++)
            expected += points[i].Multiply(scalars[i].ToBigInteger());
        Msm.Multiply(points, scalars).ShouldBe(expected);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(90)]
    public void G2_msm_equals_the_naive_sum(int n)
    {
        var random = new Random(n + 7);
        var points = Enumerable.Range(0, n).Select(i => i % 9 == 2 ? G2.Infinity : G2.Generator.Multiply(RandomValues.Fr(random).ToBigInteger())).ToArray();
        var scalars = Enumerable.Range(0, n).Select(i => i % 7 == 3 ? Element<Fr>.Zero : RandomValues.Fr(random)).ToArray();
        var expected = G2.Infinity;
        for (var i = 0; i < n; i++)
            expected += points[i].Multiply(scalars[i].ToBigInteger());
        Msm.Multiply(points.Select(p => p.ToAffinePoint()).ToArray(), scalars).ShouldBe(expected);
    }

    [Fact]
    public void Fixed_base_multiples_equal_double_and_add_on_G1_and_G2()
    {
        var random = new Random(5);
        var scalars = Enumerable.Range(0, 40).Select(i => i == 0 ? Element<Fr>.Zero : i == 1 ? -Element<Fr>.One : RandomValues.Fr(random)).ToArray();
        var g1 = new FixedBase<Element<Fq>>(G1.Generator.ToAffinePoint()).MultiplyAll(scalars);
        var g2 = new FixedBase<Fq2>(G2.Generator.ToAffinePoint()).MultiplyAll(scalars);
        for (var i = 0; i < scalars.Length; i++)
        {
            G1.From(g1[i]).ShouldBe(G1.Generator.Multiply(scalars[i].ToBigInteger()));
            G2.From(g2[i]).ShouldBe(G2.Generator.Multiply(scalars[i].ToBigInteger()));
        }
        g1[0].IsInfinity.ShouldBeTrue();
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(40, 8)]
    [InlineData(2500, 2)]
    public void Batched_affine_buckets_equal_jacobian_buckets_with_repeated_and_opposite_points(int n, int distinct)
    {
        var random = new Random(n);
        // Few distinct bases, so buckets meet equal points (doublings) and opposite ones (cancellations).
        var pool = Enumerable.Range(0, distinct).Select(_ => G1.Generator.Multiply(RandomValues.Fr(random).ToBigInteger())).ToArray();
        var points = Enumerable.Range(0, n).Select(i => i % 5 == 1 ? pool[i % distinct].Negate() : pool[i % distinct]).Select(p => p.ToAffinePoint()).ToArray();
        var scalars = Enumerable.Range(0, n).Select(i => i % 3 == 0 ? Element<Fr>.From((ulong)(i % 7)) : RandomValues.Fr(random)).ToArray();
        var jacobian = Msm.Multiply(points, scalars, batchAffineFrom: int.MaxValue, simd: false);
        Msm.Multiply(points, scalars, batchAffineFrom: 0, simd: false).ShouldBe(jacobian);
        Msm.Multiply(points, scalars, batchAffineFrom: 0, simd: true).ShouldBe(jacobian);
        var g2 = points.Take(Math.Min(n, 300)).Select((_, i) => G2.Generator.Multiply(i % distinct + 1).ToAffinePoint()).ToArray();
        var g2Jacobian = Msm.Multiply(g2, scalars.AsMemory(0, g2.Length), batchAffineFrom: int.MaxValue, simd: false);
        Msm.Multiply(g2, scalars.AsMemory(0, g2.Length), batchAffineFrom: 0, simd: false).ShouldBe(g2Jacobian);
        Msm.Multiply(g2, scalars.AsMemory(0, g2.Length), batchAffineFrom: 0, simd: true).ShouldBe(g2Jacobian);
    }

    [Theory]
    [InlineData(new long[] { 7, 7 }, new ulong[] { 2, 1 })]   // the fold's running sum doubles (P + P)
    [InlineData(new long[] { 7, -7 }, new ulong[] { 2, 1 })]  // the running sum cancels (P − P)
    [InlineData(new long[] { 7 }, new ulong[] { 2 })]         // an empty bucket: the sum doubles (sum = running)
    [InlineData(new long[] { 5, 5, 5, -5 }, new ulong[] { 3, 1, 2, 2 })]
    public void The_batched_fold_meets_equal_and_opposite_running_sums(long[] multiples, ulong[] scalars)
    {
        // Tiny MSMs forced onto the batched path (two-bit windows), where the batch fold meets the cases
        // a batch addition cannot take: equal points, opposite points, infinity.
        var k = scalars.Select(Element<Fr>.From).ToArray();
        var g1 = multiples.Select(m => m < 0 ? G1.Generator.Multiply(-m).Negate() : G1.Generator.Multiply(m)).ToArray();
        var g2 = multiples.Select(m => m < 0 ? G2.Generator.Multiply(-m).Negate() : G2.Generator.Multiply(m)).ToArray();
        var expected1 = G1.Infinity;
        var expected2 = G2.Infinity;
        for (var i = 0; i < k.Length; i++)
        {
            expected1 += g1[i].Multiply(scalars[i]);
            expected2 += g2[i].Multiply(scalars[i]);
        }
        foreach (var simd in new[] { false, true })
        {
            Msm.Multiply(g1.Select(p => p.ToAffinePoint()).ToArray(), k, batchAffineFrom: 0, simd).ShouldBe(expected1);
            Msm.Multiply(g2.Select(p => p.ToAffinePoint()).ToArray(), k, batchAffineFrom: 0, simd).ShouldBe(expected2);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(13)]
    [InlineData(127)]
    [InlineData(253)]
    public void An_MSM_of_scalars_below_two_to_the_bits_uses_fewer_windows_and_stays_exact(int bits)
    {
        // The window count follows the largest scalar: all zero, one bit, a window's worth, the high half
        // of a split scalar, and full size.
        var random = new Random(bits);
        var n = 2000;
        var points = Enumerable.Range(0, n).Select(i => G1.Generator.Multiply(i + 1).ToAffinePoint()).ToArray();
        var scalars = Enumerable.Range(0, n).Select(_ => Element<Fr>.From(RandomValues.Below(random, BigInteger.One << bits))).ToArray();
        var expected = G1.Infinity;
        for (var i = 0; i < n; i++)
            expected += G1.From(points[i]).Multiply(scalars[i].ToBigInteger());
        foreach (var simd in new[] { false, true })
            Msm.Multiply(points, scalars, batchAffineFrom: Msm.BatchAffineFrom, simd).ShouldBe(expected);
        Msm.Multiply(points, scalars, batchAffineFrom: int.MaxValue, simd: false).ShouldBe(expected);
        if (bits == 0)
            expected.IsInfinity.ShouldBeTrue();
    }
}
