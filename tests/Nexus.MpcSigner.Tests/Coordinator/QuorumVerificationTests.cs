using Nexus.Contracts.Signer;
using Nexus.MpcSigner.Coordinator;

namespace Nexus.MpcSigner.Tests.Coordinator;

public sealed class QuorumVerificationTests
{
    [Fact]
    public async Task Every_replica_that_verified_agrees_in_identifier_order()
    {
        var c = new InMemoryCommittee(5, 3);
        var agreeing = await c.Quorum.AgreeingAsync(InMemoryCommittee.Proposal("app", 0), default);
        agreeing.Select(r => (int)r.Id.Index).ShouldBe([1, 2, 3, 4, 5]);
    }

    [Fact]
    public async Task A_refusing_replica_is_left_out_and_with_fewer_than_t_nothing_goes_on_and_each_reason_is_named()
    {
        var c = new InMemoryCommittee(5, 3);
        c.Replica(2).Judge = _ => new VerifyResponse { Status = VerifyStatus.Refused, Reason = "re-execution gives another header" };
        (await c.Quorum.AgreeingAsync(InMemoryCommittee.Proposal("app", 0), default)).Select(r => (int)r.Id.Index).ShouldBe([1, 3, 4, 5]);

        foreach (var id in new[] { 3, 4 })
            c.Replica(id).Judge = _ => new VerifyResponse { Status = VerifyStatus.Refused, Reason = $"replica {id} disagrees" };
        var error = await Should.ThrowAsync<NotEnoughSignersException>(() => c.Quorum.AgreeingAsync(InMemoryCommittee.Proposal("app", 0), default));
        error.Message.ShouldContain("2 replica(s) agreed, 3 needed");
        error.Message.ShouldContain("re-execution gives another header");
        error.Message.ShouldContain("replica 4 disagrees");
    }

    [Fact]
    public async Task A_verification_of_a_header_other_than_the_proposed_one_does_not_count()
    {
        var c = new InMemoryCommittee(3, 2);
        c.Replica(1).Judge = _ => new VerifyResponse { Status = VerifyStatus.Verified, HeaderHash = "0x" + new string('b', 64) };
        (await c.Quorum.AgreeingAsync(InMemoryCommittee.Proposal("app", 0), default)).Select(r => (int)r.Id.Index).ShouldBe([2, 3]);
    }

    [Fact]
    public async Task A_hung_replica_does_not_hold_the_block_once_t_agreed_and_the_grace_has_passed()
    {
        var c = new InMemoryCommittee(5, 3);
        c.Replica(5).Hold = new TaskCompletionSource();
        var agreeing = c.Quorum.AgreeingAsync(InMemoryCommittee.Proposal("app", 0), default);
        await Task.Delay(50);
        agreeing.IsCompleted.ShouldBeFalse("the late replica gets a grace period");
        c.Clock.Advance(QuorumVerification.MinimumGrace);
        (await agreeing.WaitAsync(TimeSpan.FromSeconds(10))).Select(r => (int)r.Id.Index).ShouldBe([1, 2, 3, 4]);
    }

    [Fact]
    public async Task An_excluded_replica_does_not_count_even_when_it_verified()
    {
        var c = new InMemoryCommittee(3, 2);
        c.Client(1).Exclude(TimeSpan.FromMinutes(5));
        (await c.Quorum.AgreeingAsync(InMemoryCommittee.Proposal("app", 0), default)).Select(r => (int)r.Id.Index).ShouldBe([2, 3]);
        c.Clock.Advance(TimeSpan.FromMinutes(5));
        (await c.Quorum.AgreeingAsync(InMemoryCommittee.Proposal("app", 0), default)).Select(r => (int)r.Id.Index).ShouldBe([1, 2, 3]);
    }

    [Fact]
    public async Task Replicas_that_are_behind_are_fed_the_missed_blocks_in_order_and_then_count()
    {
        var c = new InMemoryCommittee(3, 3);
        c.Store.Execute("app", 4);
        // Replica 3 verified nothing yet: it answers BEHIND until it has seen heights 0..2 in order.
        var next = 0L;
        c.Replica(3).Judge = p =>
        {
            if (p.Height > next) return new VerifyResponse { Status = VerifyStatus.Behind, NextHeight = next, Reason = $"verified up to {next - 1}" };
            next = Math.Max(next, p.Height + 1);
            return new VerifyResponse { Status = VerifyStatus.Verified, HeaderHash = p.HeaderHash };
        };
        var head = (await c.Store.ExecutedFromAsync("app", 3, 1, default)).Single();
        var agreeing = await c.Quorum.AgreeingAsync(await c.Store.ProposalAsync(head, default), default);
        agreeing.Select(r => (int)r.Id.Index).ShouldBe([1, 2, 3]);
        // The missed blocks in order, up to the proposed one, which it is then asked again (and confirms).
        c.Replica(3).Verified.ToArray().ShouldBe([0, 1, 2, 3, 3]);
    }
}
