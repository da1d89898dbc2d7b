using static Nexus.State.Tests.TestData;

namespace Nexus.State.Tests;

public class StateProofTests
{
    private static (StateTree Tree, Dictionary<string, byte[]> Model, byte[] Root) Tree(int seed, int count)
    {
        var tree = RandomTree(new Random(seed), count, out var model);
        return (tree, model, tree.Root);
    }

    [Fact]
    public void Proofs_of_present_keys_verify_and_carry_the_value()
    {
        var (tree, model, root) = Tree(1, 500);
        foreach (var (hex, value) in model)
        {
            var proof = tree.Prove(Convert.FromHexString(hex));
            proof.IsInclusion.ShouldBeTrue();
            proof.Terminal.ShouldBe(StateProofTerminal.Leaf);
            proof.Verify(root).ShouldBeTrue();
            proof.VerifyInclusion(root, out var proven).ShouldBeTrue();
            proven.ShouldBe(value);
            proof.VerifyExclusion(root).ShouldBeFalse();
        }
    }

    [Fact]
    public void Proofs_of_absent_keys_verify_as_exclusion_ending_on_an_empty_child_or_another_leaf()
    {
        var (tree, _, root) = Tree(2, 500);
        var random = new Random(22);
        var terminals = new HashSet<StateProofTerminal>();
        for (var i = 0; i < 500; i++)
        {
            var proof = tree.Prove(RandomBytes(random, 16));
            proof.IsInclusion.ShouldBeFalse();
            proof.Verify(root).ShouldBeTrue();
            proof.VerifyExclusion(root).ShouldBeTrue();
            proof.VerifyInclusion(root, out _).ShouldBeFalse();
            terminals.Add(proof.Terminal);
        }
        terminals.ShouldBe([StateProofTerminal.Empty, StateProofTerminal.Leaf], ignoreOrder: true);
    }

    [Fact]
    public void The_empty_tree_and_a_single_leaf_prove_absence_with_no_siblings()
    {
        var empty = new StateTree().Prove(Utf8("a"));
        empty.Siblings.ShouldBeEmpty();
        empty.Terminal.ShouldBe(StateProofTerminal.Empty);
        empty.VerifyExclusion(new byte[32]).ShouldBeTrue();

        var one = new StateTree();
        one.Set(Utf8("a"), Utf8("1"));
        var absent = one.Prove(Utf8("b"));
        absent.Siblings.ShouldBeEmpty();
        absent.Terminal.ShouldBe(StateProofTerminal.Leaf);
        absent.VerifyExclusion(one.Root).ShouldBeTrue();
        absent.VerifyExclusion(new byte[32]).ShouldBeFalse();
        one.Prove(Utf8("a")).VerifyInclusion(one.Root, out var value).ShouldBeTrue();
        value.ShouldBe(Utf8("1"));
    }

    [Fact]
    public void A_proof_holds_for_its_root_only()
    {
        var (tree, model, root) = Tree(3, 100);
        var key = Convert.FromHexString(model.Keys.First());
        var proof = tree.Prove(key);
        tree.Set(key, Utf8("changed"));
        proof.Verify(root).ShouldBeTrue();
        proof.Verify(tree.Root).ShouldBeFalse();
        tree.Prove(key).VerifyInclusion(tree.Root, out var now).ShouldBeTrue();
        now.ShouldBe(Utf8("changed"));
    }

    [Fact]
    public void Every_single_bit_flip_anywhere_in_a_proof_is_rejected()
    {
        var (tree, model, root) = Tree(4, 300);
        var random = new Random(44);
        var proofs = model.Keys.Take(3).Select(k => tree.Prove(Convert.FromHexString(k))).ToList();
        while (proofs.Count(p => p.Terminal == StateProofTerminal.Leaf && !p.IsInclusion) < 2) // exclusions ending on a leaf
            if (tree.Prove(RandomBytes(random, 8)) is { Terminal: StateProofTerminal.Leaf } p) proofs.Add(p);
        while (proofs.Count(p => p.Terminal == StateProofTerminal.Empty) < 2)
            if (tree.Prove(RandomBytes(random, 8)) is { Terminal: StateProofTerminal.Empty } p) proofs.Add(p);

        var checks = 0;
        foreach (var proof in proofs)
        {
            proof.Verify(root).ShouldBeTrue();
            foreach (var tampered in BitFlips(proof))
            {
                tampered.Verify(root).ShouldBeFalse();
                checks++;
            }
        }
        checks.ShouldBeGreaterThan(10_000);
    }

    [Fact]
    public void Adding_dropping_or_swapping_siblings_is_rejected()
    {
        var (tree, model, root) = Tree(5, 300);
        var random = new Random(55);
        var proofs = model.Keys.Take(5).Select(k => tree.Prove(Convert.FromHexString(k)))
            .Concat(Enumerable.Range(0, 5).Select(_ => tree.Prove(RandomBytes(random, 8)))).ToList();
        foreach (var proof in proofs)
        {
            var s = proof.Siblings;
            (proof with { Siblings = s.Skip(1).ToList() }).Verify(root).ShouldBeFalse();
            (proof with { Siblings = s.Take(s.Count - 1).ToList() }).Verify(root).ShouldBeFalse();
            (proof with { Siblings = [.. s, new byte[32]] }).Verify(root).ShouldBeFalse();
            (proof with { Siblings = [new byte[32], .. s] }).Verify(root).ShouldBeFalse();
            if (!s.SequenceEqual(s.Reverse())) (proof with { Siblings = s.Reverse().ToList() }).Verify(root).ShouldBeFalse();
            (proof with { Siblings = [.. s.Take(s.Count - 1), new byte[31]] }).Verify(root).ShouldBeFalse();
        }
    }

    [Fact]
    public void An_inclusion_proof_cannot_be_passed_off_as_exclusion_nor_the_reverse()
    {
        var (tree, model, root) = Tree(6, 300);
        var random = new Random(66);
        foreach (var hex in model.Keys.Take(20))
        {
            var inclusion = tree.Prove(Convert.FromHexString(hex));
            (inclusion with { Value = null }).Verify(root).ShouldBeFalse();
            (inclusion with { Value = null }).VerifyExclusion(root).ShouldBeFalse();
            (inclusion with { Value = null, Terminal = StateProofTerminal.Empty, LeafPath = null, LeafValueHash = null }).Verify(root).ShouldBeFalse();
        }
        for (var i = 0; i < 50; i++)
        {
            var exclusion = tree.Prove(RandomBytes(random, 8));
            (exclusion with { Value = [] }).Verify(root).ShouldBeFalse();
            (exclusion with { Value = [] }).VerifyInclusion(root, out _).ShouldBeFalse();
            if (exclusion.Terminal == StateProofTerminal.Leaf)
            {
                // The leaf's own key's value would match its hash, but the proof is about another key.
                (exclusion with { Terminal = StateProofTerminal.Empty, LeafPath = null, LeafValueHash = null }).Verify(root).ShouldBeFalse();
                var owner = tree.Entries.Single(e => ReferenceTree.Keccak(e.Key).AsSpan().SequenceEqual(exclusion.LeafPath));
                (exclusion with { Value = owner.Value }).Verify(root).ShouldBeFalse();
                (exclusion with { Key = owner.Key, Value = owner.Value }).Verify(root).ShouldBeTrue();
            }
            else
            {
                (exclusion with { Terminal = StateProofTerminal.Leaf, LeafPath = new byte[32], LeafValueHash = new byte[32] }).Verify(root).ShouldBeFalse();
            }
        }
    }

    [Fact]
    public void An_exclusion_proof_with_a_leaf_off_the_key_s_path_is_rejected_even_if_it_hashes_right()
    {
        // A tree that is not canonical (a leaf below the depth it should have) can only come from a dishonest
        // writer; the verifier still refuses a leaf that does not share the walked prefix with the key.
        var leafPath = ReferenceTree.Keccak(Utf8("a"));                      // 0b0011…
        var valueHash = ReferenceTree.Keccak(Utf8("1"));
        var key = Utf8("b");                                                  // keccak = 0b1011…: bit 0 is 1
        var sibling = new byte[32];
        var root = ReferenceTree.InternalHash(sibling, ReferenceTree.LeafHash(leafPath, valueHash)); // leaf placed on the right
        var proof = new StateProof(key, [sibling], StateProofTerminal.Leaf, leafPath, valueHash, null);
        proof.Verify(root).ShouldBeFalse();
    }

    [Fact]
    public void Malformed_proofs_are_rejected_without_throwing()
    {
        var (tree, model, root) = Tree(7, 50);
        var proof = tree.Prove(Convert.FromHexString(model.Keys.First()));
        (proof with { LeafPath = null }).Verify(root).ShouldBeFalse();
        (proof with { LeafValueHash = [.. proof.LeafValueHash!, 0] }).Verify(root).ShouldBeFalse();
        (proof with { Terminal = (StateProofTerminal)7 }).Verify(root).ShouldBeFalse();
        (proof with { Siblings = Enumerable.Repeat(new byte[32], 257).ToList() }).Verify(root).ShouldBeFalse();
        proof.Verify(new byte[31]).ShouldBeFalse();
        (new StateTree().Prove(Utf8("x")) with { LeafPath = new byte[32] }).Verify(new byte[32]).ShouldBeFalse();
    }

    /// <summary>The proof with one bit flipped, for every bit of the key, value, siblings and terminal.</summary>
    private static IEnumerable<StateProof> BitFlips(StateProof proof)
    {
        foreach (var flipped in Flips(proof.Key)) yield return proof with { Key = flipped };
        if (proof.Value is { } value) foreach (var flipped in Flips(value)) yield return proof with { Value = flipped };
        if (proof.LeafPath is { } path) foreach (var flipped in Flips(path)) yield return proof with { LeafPath = flipped };
        if (proof.LeafValueHash is { } hash) foreach (var flipped in Flips(hash)) yield return proof with { LeafValueHash = flipped };
        for (var i = 0; i < proof.Siblings.Count; i++)
        {
            foreach (var flipped in Flips(proof.Siblings[i]))
            {
                var siblings = proof.Siblings.ToList();
                siblings[i] = flipped;
                yield return proof with { Siblings = siblings };
            }
        }
    }

    private static IEnumerable<byte[]> Flips(byte[] bytes)
    {
        for (var i = 0; i < bytes.Length * 8; i++)
        {
            var copy = bytes.ToArray();
            copy[i / 8] ^= (byte)(1 << (i % 8));
            yield return copy;
        }
    }
}
