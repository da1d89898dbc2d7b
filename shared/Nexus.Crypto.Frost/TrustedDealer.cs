using System.Security.Cryptography;
using NBitcoin.Secp256k1;
using static Nexus.Crypto.Frost.Ciphersuite;

namespace Nexus.Crypto.Frost;

/// <summary>The dealer's output: the group key, every participant's package and the VSS commitment.</summary>
public sealed record DealtKeys(GE GroupPublicKey, IReadOnlyList<KeyPackage> Packages, IReadOnlyList<GE> VssCommitment);

/// <summary>
/// Trusted-dealer key generation (RFC 9591 Appendix C): Shamir shares of a secret with a
/// Feldman VSS commitment so each participant can check its share. For tests and local
/// development — one machine sees the group secret; real committees use a DKG.
/// </summary>
public static class TrustedDealer
{
    public static DealtKeys Deal(int maxSigners, int minSigners) => Deal(RandomScalar(), Enumerable.Range(0, minSigners - 1).Select(_ => RandomScalar()).ToList(), maxSigners, minSigners);

    /// <summary>Deterministic form (test vectors): the secret and the polynomial's other coefficients are given.</summary>
    public static DealtKeys Deal(Scalar secret, IReadOnlyList<Scalar> coefficients, int maxSigners, int minSigners)
    {
        if (minSigners < 2 || maxSigners < minSigners || maxSigners > ushort.MaxValue)
            throw new FrostException($"need 2 ≤ t ≤ n, got t = {minSigners}, n = {maxSigners}");
        if (coefficients.Count != minSigners - 1)
            throw new FrostException($"a degree-{minSigners - 1} polynomial has {minSigners - 1} coefficients besides the secret");
        Scalar[] polynomial = [secret, .. coefficients];
        var vss = polynomial.Select(c => Frost.BaseMult(c)).ToList();
        var groupKey = vss[0];
        if (groupKey.IsInfinity)
            throw new FrostException("the group secret is zero");
        var packages = Enumerable.Range(1, maxSigners).Select(i =>
        {
            var id = new Identifier((ushort)i);
            var share = Evaluate(polynomial, id.Value);
            return new KeyPackage(id, share, Frost.BaseMult(share), groupKey, minSigners);
        }).ToList();
        return new DealtKeys(groupKey, packages, vss);
    }

    /// <summary>Feldman check of a share against the dealer's commitment: G·s_i = Σ C_j·i^j.</summary>
    public static bool VerifyShare(KeyPackage package, IReadOnlyList<GE> vssCommitment)
    {
        var expected = GEJ.Infinity;
        var power = Scalar.One;
        foreach (var c in vssCommitment)
        {
            expected = expected.AddVariable(Frost.Mult(c, power).ToGroupElement());
            power = power.Multiply(package.Id.Value);
        }
        var derived = expected.ToGroupElement();
        return Frost.Same(derived, Frost.BaseMult(package.SigningShare)) && Frost.Same(derived, package.VerifyingShare)
            && Frost.Same(vssCommitment[0], package.GroupPublicKey);
    }

    /// <summary>Recovers the secret from at least t shares (tests only: no protocol step needs it).</summary>
    public static Scalar Reconstruct(IReadOnlyList<KeyPackage> packages)
    {
        var ids = packages.Select(p => p.Id).ToList(); // Lagrange refuses duplicates
        var secret = Scalar.Zero;
        foreach (var p in packages)
            secret = secret.Add(Frost.Lagrange(p.Id, ids).Multiply(p.SigningShare));
        return secret;
    }

    private static Scalar Evaluate(Scalar[] polynomial, Scalar x)
    {
        var value = Scalar.Zero;
        for (var i = polynomial.Length - 1; i >= 0; i--)
            value = value.Multiply(x).Add(polynomial[i]);
        return value;
    }

    internal static Scalar RandomScalar()
    {
        Span<byte> bytes = stackalloc byte[ScalarSize];
        while (true)
        {
            RandomNumberGenerator.Fill(bytes);
            var s = new Scalar(bytes, out var overflow);
            if (overflow == 0 && !s.IsZero)
                return s;
        }
    }
}
