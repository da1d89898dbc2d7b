namespace Nexus.Crypto.Bn254;

/// <summary>What the curve formulas need from a field (Fq for G1, Fq2 for G2).</summary>
public interface IField<T> : IEquatable<T> where T : struct, IField<T>
{
    static abstract T Zero { get; }
    static abstract T One { get; }
    static abstract T operator +(T a, T b);
    static abstract T operator -(T a, T b);
    static abstract T operator *(T a, T b);
    static abstract T operator -(T a);
    bool IsZero { get; }
    T Square();
    T Double();
    T Inverse();
}

/// <summary>Montgomery's trick over any field: many inversions for one.</summary>
internal static class FieldBatch
{
    /// <summary>Inverts every value in place with one inversion; none may be zero.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Invert<F>(Span<F> values) where F : struct, IField<F>
    {
        if (values.Length == 0)
            return;
        var prefix = new F[values.Length];
        var acc = F.One;
        for (var i = 0; i < values.Length; i++)
        {
            prefix[i] = acc;
            acc *= values[i];
        }
        var inv = acc.Inverse();
        for (var i = values.Length - 1; i >= 0; i--)
        {
            var v = values[i];
            values[i] = inv * prefix[i];
            inv *= v;
        }
    }
}

/// <summary>
/// Jacobian point arithmetic for y² = x³ + b (a = 0) over any field: (X, Y, Z) stands for
/// (X/Z², Y/Z³), Z = 0 for the point at infinity. dbl-2009-l and add-2007-bl (Explicit-Formulas Database).
/// </summary>
internal static class Jacobian<F> where F : struct, IField<F>
{
    public static (F X, F Y, F Z) Double(F x, F y, F z)
    {
        if (z.IsZero || y.IsZero)
            return (F.One, F.One, F.Zero);
        var a = x.Square();
        var b = y.Square();
        var c = b.Square();
        var d = ((x + b).Square() - a - c).Double();
        var e = a.Double() + a;
        var x3 = e.Square() - d.Double();
        var y3 = e * (d - x3) - c.Double().Double().Double();
        var z3 = (y * z).Double();
        return (x3, y3, z3);
    }

    public static (F X, F Y, F Z) Add(F x1, F y1, F z1, F x2, F y2, F z2)
    {
        if (z1.IsZero)
            return (x2, y2, z2);
        if (z2.IsZero)
            return (x1, y1, z1);
        var z1z1 = z1.Square();
        var z2z2 = z2.Square();
        var u1 = x1 * z2z2;
        var u2 = x2 * z1z1;
        var s1 = y1 * z2 * z2z2;
        var s2 = y2 * z1 * z1z1;
        var h = u2 - u1;
        var r = (s2 - s1).Double();
        if (h.IsZero)
            return r.IsZero ? Double(x1, y1, z1) : (F.One, F.One, F.Zero);
        var i = h.Double().Square();
        var j = h * i;
        var v = u1 * i;
        var x3 = r.Square() - j - v.Double();
        var y3 = r * (v - x3) - (s1 * j).Double();
        var z3 = ((z1 + z2).Square() - z1z1 - z2z2) * h;
        return (x3, y3, z3);
    }

    /// <summary>Jacobian + affine (madd-2007-bl: 7M + 4S instead of 11M + 5S), for MSM buckets over affine bases.</summary>
    public static (F X, F Y, F Z) AddMixed(F x1, F y1, F z1, F x2, F y2)
    {
        if (z1.IsZero)
            return (x2, y2, F.One);
        var z1z1 = z1.Square();
        var u2 = x2 * z1z1;
        var s2 = y2 * z1 * z1z1;
        var h = u2 - x1;
        var r = (s2 - y1).Double();
        if (h.IsZero)
            return r.IsZero ? Double(x1, y1, z1) : (F.One, F.One, F.Zero);
        var hh = h.Square();
        var i = hh.Double().Double();
        var j = h * i;
        var v = x1 * i;
        var x3 = r.Square() - j - v.Double();
        var y3 = r * (v - x3) - (y1 * j).Double();
        var z3 = (z1 + h).Square() - z1z1 - hh;
        return (x3, y3, z3);
    }

    /// <summary>k·(x, y, z) for k ≥ 0 by double-and-add, most significant bit first (variable time in k).</summary>
    public static (F X, F Y, F Z) Multiply(F x, F y, F z, System.Numerics.BigInteger k)
    {
        (F X, F Y, F Z) result = (F.One, F.One, F.Zero);
        for (var i = (int)k.GetBitLength() - 1; i >= 0; i--)
        {
            result = Double(result.X, result.Y, result.Z);
            if (!(k >> i).IsEven)
                result = Add(result.X, result.Y, result.Z, x, y, z);
        }
        return result;
    }

    /// <summary>Same point: X₁Z₂² = X₂Z₁² and Y₁Z₂³ = Y₂Z₁³.</summary>
    public static bool Same(F x1, F y1, F z1, F x2, F y2, F z2)
    {
        if (z1.IsZero || z2.IsZero)
            return z1.IsZero && z2.IsZero;
        var z1z1 = z1.Square();
        var z2z2 = z2.Square();
        return (x1 * z2z2).Equals(x2 * z1z1) && (y1 * z2z2 * z2).Equals(y2 * z1z1 * z1);
    }

    /// <summary>Jacobian → affine for many points with one inversion (Montgomery's trick); infinity → (0, 0).</summary>
    public static Affine<F>[] ToAffineAll(ReadOnlySpan<(F X, F Y, F Z)> points)
    {
        var n = points.Length;
        var prefix = new F[n];
        var acc = F.One;
        for (var i = 0; i < n; i++)
        {
            prefix[i] = acc;
            if (!points[i].Z.IsZero)
                acc *= points[i].Z;
        }
        var inv = acc.Inverse();
        var result = new Affine<F>[n];
        for (var i = n - 1; i >= 0; i--)
        {
            var z = points[i].Z;
            if (z.IsZero)
                continue;
            var zInv = inv * prefix[i];
            inv *= z;
            var zInv2 = zInv.Square();
            result[i] = new Affine<F>(points[i].X * zInv2, points[i].Y * zInv2 * zInv);
        }
        return result;
    }

    public static (F X, F Y)? ToAffine(F x, F y, F z)
    {
        if (z.IsZero)
            return null;
        var zInv = z.Inverse();
        var zInv2 = zInv.Square();
        return (x * zInv2, y * zInv2 * zInv);
    }
}
