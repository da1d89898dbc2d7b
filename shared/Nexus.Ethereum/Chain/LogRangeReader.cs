namespace Nexus.Ethereum.Chain;

/// <summary>
/// Reads logs for several filters over a block range, halving the range whenever the node says
/// it is too large, and returns them in chain order (block, log index) without duplicates.
/// </summary>
public sealed class LogRangeReader(IChainReader chain)
{
    public async Task<IReadOnlyList<ChainLog>> ReadAsync(IReadOnlyList<LogFilter> filters, long from, long to, CancellationToken ct)
    {
        var all = new List<ChainLog>();
        foreach (var filter in filters)
            await ReadSplittingAsync(filter, from, to, all, ct);
        return all
            .DistinctBy(l => (l.BlockNumber, l.LogIndex))
            .OrderBy(l => l.BlockNumber).ThenBy(l => l.LogIndex)
            .ToList();
    }

    private async Task ReadSplittingAsync(LogFilter filter, long from, long to, List<ChainLog> into, CancellationToken ct)
    {
        try
        {
            into.AddRange(await chain.GetLogsAsync(filter, from, to, ct));
        }
        catch (LogRangeTooLargeException) when (to > from)
        {
            var mid = from + (to - from) / 2;
            await ReadSplittingAsync(filter, from, mid, into, ct);
            await ReadSplittingAsync(filter, mid + 1, to, into, ct);
        }
    }
}
