using Nexus.Contracts.Signer;

namespace Nexus.MpcSigner.Coordinator;

/// <summary>
/// Feeds a replica the blocks it missed, in order, in the background (one run per replica and app,
/// held for a while after a failure so a refusing replica does not re-execute the same block on every sweep).
/// </summary>
public sealed class ReplicaCatchUp(ICoordinatorStore store, ReplicaVerification verification, IHostApplicationLifetime lifetime, ILogger<ReplicaCatchUp> log)
{
    /// <summary>Held this long after a replica refused or a catch-up failed.</summary>
    public static readonly TimeSpan HoldAfterFailure = TimeSpan.FromSeconds(30);

    /// <summary>Held this long after a replica was unreachable.</summary>
    public static readonly TimeSpan HoldWhileUnreachable = TimeSpan.FromSeconds(5);

    private const int Page = 32;

    /// <summary>
    /// Starts feeding <paramref name="replica"/> the app's blocks <paramref name="from"/>..<paramref name="to"/>.
    /// <paramref name="from"/> = <paramref name="to"/> is a probe: the head is put first, and a BEHIND
    /// answer says where to start. Runs until done or the service stops, beyond the caller's own work.
    /// </summary>
    public void Start(ReplicaClient replica, string appId, long from, long to)
    {
        var stopping = lifetime.ApplicationStopping;
        replica.TryStartCatchUp(appId, async () =>
        {
            try
            {
                await RunAsync(replica, appId, from, to, stopping);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                replica.HoldCatchUp(appId, HoldAfterFailure);
                log.LogWarning("Replica {Replica}: catching up on {AppId} failed ({Error})", replica.Id, appId, e.Message);
            }
        });
    }

    private async Task RunAsync(ReplicaClient replica, string appId, long from, long to, CancellationToken ct)
    {
        if (from == to && replica.VerifiedHeight(appId) < to)
        {
            if (await ProposalsAsync(appId, to, 1, ct) is not [var head])
                return;
            if (await verification.VerifyAsync(replica, head, ct) is not { } verdict)
                return;
            if (!verdict.Behind)
            {
                // Unreachable or refusing: not again on every sweep.
                replica.HoldCatchUp(appId, verdict.Unreachable ? HoldWhileUnreachable : HoldAfterFailure);
                return;
            }
            from = verdict.NextHeight;
        }
        log.LogInformation("Replica {Replica} is behind on {AppId}: feeding blocks {From}..{To}", replica.Id, appId, from, to);
        for (var height = from; height <= to;)
        {
            var page = await ProposalsAsync(appId, height, (int)Math.Min(Page, to - height + 1), ct);
            if (page.Count == 0)
                break;
            foreach (var proposal in page)
            {
                if (await verification.VerifyAsync(replica, proposal, ct) is not null)
                {
                    replica.HoldCatchUp(appId, HoldAfterFailure);
                    log.LogWarning("Replica {Replica} stopped catching up on {AppId} at {Height}", replica.Id, appId, proposal.Height);
                    return;
                }
                height++;
            }
        }
        log.LogInformation("Replica {Replica} caught up on {AppId} to {To}", replica.Id, appId, to);
    }

    private async Task<List<BlockProposal>> ProposalsAsync(string appId, long from, int count, CancellationToken ct)
    {
        var proposals = new List<BlockProposal>();
        foreach (var executed in await store.ExecutedFromAsync(appId, from, count, ct))
            proposals.Add(await store.ProposalAsync(executed, ct));
        return proposals;
    }
}
