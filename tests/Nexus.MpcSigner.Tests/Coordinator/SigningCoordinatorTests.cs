using Grpc.Core;
using Nexus.Contracts.Signer;
using Nexus.Crypto.Frost;
using Nexus.Ethereum;
using Nexus.MpcSigner.Coordinator;

namespace Nexus.MpcSigner.Tests.Coordinator;

public sealed class SigningCoordinatorTests
{
    [Fact]
    public async Task The_leader_signs_every_executed_block_of_every_app_in_height_order_once()
    {
        var c = new InMemoryCommittee(5, 3);
        c.Store.Execute("a", 5);
        c.Store.Execute("b", 3);
        await c.Loop.SignPendingAsync(default);

        var recorded = c.Store.Recorded.ToList();
        recorded.Where(s => s.AppId == "a").Select(s => s.Height).ShouldBe([0, 1, 2, 3, 4]);
        recorded.Where(s => s.AppId == "b").Select(s => s.Height).ShouldBe([0, 1, 2]);
        foreach (var s in recorded)
        {
            s.Digest.ShouldBe(Hex.Encode(c.Digest(s.HeaderHash)));
            Frost.Verify(c.Committee.Public.GroupPublicKey, Hex.Decode(s.Digest), Signature.FromBytes(Hex.Decode(s.Signature))).ShouldBeTrue();
        }

        // Woken again and swept again (the sweep interval passed): nothing is signed twice.
        c.Clock.Advance(TimeSpan.FromMilliseconds(c.Options.Value.SweepIntervalMs + 1));
        c.Loop.Wake("a");
        c.Loop.Wake("b");
        await c.Loop.SignPendingAsync(default);
        c.Store.Recorded.Count.ShouldBe(8);
        // A record for a height already recorded is refused by the store, whoever asks.
        (await c.Store.RecordAsync(c.Store.Recorded.First(), 0, default)).ShouldBeFalse();
    }

    [Fact]
    public async Task A_standby_signs_nothing()
    {
        var c = new InMemoryCommittee(3, 2, new CoordinatorOptions { SweepIntervalMs = 50, CommitmentBatch = 4 });
        c.Leadership.Leads = false;
        c.Store.Execute("a", 2);
        using var stop = new CancellationTokenSource();
        await c.Loop.StartAsync(stop.Token);
        // It asked for the lead twice (once, then again after the sweep interval) and signed nothing.
        for (var i = 0; i < 500 && c.Loop.LeadershipChecks < 2; i++)
            await Task.Delay(10);
        c.Loop.LeadershipChecks.ShouldBeGreaterThanOrEqualTo(2);
        c.Store.Recorded.ShouldBeEmpty();
        c.Loop.IsLeader.ShouldBeFalse();
        await c.Loop.StopAsync(default);
    }

    [Fact]
    public async Task A_failing_app_backs_off_alone_and_is_retried_once_its_time_has_come()
    {
        var c = new InMemoryCommittee(3, 2);
        c.Store.Execute("broken", 2);
        c.Store.Execute("fine", 2);
        c.Store.Broken.Add("broken");
        await c.Loop.SignPendingAsync(default);
        c.Store.Recorded.Select(s => s.AppId).Distinct().ShouldBe(["fine"]);

        // Mended, woken again at once: still backing off, so nothing yet.
        c.Store.Broken.Clear();
        c.Loop.Wake("broken");
        await c.Loop.SignPendingAsync(default);
        c.Store.Recorded.Count(s => s.AppId == "broken").ShouldBe(0);

        c.Clock.Advance(TimeSpan.FromSeconds(31));
        c.Loop.Wake("broken");
        await c.Loop.SignPendingAsync(default);
        c.Store.Recorded.Where(s => s.AppId == "broken").Select(s => s.Height).ShouldBe([0, 1]);
    }

    [Fact]
    public async Task A_block_that_fewer_than_t_replicas_verify_is_not_signed_and_later_ones_wait_for_it()
    {
        var c = new InMemoryCommittee(3, 2);
        c.Store.Execute("a", 3);
        foreach (var id in new[] { 2, 3 })
            c.Replica(id).Judge = p => p.Height == 1
                ? new VerifyResponse { Status = VerifyStatus.Refused, Reason = "not confirmed by this replica's node" }
                : new VerifyResponse { Status = VerifyStatus.Verified, HeaderHash = p.HeaderHash };
        await c.Loop.SignPendingAsync(default);
        c.Store.Recorded.Select(s => s.Height).ShouldBe([0]);
    }

    [Fact]
    public async Task A_replica_that_missed_blocks_is_brought_up_to_the_signed_head_without_a_new_block()
    {
        var c = new InMemoryCommittee(3, 2);
        c.Replica(3).Hold = new TaskCompletionSource(); // down while three blocks are signed
        c.Store.Execute("a", 3);
        // Each block waits the grace period for the hung replica: the test moves the clock on.
        var first = c.Loop.SignPendingAsync(default);
        for (var i = 0; i < 400 && !first.IsCompleted; i++)
        {
            await Task.Delay(10);
            c.Clock.Advance(QuorumVerification.MinimumGrace);
        }
        await first.WaitAsync(TimeSpan.FromSeconds(10));
        c.Store.Recorded.Count.ShouldBe(3);
        c.Store.Recorded.ShouldAllBe(s => !s.Signers.Contains(3));

        // Back: it has verified nothing, and the next pass feeds it every block from where it says it is.
        var next = 0L;
        c.Replica(3).Judge = p =>
        {
            if (p.Height > next) return new VerifyResponse { Status = VerifyStatus.Behind, NextHeight = next };
            next = Math.Max(next, p.Height + 1);
            return new VerifyResponse { Status = VerifyStatus.Verified, HeaderHash = p.HeaderHash };
        };
        // Restarted: the calls it never answered fail (a catch-up probe sent at the end of the first pass
        // may be one of them), and once a catch-up held after that failure is due again, the next pass
        // starts one.
        var hung = c.Replica(3).Hold!;
        c.Replica(3).Hold = null;
        hung.SetException(new RpcException(new Status(StatusCode.Unavailable, "restarted")));
        await c.Client(3).CatchUpOf("a").WaitAsync(TimeSpan.FromSeconds(10));
        c.Clock.Advance(ReplicaCatchUp.HoldAfterFailure);
        await c.Loop.SignPendingAsync(default);
        await c.Client(3).CatchUpOf("a").WaitAsync(TimeSpan.FromSeconds(10));
        c.Client(3).VerifiedHeight("a").ShouldBe(2);
        c.Replica(3).Verified.ToArray().ShouldBe([0, 1, 2]);
    }

    [Fact]
    public async Task A_replica_that_refuses_to_catch_up_is_held_and_not_asked_again_on_every_pass()
    {
        var c = new InMemoryCommittee(3, 2);
        c.Store.Execute("a", 2);
        var refusals = 0;
        c.Replica(3).Judge = _ =>
        {
            Interlocked.Increment(ref refusals);
            return new VerifyResponse { Status = VerifyStatus.Refused, Reason = "tampered state" };
        };
        await c.Loop.SignPendingAsync(default);
        c.Store.Recorded.Count.ShouldBe(2);
        await c.Client(3).CatchUpOf("a").WaitAsync(TimeSpan.FromSeconds(10));
        var afterFirst = refusals;
        await c.Loop.SignPendingAsync(default);
        await c.Client(3).CatchUpOf("a").WaitAsync(TimeSpan.FromSeconds(10));
        refusals.ShouldBe(afterFirst);

        c.Clock.Advance(ReplicaCatchUp.HoldAfterFailure);
        await c.Loop.SignPendingAsync(default);
        await Task.Delay(50);
        await c.Client(3).CatchUpOf("a").WaitAsync(TimeSpan.FromSeconds(10));
        refusals.ShouldBeGreaterThan(afterFirst);
    }
}
