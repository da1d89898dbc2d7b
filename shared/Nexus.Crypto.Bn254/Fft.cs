using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nexus.Crypto.Bn254;

/// <summary>
/// Radix-2 number-theoretic transforms over Fr (2-adicity 28, so sizes up to 2²⁸): evaluation on the
/// subgroup of n-th roots of unity, its inverse, and on a coset g·H (the shift Groth16 uses to divide
/// by the vanishing polynomial). Iterative, in place, bit-reversed input order; the butterflies of a
/// stage run in parallel chunks once the transform is large enough, eight at a time on AVX-512.
/// </summary>
public static class Fft
{
    public const int MaxLog2 = 28;

    /// <summary>5 generates Fr's multiplicative group; 5^((r−1)/2²⁸) is a primitive 2²⁸-th root of unity.</summary>
    public static readonly Element<Fr> MultiplicativeGenerator = Element<Fr>.From(5);

    private static readonly Element<Fr> RootOfUnity2Pow28 =
        Element<Fr>.From(BigInteger.Parse("19103219067921713944291392827692070036145651957329286315305642004821462161904"));

    /// <summary>A primitive n-th root of unity for n = 2^log2n.</summary>
    public static Element<Fr> Root(int log2n)
    {
        if (log2n is < 0 or > MaxLog2)
            throw new ArgumentOutOfRangeException(nameof(log2n), $"sizes up to 2^{MaxLog2}");
        var w = RootOfUnity2Pow28;
        for (var i = log2n; i < MaxLog2; i++)
            w = w.Square();
        return w;
    }

    /// <summary>Coefficients → evaluations at ω⁰..ωⁿ⁻¹ (in place; length a power of two).</summary>
    public static void Forward(Span<Element<Fr>> values) => Transform(values, Root(Log2(values.Length)));

    /// <summary>Evaluations at ω⁰..ωⁿ⁻¹ → coefficients (in place).</summary>
    public static void Inverse(Span<Element<Fr>> values) => InverseTimesPowers(values, Element<Fr>.One);

    /// <summary>Coefficients → evaluations at shift·ωⁱ (multiply coefficient i by shiftⁱ, then transform).</summary>
    public static void ForwardOnCoset(Span<Element<Fr>> values, Element<Fr> shift)
    {
        Scale(values, Element<Fr>.One, shift);
        Forward(values);
    }

    /// <summary>Evaluations at shift·ωⁱ → coefficients.</summary>
    public static void InverseOnCoset(Span<Element<Fr>> values, Element<Fr> shift) => InverseTimesPowers(values, shift.Inverse());

    /// <summary>
    /// Evaluations on the subgroup → evaluations on the coset shift·H (<see cref="Inverse"/> then
    /// <see cref="ForwardOnCoset"/>, with the 1/n scaling and the coset's powers in one pass).
    /// </summary>
    public static void ToCoset(Span<Element<Fr>> values, Element<Fr> shift)
    {
        InverseTimesPowers(values, shift);
        Forward(values);
    }

    /// <summary>The inverse transform, then coefficient i times ratioⁱ (with the 1/n scaling, one pass).</summary>
    private static void InverseTimesPowers(Span<Element<Fr>> values, Element<Fr> ratio)
    {
        Transform(values, Root(Log2(values.Length)).Inverse());
        Scale(values, Element<Fr>.From((ulong)values.Length).Inverse(), ratio);
    }

    /// <summary>values[i] *= first·ratioⁱ, eight at a time on AVX-512 (the powers advanced by ratio⁸ in vector form).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scale(Span<Element<Fr>> values, Element<Fr> first, Element<Fr> ratio)
    {
        var i = 0;
        var power = first;
        if (VectorField<Fr>.IsSupported && UseSimd && values.Length >= 2 * VectorField<Fr>.Lanes)
        {
            Span<Element<Fr>> powers = stackalloc Element<Fr>[VectorField<Fr>.Lanes];
            for (var lane = 0; lane < powers.Length; lane++, power *= ratio)
                powers[lane] = VectorField<Fr>.ToVectorForm(power);
            // power is now first·ratio⁸; the step is ratio⁸.
            var step = ratio.Pow(VectorField<Fr>.Lanes);
            Span<Element<Fr>> steps = stackalloc Element<Fr>[VectorField<Fr>.Lanes];
            steps.Fill(VectorField<Fr>.ToVectorForm(step));
            VectorField<Fr>.Load(powers, out var p);
            VectorField<Fr>.Load(steps, out var s);
            for (; i + VectorField<Fr>.Lanes <= values.Length; i += VectorField<Fr>.Lanes)
            {
                var eight = values.Slice(i, VectorField<Fr>.Lanes);
                VectorField<Fr>.Load(eight, out var v);
                VectorField<Fr>.Multiply(v, p, out v);    // normal × vector form → normal form
                VectorField<Fr>.Store(v, eight);
                VectorField<Fr>.Multiply(p, s, out p);    // vector × vector → vector form
            }
            VectorField<Fr>.Store(p, powers);
            power = VectorField<Fr>.FromVectorForm(powers[0]);
        }
        for (; i < values.Length; i++, power *= ratio)
            values[i] *= power;
    }

    private static int Log2(int n)
    {
        if (n <= 0 || (n & (n - 1)) != 0)
            throw new ArgumentException($"length {n} is not a power of two");
        return BitOperations.Log2((uint)n);
    }

    private static void Transform(Span<Element<Fr>> a, Element<Fr> omega)
    {
        var n = a.Length;
        if (n == 1)
            return;
        var log2n = BitOperations.Log2((uint)n);
        for (var i = 0; i < n; i++)
        {
            var j = (int)(ReverseBits((uint)i) >> (32 - log2n));
            if (i < j)
                (a[i], a[j]) = (a[j], a[i]);
        }

        // Twiddles for the largest stage; stage m uses every (n/m)-th one. On AVX-512 they are in vector
        // form (a normal-form value times a vector-form one is normal form again): the chain starts at
        // 1 in vector form and each scalar multiplication by ω keeps that form.
        var simd = VectorField<Fr>.IsSupported && UseSimd;
        var twiddles = new Element<Fr>[n / 2];
        twiddles[0] = simd ? VectorField<Fr>.ToVectorForm(Element<Fr>.One) : Element<Fr>.One;
        for (var i = 1; i < twiddles.Length; i++)
            twiddles[i] = twiddles[i - 1] * omega;

        var array = a.ToArray();
        var stageTwiddles = new Element<Fr>[n / 2];
        for (var m = 2; m <= n; m <<= 1)
        {
            var half = m / 2;
            var stride = n / m;
            for (var j = 0; j < half; j++)
                stageTwiddles[j] = twiddles[j * stride];
            // Stages of fewer than eight butterflies per block run on the scalar code, in normal form.
            if (simd && half < VectorField<Fr>.Lanes)
                for (var j = 0; j < half; j++)
                    stageTwiddles[j] = VectorField<Fr>.FromVectorForm(stageTwiddles[j]);
            // The stage's n/2 butterflies in chunks (of one block or part of one), so the last stages,
            // with few big blocks, also spread over the cores.
            var chunk = Math.Min(half, ChunkButterflies);
            var chunksPerBlock = half / chunk;
            var chunks = n / m * chunksPerBlock;
            var tw = stageTwiddles;
            void Run(int c)
            {
                var k = c / chunksPerBlock * m;
                var j0 = c % chunksPerBlock * chunk;
                Butterflies(array, tw, k, half, j0, j0 + chunk, simd);
            }
            if (n >= 1 << 14 && chunks >= 2)
                Parallel.For(0, chunks, Run);
            else
                for (var c = 0; c < chunks; c++)
                    Run(c);
        }
        array.CopyTo(a);
    }

    private const int ChunkButterflies = 2048;

    /// <summary>Butterflies j ∈ [from, to) of the block at k: (u, v) → (u + w·v, u − w·v); eight at a time on AVX-512.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Butterflies(Element<Fr>[] a, Element<Fr>[] twiddles, int k, int half, int from, int to, bool simd)
    {
        var j = from;
        if (simd && half >= VectorField<Fr>.Lanes)
        {
            for (; j + VectorField<Fr>.Lanes <= to; j += VectorField<Fr>.Lanes)
            {
                var upper = a.AsSpan(k + j, VectorField<Fr>.Lanes);
                var lower = a.AsSpan(k + j + half, VectorField<Fr>.Lanes);
                VectorField<Fr>.Load(upper, out var u);
                VectorField<Fr>.Load(lower, out var v);
                VectorField<Fr>.Load(twiddles.AsSpan(j, VectorField<Fr>.Lanes), out var w);
                VectorField<Fr>.Multiply(w, v, out var t);
                VectorField<Fr>.Add(u, t, out var sum);
                VectorField<Fr>.Subtract(u, t, out var difference);
                VectorField<Fr>.Store(sum, upper);
                VectorField<Fr>.Store(difference, lower);
            }
        }
        for (; j < to; j++)
        {
            var t = twiddles[j] * a[k + j + half];
            var u = a[k + j];
            a[k + j] = u + t;
            a[k + j + half] = u - t;
        }
    }

    /// <summary>Whether butterflies run on AVX-512 where the CPU has it (benchmarks turn it off to compare).</summary>
    public static bool UseSimd { get; set; } = true;

    private static uint ReverseBits(uint v)
    {
        v = ((v >> 1) & 0x55555555) | ((v & 0x55555555) << 1);
        v = ((v >> 2) & 0x33333333) | ((v & 0x33333333) << 2);
        v = ((v >> 4) & 0x0F0F0F0F) | ((v & 0x0F0F0F0F) << 4);
        v = ((v >> 8) & 0x00FF00FF) | ((v & 0x00FF00FF) << 8);
        return (v >> 16) | (v << 16);
    }
}
