using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nexus.Crypto.Bn254;

/// <summary>
/// Field inversion by Kaliski's almost-Montgomery inverse (a binary extended GCD on the 4-limb values,
/// shifting by whole runs of zero bits at once): about 5× faster than Fermat's a^(p−2), and one
/// inversion per batch of affine additions is on the MSM's hot path. The result a⁻¹·2ᵏ is corrected by
/// one Montgomery multiplication with a precomputed R³·2⁻ᵏ. Variable time: the prover's data only.
/// </summary>
internal static class Inversion<M> where M : struct, IModulus
{
    // k is between the bit length of p and twice it.
    private static readonly Element<M>[] Fix = BuildFix();

    private static Element<M>[] BuildFix()
    {
        var p = Element<M>.Modulus;
        var r = BigInteger.One << 256;
        var r3 = BigInteger.ModPow(r, 3, p);
        var halfInv = (p + 1) / 2; // 2⁻¹ mod p
        var table = new Element<M>[2 * 256 + 2];
        var c = r3 % p;
        for (var k = 0; k < table.Length; k++)
        {
            table[k] = Element<M>.Raw(c);
            c = c * halfInv % p;
        }
        return table;
    }


    /// <summary>x⁻¹ for x ≠ 0 (in Montgomery form, like x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Element<M> Invert(Element<M> x)
    {
        // The raw limbs X = x·R as an integer; Y = X⁻¹·2ᵏ; Y·(R³·2⁻ᵏ)·R⁻¹ = x⁻¹·R.
        ulong u0 = M.P0, u1 = M.P1, u2 = M.P2, u3 = M.P3;
        ulong v0 = x.L0, v1 = x.L1, v2 = x.L2, v3 = x.L3;
        ulong r0 = 0, r1 = 0, r2 = 0, r3 = 0;
        ulong s0 = 1, s1 = 0, s2 = 0, s3 = 0;
        var k = 0;
        while ((v0 | v1 | v2 | v3) != 0)
        {
            if ((u0 & 1) == 0)
            {
                var tz = TrailingZeros(u0, u1, u2, u3);
                ShiftRight(ref u0, ref u1, ref u2, ref u3, tz);
                ShiftLeft(ref s0, ref s1, ref s2, ref s3, tz);
                k += tz;
            }
            else if ((v0 & 1) == 0)
            {
                var tz = TrailingZeros(v0, v1, v2, v3);
                ShiftRight(ref v0, ref v1, ref v2, ref v3, tz);
                ShiftLeft(ref r0, ref r1, ref r2, ref r3, tz);
                k += tz;
            }
            else if (Greater(u0, u1, u2, u3, v0, v1, v2, v3))
            {
                Sub(ref u0, ref u1, ref u2, ref u3, v0, v1, v2, v3);
                ShiftRight(ref u0, ref u1, ref u2, ref u3, 1);
                Add(ref r0, ref r1, ref r2, ref r3, s0, s1, s2, s3);
                ShiftLeft(ref s0, ref s1, ref s2, ref s3, 1);
                k++;
            }
            else
            {
                Sub(ref v0, ref v1, ref v2, ref v3, u0, u1, u2, u3);
                ShiftRight(ref v0, ref v1, ref v2, ref v3, 1);
                Add(ref s0, ref s1, ref s2, ref s3, r0, r1, r2, r3);
                ShiftLeft(ref r0, ref r1, ref r2, ref r3, 1);
                k++;
            }
        }
        // r < 2p: reduce once, then Y = p − r.
        if (!Greater(M.P0, M.P1, M.P2, M.P3, r0, r1, r2, r3))
            Sub(ref r0, ref r1, ref r2, ref r3, M.P0, M.P1, M.P2, M.P3);
        ulong y0 = M.P0, y1 = M.P1, y2 = M.P2, y3 = M.P3;
        Sub(ref y0, ref y1, ref y2, ref y3, r0, r1, r2, r3);
        return new Element<M>(y0, y1, y2, y3) * Fix[k];
    }

    private static int TrailingZeros(ulong a0, ulong a1, ulong a2, ulong a3) =>
        a0 != 0 ? BitOperations.TrailingZeroCount(a0)
        : a1 != 0 ? 64 + BitOperations.TrailingZeroCount(a1)
        : a2 != 0 ? 128 + BitOperations.TrailingZeroCount(a2)
        : 192 + BitOperations.TrailingZeroCount(a3);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ShiftRight(ref ulong a0, ref ulong a1, ref ulong a2, ref ulong a3, int n)
    {
        while (n >= 64)
        {
            (a0, a1, a2, a3) = (a1, a2, a3, 0);
            n -= 64;
        }
        if (n == 0)
            return;
        a0 = (a0 >> n) | (a1 << (64 - n));
        a1 = (a1 >> n) | (a2 << (64 - n));
        a2 = (a2 >> n) | (a3 << (64 - n));
        a3 >>= n;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ShiftLeft(ref ulong a0, ref ulong a1, ref ulong a2, ref ulong a3, int n)
    {
        while (n >= 64)
        {
            (a0, a1, a2, a3) = (0, a0, a1, a2);
            n -= 64;
        }
        if (n == 0)
            return;
        a3 = (a3 << n) | (a2 >> (64 - n));
        a2 = (a2 << n) | (a1 >> (64 - n));
        a1 = (a1 << n) | (a0 >> (64 - n));
        a0 <<= n;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Greater(ulong a0, ulong a1, ulong a2, ulong a3, ulong b0, ulong b1, ulong b2, ulong b3) =>
        a3 != b3 ? a3 > b3 : a2 != b2 ? a2 > b2 : a1 != b1 ? a1 > b1 : a0 > b0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Sub(ref ulong a0, ref ulong a1, ref ulong a2, ref ulong a3, ulong b0, ulong b1, ulong b2, ulong b3)
    {
        var d0 = a0 - b0;
        var borrow = a0 < b0 ? 1UL : 0UL;
        var d1 = a1 - b1 - borrow;
        borrow = (a1 < b1 || (a1 == b1 && borrow == 1)) ? 1UL : 0UL;
        var d2 = a2 - b2 - borrow;
        borrow = (a2 < b2 || (a2 == b2 && borrow == 1)) ? 1UL : 0UL;
        a3 = a3 - b3 - borrow;
        (a0, a1, a2) = (d0, d1, d2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(ref ulong a0, ref ulong a1, ref ulong a2, ref ulong a3, ulong b0, ulong b1, ulong b2, ulong b3)
    {
        var s0 = a0 + b0;
        var carry = s0 < a0 ? 1UL : 0UL;
        var s1 = a1 + b1 + carry;
        carry = (s1 < a1 || (s1 == a1 && carry == 1)) ? 1UL : 0UL;
        var s2 = a2 + b2 + carry;
        carry = (s2 < a2 || (s2 == a2 && carry == 1)) ? 1UL : 0UL;
        a3 = a3 + b3 + carry;
        (a0, a1, a2) = (s0, s1, s2);
    }
}
