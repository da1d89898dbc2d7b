using Nexus.Crypto.Frost;
using Nexus.MpcSigner.Coordinator;

namespace Nexus.MpcSigner.Tests.Coordinator;

public sealed class SigningRoundTests
{
    private const string Header = "0x1111111111111111111111111111111111111111111111111111111111111111";

    [Fact]
    public async Task T_agreeing_replicas_make_one_signature_that_verifies_under_the_group_key()
    {
        var c = new InMemoryCommittee(5, 3);
        var digest = c.Digest(Header);
        var (signature, signers) = await c.Round.SignAsync(c.Clients, "app", 0, Header, digest, default);
        signers.ShouldBe([1, 2, 3]);
        Frost.Verify(c.Committee.Public.GroupPublicKey, digest, signature).ShouldBeTrue();
        Frost.Verify(c.Committee.Public.GroupPublicKey, c.Digest("0x" + new string('2', 64)), signature).ShouldBeFalse();
    }

    [Fact]
    public async Task Commitments_are_fetched_in_batches_so_signing_is_one_round_trip_per_block()
    {
        var c = new InMemoryCommittee(3, 2);
        for (var h = 0; h < 4; h++)
            await c.Round.SignAsync(c.Clients, "app", h, Header, c.Digest(Header), default);
        c.Replica(1).Commits.ShouldBe(1); // a batch of 4 commitments served four blocks
        c.Replica(1).Shares.ShouldBe(4);
    }

    [Fact]
    public async Task A_cheating_replica_is_named_excluded_until_its_time_is_up_and_the_set_is_redrawn_without_it()
    {
        var c = new InMemoryCommittee(5, 3, new CoordinatorOptions { ExcludeCheatersMinutes = 10, CommitmentBatch = 2 });
        c.Replica(2).Cheats = true;
        var digest = c.Digest(Header);
        var (signature, signers) = await c.Round.SignAsync(c.Clients, "app", 0, Header, digest, default);
        signers.ShouldBe([1, 3, 4]);
        Frost.Verify(c.Committee.Public.GroupPublicKey, digest, signature).ShouldBeTrue();
        c.Client(2).IsExcluded.ShouldBeTrue();
        c.Clock.Advance(TimeSpan.FromMinutes(10));
        c.Client(2).IsExcluded.ShouldBeFalse();
    }

    [Fact]
    public async Task When_every_share_fails_the_coordinator_blames_its_own_configuration_not_t_replicas()
    {
        var c = new InMemoryCommittee(3, 2);
        foreach (var r in c.Replicas) r.Cheats = true;
        var error = await Should.ThrowAsync<NotEnoughSignersException>(() => c.Round.SignAsync(c.Clients, "app", 0, Header, c.Digest(Header), default));
        error.Message.ShouldContain("Coordinator:CommitteeFile");
        c.Clients.ShouldAllBe(r => !r.IsExcluded);
    }

    [Fact]
    public async Task A_replica_that_restarted_and_forgot_its_nonces_gets_one_retry_with_fresh_commitments()
    {
        var c = new InMemoryCommittee(3, 3);
        await c.Round.SignAsync(c.Clients, "app", 0, Header, c.Digest(Header), default); // commitments are now held ahead
        c.Replica(2).ForgetsOnce = true;
        var (signature, signers) = await c.Round.SignAsync(c.Clients, "app", 1, Header, c.Digest(Header), default);
        signers.ShouldBe([1, 2, 3]);
        Frost.Verify(c.Committee.Public.GroupPublicKey, c.Digest(Header), signature).ShouldBeTrue();
        c.Replica(2).Commits.ShouldBe(2);
    }

    [Fact]
    public async Task Fewer_than_t_honest_replicas_sign_nothing()
    {
        var c = new InMemoryCommittee(4, 3);
        c.Replica(1).Cheats = true;
        c.Replica(2).Cheats = true;
        await Should.ThrowAsync<NotEnoughSignersException>(() => c.Round.SignAsync(c.Clients, "app", 0, Header, c.Digest(Header), default));
        c.Client(1).IsExcluded.ShouldBeTrue();
        c.Client(2).IsExcluded.ShouldBeTrue();
    }
}
