using Nexus.AppStreams.Registry;
using Nexus.ChainListener.Watches;
using Nexus.Contracts;
using Nexus.Contracts.ChainListener;
using Nexus.Ethereum;
using Nexus.Ethereum.Chain;

namespace Nexus.ChainListener.Scanning;

/// <summary>Outcome of one scan step of a group of watches: their cursors after it, in the group's order.</summary>
public sealed record ScanStep(IReadOnlyList<WatchCursor> Cursors, int Published, bool CaughtUp, string? Retry = null)
{
    /// <summary>The cursor of a group of one.</summary>
    public WatchCursor Cursor => Cursors[0];
}

/// <summary>
/// One step of a group of watches that stand at the same block and depth: check that what was already
/// scanned is still canonical, read the next confirmed range once for all of them, check the range did
/// not move while it was read, publish each watch's inputs, advance. A log is published only if its
/// block hash is the canonical one and the range's last block kept its hash from before the logs were
/// read until after (that hash commits to every block below it). The calls to the node do not depend
/// on how many watches the group holds.
/// </summary>
public sealed class WatchScanner(
    IChainReader chain,
    ListenerOptions options,
    ListenerMetrics metrics,
    ILogger logger,
    Func<IReadOnlyList<ObservedInput>, CancellationToken, Task> publish)
{
    private readonly LogRangeReader _logs = new(chain);

    /// <summary>One step of one watch.</summary>
    public Task<ScanStep> StepAsync(
        long chainId, WatchPlan plan, WatchCursor cursor, long head,
        IReadOnlyDictionary<string, RegisteredApp> appsById, DateTimeOffset now, CancellationToken ct) =>
        StepAsync(chainId, [(plan, cursor)], head, appsById, now, ct);

    /// <summary>One step of a group: every cursor at the same next block and hash, every plan at the same depth, none halted.</summary>
    public async Task<ScanStep> StepAsync(
        long chainId, IReadOnlyList<(WatchPlan Plan, WatchCursor Cursor)> group, long head,
        IReadOnlyDictionary<string, RegisteredApp> appsById, DateTimeOffset now, CancellationToken ct)
    {
        var (first, at) = group[0];
        if (group.Any(w => w.Cursor.NextBlock != at.NextBlock || w.Cursor.LastBlockHash != at.LastBlockHash || w.Plan.Confirmations != first.Confirmations))
            throw new ArgumentException("a scan group's watches must stand at one block and depth", nameof(group));
        var unchanged = group.Select(w => w.Cursor).ToList();
        if (at.Halted) return new ScanStep(unchanged, 0, true);

        if (at.LastBlockHash is not null && await DeepReorgAsync(first, at, ct) is { } reason)
        {
            logger.LogCritical(
                "DEEP REORG under {Count} watch(es) ({Watches}): {Reason}. They are halted: nothing more is published for them until an operator resolves it (see the chain-listener README).",
                group.Count, string.Join(", ", group.Take(5).Select(w => w.Plan.Id)) + (group.Count > 5 ? ", …" : ""), reason);
            foreach (var (plan, _) in group) metrics.DeepReorg(plan.Id);
            return new ScanStep(group.Select(w => w.Cursor with { Halted = true, HaltReason = reason, UpdatedAt = now }).ToList(), 0, true);
        }

        var safe = head - first.Confirmations;
        if (safe < at.NextBlock) return new ScanStep(unchanged, 0, true);
        var from = at.NextBlock;
        var to = Math.Min(safe, from + options.MaxBlockRange - 1);

        var toBefore = await chain.GetHeaderAsync(to, ct);
        if (toBefore is null) return new ScanStep(unchanged, 0, true, $"block {to} not served yet");
        var logs = await _logs.ReadAsync(WatchPlan.Combined(group.Select(w => w.Plan).ToList()), from, to, ct);
        var perWatch = group.Select(w => logs.Where(l => w.Plan.Matches(l) && (!w.Plan.IsUnclaimed || WatchPlan.IsUnclaimedLog(l, appsById))).ToList()).ToList();

        var headers = await HeadersAsync(perWatch.SelectMany(l => l).Select(l => l.BlockNumber).Distinct(), ct);
        foreach (var log in perWatch.SelectMany(l => l))
            if (!headers.TryGetValue(log.BlockNumber, out var h) || h.Hash != log.BlockHash)
                return Moved(unchanged, $"log {log.TxHash}#{log.LogIndex} names block {log.BlockHash}, canonical is {h?.Hash ?? "missing"}");

        var toAfter = await chain.GetHeaderAsync(to, ct);
        if (toAfter?.Hash != toBefore.Hash)
            return Moved(unchanged, $"block {to} changed from {toBefore.Hash} to {toAfter?.Hash ?? "missing"} while reading");
        if (at.LastBlockHash is not null && toBefore.Number > from - 1)
        {
            // The range must extend the chain we already published from.
            var parent = await chain.GetHeaderAsync(from - 1, ct);
            if (parent?.Hash != at.LastBlockHash)
                return Moved(unchanged, $"block {from - 1} is no longer {at.LastBlockHash}");
        }

        var advanced = new List<WatchCursor>(group.Count);
        var all = new List<ObservedInput>();
        for (var i = 0; i < group.Count; i++)
        {
            var (plan, cursor) = group[i];
            var inputs = ToInputs(chainId, plan, cursor.LastPublished, perWatch[i], headers);
            all.AddRange(inputs);
            var last = plan.IsUnclaimed || inputs.Count == 0 ? cursor.LastPublished : inputs[^1].Position;
            advanced.Add(cursor with { NextBlock = to + 1, LastBlockHash = toBefore.Hash, LastPublished = last, UpdatedAt = now });
        }
        // In chain order across the group (each app's inputs stay in its order), a bounded list per call.
        foreach (var chunk in all.OrderBy(x => x.Position.BlockNumber).ThenBy(x => x.Position.LogIndex).Chunk(2_000))
            await publish(chunk, ct);
        for (var i = 0; i < group.Count; i++)
        {
            if (perWatch[i].Count > 0) metrics.Published(group[i].Plan.Id, perWatch[i].Count);
            metrics.Scanned(group[i].Plan.Id, to, head);
        }
        return new ScanStep(advanced, all.Count, to == safe);
    }

    private async Task<string?> DeepReorgAsync(WatchPlan plan, WatchCursor cursor, CancellationToken ct)
    {
        var scannedTip = cursor.NextBlock - 1;
        var now = await chain.GetHeaderAsync(scannedTip, ct);
        if (now?.Hash == cursor.LastBlockHash) return null;
        return $"block {scannedTip} was {cursor.LastBlockHash} when scanned at {plan.Confirmations} confirmations and is now {now?.Hash ?? "gone"}";
    }

    private ScanStep Moved(IReadOnlyList<WatchCursor> cursors, string why)
    {
        // A reorg inside the confirmation window racing our read; nothing was published, read again.
        metrics.RangeRetried();
        logger.LogInformation("Chain moved under a read, retrying: {Why}", why);
        return new ScanStep(cursors, 0, false, why);
    }

    private async Task<Dictionary<long, BlockHeader>> HeadersAsync(IEnumerable<long> numbers, CancellationToken ct)
    {
        var result = new Dictionary<long, BlockHeader>();
        using var gate = new SemaphoreSlim(options.HeaderConcurrency);
        var fetches = numbers.Select(async n =>
        {
            await gate.WaitAsync(ct);
            try { return await chain.GetHeaderAsync(n, ct); }
            finally { gate.Release(); }
        }).ToList();
        foreach (var header in await Task.WhenAll(fetches))
            if (header is not null) result[header.Number] = header;
        return result;
    }

    internal static List<ObservedInput> ToInputs(
        long chainId, WatchPlan plan, LogPosition? preceding, IReadOnlyList<ChainLog> logs, IReadOnlyDictionary<long, BlockHeader> headers)
    {
        var inputs = new List<ObservedInput>(logs.Count);
        for (var i = 0; i < logs.Count; i++)
        {
            var log = logs[i];
            var position = new LogPosition(log.BlockNumber, log.LogIndex);
            var appId = plan.AppId ?? AppIds.FromTopic(log.Topics.Count > 1 ? log.Topics[1] : "") ?? (log.Topics.Count > 1 ? log.Topics[1] : "unknown");
            inputs.Add(new ObservedInput
            {
                InputId = $"{chainId}:{log.TxHash}:{log.LogIndex}",
                AppId = appId,
                ChainId = chainId,
                Position = position,
                BlockHash = log.BlockHash,
                BlockTimestamp = headers[log.BlockNumber].Timestamp,
                TxHash = log.TxHash,
                TxIndex = log.TxIndex,
                Emitter = log.Address,
                Topics = log.Topics,
                Data = log.Data,
                Preceding = plan.IsUnclaimed ? null : preceding,
                LastOfL1Block = !plan.IsUnclaimed && (i == logs.Count - 1 || logs[i + 1].BlockNumber != log.BlockNumber),
                Unclaimed = plan.IsUnclaimed,
            });
            if (!plan.IsUnclaimed) preceding = position;
        }
        return inputs;
    }
}
