namespace Nexus.Crypto.Frost.Tests;

/// <summary>Round trips of every encoding, and refusals of anything malformed.</summary>
public sealed class EncodingTests
{
    private static readonly DealtKeys Keys = TrustedDealer.Deal(4, 3);

    [Fact]
    public void Every_message_and_package_round_trips()
    {
        var key = Keys.Packages[1];
        FrostEncoding.DecodeKeyPackage(FrostEncoding.Encode(key)).ShouldSatisfyAllConditions(
            k => k.Id.ShouldBe(key.Id), k => FrostEncoding.Encode(k).ShouldBe(FrostEncoding.Encode(key)));
        var nonces = Frost.Commit(key);
        FrostEncoding.Encode(FrostEncoding.DecodeCommitments(FrostEncoding.Encode(nonces.Commitments))).ShouldBe(FrostEncoding.Encode(nonces.Commitments));
        var share = new SignatureShare(key.Id, key.SigningShare);
        FrostEncoding.Encode(FrostEncoding.DecodeShare(FrostEncoding.Encode(share))).ShouldBe(FrostEncoding.Encode(share));
        var (_, round1) = Dkg.Start(new Identifier(2), 5, 3, "session"u8);
        FrostEncoding.Encode(FrostEncoding.DecodeDkgRound1(FrostEncoding.Encode(round1))).ShouldBe(FrostEncoding.Encode(round1));
        var pub = new PublicKeyPackage(Keys.GroupPublicKey, Keys.Packages.ToDictionary(p => p.Id, p => p.VerifyingShare));
        FrostEncoding.Encode(FrostEncoding.DecodePublicKeyPackage(FrostEncoding.Encode(pub))).ShouldBe(FrostEncoding.Encode(pub));
    }

    [Fact]
    public void Malformed_encodings_are_refused_with_a_reason()
    {
        var bytes = FrostEncoding.Encode(Keys.Packages[0]);
        Should.Throw<FrostException>(() => FrostEncoding.DecodeKeyPackage(bytes[..^1])).Message.ShouldContain("truncated");
        Should.Throw<FrostException>(() => FrostEncoding.DecodeKeyPackage([.. bytes, 0])).Message.ShouldContain("trailing");
        Should.Throw<FrostException>(() => FrostEncoding.DecodeKeyPackage([2, .. bytes[1..]])).Message.ShouldContain("unknown format 2");
        var otherShare = (byte[])bytes.Clone();
        otherShare[12] ^= 1; // the signing share no longer matches the verifying share
        Should.Throw<FrostException>(() => FrostEncoding.DecodeKeyPackage(otherShare));
        Should.Throw<FrostException>(() => FrostEncoding.DecodeShare([1, 0, 0, .. new byte[32]])).Message.ShouldContain("identifier 0");
        Should.Throw<FrostException>(() => FrostEncoding.DecodeCommitments([1, 0, 1, .. new byte[66]]));
    }

    [Fact]
    public void A_key_share_file_opens_only_with_its_passphrase_and_any_altered_byte_is_detected()
    {
        var key = Keys.Packages[2];
        var file = KeyShareFile.Seal(key, "correct horse", iterations: 10_000);
        FrostEncoding.Encode(KeyShareFile.Open(file, "correct horse")).ShouldBe(FrostEncoding.Encode(key));
        Should.Throw<FrostException>(() => KeyShareFile.Open(file, "wrong")).Message.ShouldContain("wrong passphrase");
        foreach (var at in new[] { 5, 12, 30, 45, file.Length - 1 })
        {
            var altered = (byte[])file.Clone();
            altered[at] ^= 0x10;
            Should.Throw<FrostException>(() => KeyShareFile.Open(altered, "correct horse"));
        }
        // The share itself is not in the file in the clear.
        var share = Ciphersuite.SerializeScalar(key.SigningShare);
        Enumerable.Range(0, file.Length - share.Length).Any(i => file.AsSpan(i, share.Length).SequenceEqual(share)).ShouldBeFalse();
        Should.Throw<FrostException>(() => KeyShareFile.Seal(key, ""));
        Should.Throw<FrostException>(() => KeyShareFile.Seal(key, "x", iterations: 1_000)).Message.ShouldContain("iterations");
    }
}
