using NBitcoin.Secp256k1;
using static Nexus.Crypto.Frost.Ciphersuite;

namespace Nexus.Crypto.Frost;

/// <summary>Round-one broadcast: the Feldman commitment to a participant's polynomial and a proof that it knows the constant term.</summary>
public sealed record DkgRound1Package(Identifier Id, IReadOnlyList<GE> Commitment, GE ProofR, Scalar ProofZ);

/// <summary>A participant's DKG secrets between rounds (its polynomial). Cleared when <see cref="Dkg.Finish"/> runs.</summary>
public sealed class DkgSecret
{
    private readonly Scalar[] _coefficients;

    internal DkgSecret(Identifier id, Scalar[] coefficients, int maxSigners, byte[] session)
    {
        Id = id;
        _coefficients = coefficients;
        MaxSigners = maxSigners;
        Session = session;
    }

    public Identifier Id { get; }
    public byte[] Session { get; }
    public int MaxSigners { get; }
    public int MinSigners => _coefficients.Length;
    internal bool Cleared { get; private set; }

    internal Scalar Coefficient(int i) => Cleared ? throw new FrostException("this DKG secret was already used") : _coefficients[i];

    internal Scalar Evaluate(Scalar x)
    {
        if (Cleared)
            throw new FrostException("this DKG secret was already used");
        var value = Scalar.Zero;
        for (var i = _coefficients.Length - 1; i >= 0; i--)
            value = value.Multiply(x).Add(_coefficients[i]);
        return value;
    }

    /// <summary>Forget the polynomial (also when a DKG is abandoned).</summary>
    public void Clear()
    {
        for (var i = 0; i < _coefficients.Length; i++)
            Scalar.Clear(ref _coefficients[i]);
        Cleared = true;
    }
}

/// <summary>The group's public side after a DKG: the key and every participant's verifying share.</summary>
public sealed record PublicKeyPackage(GE GroupPublicKey, IReadOnlyDictionary<Identifier, GE> VerifyingShares);

/// <summary>Misbehaviour found during a DKG, naming the participant.</summary>
public sealed class DkgMisbehaviourException(Identifier culprit, string what) : FrostException($"participant {culprit}: {what}")
{
    public Identifier Culprit { get; } = culprit;
}

/// <summary>
/// Distributed key generation (Pedersen's, with proofs of knowledge, as in the FROST paper §5.1 and
/// RFC 9591's companion implementations): two rounds, and no machine ever holds the group secret.
/// Round one: each participant broadcasts a commitment to a random polynomial of degree t−1 and a
/// Schnorr proof of knowledge of its constant term (against rogue-key attacks). Round two: each
/// sends every other participant, privately, its polynomial's value at their identifier. Each
/// participant checks what it received and sums it into its signing share.
/// </summary>
public static class Dkg
{
    /// <summary>
    /// Round one. <paramref name="session"/> identifies this DKG run (e.g. a random id the operator's
    /// tool chooses); it is bound into every proof, so packages from another run cannot be replayed.
    /// </summary>
    public static (DkgSecret Secret, DkgRound1Package Package) Start(Identifier id, int maxSigners, int minSigners, ReadOnlySpan<byte> session)
    {
        if (minSigners < 2 || maxSigners < minSigners || maxSigners > ushort.MaxValue)
            throw new FrostException($"need 2 ≤ t ≤ n ≤ 65535, got t = {minSigners}, n = {maxSigners}");
        if (id.Index > maxSigners)
            throw new FrostException($"identifier {id} is outside 1..{maxSigners}");
        var secret = new DkgSecret(id, Enumerable.Range(0, minSigners).Select(_ => TrustedDealer.RandomScalar()).ToArray(), maxSigners, session.ToArray());
        var coefficients = Enumerable.Range(0, minSigners).Select(i => secret.Coefficient(i)).ToArray();
        var commitment = coefficients.Select(c => Frost.BaseMult(c)).ToList();
        var k = TrustedDealer.RandomScalar();
        var r = Frost.BaseMult(k);
        var z = k.Add(coefficients[0].Multiply(ProofChallenge(secret, id, commitment[0], r)));
        Scalar.Clear(ref k);
        for (var i = 0; i < coefficients.Length; i++)
            Scalar.Clear(ref coefficients[i]);
        return (secret, new DkgRound1Package(id, commitment, r, z));
    }

    /// <summary>
    /// A digest of every round-one package (sorted by identifier). Round one needs a broadcast that
    /// cannot equivocate: participants exchange this digest (over authenticated channels) after
    /// <see cref="Finish"/> and abort if any differs, or a participant that sent different packages to
    /// different peers would split the committee into incompatible keys.
    /// </summary>
    public static byte[] Transcript(IEnumerable<DkgRound1Package> all) =>
        System.Security.Cryptography.SHA256.HashData(all.OrderBy(p => p.Id.Index).SelectMany(FrostEncoding.Encode).ToArray());

    /// <summary>Checks every other participant's round-one package, then gives the share to send (privately) to each of them.</summary>
    public static IReadOnlyDictionary<Identifier, Scalar> SharesFor(DkgSecret secret, IReadOnlyList<DkgRound1Package> others)
    {
        CheckRound1(secret, others);
        return others.ToDictionary(p => p.Id, p => secret.Evaluate(p.Id.Value));
    }

    /// <summary>Checks the shares received against their senders' commitments and derives this participant's key package.</summary>
    public static (KeyPackage Key, PublicKeyPackage Public) Finish(DkgSecret secret, IReadOnlyList<DkgRound1Package> others,
        IReadOnlyDictionary<Identifier, Scalar> received, DkgRound1Package own)
    {
        CheckRound1(secret, others);
        var share = secret.Evaluate(secret.Id.Value);
        foreach (var package in others)
        {
            if (!received.TryGetValue(package.Id, out var fromThem))
                throw new DkgMisbehaviourException(package.Id, "sent no share");
            if (!Frost.Same(Frost.BaseMult(fromThem), CommitmentAt(package.Commitment, secret.Id.Value)))
                throw new DkgMisbehaviourException(package.Id, "sent a share that does not match its commitment");
            share = share.Add(fromThem);
        }
        secret.Clear();

        IReadOnlyList<DkgRound1Package> all = [own, .. others];
        var groupKey = Sum(all.Select(p => p.Commitment[0]));
        var verifyingShares = Enumerable.Range(1, secret.MaxSigners).Select(i => new Identifier((ushort)i))
            .ToDictionary(id => id, id => Sum(all.Select(p => CommitmentAt(p.Commitment, id.Value))));
        if (groupKey.IsInfinity || verifyingShares.Values.Any(v => v.IsInfinity))
            throw new FrostException("the DKG produced the identity as a key (inconsistent round-one packages)");
        var key = new KeyPackage(secret.Id, share, Frost.BaseMult(share), groupKey, secret.MinSigners);
        if (!Frost.Same(key.VerifyingShare, verifyingShares[secret.Id]))
            throw new FrostException("the derived share does not match the commitments (inconsistent round-one packages)");
        return (key, new PublicKeyPackage(groupKey, verifyingShares));
    }

    private static void CheckRound1(DkgSecret secret, IReadOnlyList<DkgRound1Package> others)
    {
        if (others.Count != secret.MaxSigners - 1 || others.Select(p => p.Id).Distinct().Count() != others.Count || others.Any(p => p.Id == secret.Id || p.Id.Index > secret.MaxSigners))
            throw new FrostException($"expected one round-one package from each of the other {secret.MaxSigners - 1} participants");
        foreach (var p in others)
        {
            if (p.Commitment.Count != secret.MinSigners || p.Commitment.Any(c => c.IsInfinity))
                throw new DkgMisbehaviourException(p.Id, $"commitment has {p.Commitment.Count} points, the threshold needs {secret.MinSigners}");
            if (p.ProofR.IsInfinity)
                throw new DkgMisbehaviourException(p.Id, "proof of knowledge commits to the identity");
            // z·G − c·C_0 must be R.
            var c = ProofChallenge(secret, p.Id, p.Commitment[0], p.ProofR);
            if (!Frost.Same(Frost.Mult(p.Commitment[0], c.Negate(), p.ProofZ).ToGroupElement(), p.ProofR))
                throw new DkgMisbehaviourException(p.Id, "proof of knowledge of its secret does not verify");
        }
    }

    /// <summary>
    /// Domain-separated challenge of the proof of knowledge, bound to this run (the FROST paper's
    /// context Φ): H(contextString ‖ "dkg", session ‖ n ‖ t ‖ id ‖ C_0 ‖ R).
    /// </summary>
    private static Scalar ProofChallenge(DkgSecret run, Identifier id, GE c0, GE r) =>
        HashToScalar([.. System.Security.Cryptography.SHA256.HashData(run.Session), (byte)(run.MaxSigners >> 8), (byte)run.MaxSigners,
            (byte)(run.MinSigners >> 8), (byte)run.MinSigners, .. SerializeScalar(id.Value), .. SerializeElement(c0), .. SerializeElement(r)], "dkg");

    /// <summary>Σ_k C_k·x^k: the commitment evaluated at x (the public image of f(x)).</summary>
    private static GE CommitmentAt(IReadOnlyList<GE> commitment, Scalar x)
    {
        var powers = new Scalar[commitment.Count];
        powers[0] = Scalar.One;
        for (var k = 1; k < powers.Length; k++)
            powers[k] = powers[k - 1].Multiply(x);
        return NBitcoin.Secp256k1.ECMultContext.Instance.MultBatch(powers, commitment.ToArray()).ToGroupElement();
    }

    private static GE Sum(IEnumerable<GE> points)
    {
        var sum = GEJ.Infinity;
        foreach (var p in points)
            sum = sum.AddVariable(p);
        return sum.ToGroupElement();
    }
}
