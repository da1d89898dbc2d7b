namespace Nexus.ChainListener.Watches;

/// <summary>
/// How far the watches of one chain and confirmation depth that move together have been scanned: the
/// next block and the hash of the block before it. One document per chain and depth, written once per
/// step of its group, however many watches follow it. A cursor follows a mark by its
/// <see cref="Epoch"/>, which is new whenever the mark is started again (it was lost, or no watch
/// followed it any more): a cursor never follows a mark made by a group it was not in. Cursors are
/// still written for the watches that published (their order chain moved), joined the group or halted.
/// </summary>
public sealed record ScanMark(string Id, string Epoch, long NextBlock, string? LastBlockHash, DateTimeOffset UpdatedAt)
{
    public static string IdFor(long chainId, int confirmations) => $"chain:{chainId}:depth:{confirmations}";
}
