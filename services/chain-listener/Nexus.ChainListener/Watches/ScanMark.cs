namespace Nexus.ChainListener.Watches;

/// <summary>
/// How far the watches of one confirmation depth that move together have been scanned: the next block
/// and the hash of the block before it. One document per depth, written once per step of its group,
/// however many watches follow it (<see cref="WatchCursor.Mark"/>). Cursors are still written for the
/// watches that published (their order chain moved), that joined the group, or that halted.
/// </summary>
public sealed record ScanMark(string Id, long NextBlock, string? LastBlockHash, DateTimeOffset UpdatedAt)
{
    public static string IdFor(int confirmations) => $"depth:{confirmations}";
}
