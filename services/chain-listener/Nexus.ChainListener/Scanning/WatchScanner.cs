using Nexus.AppStreams.Registry;
using Nexus.ChainListener.Watches;
using Nexus.Contracts;
using Nexus.Contracts.ChainListener;
using Nexus.Ethereum;
using Nexus.Ethereum.Chain;

namespace Nexus.ChainListener.Scanning;

/// <summary>Outcome of one scan step of a watch.</summary>
public sealed record ScanStep(WatchCursor Cursor, int Published, bool CaughtUp, string? Retry = null);

/// <summary>
/// One step of a watch: check that what was already scanned is still canonical, read the next
/// confirmed range, check the range did not move while it was read, publish its inputs, advance.
/// A log is published only if its block hash is the canonical one and the range's last block kept
/// its hash from before the logs were read until after (that hash commits to every block below it).
/// </summary>
public sealed class WatchScanner(
    IChainReader chain,
    ListenerOptions options,
    ListenerMetrics metrics,
    ILogger logger,
    Func<IReadOnlyList<ObservedInput>, CancellationToken, Task> publish)
{
    private readonly LogRangeReader _logs = new(chain);

    public async Task<ScanStep> StepAsync(
        long chainId, WatchPlan plan, WatchCursor cursor, long head,
        IReadOnlyDictionary<string, RegisteredApp> appsById, DateTimeOffset now, CancellationToken ct)
    {
        if (cursor.Halted) return new ScanStep(cursor, 0, true);

        if (cursor.LastBlockHash is not null && await DeepReorgAsync(plan, cursor, ct) is { } reason)
        {
            metrics.DeepReorg(plan.Id);
            logger.LogCritical(
                "DEEP REORG on watch {Watch}: {Reason}. The watch is halted: nothing more is published for it until an operator resolves it (see the chain-listener README).",
                plan.Id, reason);
            return new ScanStep(cursor with { Halted = true, HaltReason = reason, UpdatedAt = now }, 0, true);
        }

        var safe = head - plan.Confirmations;
        if (safe < cursor.NextBlock) return new ScanStep(cursor, 0, true);
        var from = cursor.NextBlock;
        var to = Math.Min(safe, from + options.MaxBlockRange - 1);

        var toBefore = await chain.GetHeaderAsync(to, ct);
        if (toBefore is null) return new ScanStep(cursor, 0, true, $"block {to} not served yet");
        var logs = await _logs.ReadAsync(plan.Filters, from, to, ct);
        if (plan.IsUnclaimed) logs = logs.Where(l => WatchPlan.IsUnclaimedLog(l, appsById)).ToList();

        var headers = await HeadersAsync(logs.Select(l => l.BlockNumber).Distinct(), ct);
        foreach (var log in logs)
            if (!headers.TryGetValue(log.BlockNumber, out var h) || h.Hash != log.BlockHash)
                return Moved(cursor, $"log {log.TxHash}#{log.LogIndex} names block {log.BlockHash}, canonical is {h?.Hash ?? "missing"}");

        var toAfter = await chain.GetHeaderAsync(to, ct);
        if (toAfter?.Hash != toBefore.Hash)
            return Moved(cursor, $"block {to} changed from {toBefore.Hash} to {toAfter?.Hash ?? "missing"} while reading");
        if (cursor.LastBlockHash is not null && toBefore.Number > from - 1)
        {
            // The range must extend the chain we already published from.
            var parent = await chain.GetHeaderAsync(from - 1, ct);
            if (parent?.Hash != cursor.LastBlockHash)
                return Moved(cursor, $"block {from - 1} is no longer {cursor.LastBlockHash}");
        }

        var inputs = ToInputs(chainId, plan, cursor.LastPublished, logs, headers);
        if (inputs.Count > 0)
        {
            foreach (var chunk in inputs.Chunk(2_000))
                await publish(chunk, ct);
            metrics.Published(plan.Id, inputs.Count);
        }

        var last = plan.IsUnclaimed || inputs.Count == 0 ? cursor.LastPublished : inputs[^1].Position;
        var advanced = cursor with { NextBlock = to + 1, LastBlockHash = toBefore.Hash, LastPublished = last, UpdatedAt = now };
        metrics.Scanned(plan.Id, to, head);
        return new ScanStep(advanced, inputs.Count, to == safe);
    }

    private async Task<string?> DeepReorgAsync(WatchPlan plan, WatchCursor cursor, CancellationToken ct)
    {
        var scannedTip = cursor.NextBlock - 1;
        var now = await chain.GetHeaderAsync(scannedTip, ct);
        if (now?.Hash == cursor.LastBlockHash) return null;
        return $"block {scannedTip} was {cursor.LastBlockHash} when scanned at {plan.Confirmations} confirmations and is now {now?.Hash ?? "gone"}";
    }

    private ScanStep Moved(WatchCursor cursor, string why)
    {
        // A reorg inside the confirmation window racing our read; nothing was published, read again.
        metrics.RangeRetried();
        logger.LogInformation("Chain moved under a read, retrying: {Why}", why);
        return new ScanStep(cursor, 0, false, why);
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
