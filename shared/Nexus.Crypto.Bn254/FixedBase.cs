namespace Nexus.Crypto.Bn254;

/// <summary>
/// k·G for many k and one fixed G (key generation: every query point of a proving key is a multiple of
/// the generator): a table of d·2^(8w)·G for each byte position w and byte d, so one product is 32 mixed
/// additions instead of ~380 doublings and additions. Results come out affine, with one inversion per batch.
/// </summary>
public sealed class FixedBase<F> where F : struct, IField<F>
{
    private const int Bits = 8, Windows = 32, Entries = (1 << Bits) - 1;
    private readonly Affine<F>[] _table;

    public FixedBase(Affine<F> generator)
    {
        if (generator.IsInfinity)
            throw new ArgumentException("the base is the point at infinity");
        var jacobian = new (F X, F Y, F Z)[Windows * Entries];
        (F X, F Y, F Z) windowBase = (generator.X, generator.Y, F.One);
        for (var w = 0; w < Windows; w++)
        {
            var acc = windowBase;
            for (var d = 0; d < Entries; d++)
            {
                jacobian[w * Entries + d] = acc;
                acc = Jacobian<F>.Add(acc.X, acc.Y, acc.Z, windowBase.X, windowBase.Y, windowBase.Z);
            }
            windowBase = acc; // 256·(previous base)
        }
        _table = Jacobian<F>.ToAffineAll(jacobian);
    }

    /// <summary>kᵢ·G for every i, affine ((0, 0) where kᵢ = 0), in parallel.</summary>
    public Affine<F>[] MultiplyAll(ReadOnlySpan<Element<Fr>> scalars)
    {
        var limbs = new (ulong, ulong, ulong, ulong)[scalars.Length];
        for (var i = 0; i < scalars.Length; i++)
            limbs[i] = scalars[i].Canonical();
        var results = new (F X, F Y, F Z)[scalars.Length];
        Parallel.For(0, (scalars.Length + 1023) / 1024, chunk =>
        {
            var end = Math.Min(limbs.Length, (chunk + 1) * 1024);
            for (var i = chunk * 1024; i < end; i++)
            {
                var (l0, l1, l2, l3) = limbs[i];
                (F X, F Y, F Z) acc = (F.One, F.One, F.Zero);
                for (var w = 0; w < Windows; w++)
                {
                    var limb = (w >> 3) switch { 0 => l0, 1 => l1, 2 => l2, _ => l3 };
                    var d = (int)(limb >> ((w & 7) * 8)) & 0xFF;
                    if (d != 0)
                    {
                        var t = _table[w * Entries + d - 1];
                        acc = Jacobian<F>.AddMixed(acc.X, acc.Y, acc.Z, t.X, t.Y);
                    }
                }
                results[i] = acc;
            }
        });
        return Jacobian<F>.ToAffineAll(results);
    }

    public Affine<F> Multiply(Element<Fr> scalar) => MultiplyAll([scalar])[0];
}
