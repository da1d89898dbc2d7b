using System.Numerics;

namespace Nexus.Crypto.Bn254.Tests;

/// <summary>Reproducible random field values for the property tests.</summary>
internal static class RandomValues
{
    /// <summary>A uniform-ish value in [0, <paramref name="modulus"/>) from 256 random bits.</summary>
    public static BigInteger Below(Random random, BigInteger modulus)
    {
        var bytes = new byte[33];
        random.NextBytes(bytes);
        bytes[32] = 0;
        return new BigInteger(bytes) % modulus;
    }

    public static Element<Fr> Fr(Random random) => Element<Fr>.From(Below(random, Element<Fr>.Modulus));

    public static Fq2 Fq2(Random random) =>
        new(Element<Fq>.From(Below(random, Element<Fq>.Modulus)), Element<Fq>.From(Below(random, Element<Fq>.Modulus)));
}
