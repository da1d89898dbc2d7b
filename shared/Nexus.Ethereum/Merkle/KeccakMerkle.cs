using Nethereum.Util;

namespace Nexus.Ethereum.Merkle;

/// <summary>
/// RFC 6962 Merkle tree hash with keccak256 in place of SHA-256: leaf = keccak(0x00 ‖ data),
/// node = keccak(0x01 ‖ left ‖ right), split at the largest power of two below n, empty = keccak("").
/// Chosen because it is position-binding (inputs are ordered), has no odd-node duplication
/// ambiguity, and verifies in Solidity with a few lines.
/// </summary>
public static class KeccakMerkle
{
    public static byte[] Root(IReadOnlyList<byte[]> leavesData)
    {
        if (leavesData.Count == 0) return Keccak([]);
        var level = leavesData.Select(LeafHash).ToArray();
        return RootOfRange(level, 0, level.Length);
    }

    public static byte[] LeafHash(byte[] data) => Keccak([0x00, .. data]);

    public static byte[] NodeHash(byte[] left, byte[] right) => Keccak([0x01, .. left, .. right]);

    /// <summary>Audit path for leaf <paramref name="index"/>, bottom-up (RFC 6962 §2.1.1).</summary>
    public static IReadOnlyList<byte[]> Proof(IReadOnlyList<byte[]> leavesData, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, leavesData.Count);
        var hashes = leavesData.Select(LeafHash).ToArray();
        var path = new List<byte[]>();
        Path(hashes, 0, hashes.Length, index, path);
        return path;
    }

    /// <summary>Recomputes the root from a leaf and its audit path.</summary>
    public static byte[] RootFromProof(byte[] leafData, int index, int count, IReadOnlyList<byte[]> path)
    {
        var hash = LeafHash(leafData);
        // Walk the same splits top-down to learn, for each level, which side the sibling is on.
        int start = 0, end = count, i = 0;
        var sides = new List<bool>();
        while (end - start > 1)
        {
            var k = LargestPowerOfTwoBelow(end - start);
            var left = index < start + k;
            sides.Add(left);
            if (left) end = start + k; else start += k;
        }
        if (sides.Count != path.Count) throw new ArgumentException("proof length does not match the tree");
        for (var level = sides.Count - 1; level >= 0; level--, i++)
            hash = sides[level] ? NodeHash(hash, path[i]) : NodeHash(path[i], hash);
        return hash;
    }

    private static byte[] RootOfRange(byte[][] leafHashes, int start, int end)
    {
        if (end - start == 1) return leafHashes[start];
        var k = LargestPowerOfTwoBelow(end - start);
        return NodeHash(RootOfRange(leafHashes, start, start + k), RootOfRange(leafHashes, start + k, end));
    }

    private static void Path(byte[][] leafHashes, int start, int end, int index, List<byte[]> path)
    {
        if (end - start == 1) return;
        var k = LargestPowerOfTwoBelow(end - start);
        if (index < start + k)
        {
            Path(leafHashes, start, start + k, index, path);
            path.Add(RootOfRange(leafHashes, start + k, end));
        }
        else
        {
            Path(leafHashes, start + k, end, index, path);
            path.Add(RootOfRange(leafHashes, start, start + k));
        }
    }

    private static int LargestPowerOfTwoBelow(int n)
    {
        var k = 1;
        while (k << 1 < n) k <<= 1;
        return k;
    }

    private static byte[] Keccak(byte[] data) => Sha3Keccack.Current.CalculateHash(data);
}
