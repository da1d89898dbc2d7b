using NBitcoin.Secp256k1;
using static Nexus.Crypto.Frost.Ciphersuite;

namespace Nexus.Crypto.Frost.Tests;

/// <summary>Properties over random committees, and what must be refused.</summary>
public sealed class FrostPropertyTests
{
    private static readonly byte[] Message = "nexus block header"u8.ToArray();

    private static Signature SignWith(DealtKeys keys, IReadOnlyList<KeyPackage> signers, byte[] message, Func<SignatureShare, SignatureShare>? tamper = null)
    {
        var nonces = signers.Select(Frost.Commit).ToList();
        var commitments = nonces.Select(n => n.Commitments).ToList();
        var shares = signers.Zip(nonces).Select(p => Frost.Sign(message, p.Second, p.First, commitments)).Select(s => tamper?.Invoke(s) ?? s).ToList();
        return Frost.Aggregate(commitments, shares, keys.GroupPublicKey, message, keys.Packages.ToDictionary(p => p.Id, p => p.VerifyingShare));
    }

    public static TheoryData<int, int> Committees() => new() { { 2, 2 }, { 2, 3 }, { 3, 5 }, { 4, 7 }, { 5, 9 }, { 7, 10 } };

    [Theory]
    [MemberData(nameof(Committees))]
    public void Any_t_of_n_signers_produce_a_signature_that_verifies_and_t_minus_1_cannot(int t, int n)
    {
        var random = new Random(t * 100 + n);
        var keys = TrustedDealer.Deal(n, t);
        keys.Packages.ShouldAllBe(p => TrustedDealer.VerifyShare(p, keys.VssCommitment));
        for (var trial = 0; trial < 4; trial++)
        {
            var signers = keys.Packages.OrderBy(_ => random.Next()).Take(t).ToList();
            var signature = SignWith(keys, signers, Message);
            Frost.Verify(keys.GroupPublicKey, Message, signature).ShouldBeTrue();
            Frost.Verify(keys.GroupPublicKey, Message, Signature.FromBytes(signature.ToBytes())).ShouldBeTrue();
            // More than t works too.
            Frost.Verify(keys.GroupPublicKey, Message, SignWith(keys, keys.Packages.OrderBy(_ => random.Next()).Take(Math.Min(n, t + 1)).ToList(), Message)).ShouldBeTrue();
        }
        var tooFew = keys.Packages.Take(t - 1).ToList();
        if (tooFew.Count > 0)
        {
            // Signers refuse to sign with fewer than t; even if they did, the shares would not add up.
            Should.Throw<FrostException>(() => SignWith(keys, tooFew, Message)).Message.ShouldContain($"needs at least {t}");
            var lax = tooFew.Select(k => k with { MinSigners = 1 }).ToList();
            Should.Throw<FrostException>(() => SignWith(keys, lax, Message)).Message.ShouldContain("their sum does not");
        }
        // Any t shares reconstruct the same secret, whose public key is the group key.
        Frost.Same(Frost.BaseMult(TrustedDealer.Reconstruct(keys.Packages.TakeLast(t).ToList())), keys.GroupPublicKey).ShouldBeTrue();
    }

    [Fact]
    public void A_wrong_signature_share_is_identified_by_share_verification()
    {
        var keys = TrustedDealer.Deal(5, 3);
        var signers = keys.Packages.Skip(1).Take(3).ToList();
        var liar = signers[1].Id;
        var error = Should.Throw<InvalidSignatureSharesException>(() =>
            SignWith(keys, signers, Message, s => s.Id == liar ? s with { Z = s.Z.Add(Scalar.One) } : s));
        error.Cheaters.ShouldBe([liar]);
    }

    [Fact]
    public void Single_bit_flips_of_the_message_R_z_or_the_key_are_rejected()
    {
        var keys = TrustedDealer.Deal(3, 2);
        var signature = SignWith(keys, keys.Packages.Take(2).ToList(), Message).ToBytes();
        var key = SerializeElement(keys.GroupPublicKey);
        for (var bit = 0; bit < Message.Length * 8; bit += 7)
        {
            var m = (byte[])Message.Clone();
            m[bit / 8] ^= (byte)(1 << (bit % 8));
            Frost.Verify(keys.GroupPublicKey, m, Signature.FromBytes(signature)).ShouldBeFalse();
        }
        for (var bit = 8; bit < signature.Length * 8; bit += 5) // byte 0 is R's prefix
        {
            var s = (byte[])signature.Clone();
            s[bit / 8] ^= (byte)(1 << (bit % 8));
            VerifiesOrIsMalformed(keys.GroupPublicKey, s).ShouldBeFalse($"bit {bit}");
        }
        for (var bit = 8; bit < key.Length * 8; bit += 11)
        {
            var k = (byte[])key.Clone();
            k[bit / 8] ^= (byte)(1 << (bit % 8));
            var parsed = TryElement(k);
            (parsed is { } pk && Frost.Verify(pk, Message, Signature.FromBytes(signature))).ShouldBeFalse($"key bit {bit}");
        }
    }

    private static bool VerifiesOrIsMalformed(GE key, byte[] signature)
    {
        try { return Frost.Verify(key, Message, Signature.FromBytes(signature)); }
        catch (FrostException) { return false; }
    }

    private static GE? TryElement(byte[] bytes)
    {
        try { return DeserializeElement(bytes); }
        catch (FrostException) { return null; }
    }

    [Fact]
    public void Nonces_sign_once_and_only_the_commitments_they_belong_to()
    {
        var keys = TrustedDealer.Deal(3, 2);
        var signers = keys.Packages.Take(2).ToList();
        var nonces = signers.Select(Frost.Commit).ToList();
        var commitments = nonces.Select(n => n.Commitments).ToList();
        Frost.Sign(Message, nonces[0], signers[0], commitments);
        Should.Throw<FrostException>(() => Frost.Sign(Message, nonces[0], signers[0], commitments)).Message.ShouldContain("already used");

        var fresh = Frost.Commit(signers[1]);
        Should.Throw<FrostException>(() => Frost.Sign(Message, fresh, signers[1], commitments)).Message.ShouldContain("other commitments");
        Should.Throw<FrostException>(() => Frost.Sign(Message, Frost.Commit(keys.Packages[2]), keys.Packages[2], commitments)).Message.ShouldContain("not in the commitment list");
        Should.Throw<FrostException>(() => Frost.Sign(Message, nonces[1], signers[1], [.. commitments, commitments[1]])).Message.ShouldContain("committed twice");
    }

    [Fact]
    public void Identifiers_above_255_and_unsorted_commitment_lists_sign_correctly()
    {
        var keys = TrustedDealer.Deal(300, 3);
        var signers = new[] { 299, 2, 256 }.Select(i => keys.Packages[i - 1]).ToList();
        Frost.Verify(keys.GroupPublicKey, Message, SignWith(keys, signers, Message)).ShouldBeTrue();
    }

    [Fact]
    public async Task Concurrent_sign_requests_cannot_both_take_the_same_nonces()
    {
        var keys = TrustedDealer.Deal(3, 2);
        var signers = keys.Packages.Take(2).ToList();
        for (var round = 0; round < 2_000; round++)
        {
            var nonces = signers.Select(Frost.Commit).ToList();
            var commitments = nonces.Select(n => n.Commitments).ToList();
            using var start = new Barrier(2);
            var attempts = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
            {
                start.SignalAndWait();
                try { Frost.Sign(Message, nonces[0], signers[0], commitments); return 1; }
                catch (FrostException) { return 0; }
            })).ToArray();
            (await Task.WhenAll(attempts)).Sum().ShouldBe(1);
        }
    }

    [Fact]
    public void Lagrange_refuses_any_duplicate_participant()
    {
        Should.Throw<FrostException>(() => Frost.Lagrange(new Identifier(1), [new(1), new(2), new(2)])).Message.ShouldContain("twice");
        Should.Throw<FrostException>(() => Frost.Lagrange(new Identifier(3), [new(1), new(2)])).Message.ShouldContain("not among");
    }

    [Fact]
    public void Malformed_scalars_and_points_are_refused()
    {
        Should.Throw<FrostException>(() => DeserializeScalar(Convert.FromHexString("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"))).Message.ShouldContain("out of range");
        Should.Throw<FrostException>(() => DeserializeScalar(new byte[31]));
        Should.Throw<FrostException>(() => DeserializeElement(new byte[33]));
        Should.Throw<FrostException>(() => DeserializeElement([0x04, .. new byte[32]]));
        // x = 5 is not on secp256k1 (5³ + 7 = 132 is not a square mod p).
        Should.Throw<FrostException>(() => DeserializeElement([0x02, .. new byte[31], 5]));
        Should.Throw<FrostException>(() => new Identifier(0));
        Should.Throw<FrostException>(() => TrustedDealer.Deal(3, 4));
    }
}
