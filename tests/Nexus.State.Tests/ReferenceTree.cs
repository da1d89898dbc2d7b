using Nethereum.Util;

namespace Nexus.State.Tests;

/// <summary>
/// The tree by its definition, with nothing incremental: sort the leaves by path; a range of one leaf
/// is that leaf, an empty range is 32 zero bytes, otherwise split on the next path bit. Uses
/// Nethereum's keccak, not the library's.
/// </summary>
public static class ReferenceTree
{
    public static byte[] Keccak(params byte[][] parts) => Sha3Keccack.Current.CalculateHash(parts.SelectMany(p => p).ToArray());

    public static byte[] LeafHash(byte[] path, byte[] valueHash) => Keccak([0x00], path, valueHash);

    public static byte[] InternalHash(byte[] left, byte[] right) => Keccak([0x01], left, right);

    public static byte[] Root(IEnumerable<KeyValuePair<byte[], byte[]>> entries) => Build(entries).Root;

    /// <summary>The root and the number of nodes (leaves and internal nodes) of the canonical tree.</summary>
    public static (byte[] Root, int Nodes) Build(IEnumerable<KeyValuePair<byte[], byte[]>> entries)
    {
        var leaves = entries.Select(e => (Path: Keccak(e.Key), ValueHash: Keccak(e.Value)))
            .OrderBy(l => Convert.ToHexString(l.Path), StringComparer.Ordinal).ToArray();
        var nodes = 0;
        var root = Subtree(leaves, 0, leaves.Length, 0, ref nodes);
        return (root, nodes);
    }

    private static byte[] Subtree((byte[] Path, byte[] ValueHash)[] leaves, int start, int end, int depth, ref int nodes)
    {
        if (start == end) return new byte[32];
        nodes++;
        if (end - start == 1) return LeafHash(leaves[start].Path, leaves[start].ValueHash);
        var split = start;
        while (split < end && Bit(leaves[split].Path, depth) == 0) split++;
        return InternalHash(Subtree(leaves, start, split, depth + 1, ref nodes), Subtree(leaves, split, end, depth + 1, ref nodes));
    }

    public static int Bit(byte[] path, int i) => (path[i / 8] >> (7 - i % 8)) & 1;
}
