namespace Nexus.Ethereum.Merkle;

/// <summary>
/// RFC 6962 Merkle tree hash (leaf = H(0x00 ‖ data), node = H(0x01 ‖ left ‖ right), split at the
/// largest power of two below n, empty = H("")), here with keccak256 as H. Chosen because it is
/// position-binding (inputs are ordered), has no odd-node duplication ambiguity, and verifies in
/// Solidity in a few lines. The hash is a parameter so the construction is checked against the
/// RFC's published SHA-256 vectors.
/// </summary>
public sealed class MerkleTree(Func<byte[], byte[]> hash)
{
    public static readonly MerkleTree Keccak = new(data => Keccak256.Hash(data));

    public byte[] Root(IReadOnlyList<byte[]> leavesData)
    {
        if (leavesData.Count == 0) return hash([]);
        var leaves = leavesData.Select(LeafHash).ToArray();
        return RootOfRange(leaves, 0, leaves.Length);
    }

    public byte[] LeafHash(byte[] data) => hash([0x00, .. data]);

    public byte[] NodeHash(byte[] left, byte[] right) => hash([0x01, .. left, .. right]);

    /// <summary>Audit path for leaf <paramref name="index"/>, bottom-up (RFC 6962 §2.1.1).</summary>
    public IReadOnlyList<byte[]> Proof(IReadOnlyList<byte[]> leavesData, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, leavesData.Count);
        var leaves = leavesData.Select(LeafHash).ToArray();
        var path = new List<byte[]>();
        Path(leaves, 0, leaves.Length, index, path);
        return path;
    }

    /// <summary>Recomputes the root from a leaf, its index, the tree size and its audit path.</summary>
    public byte[] RootFromProof(byte[] leafData, int index, int count, IReadOnlyList<byte[]> path)
    {
        // Walk the same splits top-down to learn on which side each level's sibling is.
        var leafOnLeft = new List<bool>();
        for (int start = 0, end = count; end - start > 1;)
        {
            var k = LargestPowerOfTwoBelow(end - start);
            var left = index < start + k;
            leafOnLeft.Add(left);
            if (left) end = start + k; else start += k;
        }
        if (leafOnLeft.Count != path.Count) throw new ArgumentException("proof length does not match the tree size");
        var node = LeafHash(leafData);
        for (var i = 0; i < path.Count; i++)
            node = leafOnLeft[^(i + 1)] ? NodeHash(node, path[i]) : NodeHash(path[i], node);
        return node;
    }

    private byte[] RootOfRange(byte[][] leaves, int start, int end)
    {
        if (end - start == 1) return leaves[start];
        var k = LargestPowerOfTwoBelow(end - start);
        return NodeHash(RootOfRange(leaves, start, start + k), RootOfRange(leaves, start + k, end));
    }

    private void Path(byte[][] leaves, int start, int end, int index, List<byte[]> path)
    {
        if (end - start == 1) return;
        var k = LargestPowerOfTwoBelow(end - start);
        if (index < start + k)
        {
            Path(leaves, start, start + k, index, path);
            path.Add(RootOfRange(leaves, start + k, end));
        }
        else
        {
            Path(leaves, start + k, end, index, path);
            path.Add(RootOfRange(leaves, start, start + k));
        }
    }

    private static int LargestPowerOfTwoBelow(int n)
    {
        var k = 1;
        while (k << 1 < n) k <<= 1;
        return k;
    }
}
