using static Nexus.State.Tests.TestData;

namespace Nexus.State.Tests;

public class PersistenceTests
{
    private static void RandomWrites(StateTree tree, Random random, Dictionary<string, byte[]> model, int count)
    {
        var keys = model.Keys.ToList();
        for (var i = 0; i < count; i++)
        {
            var roll = random.Next(10);
            if (roll < 2 && keys.Count > 0)
            {
                var key = keys[random.Next(keys.Count)];
                tree.Delete(Convert.FromHexString(key)).ShouldBe(model.Remove(key));
            }
            else
            {
                var key = roll < 5 && keys.Count > 0 ? Convert.FromHexString(keys[random.Next(keys.Count)]) : RandomBytes(random, random.Next(1, 40));
                var value = RandomBytes(random, random.Next(0, 50));
                tree.Set(key, value);
                model[Hex(key)] = value;
            }
        }
    }

    private static void ShouldHoldExactly(StateTree tree, Dictionary<string, byte[]> model)
    {
        tree.Count.ShouldBe(model.Count);
        foreach (var e in tree.Entries) model[Hex(e.Key)].ShouldBe(e.Value);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void New_nodes_persisted_round_by_round_reload_the_same_tree(int seed)
    {
        var random = new Random(seed);
        var store = new NodeStore();
        var tree = new StateTree();
        var model = new Dictionary<string, byte[]>();
        for (var round = 0; round < 8; round++)
        {
            RandomWrites(tree, random, model, round == 0 ? 1000 : random.Next(1, 300));
            var nodes = tree.TakeNewNodes();
            tree.TakeNewNodes().ShouldBeEmpty();
            foreach (var node in nodes) node.Hash.ShouldBe(ReferenceTree.Keccak(node.Body[0] == 1 ? node.Body : LeafPreimage(node.Body)));
            // Only what the current root reaches: never more nodes than the canonical tree has.
            nodes.Count.ShouldBeLessThanOrEqualTo(ReferenceTree.Build(tree.Entries).Nodes);
            if (round == 0) nodes.Count.ShouldBe(ReferenceTree.Build(tree.Entries).Nodes);
            store.Add(nodes);

            var root = tree.Root;
            var fetchesBefore = store.Fetches;
            var loaded = StateTree.Load(root, store.FetchMany);
            (store.Fetches - fetchesBefore).ShouldBeLessThan(40); // one per level
            loaded.Root.ShouldBe(root);
            ShouldHoldExactly(loaded, model);
            loaded.TakeNewNodes().ShouldBeEmpty();

            // The loaded tree carries on like the original: same roots, and only the nodes it changed are new.
            if (round % 2 == 1)
            {
                var fork = new Random(seed * 100 + round);
                var forkModel = new Dictionary<string, byte[]>(model);
                RandomWrites(loaded, fork, forkModel, 50);
                var other = new Dictionary<string, byte[]>(model);
                RandomWrites(tree, new Random(seed * 100 + round), other, 50);
                loaded.Root.ShouldBe(tree.Root);
                var fromOriginal = tree.TakeNewNodes();
                loaded.TakeNewNodes().Select(n => Hex(n.Hash)).Order().ShouldBe(fromOriginal.Select(n => Hex(n.Hash)).Order());
                model = other;
                store.Add(fromOriginal);
            }
        }
    }

    [Fact]
    public void After_one_write_only_the_nodes_on_its_path_are_new()
    {
        var random = new Random(7);
        var tree = RandomTree(random, 1000, out var model);
        tree.TakeNewNodes();
        var existing = Convert.FromHexString(model.Keys.First());
        var deleted = Convert.FromHexString(model.Keys.Last());
        var added = RandomBytes(random, 32);
        foreach (var (write, key) in new (Action, byte[])[]
        {
            (() => tree.Set(existing, [1, 2, 3]), existing),
            (() => tree.Set(added, [4]), added),
            (() => tree.Delete(deleted), deleted),
        })
        {
            write();
            var proof = tree.Prove(key);
            var pathNodes = proof.IsInclusion ? proof.Siblings.Count + 1 : proof.Siblings.Count; // the moved or removed leaf is not new
            var nodes = tree.TakeNewNodes();
            nodes.Count.ShouldBe(pathNodes);
            nodes[0].Hash.ShouldBe(tree.Root);
        }
    }

    [Fact]
    public async Task Load_is_async_too()
    {
        var tree = RandomTree(new Random(8), 200, out var model);
        var store = new NodeStore();
        store.Add(tree.TakeNewNodes());
        var loaded = await StateTree.LoadAsync(tree.Root, async (ids, ct) =>
        {
            await Task.Yield();
            return store.FetchMany(ids);
        });
        loaded.Root.ShouldBe(tree.Root);
        ShouldHoldExactly(loaded, model);
    }

    [Fact]
    public async Task Async_loads_running_beside_other_trees_on_the_thread_pool_do_not_share_a_hasher()
    {
        // A load resumes on whatever pool thread is free, while other trees hash on the thread it left.
        var trees = Enumerable.Range(0, 8).Select(i => (Tree: RandomTree(new Random(100 + i), 300, out _), Store: new NodeStore())).ToList();
        foreach (var (tree, store) in trees) store.Add(tree.TakeNewNodes());
        var loads = trees.Select(t => Task.Run(async () =>
        {
            var loaded = await StateTree.LoadAsync(t.Tree.Root, async (ids, ct) =>
            {
                await Task.Yield();
                return t.Store.FetchMany(ids);
            });
            return (Expected: t.Tree.Root, Got: loaded.Root);
        }));
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            var random = new Random(w);
            for (var round = 0; round < 50; round++)
            {
                var tree = new StateTree();
                for (var k = 0; k < 50; k++) tree.Set(RandomBytes(random, 8), RandomBytes(random, 8));
                _ = tree.Root;
            }
        }));
        var results = await Task.WhenAll(loads);
        await Task.WhenAll(writers);
        results.ShouldAllBe(r => r.Expected.SequenceEqual(r.Got));
    }

    [Fact]
    public async Task The_async_proof_from_a_store_equals_the_synchronous_one_for_present_and_absent_keys()
    {
        var tree = RandomTree(new Random(21), 300, out var model);
        var store = new NodeStore();
        store.Add(tree.TakeNewNodes());
        // The model is keyed by the keys' hex; present keys are those bytes, absent ones are not in the model.
        var present = model.Keys.Take(20).Select(Convert.FromHexString).ToList();
        var absent = Enumerable.Range(0, 20).Select(i => Utf8($"absent-{i}")).Where(k => !model.ContainsKey(Hex(k))).ToList();
        absent.Count.ShouldBe(20);
        foreach (var (key, isPresent) in present.Select(k => (k, true)).Concat(absent.Select(k => (k, false))))
        {
            var proof = await StateTree.ProveFromStoreAsync(tree.Root, key, async (id, ct) => { await Task.Yield(); return store.FetchOne(id); });
            proof.ShouldBe(StateTree.ProveFromStore(tree.Root, key, store.FetchOne));
            proof.IsInclusion.ShouldBe(isPresent);
            if (isPresent)
                proof.Value.ShouldBe(model[Hex(key)]);
            proof.Verify(tree.Root).ShouldBeTrue();
        }
    }

    [Fact]
    public void Loading_the_zero_root_fetches_nothing()
    {
        var loaded = StateTree.Load(new byte[32], _ => throw new InvalidOperationException("no fetch expected"));
        loaded.Count.ShouldBe(0);
        loaded.Root.ShouldBe(new byte[32]);
    }

    [Fact]
    public void Load_detects_any_altered_or_missing_node()
    {
        var tree = RandomTree(new Random(9), 60, out _);
        var root = tree.Root;
        var nodes = tree.TakeNewNodes();
        foreach (var node in nodes)
        {
            // One byte changed at a few places in the body, including the path, key length, key and value of a leaf.
            foreach (var at in new[] { 0, 1, 20, 33, 36, 37, node.Body.Length - 1 }.Where(i => i < node.Body.Length).Distinct())
            {
                var store = new NodeStore();
                store.Add(nodes);
                var body = node.Body.ToArray();
                body[at] ^= 0x40;
                store.Bodies[Hex(node.Hash)] = body;
                Should.Throw<StateCorruptedException>(() => StateTree.Load(root, store.FetchMany));
                Should.Throw<StateCorruptedException>(() => StateTree.Load(root, store.FetchMany)).Message.ShouldContain(Hex(node.Hash));
            }
            var missing = new NodeStore();
            missing.Add(nodes.Where(n => n != node));
            Should.Throw<StateCorruptedException>(() => StateTree.Load(root, missing.FetchMany)).Message.ShouldContain("missing");
        }
    }

    [Fact]
    public void Load_refuses_a_tree_that_is_not_in_canonical_shape()
    {
        var single = new StateTree();
        single.Set(Utf8("a"), Utf8("1"));
        var leaf = single.TakeNewNodes().Single();

        // A lone leaf under an internal node (its place is one level up).
        var lone = new StateNode(ReferenceTree.InternalHash(leaf.Hash, new byte[32]), [0x01, .. leaf.Hash, .. new byte[32]]);
        // "a"'s path starts with bit 0 = 0, so on the right it is off its path.
        var other = new StateTree();
        other.Set(Utf8("b"), Utf8("2"));
        var leafB = other.TakeNewNodes().Single();
        var misplaced = new StateNode(ReferenceTree.InternalHash(leafB.Hash, leaf.Hash), [0x01, .. leafB.Hash, .. leaf.Hash]);
        var empty = new StateNode(ReferenceTree.InternalHash(new byte[32], new byte[32]), [0x01, .. new byte[64]]);

        foreach (var (bad, why) in new[] { (lone, "alone"), (misplaced, "off its path"), (empty, "without children") })
        {
            var store = new NodeStore();
            store.Add([bad, leaf, leafB]);
            Should.Throw<StateCorruptedException>(() => StateTree.Load(bad.Hash, store.FetchMany)).Message.ShouldContain(why);
        }
    }

    [Fact]
    public void Proofs_at_an_old_root_come_from_the_store_and_prove_the_old_values()
    {
        var random = new Random(10);
        var store = new NodeStore();
        var tree = RandomTree(random, 400, out var model);
        store.Add(tree.TakeNewNodes());
        var oldRoot = tree.Root;
        var oldModel = new Dictionary<string, byte[]>(model);

        foreach (var key in model.Keys.Take(100).ToList())
        {
            if (random.Next(2) == 0) tree.Delete(Convert.FromHexString(key));
            else tree.Set(Convert.FromHexString(key), Utf8("new"));
        }
        var added = Enumerable.Range(0, 50).Select(_ => RandomBytes(random, 12)).ToList();
        foreach (var key in added) tree.Set(key, Utf8("added"));
        store.Add(tree.TakeNewNodes());
        var newRoot = tree.Root;

        foreach (var (hex, value) in oldModel.Take(150))
        {
            var key = Convert.FromHexString(hex);
            var old = StateTree.ProveFromStore(oldRoot, key, store.FetchOne);
            old.VerifyInclusion(oldRoot, out var proven).ShouldBeTrue();
            proven.ShouldBe(value);
            StateTree.ProveFromStore(newRoot, key, store.FetchOne).ShouldBe(tree.Prove(key));
        }
        foreach (var key in added)
        {
            StateTree.ProveFromStore(oldRoot, key, store.FetchOne).VerifyExclusion(oldRoot).ShouldBeTrue();
            StateTree.ProveFromStore(newRoot, key, store.FetchOne).VerifyInclusion(newRoot, out _).ShouldBeTrue();
        }
        StateTree.ProveFromStore(new byte[32], Utf8("x"), _ => throw new InvalidOperationException()).VerifyExclusion(new byte[32]).ShouldBeTrue();
    }

    [Fact]
    public void ProveFromStore_detects_an_altered_node_on_the_path()
    {
        var tree = RandomTree(new Random(12), 100, out var model);
        var store = new NodeStore();
        store.Add(tree.TakeNewNodes());
        var root = tree.Root;
        var key = Convert.FromHexString(model.Keys.First());
        var leafId = store.Bodies.Single(b => b.Value[0] == 0 && b.Value.AsSpan(1, 32).SequenceEqual(ReferenceTree.Keccak(key))).Key;
        store.Bodies[leafId] = [.. store.Bodies[leafId], 0];
        Should.Throw<StateCorruptedException>(() => StateTree.ProveFromStore(root, key, store.FetchOne));
    }

    /// <summary>A leaf's id is keccak(0x00 ‖ path ‖ keccak(value)), computed here from its body.</summary>
    private static byte[] LeafPreimage(byte[] body)
    {
        var keyLength = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(33));
        var value = body.AsSpan(37 + keyLength).ToArray();
        body.AsSpan(1, 32).ToArray().ShouldBe(ReferenceTree.Keccak(body.AsSpan(37, keyLength).ToArray()));
        return [0x00, .. body.AsSpan(1, 32), .. ReferenceTree.Keccak(value)];
    }
}
