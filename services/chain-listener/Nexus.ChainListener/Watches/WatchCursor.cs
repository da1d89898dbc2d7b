using Nexus.Contracts;

namespace Nexus.ChainListener.Watches;

/// <summary>
/// A watch's durable progress: the next block to scan, the hash the block before it had when it was
/// scanned (to detect a reorg under what was already published), and the last published position
/// (the order chain the sequencer follows). Saved only after the range's inputs are confirmed by the broker.
/// </summary>
public sealed record WatchCursor(
    string Id,
    long NextBlock,
    string? LastBlockHash,
    LogPosition? LastPublished,
    bool Halted,
    string? HaltReason,
    DateTimeOffset UpdatedAt)
{
    public static WatchCursor Start(WatchPlan plan, DateTimeOffset now) => new(plan.Id, plan.FromBlock, null, null, false, null, now);
}
