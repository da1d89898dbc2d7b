using NBitcoin.Secp256k1;
using static Nexus.Crypto.Frost.Ciphersuite;

namespace Nexus.Crypto.Frost.Tests;

/// <summary>
/// RFC 9591 Appendix E.5, FROST(secp256k1, SHA-256): every intermediate value, byte for byte
/// (the same vectors ship with the Zcash Foundation's implementation).
/// </summary>
public sealed class Rfc9591VectorTests
{
    private static byte[] H(string hex) => Convert.FromHexString(hex);
    private static Scalar S(string hex) => DeserializeScalar(H(hex));

    private const string GroupSecretKey = "0d004150d27c3bf2a42f312683d35fac7394b1e9e318249c1bfe7f0795a83114";
    private const string GroupPublicKey = "02f37c34b66ced1fb51c34a90bdae006901f10625cc06c4f64663b0eae87d87b4f";
    private static readonly byte[] Message = H("74657374");
    private const string Coefficient = "fbf85eadae3058ea14f19148bb72b45e4399c0b16028acaf0395c9b03c823579";
    private static readonly string[] Shares =
    [
        "08f89ffe80ac94dcb920c26f3f46140bfc7f95b493f8310f5fc1ea2b01f4254c",
        "04f0feac2edcedc6ce1253b7fab8c86b856a797f44d83d82a385554e6e401984",
        "00e95d59dd0d46b0e303e500b62b7ccb0e555d49f5b849f5e748c071da8c0dbc",
    ];

    private sealed record Round1(ushort Id, string HidingRandom, string BindingRandom, string HidingNonce, string BindingNonce,
        string HidingCommitment, string BindingCommitment, string BindingFactorInput, string BindingFactor, string SigShare);

    private static readonly Round1[] Signers =
    [
        new(1, "bda8e748e599187762cff956f03dc6ea13fc8e04491a0427b7e6e78600f41c52", "2ca682429bf05df435b9927b8edb1d748278f3e42fa11ef358e49bbf4a1b780d",
            "09764379667f9a9fa61928947bd925a7f162b21886b750d3b11c226d16b32f58", "b2d3f8cb9da70984354c3fc3511b1f6ed21b7205941cb5553565d2ecade8c694",
            "0305e62a1d3f57a0b17ade569a3a4043e2a1fc3bd0b102614a8d8cc68e3322ad89", "03b634c2aed7f85b8eec22e97e5f916ab43a3518821480e15da2af7cffcb060a30",
            "02f37c34b66ced1fb51c34a90bdae006901f10625cc06c4f64663b0eae87d87b4fff9b5210ffbb3c07a73a7c8935be4a8c62cf015f6cf7ade6efac09a6513540fcfac8df6fa81b3f4d9ced4be2474894308232dc0be75dbf81f5a103579a8236310000000000000000000000000000000000000000000000000000000000000001",
            "9bee5aef4012de4b94c9fc1a9a9572181079e293bf1d7545a5af0ef86f824a91", "ca54b18d7449377cfa680760a5770b9e64e201f7ea36b068effeca5fce2155e5"),
        new(3, "70818dd5170672c4a4285fd593d4f222417f941f3118e1244955e7a1098a35d8", "74ca2da071ed4a2a6cad5087d6758b48a558ab5861c61117fee05757e4b1309e",
            "0d92e255e5b42ebc2863f8198d946fc10f388c4983073c18cbb77b88e3bf2e34", "1c7243ce00a499b1e7ce3403e7b731d0c820cf108feb8c5ee7c29b4ef43be5e0",
            "036f878da0dc19ba7da9f2d9e795e2674e62ff06c990fc4464cc1ed55a2acce46b", "025350e2a9e32e7b1fe0161e990623600b2d301b3307641469129cff7936c4d2ce",
            "02f37c34b66ced1fb51c34a90bdae006901f10625cc06c4f64663b0eae87d87b4fff9b5210ffbb3c07a73a7c8935be4a8c62cf015f6cf7ade6efac09a6513540fcfac8df6fa81b3f4d9ced4be2474894308232dc0be75dbf81f5a103579a8236310000000000000000000000000000000000000000000000000000000000000003",
            "cfe0db2197c94cc355b6ab05610f27f4a874898009c8bf007f2a4e2ce2c8306d", "da13d054e83052568706a6d161d80f112a6bc3f76aa903c022585ae7e091e65e"),
    ];

    private const string FinalSignature =
        "024c1ad4e031872661fa6ebd05dfc7fb30db08b38d79f0edbc82051ae931381bc6a46881e25c7989d3816eae32074f1ab0d49ee908a59713ed5284c6bade7cfb02";

    private static DealtKeys Dealt() => TrustedDealer.Deal(S(GroupSecretKey), [S(Coefficient)], maxSigners: 3, minSigners: 2);

    [Fact]
    public void The_dealer_gives_the_published_group_key_and_shares()
    {
        var keys = Dealt();
        Convert.ToHexStringLower(SerializeElement(keys.GroupPublicKey)).ShouldBe(GroupPublicKey);
        keys.Packages.Select(p => Convert.ToHexStringLower(SerializeScalar(p.SigningShare))).ShouldBe(Shares);
        keys.Packages.ShouldAllBe(p => TrustedDealer.VerifyShare(p, keys.VssCommitment));
    }

    [Fact]
    public void Round_one_gives_the_published_nonces_commitments_and_binding_factors()
    {
        var keys = Dealt();
        var nonces = Signers.Select(s => Frost.Commit(new Identifier(s.Id), keys.Packages[s.Id - 1].SigningShare, H(s.HidingRandom), H(s.BindingRandom))).ToList();
        var commitments = nonces.Select(n => n.Commitments).ToList();
        foreach (var (s, n) in Signers.Zip(nonces))
        {
            Convert.ToHexStringLower(SerializeElement(n.Commitments.Hiding)).ShouldBe(s.HidingCommitment);
            Convert.ToHexStringLower(SerializeElement(n.Commitments.Binding)).ShouldBe(s.BindingCommitment);
        }
        Convert.ToHexStringLower(SerializeScalar(Frost.NonceGenerate(keys.Packages[0].SigningShare, H(Signers[0].HidingRandom)))).ShouldBe(Signers[0].HidingNonce);
        Convert.ToHexStringLower(SerializeScalar(Frost.NonceGenerate(keys.Packages[0].SigningShare, H(Signers[0].BindingRandom)))).ShouldBe(Signers[0].BindingNonce);
        Convert.ToHexStringLower(SerializeScalar(Frost.NonceGenerate(keys.Packages[2].SigningShare, H(Signers[1].HidingRandom)))).ShouldBe(Signers[1].HidingNonce);

        var prefix = Convert.ToHexStringLower([.. SerializeElement(keys.GroupPublicKey), .. H4(Message), .. H5(Frost.EncodeCommitments(commitments))]);
        var factors = Frost.BindingFactors(keys.GroupPublicKey, commitments, Message);
        foreach (var s in Signers)
        {
            (prefix + Convert.ToHexStringLower(SerializeScalar(new Identifier(s.Id).Value))).ShouldBe(s.BindingFactorInput);
            Convert.ToHexStringLower(SerializeScalar(factors[new Identifier(s.Id)])).ShouldBe(s.BindingFactor);
        }
    }

    [Fact]
    public void Round_two_gives_the_published_shares_and_the_aggregate_is_the_published_signature()
    {
        var keys = Dealt();
        var nonces = Signers.Select(s => Frost.Commit(new Identifier(s.Id), keys.Packages[s.Id - 1].SigningShare, H(s.HidingRandom), H(s.BindingRandom))).ToList();
        var commitments = nonces.Select(n => n.Commitments).ToList();
        var shares = Signers.Zip(nonces).Select(p => Frost.Sign(Message, p.Second, keys.Packages[p.First.Id - 1], commitments)).ToList();
        shares.Select(s => Convert.ToHexStringLower(SerializeScalar(s.Z))).ShouldBe(Signers.Select(s => s.SigShare));
        foreach (var share in shares)
            Frost.VerifyShare(share, keys.Packages[share.Id.Index - 1].VerifyingShare, commitments, keys.GroupPublicKey, Message).ShouldBeTrue();

        var verifying = keys.Packages.ToDictionary(p => p.Id, p => p.VerifyingShare);
        var signature = Frost.Aggregate(commitments, shares, keys.GroupPublicKey, Message, verifying);
        Convert.ToHexStringLower(signature.ToBytes()).ShouldBe(FinalSignature);
        Frost.Verify(keys.GroupPublicKey, Message, Signature.FromBytes(H(FinalSignature))).ShouldBeTrue();
    }

    [Theory]
    [InlineData("", "68a985b87eb6b46952128911f2a4412bbc302a9d759667f87f7a21d803f07235")]
    [InlineData("abc", "d8ccab23b5985ccea865c6c97b6e5b8350e794e603b4b97902f53a8a0d605615")]
    public void Expand_message_xmd_matches_RFC_9380_vectors(string msg, string expected)
    {
        var dst = "QUUX-V01-CS02-with-expander-SHA256-128"u8;
        Convert.ToHexStringLower(ExpandMessageXmd(System.Text.Encoding.ASCII.GetBytes(msg), dst, 32)).ShouldBe(expected);
    }
}
