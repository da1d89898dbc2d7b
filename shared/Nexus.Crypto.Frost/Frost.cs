using System.Security.Cryptography;
using NBitcoin.Secp256k1;
using static Nexus.Crypto.Frost.Ciphersuite;

namespace Nexus.Crypto.Frost;

/// <summary>A participant's identifier: a non-zero scalar (1, 2, … for a committee).</summary>
public readonly record struct Identifier
{
    public Identifier(ushort index)
    {
        if (index == 0)
            throw new FrostException("identifier 0 is not allowed");
        Value = new Scalar(index);
        Index = index;
    }

    public Scalar Value { get; }
    public ushort Index { get; }

    public override string ToString() => Index.ToString();
}

/// <summary>What one signer holds after key generation: its share, its public share, the group key and the threshold.</summary>
public sealed record KeyPackage(Identifier Id, Scalar SigningShare, GE VerifyingShare, GE GroupPublicKey, int MinSigners);

/// <summary>Round-one commitments a signer publishes (never the nonces themselves).</summary>
public sealed record SigningCommitments(Identifier Id, GE Hiding, GE Binding);

/// <summary>
/// Round-one secrets. Use once: <see cref="Frost.Sign"/> claims them atomically (two concurrent
/// sign requests cannot both get them) and clears them. Persisting "used" across restarts is the
/// signer service's job.
/// </summary>
public sealed class SigningNonces
{
    private readonly Lock _gate = new();
    private Scalar _hiding;
    private Scalar _binding;
    private int _used;

    internal SigningNonces(Scalar hiding, Scalar binding, SigningCommitments commitments)
    {
        _hiding = hiding;
        _binding = binding;
        Commitments = commitments;
    }

    public SigningCommitments Commitments { get; }
    public bool Used => Volatile.Read(ref _used) != 0;

    internal (Scalar Hiding, Scalar Binding) Take()
    {
        lock (_gate)
        {
            if (Interlocked.Exchange(ref _used, 1) != 0)
                throw new FrostException("these nonces were already used: a nonce signs at most one message");
            var taken = (_hiding, _binding);
            Scalar.Clear(ref _hiding);
            Scalar.Clear(ref _binding);
            return taken;
        }
    }
}

/// <summary>A signer's round-two output.</summary>
public sealed record SignatureShare(Identifier Id, Scalar Z);

/// <summary>A Schnorr signature (R, z); 65 bytes: SEC1-compressed R ‖ z.</summary>
public sealed record Signature(GE R, Scalar Z)
{
    public byte[] ToBytes() => [.. SerializeElement(R), .. SerializeScalar(Z)];

    public static Signature FromBytes(ReadOnlySpan<byte> bytes) => bytes.Length == ElementSize + ScalarSize
        ? new Signature(DeserializeElement(bytes[..ElementSize]), DeserializeScalar(bytes[ElementSize..]))
        : throw new FrostException($"a signature is {ElementSize + ScalarSize} bytes, not {bytes.Length}");
}

/// <summary>Signature shares that do not verify, with who sent them (RFC 9591 §5.4, cheater detection).</summary>
public sealed class InvalidSignatureSharesException(IReadOnlyList<Identifier> cheaters)
    : FrostException($"invalid signature shares from participant(s) {string.Join(", ", cheaters)}")
{
    public IReadOnlyList<Identifier> Cheaters { get; } = cheaters;
}

/// <summary>
/// The two-round FROST protocol of RFC 9591 §5 for this ciphersuite: commit, sign, verify a share,
/// aggregate (identifying cheaters), verify the signature.
/// </summary>
public static class Frost
{
    /// <summary>Round one: fresh hiding and binding nonces (RFC 9591 §4.1 nonce_generate) and their commitments.</summary>
    public static SigningNonces Commit(KeyPackage key) => Commit(key.Id, key.SigningShare, RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));

    /// <summary>Deterministic form for test vectors: the 32-byte randomness is given.</summary>
    internal static SigningNonces Commit(Identifier id, Scalar secret, ReadOnlySpan<byte> hidingRandom, ReadOnlySpan<byte> bindingRandom)
    {
        var hiding = NonceGenerate(secret, hidingRandom);
        var binding = NonceGenerate(secret, bindingRandom);
        return new SigningNonces(hiding, binding, new SigningCommitments(id, BaseMult(hiding), BaseMult(binding)));
    }

    /// <summary>H3(random ‖ SerializeScalar(secret)): the secret protects against a weak random source.</summary>
    internal static Scalar NonceGenerate(Scalar secret, ReadOnlySpan<byte> random)
    {
        byte[] input = [.. random, .. SerializeScalar(secret)];
        try
        {
            return H3(input);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
        }
    }

    /// <summary>Round two: this signer's share of the signature on <paramref name="message"/>.</summary>
    public static SignatureShare Sign(ReadOnlySpan<byte> message, SigningNonces nonces, KeyPackage key, IReadOnlyList<SigningCommitments> commitments)
    {
        var list = Sorted(commitments);
        if (list.Count < key.MinSigners)
            throw new FrostException($"{list.Count} signers; this key needs at least {key.MinSigners}");
        var own = list.FirstOrDefault(c => c.Id == key.Id)
            ?? throw new FrostException($"participant {key.Id} is not in the commitment list");
        if (!Same(own.Hiding, nonces.Commitments.Hiding) || !Same(own.Binding, nonces.Commitments.Binding))
            throw new FrostException($"the commitment list holds other commitments for participant {key.Id} than its nonces");
        var factors = BindingFactors(key.GroupPublicKey, list, message);
        var r = GroupCommitment(list, factors);
        var lambda = Lagrange(key.Id, list.Select(c => c.Id));
        var challenge = Challenge(r, key.GroupPublicKey, message);
        var (hiding, binding) = nonces.Take();
        var z = hiding.Add(binding.Multiply(factors[key.Id])).Add(lambda.Multiply(key.SigningShare).Multiply(challenge));
        Scalar.Clear(ref hiding);
        Scalar.Clear(ref binding);
        return new SignatureShare(key.Id, z);
    }

    /// <summary>RFC 9591 §5.4 verify_signature_share: G·z_i = D_i + ρ_i·E_i + (c·λ_i)·Y_i.</summary>
    public static bool VerifyShare(SignatureShare share, GE verifyingShare, IReadOnlyList<SigningCommitments> commitments, GE groupPublicKey, ReadOnlySpan<byte> message)
    {
        var list = Sorted(commitments);
        if (verifyingShare.IsInfinity || list.FirstOrDefault(c => c.Id == share.Id) is not { } own)
            return false;
        var factors = BindingFactors(groupPublicKey, list, message);
        var r = GroupCommitment(list, factors);
        var challenge = Challenge(r, groupPublicKey, message);
        var lambda = Lagrange(share.Id, list.Select(c => c.Id));
        // z_i·G − (c·λ_i)·Y_i must equal D_i + ρ_i·E_i (one Strauss multiplication on each side).
        var left = Mult(verifyingShare, challenge.Multiply(lambda).Negate(), share.Z);
        var right = own.Hiding.ToGroupElementJacobian().AddVariable(Mult(own.Binding, factors[share.Id]).ToGroupElement());
        return Same(left.ToGroupElement(), right.ToGroupElement());
    }

    /// <summary>
    /// Sums the shares into (R, z) and verifies the result; if it does not verify, every share is
    /// checked and the senders of bad ones are named (<see cref="InvalidSignatureSharesException"/>).
    /// </summary>
    public static Signature Aggregate(IReadOnlyList<SigningCommitments> commitments, IReadOnlyList<SignatureShare> shares,
        GE groupPublicKey, ReadOnlySpan<byte> message, IReadOnlyDictionary<Identifier, GE> verifyingShares)
    {
        var list = Sorted(commitments);
        if (shares.Count != list.Count || shares.Select(s => s.Id).Distinct().Count() != shares.Count || shares.Any(s => list.All(c => c.Id != s.Id)))
            throw new FrostException("one share per committed participant is needed");
        var r = GroupCommitment(list, BindingFactors(groupPublicKey, list, message));
        var z = Scalar.Zero;
        foreach (var share in shares)
            z = z.Add(share.Z);
        var signature = new Signature(r, z);
        if (Verify(groupPublicKey, message, signature))
            return signature;
        var messageCopy = message.ToArray();
        var cheaters = shares
            .Where(s => !verifyingShares.TryGetValue(s.Id, out var y) || !VerifyShare(s, y, list, groupPublicKey, messageCopy))
            .Select(s => s.Id).ToList();
        if (cheaters.Count == 0)
            throw new FrostException("every share verifies but their sum does not: fewer signers than the key's threshold, or inconsistent keys");
        throw new InvalidSignatureSharesException(cheaters);
    }

    /// <summary>Schnorr verification with the RFC 9591 challenge: G·z = R + c·PK.</summary>
    public static bool Verify(GE groupPublicKey, ReadOnlySpan<byte> message, Signature signature)
    {
        if (signature.R.IsInfinity || groupPublicKey.IsInfinity)
            return false;
        var challenge = Challenge(signature.R, groupPublicKey, message);
        // z·G − c·PK must be R.
        return Same(Mult(groupPublicKey, challenge.Negate(), signature.Z).ToGroupElement(), signature.R);
    }

    /// <summary>RFC 9591 §4.4: one binding factor per participant, bound to the key, the message and every commitment.</summary>
    internal static Dictionary<Identifier, Scalar> BindingFactors(GE groupPublicKey, IReadOnlyList<SigningCommitments> sorted, ReadOnlySpan<byte> message)
    {
        byte[] prefix = [.. SerializeElement(groupPublicKey), .. H4(message), .. H5(EncodeCommitments(sorted))];
        return sorted.ToDictionary(c => c.Id, c => H1([.. prefix, .. SerializeScalar(c.Id.Value)]));
    }

    internal static byte[] EncodeCommitments(IReadOnlyList<SigningCommitments> sorted) =>
        sorted.SelectMany(c => SerializeScalar(c.Id.Value).Concat(SerializeElement(c.Hiding)).Concat(SerializeElement(c.Binding))).ToArray();

    /// <summary>R = Σ (D_i + ρ_i·E_i).</summary>
    internal static GE GroupCommitment(IReadOnlyList<SigningCommitments> sorted, IReadOnlyDictionary<Identifier, Scalar> factors)
    {
        var scalars = sorted.Select(c => factors[c.Id]).ToArray();
        var points = sorted.Select(c => c.Binding).ToArray();
        var sum = ECMultContext.Instance.MultBatch(scalars, points);
        foreach (var c in sorted)
            sum = sum.AddVariable(c.Hiding);
        var r = sum.ToGroupElement();
        if (r.IsInfinity)
            throw new FrostException("the group commitment is the identity");
        return r;
    }

    public static Scalar Challenge(GE r, GE groupPublicKey, ReadOnlySpan<byte> message) =>
        H2([.. SerializeElement(r), .. SerializeElement(groupPublicKey), .. message]);

    /// <summary>Lagrange coefficient of <paramref name="id"/> at 0 over <paramref name="participants"/> (RFC 9591 §4.2).</summary>
    public static Scalar Lagrange(Identifier id, IEnumerable<Identifier> participants)
    {
        var numerator = Scalar.One;
        var denominator = Scalar.One;
        var found = false;
        var seen = new HashSet<ushort>();
        foreach (var other in participants)
        {
            if (!seen.Add(other.Index))
                throw new FrostException($"participant {other} appears twice");
            if (other == id)
            {
                found = true;
                continue;
            }
            numerator = numerator.Multiply(other.Value);
            denominator = denominator.Multiply(other.Value.Add(id.Value.Negate()));
        }
        if (!found)
            throw new FrostException($"participant {id} is not among the signers");
        return numerator.Multiply(denominator.InverseVariable()); // identifiers are public: variable time is fine
    }

    internal static IReadOnlyList<SigningCommitments> Sorted(IReadOnlyList<SigningCommitments> commitments)
    {
        var sorted = commitments.OrderBy(c => c.Id.Index).ToList();
        for (var i = 1; i < sorted.Count; i++)
            if (sorted[i].Id == sorted[i - 1].Id)
                throw new FrostException($"participant {sorted[i].Id} committed twice");
        if (sorted.Any(c => c.Hiding.IsInfinity || c.Binding.IsInfinity))
            throw new FrostException("a commitment is the identity");
        return sorted;
    }

    internal static GE BaseMult(in Scalar k) => ECMultGenContext.Instance.MultGen(k).ToGroupElement();

    /// <summary>k·P (+ g·G): variable time, so only for public values (commitments, keys, shares being verified).</summary>
    internal static GEJ Mult(in GE point, in Scalar k, Scalar? g = null) => ECMultContext.Instance.Mult(point.ToGroupElementJacobian(), k, g);

    internal static bool Same(in GE a, in GE b) =>
        a.IsInfinity || b.IsInfinity ? a.IsInfinity && b.IsInfinity : SerializeElement(a).AsSpan().SequenceEqual(SerializeElement(b));
}
