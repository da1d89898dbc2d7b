using Nexus.Contracts;

namespace Nexus.ChainListener.Watches;

/// <summary>
/// A watch's durable progress: the next block to scan, the hash the block before it had when it was
/// scanned (to detect a reorg under what was already published), and the last published position
/// (the order chain the sequencer follows). Saved only after the range's inputs are confirmed by the broker.
/// A cursor that follows a <see cref="ScanMark"/> (<see cref="Mark"/> holds the mark's epoch) takes its
/// next block and hash from the mark of its chain and depth while the epochs match; its own are those
/// of when it last published or joined, a safe place to resume from should the mark go. The watches of
/// idle apps move by one write of the mark, not one write each.
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

    /// <summary>Where the watch stands: the place of <paramref name="mark"/> (its chain and depth's) when it follows that epoch, else its own.</summary>
    public WatchCursor At(ScanMark? mark) =>
        Mark is not null && mark is not null && Mark == mark.Epoch ? this with { NextBlock = mark.NextBlock, LastBlockHash = mark.LastBlockHash } : this;
}
