using Microsoft.Extensions.Options;
using Nexus.Contracts.Signer;
using Nexus.Crypto.Frost;

namespace Nexus.MpcSigner.Coordinator;

/// <summary>Fewer than t replicas agreed on a block; nothing was signed.</summary>
public sealed class NotEnoughSignersException(string message) : Exception(message);

/// <summary>
/// Asks every replica to verify a block (each checks its own node and re-executes) and returns the t
/// or more that agreed. One slow replica does not hold a block for the whole timeout: once t have
/// agreed the rest get as long again. Replicas that are behind are fed the missed blocks, and given
/// one verification's time to catch up when the block cannot be signed without them.
/// </summary>
public sealed class QuorumVerification(
    IReadOnlyList<ReplicaClient> replicas,
    Committee committee,
    ReplicaVerification verification,
    ReplicaCatchUp catchUp,
    IOptions<CoordinatorOptions> options,
    TimeProvider clock)
{
    /// <summary>The least grace a late replica gets once t have agreed.</summary>
    public static readonly TimeSpan MinimumGrace = TimeSpan.FromMilliseconds(250);

    /// <summary>The replicas that verified the block and are not excluded, in identifier order; at least t.</summary>
    public async Task<List<ReplicaClient>> AgreeingAsync(BlockProposal proposal, CancellationToken ct)
    {
        var verdicts = await VerifyAllAsync(proposal, ct);
        var agreeing = replicas.Where((r, i) => verdicts[i] is null).ToList();
        if (agreeing.Count < committee.MinSigners)
        {
            // Replicas that were behind may catch up meanwhile; give them the time of one verification.
            var behind = replicas.Where((r, i) => verdicts[i] is { Behind: true }).ToList();
            if (behind.Count > 0 && agreeing.Count + behind.Count >= committee.MinSigners)
            {
                await Task.WhenAny(Task.WhenAll(behind.Select(r => r.CatchUpOf(proposal.AppId))),
                    Task.Delay(TimeSpan.FromMilliseconds(options.Value.VerifyTimeoutMs), clock, ct));
                var again = await Task.WhenAll(behind.Select(r => verification.VerifyAsync(r, proposal, ct)));
                agreeing.AddRange(behind.Where((r, i) => again[i] is null));
            }
        }
        agreeing = agreeing.Where(r => !r.IsExcluded).OrderBy(r => r.Id.Index).ToList();
        if (agreeing.Count < committee.MinSigners)
            throw new NotEnoughSignersException($"{agreeing.Count} replica(s) agreed, {committee.MinSigners} needed: " +
                string.Join("; ", replicas.Select((r, i) => $"{r.Id}: {(r.IsExcluded ? "excluded" : verdicts[i]?.Reason ?? "verified")}")));
        return agreeing;
    }

    /// <summary>
    /// Every replica's verdict: once all answered, or once t agreed and the rest had as long again (at
    /// least <see cref="MinimumGrace"/>). Late answers still land (the replica stays in step) but do not
    /// count for this block.
    /// </summary>
    private async Task<Verdict?[]> VerifyAllAsync(BlockProposal proposal, CancellationToken ct)
    {
        var tasks = replicas.Select(r => VerifyOrCatchUpAsync(r, proposal, ct)).ToArray();
        var all = Task.WhenAll(tasks);
        var started = clock.GetTimestamp();
        while (!all.IsCompleted)
        {
            if (tasks.Where((t, i) => t.IsCompletedSuccessfully && t.Result is null && !replicas[i].IsExcluded).Count() >= committee.MinSigners)
            {
                var grace = clock.GetElapsedTime(started);
                await Task.WhenAny(all, Task.Delay(grace > MinimumGrace ? grace : MinimumGrace, clock, ct));
                break;
            }
            await Task.WhenAny(tasks.Where(t => !t.IsCompleted));
        }
        return tasks.Select(t => t.IsCompletedSuccessfully ? t.Result
            : new Verdict(t.IsFaulted ? t.Exception!.GetBaseException().Message : "still verifying")).ToArray();
    }

    private async Task<Verdict?> VerifyOrCatchUpAsync(ReplicaClient replica, BlockProposal proposal, CancellationToken ct)
    {
        var verdict = await verification.VerifyAsync(replica, proposal, ct);
        if (verdict is { Behind: true })
            catchUp.Start(replica, proposal.AppId, verdict.NextHeight, proposal.Height);
        return verdict;
    }
}
