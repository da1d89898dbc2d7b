using System.Security.Cryptography;
using Nexus.Ethereum.Merkle;

namespace Nexus.Ethereum.Tests;

public class MerkleTreeTests
{
    // RFC 6962 reference leaves and roots, as published with Certificate Transparency's reference
    // implementation (SHA-256); our tree is the same construction with the hash as a parameter.
    private static readonly byte[][] Leaves =
    [
        [], [0x00], [0x10], [0x20, 0x21], [0x30, 0x31], [0x40, 0x41, 0x42, 0x43],
        [0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
        [0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f],
    ];

    private static readonly string[] Roots =
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    private static readonly MerkleTree Sha256Tree = new(SHA256.HashData);

    [Fact]
    public void Roots_match_the_RFC_6962_reference_vectors()
    {
        for (var n = 1; n <= Leaves.Length; n++)
            Convert.ToHexStringLower(Sha256Tree.Root(Leaves[..n])).ShouldBe(Roots[n - 1], $"tree of {n} leaves");
    }

    [Fact]
    public void Empty_tree_is_the_hash_of_nothing() =>
        Convert.ToHexStringLower(Sha256Tree.Root([])).ShouldBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

    [Fact]
    public void Every_proof_of_every_tree_size_rebuilds_the_root()
    {
        var random = new Random(7);
        for (var n = 1; n <= 40; n++)
        {
            var leaves = Enumerable.Range(0, n).Select(_ => RandomBytes(random, random.Next(0, 70))).ToList();
            var root = MerkleTree.Keccak.Root(leaves);
            for (var i = 0; i < n; i++)
                MerkleTree.Keccak.RootFromProof(leaves[i], i, n, MerkleTree.Keccak.Proof(leaves, i)).ShouldBe(root, $"n={n} i={i}");
        }
    }

    [Fact]
    public void A_proof_for_another_position_or_leaf_does_not_rebuild_the_root()
    {
        var leaves = Enumerable.Range(0, 13).Select(i => new[] { (byte)i }).ToList();
        var root = MerkleTree.Keccak.Root(leaves);
        var proof = MerkleTree.Keccak.Proof(leaves, 5);
        MerkleTree.Keccak.RootFromProof(leaves[5], 6, 13, proof).ShouldNotBe(root);
        MerkleTree.Keccak.RootFromProof([0xff], 5, 13, proof).ShouldNotBe(root);
    }

    [Fact]
    public void Order_of_leaves_is_committed()
    {
        byte[][] ab = [[1], [2]];
        byte[][] ba = [[2], [1]];
        MerkleTree.Keccak.Root(ab).ShouldNotBe(MerkleTree.Keccak.Root(ba));
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}

public class MerkleFrontierTests
{
    [Fact]
    public void The_frontier_of_n_appended_leaves_has_the_root_of_the_whole_tree()
    {
        var leaves = Enumerable.Range(0, 130).Select(i => BitConverter.GetBytes(i * 7919)).ToList();
        var frontier = MerkleFrontier.Empty;
        frontier.Root(MerkleTree.Keccak).ShouldBe(MerkleTree.Keccak.Root([]));
        for (var n = 1; n <= leaves.Count; n++)
        {
            frontier = frontier.Append(MerkleTree.Keccak, leaves[n - 1]);
            frontier.Count.ShouldBe(n);
            frontier.Root(MerkleTree.Keccak).ShouldBe(MerkleTree.Keccak.Root(leaves[..n]), $"n={n}");
            frontier.Nodes.Count.ShouldBe(System.Numerics.BitOperations.PopCount((uint)n), "one perfect subtree per set bit of n");
        }
    }
}
