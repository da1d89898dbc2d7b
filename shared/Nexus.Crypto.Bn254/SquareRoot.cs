using System.Numerics;

namespace Nexus.Crypto.Bn254;

/// <summary>
/// Square roots in a prime field by Tonelli–Shanks: p − 1 = 2ˢ·t with t odd, z a quadratic non-residue.
/// For Fq (p ≡ 3 mod 4, s = 1) this is a^((p+1)/4); for Fr (s = 28) the full loop. Variable time.
/// </summary>
internal static class SquareRoot<M> where M : struct, IModulus
{
    private static readonly int S;
    private static readonly BigInteger T;
    private static readonly Element<M> Z;

    static SquareRoot()
    {
        var p = Element<M>.Modulus;
        var pm1 = p - 1;
        while (pm1.IsEven)
        {
            pm1 >>= 1;
            S++;
        }
        T = pm1;
        // The smallest non-residue: Euler's criterion z^((p−1)/2) = −1.
        for (ulong candidate = 2; ; candidate++)
        {
            var z = Element<M>.From(candidate);
            if (z.Pow((p - 1) / 2) == -Element<M>.One)
            {
                Z = z;
                break;
            }
        }
    }

    public static bool TrySqrt(Element<M> a, out Element<M> root)
    {
        root = Element<M>.Zero;
        if (a.IsZero)
            return true;
        var c = Z.Pow(T);
        var x = a.Pow((T + 1) / 2);
        var b = a.Pow(T);
        var m = S;
        while (b != Element<M>.One)
        {
            // The least i with b^(2^i) = 1; none below m means a is not a square.
            var i = 0;
            var b2 = b;
            while (b2 != Element<M>.One)
            {
                b2 = b2.Square();
                if (++i == m)
                    return false;
            }
            var factor = c;
            for (var j = 0; j < m - i - 1; j++)
                factor = factor.Square();
            x *= factor;
            c = factor.Square();
            b *= c;
            m = i;
        }
        root = x;
        return true;
    }
}
