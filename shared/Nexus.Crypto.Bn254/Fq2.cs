namespace Nexus.Crypto.Bn254;

/// <summary>Fq2 = Fq[u]/(u² + 1): c0 + c1·u. Karatsuba multiplication (three Fq multiplications).</summary>
public readonly struct Fq2 : IField<Fq2>
{
    public readonly Element<Fq> C0, C1;

    public Fq2(Element<Fq> c0, Element<Fq> c1)
    {
        C0 = c0;
        C1 = c1;
    }

    public static Fq2 Zero => default;
    public static Fq2 One => new(Element<Fq>.One, Element<Fq>.Zero);

    public bool IsZero => C0.IsZero && C1.IsZero;

    public static Fq2 operator +(Fq2 a, Fq2 b) => new(a.C0 + b.C0, a.C1 + b.C1);
    public static Fq2 operator -(Fq2 a, Fq2 b) => new(a.C0 - b.C0, a.C1 - b.C1);
    public static Fq2 operator -(Fq2 a) => new(-a.C0, -a.C1);

    public static Fq2 operator *(Fq2 a, Fq2 b)
    {
        var v0 = a.C0 * b.C0;
        var v1 = a.C1 * b.C1;
        return new Fq2(v0 - v1, (a.C0 + a.C1) * (b.C0 + b.C1) - v0 - v1);
    }

    /// <summary>(a0 + a1·u)² = (a0 + a1)(a0 − a1) + 2·a0·a1·u.</summary>
    public Fq2 Square() => new((C0 + C1) * (C0 - C1), (C0 * C1).Double());

    public Fq2 Double() => new(C0.Double(), C1.Double());

    /// <summary>1/(a0 + a1·u) = (a0 − a1·u)/(a0² + a1²).</summary>
    public Fq2 Inverse()
    {
        var norm = (C0.Square() + C1.Square()).Inverse();
        return new Fq2(C0 * norm, -(C1 * norm));
    }

    public bool Equals(Fq2 other) => C0 == other.C0 && C1 == other.C1;
    public override bool Equals(object? obj) => obj is Fq2 f && Equals(f);
    public override int GetHashCode() => HashCode.Combine(C0, C1);
    public static bool operator ==(Fq2 a, Fq2 b) => a.Equals(b);
    public static bool operator !=(Fq2 a, Fq2 b) => !a.Equals(b);
    public override string ToString() => $"{C0} + {C1}·u";
}
