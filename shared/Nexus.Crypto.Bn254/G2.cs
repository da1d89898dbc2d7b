using System.Numerics;

namespace Nexus.Crypto.Bn254;

/// <summary>
/// A point of BN254's G2: the sextic twist y² = x³ + 3/(9 + u) over Fq2, in Jacobian coordinates
/// (see <see cref="Jacobian{F}"/>). The twist has points outside the order-r subgroup, so decoding
/// untrusted bytes checks subgroup membership too.
/// </summary>
public readonly struct G2 : IEquatable<G2>
{
    /// <summary>b' = 3/(9 + u).</summary>
    public static readonly Fq2 B = new Fq2(Element<Fq>.From(3), Element<Fq>.Zero) * new Fq2(Element<Fq>.From(9), Element<Fq>.One).Inverse();

    public readonly Fq2 X, Y, Z;

    internal G2(Fq2 x, Fq2 y, Fq2 z)
    {
        X = x; Y = y; Z = z;
    }

    public static G2 Infinity => new(Fq2.One, Fq2.One, Fq2.Zero);

    /// <summary>The generator of EIP-197 and snarkjs.</summary>
    public static G2 Generator { get; } = FromAffine(
        new Fq2(Element<Fq>.From(BigInteger.Parse("10857046999023057135944570762232829481370756359578518086990519993285655852781")),
                Element<Fq>.From(BigInteger.Parse("11559732032986387107991004021392285783925812861821192530917403151452391805634"))),
        new Fq2(Element<Fq>.From(BigInteger.Parse("8495653923123431417604973247489272438418190587263600148770280649306958101930")),
                Element<Fq>.From(BigInteger.Parse("4082367875863433681332203403145435568316851327593401208105741076214120093531"))));

    public bool IsInfinity => Z.IsZero;

    /// <summary>From an affine point of a proving key ((0, 0) for infinity), assumed on the twist.</summary>
    public static G2 From(Affine<Fq2> p) => p.IsInfinity ? Infinity : new(p.X, p.Y, Fq2.One);

    /// <summary>Affine, (0, 0) for infinity.</summary>
    public Affine<Fq2> ToAffinePoint() => ToAffine() is { } a ? new(a.X, a.Y) : default;

    public static bool IsOnCurve(Fq2 x, Fq2 y) => y.Square() == x.Square() * x + B;

    public static G2 FromAffine(Fq2 x, Fq2 y) => IsOnCurve(x, y)
        ? new G2(x, y, Fq2.One)
        : throw new FormatException("the point is not on the twist y² = x³ + 3/(9+u)");

    public (Fq2 X, Fq2 Y)? ToAffine() => Jacobian<Fq2>.ToAffine(X, Y, Z);

    public G2 Negate() => new(X, -Y, Z);

    public G2 Double()
    {
        var (x, y, z) = Jacobian<Fq2>.Double(X, Y, Z);
        return new G2(x, y, z);
    }

    public static G2 operator +(in G2 p, in G2 q)
    {
        var (x, y, z) = Jacobian<Fq2>.Add(p.X, p.Y, p.Z, q.X, q.Y, q.Z);
        return new G2(x, y, z);
    }

    /// <summary>k·P by double-and-add (variable time; k is not reduced, so r·P tests the subgroup).</summary>
    public G2 Multiply(BigInteger k)
    {
        if (k.Sign < 0)
            return Negate().Multiply(-k);
        var (x, y, z) = Jacobian<Fq2>.Multiply(X, Y, Z, k);
        return new G2(x, y, z);
    }

    public bool IsInSubgroup => Multiply(Element<Fr>.Modulus).IsInfinity;

    /// <summary>The EVM pairing precompile's encoding: x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0 (imaginary part first), all zeros for infinity.</summary>
    public byte[] ToEvmBytes()
    {
        var bytes = new byte[128];
        if (ToAffine() is { } a)
        {
            a.X.C1.Write(bytes);
            a.X.C0.Write(bytes.AsSpan(32));
            a.Y.C1.Write(bytes.AsSpan(64));
            a.Y.C0.Write(bytes.AsSpan(96));
        }
        return bytes;
    }

    /// <summary>
    /// Reads the EVM encoding: canonical coordinates, on the twist and (unless <paramref name="checkSubgroup"/>
    /// is false, for sums a trusted party computed: the check is a multiplication by r) in the order-r subgroup.
    /// </summary>
    public static G2 FromEvmBytes(ReadOnlySpan<byte> bytes, bool checkSubgroup = true)
    {
        if (bytes.Length != 128)
            throw new FormatException("a G2 point is 128 bytes (x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0)");
        if (!bytes.ContainsAnyExcept((byte)0))
            return Infinity;
        var point = FromAffine(new Fq2(Element<Fq>.Read(bytes[32..64]), Element<Fq>.Read(bytes[..32])),
            new Fq2(Element<Fq>.Read(bytes[96..]), Element<Fq>.Read(bytes[64..96])));
        return !checkSubgroup || point.IsInSubgroup ? point : throw new FormatException("the point is on the twist but not in the order-r subgroup");
    }

    public bool Equals(G2 other) => Jacobian<Fq2>.Same(X, Y, Z, other.X, other.Y, other.Z);
    public override bool Equals(object? obj) => obj is G2 g && Equals(g);
    public override int GetHashCode() => ToAffine() is { } a ? HashCode.Combine(a.X, a.Y) : 0;
    public static bool operator ==(G2 a, G2 b) => a.Equals(b);
    public static bool operator !=(G2 a, G2 b) => !a.Equals(b);
}
