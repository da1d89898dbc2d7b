namespace Nexus.Ethereum.Merkle;

/// <summary>One perfect subtree of the frontier: its leaf count (a power of two) and root (hex).</summary>
public sealed record FrontierNode(long Size, string Hash);

/// <summary>
/// The right edge of an append-only <see cref="MerkleTree"/>: the roots of its perfect subtrees,
/// largest first — O(log n) hashes instead of n leaves. RFC 6962's tree of n leaves is exactly these
/// subtrees folded from the right, so the root of a growing block is known without keeping its inputs.
/// </summary>
public sealed record MerkleFrontier(IReadOnlyList<FrontierNode> Nodes)
{
    public static readonly MerkleFrontier Empty = new([]);

    public long Count => Nodes.Sum(n => n.Size);

    public MerkleFrontier Append(MerkleTree tree, byte[] leafData)
    {
        var nodes = Nodes.ToList();
        var (size, hash) = (1L, tree.LeafHash(leafData));
        while (nodes.Count > 0 && nodes[^1].Size == size)
        {
            (size, hash) = (size * 2, tree.NodeHash(Hex.Decode(nodes[^1].Hash), hash));
            nodes.RemoveAt(nodes.Count - 1);
        }
        nodes.Add(new FrontierNode(size, Hex.Encode(hash)));
        return new MerkleFrontier(nodes);
    }

    public byte[] Root(MerkleTree tree)
    {
        if (Nodes.Count == 0) return tree.Root([]);
        var root = Hex.Decode(Nodes[^1].Hash);
        for (var i = Nodes.Count - 2; i >= 0; i--)
            root = tree.NodeHash(Hex.Decode(Nodes[i].Hash), root);
        return root;
    }
}
