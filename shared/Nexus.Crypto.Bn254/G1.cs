using System.Numerics;

namespace Nexus.Crypto.Bn254;

/// <summary>
/// A point of BN254's G1 (y² = x³ + 3 over Fq) in Jacobian coordinates (x = X/Z², y = Y/Z³; Z = 0 is the
/// point at infinity). Formulas: dbl-2009-l and add-2007-bl (a = 0), from the Explicit-Formulas Database.
/// </summary>
public readonly struct G1 : IEquatable<G1>
{
    private static readonly Element<Fq> B = Element<Fq>.From(3);

    public readonly Element<Fq> X, Y, Z;

    private G1(Element<Fq> x, Element<Fq> y, Element<Fq> z)
    {
        X = x; Y = y; Z = z;
    }

    public static G1 Infinity => new(Element<Fq>.One, Element<Fq>.One, Element<Fq>.Zero);

    /// <summary>The generator (1, 2) that the EVM precompiles and snarkjs use.</summary>
    public static G1 Generator { get; } = new(Element<Fq>.One, Element<Fq>.From(2), Element<Fq>.One);

    public bool IsInfinity => Z.IsZero;

    /// <summary>An affine point, checked to be on the curve.</summary>
    public static G1 FromAffine(Element<Fq> x, Element<Fq> y) => IsOnCurve(x, y)
        ? new G1(x, y, Element<Fq>.One)
        : throw new FormatException("the point is not on the curve y² = x³ + 3");

    public static bool IsOnCurve(Element<Fq> x, Element<Fq> y) => y.Square() == x.Square() * x + B;

    /// <summary>(x, y), or null for the point at infinity.</summary>
    public (Element<Fq> X, Element<Fq> Y)? ToAffine()
    {
        if (IsInfinity)
            return null;
        var zInv = Z.Inverse();
        var zInv2 = zInv.Square();
        return (X * zInv2, Y * zInv2 * zInv);
    }

    public G1 Negate() => new(X, -Y, Z);

    public G1 Double()
    {
        if (IsInfinity || Y.IsZero)
            return Infinity;
        var a = X.Square();
        var b = Y.Square();
        var c = b.Square();
        var d = ((X + b).Square() - a - c).Double();
        var e = a.Double() + a;
        var f = e.Square();
        var x3 = f - d.Double();
        var eightC = c.Double().Double().Double();
        var y3 = e * (d - x3) - eightC;
        var z3 = (Y * Z).Double();
        return new G1(x3, y3, z3);
    }

    public static G1 operator +(in G1 p, in G1 q)
    {
        if (p.IsInfinity)
            return q;
        if (q.IsInfinity)
            return p;
        var z1z1 = p.Z.Square();
        var z2z2 = q.Z.Square();
        var u1 = p.X * z2z2;
        var u2 = q.X * z1z1;
        var s1 = p.Y * q.Z * z2z2;
        var s2 = q.Y * p.Z * z1z1;
        var h = u2 - u1;
        var r = (s2 - s1).Double();
        if (h.IsZero)
            return r.IsZero ? p.Double() : Infinity;
        var i = h.Double().Square();
        var j = h * i;
        var v = u1 * i;
        var x3 = r.Square() - j - v.Double();
        var y3 = r * (v - x3) - (s1 * j).Double();
        var z3 = ((p.Z + q.Z).Square() - z1z1 - z2z2) * h;
        return new G1(x3, y3, z3);
    }

    public static G1 operator -(in G1 p, in G1 q) => p + q.Negate();

    /// <summary>k·P by double-and-add over k mod r (variable time: for public scalars and tests).</summary>
    public G1 Multiply(BigInteger k)
    {
        k = BigInteger.Remainder(k, Element<Fr>.Modulus);
        if (k.Sign < 0)
            k += Element<Fr>.Modulus;
        var result = Infinity;
        for (var i = (int)k.GetBitLength() - 1; i >= 0; i--)
        {
            result = result.Double();
            if (!(k >> i).IsEven)
                result += this;
        }
        return result;
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

    /// <summary>Same point (compares X₁Z₂² = X₂Z₁² and Y₁Z₂³ = Y₂Z₁³).</summary>
    public bool Equals(G1 other)
    {
        if (IsInfinity || other.IsInfinity)
            return IsInfinity && other.IsInfinity;
        var z1z1 = Z.Square();
        var z2z2 = other.Z.Square();
        return X * z2z2 == other.X * z1z1 && Y * z2z2 * other.Z == other.Y * z1z1 * Z;
    }

    public override bool Equals(object? obj) => obj is G1 g && Equals(g);
    public override int GetHashCode() => ToAffine() is { } a ? HashCode.Combine(a.X, a.Y) : 0;
    public static bool operator ==(G1 a, G1 b) => a.Equals(b);
    public static bool operator !=(G1 a, G1 b) => !a.Equals(b);
    public override string ToString() => ToAffine() is { } a ? $"({a.X}, {a.Y})" : "infinity";
}
