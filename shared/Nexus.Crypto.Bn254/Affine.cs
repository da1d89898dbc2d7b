namespace Nexus.Crypto.Bn254;

/// <summary>
/// A point in affine coordinates, (0, 0) standing for infinity (never on y² = x³ + b, since b ≠ 0): the
/// form snarkjs stores proving keys in, and the form MSM bases take so bucket additions are mixed.
/// </summary>
public readonly record struct Affine<F>(F X, F Y) where F : struct, IField<F>
{
    public bool IsInfinity => X.IsZero && Y.IsZero;
}
