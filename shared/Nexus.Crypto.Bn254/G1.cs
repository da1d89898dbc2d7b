using System.Numerics;

namespace Nexus.Crypto.Bn254;

/// <summary>A point of BN254's G1 (y² = x³ + 3 over Fq) in Jacobian coordinates (see <see cref="Jacobian{F}"/>).</summary>
public readonly struct G1 : IEquatable<G1>
{
    private static readonly Element<Fq> B = Element<Fq>.From(3);

    public readonly Element<Fq> X, Y, Z;

    internal G1(Element<Fq> x, Element<Fq> y, Element<Fq> z)
    {
        X = x; Y = y; Z = z;
    }

    public static G1 Infinity => new(Element<Fq>.One, Element<Fq>.One, Element<Fq>.Zero);

    /// <summary>The generator (1, 2) that the EVM precompiles and snarkjs use.</summary>
    public static G1 Generator { get; } = new(Element<Fq>.One, Element<Fq>.From(2), Element<Fq>.One);

    public bool IsInfinity => Z.IsZero;

    /// <summary>From an affine point of a proving key ((0, 0) for infinity), assumed on the curve.</summary>
    public static G1 From(Affine<Element<Fq>> p) => p.IsInfinity ? Infinity : new(p.X, p.Y, Element<Fq>.One);

    /// <summary>Affine, (0, 0) for infinity.</summary>
    public Affine<Element<Fq>> ToAffinePoint() => ToAffine() is { } a ? new(a.X, a.Y) : default;

    /// <summary>An affine point, checked to be on the curve.</summary>
    public static G1 FromAffine(Element<Fq> x, Element<Fq> y) => IsOnCurve(x, y)
        ? new G1(x, y, Element<Fq>.One)
        : throw new FormatException("the point is not on the curve y² = x³ + 3");

    public static bool IsOnCurve(Element<Fq> x, Element<Fq> y) => y.Square() == x.Square() * x + B;

    /// <summary>(x, y), or null for the point at infinity.</summary>
    public (Element<Fq> X, Element<Fq> Y)? ToAffine() => Jacobian<Element<Fq>>.ToAffine(X, Y, Z);

    public G1 Negate() => new(X, -Y, Z);

    public G1 Double()
    {
        var (x, y, z) = Jacobian<Element<Fq>>.Double(X, Y, Z);
        return new G1(x, y, z);
    }

    public static G1 operator +(in G1 p, in G1 q)
    {
        var (x, y, z) = Jacobian<Element<Fq>>.Add(p.X, p.Y, p.Z, q.X, q.Y, q.Z);
        return new G1(x, y, z);
    }

    public static G1 operator -(in G1 p, in G1 q) => p + q.Negate();

    /// <summary>This point plus the affine point (x, y) (mixed addition).</summary>
    public G1 AddAffine(Element<Fq> x, Element<Fq> y)
    {
        var (x3, y3, z3) = Jacobian<Element<Fq>>.AddMixed(X, Y, Z, x, y);
        return new G1(x3, y3, z3);
    }

    /// <summary>k·P by double-and-add over k mod r (variable time: for public scalars and tests).</summary>
    public G1 Multiply(BigInteger k)
    {
        k = BigInteger.Remainder(k, Element<Fr>.Modulus);
        if (k.Sign < 0)
            k += Element<Fr>.Modulus;
        var (x, y, z) = Jacobian<Element<Fq>>.Multiply(X, Y, Z, k);
        return new G1(x, y, z);
    }

    /// <summary>The EVM precompiles' encoding: x ‖ y, 32 bytes each, big-endian; all zeros for infinity.</summary>
    public byte[] ToEvmBytes()
    {
        var bytes = new byte[64];
        if (ToAffine() is { } a)
        {
            a.X.Write(bytes);
            a.Y.Write(bytes.AsSpan(32));
        }
        return bytes;
    }

    /// <summary>Reads the EVM encoding: canonical coordinates on the curve, or all zeros for infinity.</summary>
    public static G1 FromEvmBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 64)
            throw new FormatException("a G1 point is 64 bytes (x ‖ y)");
        if (!bytes.ContainsAnyExcept((byte)0))
            return Infinity;
        return FromAffine(Element<Fq>.Read(bytes[..32]), Element<Fq>.Read(bytes[32..]));
    }

    public bool Equals(G1 other) => Jacobian<Element<Fq>>.Same(X, Y, Z, other.X, other.Y, other.Z);

    public override bool Equals(object? obj) => obj is G1 g && Equals(g);
    public override int GetHashCode() => ToAffine() is { } a ? HashCode.Combine(a.X, a.Y) : 0;
    public static bool operator ==(G1 a, G1 b) => a.Equals(b);
    public static bool operator !=(G1 a, G1 b) => !a.Equals(b);
    public override string ToString() => ToAffine() is { } a ? $"({a.X}, {a.Y})" : "infinity";
}
