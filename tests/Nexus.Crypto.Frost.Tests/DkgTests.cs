using NBitcoin.Secp256k1;

namespace Nexus.Crypto.Frost.Tests;

/// <summary>The two-round DKG among n simulated participants.</summary>
public sealed class DkgTests
{
    private static readonly byte[] Message = "dkg-made key"u8.ToArray();

    /// <summary>Runs the DKG; <paramref name="tamper"/> may alter what one participant sends.</summary>
    private static readonly byte[] Session = "test run"u8.ToArray();

    private static List<(KeyPackage Key, PublicKeyPackage Public)> Run(int n, int t,
        Func<DkgRound1Package, DkgRound1Package>? tamperRound1 = null,
        Func<Identifier, Identifier, Scalar, Scalar>? tamperShare = null)
    {
        var started = Enumerable.Range(1, n).Select(i => Dkg.Start(new Identifier((ushort)i), n, t, Session)).ToList();
        var packages = started.Select(s => tamperRound1?.Invoke(s.Package) ?? s.Package).ToList();
        var outgoing = started.ToDictionary(s => s.Secret.Id, s => Dkg.SharesFor(s.Secret, packages.Where(p => p.Id != s.Secret.Id).ToList()));
        return started.Select(s =>
        {
            var received = outgoing.Where(o => o.Key != s.Secret.Id)
                .ToDictionary(o => o.Key, o => tamperShare?.Invoke(o.Key, s.Secret.Id, o.Value[s.Secret.Id]) ?? o.Value[s.Secret.Id]);
            return Dkg.Finish(s.Secret, packages.Where(p => p.Id != s.Secret.Id).ToList(), received, packages.Single(p => p.Id == s.Secret.Id));
        }).ToList();
    }

    public static TheoryData<int, int> Committees() => new() { { 2, 2 }, { 2, 3 }, { 3, 5 }, { 5, 7 }, { 7, 10 } };

    [Theory]
    [MemberData(nameof(Committees))]
    public void Every_participant_derives_the_same_group_key_and_any_t_of_them_sign(int t, int n)
    {
        var results = Run(n, t);
        var groupKey = results[0].Public.GroupPublicKey;
        results.ShouldAllBe(r => Frost.Same(r.Key.GroupPublicKey, groupKey) && Frost.Same(r.Public.GroupPublicKey, groupKey));
        foreach (var (key, pub) in results)
            Frost.Same(pub.VerifyingShares[key.Id], key.VerifyingShare).ShouldBeTrue();

        var random = new Random(n * 10 + t);
        var signers = results.Select(r => r.Key).OrderBy(_ => random.Next()).Take(t).ToList();
        var nonces = signers.Select(Frost.Commit).ToList();
        var commitments = nonces.Select(x => x.Commitments).ToList();
        var shares = signers.Zip(nonces).Select(p => Frost.Sign(Message, p.Second, p.First, commitments)).ToList();
        var signature = Frost.Aggregate(commitments, shares, groupKey, Message, results[0].Public.VerifyingShares);
        Frost.Verify(groupKey, Message, signature).ShouldBeTrue();
        // The group secret exists only as the sum no one computed; t shares reconstruct a key for it.
        Frost.Same(Frost.BaseMult(TrustedDealer.Reconstruct(signers)), groupKey).ShouldBeTrue();
    }

    [Fact]
    public void A_forged_proof_of_knowledge_is_refused_naming_its_sender()
    {
        var error = Should.Throw<DkgMisbehaviourException>(() => Run(4, 3, tamperRound1: p => p.Id.Index == 2 ? p with { ProofZ = p.ProofZ.Add(Scalar.One) } : p));
        error.Culprit.Index.ShouldBe((ushort)2);
        error.Message.ShouldContain("proof of knowledge");
    }

    [Fact]
    public void A_bad_share_is_refused_by_its_receiver_naming_its_sender()
    {
        var error = Should.Throw<DkgMisbehaviourException>(() => Run(4, 3, tamperShare: (from, to, s) => from.Index == 3 && to.Index == 1 ? s.Add(Scalar.One) : s));
        error.Culprit.Index.ShouldBe((ushort)3);
        error.Message.ShouldContain("does not match its commitment");
    }

    [Fact]
    public void A_participant_that_sends_different_round_one_packages_to_different_peers_is_caught_by_the_transcript()
    {
        // Participant 3 equivocates: peers 1 and 2 each get a different, individually valid package.
        var started = Enumerable.Range(1, 3).Select(i => Dkg.Start(new Identifier((ushort)i), 3, 2, Session)).ToList();
        var alternative = Dkg.Start(new Identifier(3), 3, 2, Session);
        DkgRound1Package PackageOf3For(int peer) => peer == 1 ? started[2].Package : alternative.Package;
        var transcripts = new[] { 1, 2 }.Select(peer =>
        {
            var others = started.Where(s => s.Secret.Id.Index != peer).Select(s => s.Secret.Id.Index == 3 ? PackageOf3For(peer) : s.Package).ToList();
            return Dkg.Transcript([started[peer - 1].Package, .. others]);
        }).ToList();
        transcripts[0].ShouldNotBe(transcripts[1]);
        // Honest runs agree.
        var all = started.Select(s => s.Package).ToList();
        Dkg.Transcript(all).ShouldBe(Dkg.Transcript(all.AsEnumerable().Reverse()));
    }

    [Fact]
    public void Round_one_packages_from_another_session_do_not_verify()
    {
        var error = Should.Throw<DkgMisbehaviourException>(() =>
        {
            var started = Enumerable.Range(1, 3).Select(i => Dkg.Start(new Identifier((ushort)i), 3, 2, i == 2 ? "other run"u8 : Session)).ToList();
            Dkg.SharesFor(started[0].Secret, started.Skip(1).Select(s => s.Package).ToList());
        });
        error.Culprit.Index.ShouldBe((ushort)2);
        Should.Throw<FrostException>(() => Dkg.Start(new Identifier(9), 5, 3, Session)).Message.ShouldContain("outside 1..5");
    }

    [Fact]
    public void A_commitment_of_the_wrong_degree_is_refused()
    {
        var error = Should.Throw<DkgMisbehaviourException>(() => Run(4, 3, tamperRound1: p => p.Id.Index == 4 ? p with { Commitment = p.Commitment.Take(2).ToList() } : p));
        error.Culprit.Index.ShouldBe((ushort)4);
    }
}
