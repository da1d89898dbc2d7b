using static Nexus.State.Tests.ReferenceTree;
using static Nexus.State.Tests.TestData;

namespace Nexus.State.Tests;

public class StateTreeTests
{
    [Fact]
    public void The_empty_tree_has_the_zero_root()
    {
        var tree = new StateTree();
        tree.Root.ShouldBe(new byte[32]);
        tree.Count.ShouldBe(0);
        tree.TryGet(Utf8("a"), out _).ShouldBeFalse();
        tree.TakeNewNodes().ShouldBeEmpty();
    }

    [Fact]
    public void One_key_is_its_leaf()
    {
        var tree = new StateTree();
        tree.Set(Utf8("a"), Utf8("1"));
        // leaf = keccak(0x00 ‖ keccak("a") ‖ keccak("1"))
        var expected = Keccak([0x00], Keccak(Utf8("a")), Keccak(Utf8("1")));
        Hex(tree.Root).ShouldBe(Hex(expected));
        // The same vectors computed with ethereum-cryptography's keccak in node (a third implementation).
        Hex(tree.Root).ShouldBe("c3fd1ef33b82b45747a4dfeaa6bd2bb314df989be8ade3eb7e4738c78db82912");
    }

    [Fact]
    public void Two_keys_split_at_their_first_differing_path_bit()
    {
        var tree = new StateTree();
        tree.Set(Utf8("a"), Utf8("1"));
        tree.Set(Utf8("b"), Utf8("2"));
        // keccak("a") = 0x3ac2…, keccak("b") = 0xb555…: they differ at bit 0, so "a" goes left and "b" right.
        Hex(Keccak(Utf8("a")))[..4].ShouldBe("3ac2");
        Hex(Keccak(Utf8("b")))[..4].ShouldBe("b555");
        var leafA = Keccak([0x00], Keccak(Utf8("a")), Keccak(Utf8("1")));
        var leafB = Keccak([0x00], Keccak(Utf8("b")), Keccak(Utf8("2")));
        var expected = Keccak([0x01], leafA, leafB);
        Hex(tree.Root).ShouldBe(Hex(expected));
        Hex(tree.Root).ShouldBe("3c9058fe6cb35c4a687566fd62f985a8eae5263f158697ebb9d777333d006232");
    }

    [Fact]
    public void Keys_sharing_a_path_prefix_hang_below_internal_nodes_with_an_empty_child()
    {
        // keccak("a") = 0b0011_1010…, keccak("c") = 0x0b42… = 0b0000_1011…: same bit 0 and 1, differ at bit 2.
        Hex(Keccak(Utf8("c")))[..4].ShouldBe("0b42");
        var tree = new StateTree();
        tree.Set(Utf8("a"), Utf8("1"));
        tree.Set(Utf8("b"), Utf8("2"));
        tree.Set(Utf8("c"), Utf8("3"));
        var leafA = Keccak([0x00], Keccak(Utf8("a")), Keccak(Utf8("1")));
        var leafB = Keccak([0x00], Keccak(Utf8("b")), Keccak(Utf8("2")));
        var leafC = Keccak([0x00], Keccak(Utf8("c")), Keccak(Utf8("3")));
        var depth2 = Keccak([0x01], leafC, leafA);                // bit 2: "c" 0, "a" 1
        var depth1 = Keccak([0x01], depth2, new byte[32]);        // bit 1: both 0, right is empty
        var expected = Keccak([0x01], depth1, leafB);
        Hex(tree.Root).ShouldBe(Hex(expected));
        Hex(tree.Root).ShouldBe("c263b0367df71e753bca510361673e7ea418ef6cbd2c8e10d5754d509aa23605");

        tree.Delete(Utf8("c")).ShouldBeTrue();
        Hex(tree.Root).ShouldBe(Hex(Keccak([0x01], leafA, leafB)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Random_inserts_updates_and_deletes_give_the_reference_root(int seed)
    {
        var random = new Random(seed);
        var tree = new StateTree();
        var model = new Dictionary<string, KeyValuePair<byte[], byte[]>>();
        var keys = Enumerable.Range(0, 400).Select(_ => RandomBytes(random, random.Next(0, 48))).DistinctBy(Hex).ToArray();
        for (var op = 0; op < 4000; op++)
        {
            var key = keys[random.Next(keys.Length)];
            if (random.Next(4) == 0)
            {
                tree.Delete(key).ShouldBe(model.Remove(Hex(key)));
            }
            else
            {
                var value = RandomBytes(random, random.Next(0, 64));
                tree.Set(key, value);
                model[Hex(key)] = KeyValuePair.Create(key, value);
            }
            if (op % 97 == 0 || op < 40) Hex(tree.Root).ShouldBe(Hex(Root(model.Values)), $"seed {seed}, op {op}");
        }
        Hex(tree.Root).ShouldBe(Hex(Root(model.Values)));
        tree.Count.ShouldBe(model.Count);
        foreach (var key in keys)
        {
            tree.TryGet(key, out var value).ShouldBe(model.TryGetValue(Hex(key), out var expected));
            if (expected.Value is not null) value.ShouldBe(expected.Value);
        }
        tree.Entries.Select(e => Hex(e.Key)).Order().ShouldBe(model.Keys.Order());
    }

    [Fact]
    public void The_root_does_not_depend_on_the_order_of_writes()
    {
        var random = new Random(11);
        var entries = Enumerable.Range(0, 500).Select(i => KeyValuePair.Create(RandomBytes(random, 32), RandomBytes(random, 32))).ToList();
        var roots = new HashSet<string>();
        for (var round = 0; round < 4; round++)
        {
            var tree = new StateTree();
            // A different order each time, with detours: extra keys and stale values that are put right later.
            foreach (var e in entries.OrderBy(_ => random.Next()))
            {
                if (random.Next(3) == 0) tree.Set(e.Key, RandomBytes(random, 5));
                tree.Set(RandomBytes(random, 31), [1]);
            }
            foreach (var e in entries.OrderBy(_ => random.Next())) tree.Set(e.Key, e.Value);
            foreach (var extra in tree.Entries.Where(e => e.Key.Length == 31).Select(e => e.Key).ToList()) tree.Delete(extra);
            roots.Add(Hex(tree.Root));
        }
        roots.ShouldHaveSingleItem().ShouldBe(Hex(Root(entries)));
    }

    [Fact]
    public void Deleting_every_key_gives_the_zero_root_again()
    {
        var random = new Random(3);
        var tree = RandomTree(random, 300, out _);
        tree.Root.ShouldNotBe(new byte[32]);
        foreach (var key in tree.Entries.Select(e => e.Key).ToList().OrderBy(_ => random.Next()))
            tree.Delete(key).ShouldBeTrue();
        tree.Count.ShouldBe(0);
        tree.Root.ShouldBe(new byte[32]);
        tree.Delete(Utf8("nothing")).ShouldBeFalse();
    }

    [Fact]
    public void Inserting_then_deleting_a_key_restores_the_exact_previous_root()
    {
        var random = new Random(4);
        var tree = RandomTree(random, 200, out _);
        for (var i = 0; i < 300; i++)
        {
            var before = tree.Root;
            var key = RandomBytes(random, 20);
            tree.Set(key, RandomBytes(random, 10));
            tree.Root.ShouldNotBe(before);
            tree.Delete(key).ShouldBeTrue();
            tree.Root.ShouldBe(before);
        }
    }

    [Fact]
    public void Setting_a_value_back_restores_the_root_and_an_unchanged_value_changes_nothing()
    {
        var random = new Random(5);
        var tree = RandomTree(random, 100, out var model);
        var before = tree.Root;
        var (key, value) = (Convert.FromHexString(model.Keys.First()), model.Values.First());
        tree.TakeNewNodes();
        tree.Set(key, value.ToArray());
        tree.TakeNewNodes().ShouldBeEmpty();
        tree.Set(key, [.. value, 1]);
        tree.Root.ShouldNotBe(before);
        tree.Set(key, value);
        tree.Root.ShouldBe(before);
    }

    [Fact]
    public void Keys_and_values_are_copied_in()
    {
        var tree = new StateTree();
        var key = Utf8("k");
        var value = Utf8("v");
        tree.Set(key, value);
        var root = tree.Root;
        key[0] = (byte)'x';
        value[0] = (byte)'x';
        tree.TryGet(Utf8("k"), out var stored).ShouldBeTrue();
        stored.ShouldBe(Utf8("v"));
        tree.Root.ShouldBe(root);
        tree.TryGet(key, out _).ShouldBeFalse();
    }

    [Fact]
    public void The_tree_is_about_log2_n_deep()
    {
        var random = new Random(6);
        var tree = RandomTree(random, 4096, out var model);
        var depths = model.Keys.Select(k => tree.Prove(Convert.FromHexString(k)).Siblings.Count).ToList();
        depths.Average().ShouldBeInRange(11.0, 15.0); // log2(4096) = 12, plus ~1.3 for leaves meeting below the balanced depth
        depths.Max().ShouldBeLessThan(40);
    }
}
