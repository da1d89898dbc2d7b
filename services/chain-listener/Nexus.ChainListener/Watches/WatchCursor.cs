using Nexus.Contracts;

namespace Nexus.ChainListener.Watches;

/// <summary>
/// A watch's durable progress: the next block to scan, the hash the block before it had when it was
/// scanned (to detect a reorg under what was already published), and the last published position
/// (the order chain the sequencer follows). Saved only after the range's inputs are confirmed by the broker.
/// A cursor that follows a <see cref="ScanMark"/> takes its next block and hash from the mark (its own
/// are those of when it last published or joined, a safe place to resume from should the mark go):
/// the watches of idle apps move by one write of the mark, not one write each.
/// </summary>
public sealed record WatchCursor(
    string Id,
    long NextBlock,
    string? LastBlockHash,
    LogPosition? LastPublished,
    bool Halted,
    string? HaltReason,
    DateTimeOffset UpdatedAt,
    string? Mark = null)
{
    public static WatchCursor Start(WatchPlan plan, DateTimeOffset now) => new(plan.Id, plan.FromBlock, null, null, false, null, now);

    /// <summary>Where the watch stands: its mark's place when it follows one that exists, else its own.</summary>
    public WatchCursor At(IReadOnlyDictionary<string, ScanMark> marks) =>
        Mark is not null && marks.TryGetValue(Mark, out var mark) ? this with { NextBlock = mark.NextBlock, LastBlockHash = mark.LastBlockHash } : this;
}
