using System.Security.Cryptography;
using Nexus.MpcSigner.Dkg;

namespace Nexus.MpcSigner.Tests;

/// <summary>The DKG's round-two shares pass through the operator's tool encrypted: only the addressee opens them, unaltered.</summary>
public sealed class ShareEnvelopeTests
{
    private static readonly byte[] Session = RandomNumberGenerator.GetBytes(32);

    [Fact]
    public void Only_the_addressee_opens_a_share_and_any_change_is_detected()
    {
        using var alice = ShareEnvelope.NewKey();
        using var bob = ShareEnvelope.NewKey();
        using var eve = ShareEnvelope.NewKey();
        var share = RandomNumberGenerator.GetBytes(32);
        var sealedShare = ShareEnvelope.Seal(alice, ShareEnvelope.PublicKey(bob), Session, 1, 2, share);

        ShareEnvelope.Open(bob, ShareEnvelope.PublicKey(alice), Session, 1, 2, sealedShare).ShouldBe(share);
        sealedShare.AsSpan().IndexOf(share).ShouldBe(-1);

        Should.Throw<CryptographicException>(() => ShareEnvelope.Open(eve, ShareEnvelope.PublicKey(alice), Session, 1, 2, sealedShare));
        Should.Throw<CryptographicException>(() => ShareEnvelope.Open(bob, ShareEnvelope.PublicKey(eve), Session, 1, 2, sealedShare));
        // Re-addressed (another sender or recipient id) or replayed into another session.
        Should.Throw<CryptographicException>(() => ShareEnvelope.Open(bob, ShareEnvelope.PublicKey(alice), Session, 3, 2, sealedShare));
        Should.Throw<CryptographicException>(() => ShareEnvelope.Open(bob, ShareEnvelope.PublicKey(alice), Session, 1, 3, sealedShare));
        Should.Throw<CryptographicException>(() => ShareEnvelope.Open(bob, ShareEnvelope.PublicKey(alice), RandomNumberGenerator.GetBytes(32), 1, 2, sealedShare));
        for (var i = 0; i < sealedShare.Length; i += 7)
        {
            var flipped = (byte[])sealedShare.Clone();
            flipped[i] ^= 0x01;
            Should.Throw<CryptographicException>(() => ShareEnvelope.Open(bob, ShareEnvelope.PublicKey(alice), Session, 1, 2, flipped));
        }
        Should.Throw<CryptographicException>(() => ShareEnvelope.Open(bob, ShareEnvelope.PublicKey(alice), Session, 1, 2, sealedShare[..20]));
    }

    [Fact]
    public void Two_seals_of_the_same_share_differ()
    {
        using var alice = ShareEnvelope.NewKey();
        using var bob = ShareEnvelope.NewKey();
        var share = RandomNumberGenerator.GetBytes(32);
        ShareEnvelope.Seal(alice, ShareEnvelope.PublicKey(bob), Session, 1, 2, share)
            .ShouldNotBe(ShareEnvelope.Seal(alice, ShareEnvelope.PublicKey(bob), Session, 1, 2, share));
    }
}
