namespace Nexus.State;

/// <summary>
/// An app's key-value state committed by the root of a compact sparse binary Merkle tree over
/// keccak256 (see README.md): a key's leaf sits on the path keccak256(key), at the highest depth where
/// that path's prefix is unique among the keys, so the tree is about log2(n) deep and a write rehashes
/// about log2(n) nodes. The shape, and so the root, depends only on the key/value set, never on the
/// order of writes.
/// <para>
/// Reads go to a flat dictionary and never hash. Hashes are cached per node and recomputed lazily, only
/// on the paths that changed, when <see cref="Root"/>, <see cref="Prove"/> or <see cref="TakeNewNodes"/> needs them.
/// </para>
/// <para>Not thread-safe: one writer, and no reads concurrent with writes (reading the root also updates caches).</para>
/// </summary>
public sealed class StateTree
{
    private readonly Dictionary<byte[], Leaf> _leaves;
    private Dictionary<byte[], Leaf>.AlternateLookup<ReadOnlySpan<byte>> _bySpan;
    private Node? _root;

    public StateTree()
    {
        _leaves = new Dictionary<byte[], Leaf>(ByteArrayComparer.Instance);
        _bySpan = _leaves.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>Number of keys.</summary>
    public int Count => _leaves.Count;

    /// <summary>
    /// The 32-byte root (a fresh array); 32 zero bytes for the empty tree. Computed on demand, rehashing
    /// only the nodes changed since the last computation.
    /// </summary>
    public byte[] Root => EnsureHashed() is { } root ? root.Hash[..].ToArray() : new byte[32];

    /// <summary>Every key and value, in no particular order. The arrays are the tree's own: do not modify them.</summary>
    public IEnumerable<KeyValuePair<byte[], byte[]>> Entries => _leaves.Values.Select(l => KeyValuePair.Create(l.Key, l.Value));

    /// <summary>Looks a key up without hashing. The value array is the tree's own: do not modify it.</summary>
    public bool TryGet(ReadOnlySpan<byte> key, out byte[] value)
    {
        if (_bySpan.TryGetValue(key, out var leaf))
        {
            value = leaf.Value;
            return true;
        }
        value = [];
        return false;
    }

    /// <summary>Inserts or replaces a key's value. Key and value are copied, so the caller may reuse its buffers.</summary>
    public void Set(byte[] key, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        if (_leaves.TryGetValue(key, out var existing))
        {
            if (existing.Value.AsSpan().SequenceEqual(value)) return;
            existing.Value = value.ToArray();
            existing.Touch();
            TouchPathTo(existing);
            return;
        }

        var leaf = new Leaf(key.ToArray(), value.ToArray());
        Keccak.Current.Hash(leaf.Key, leaf.Path);
        Insert(leaf);
        _leaves.Add(leaf.Key, leaf);
    }

    /// <summary>Removes a key; false if it was absent. The tree collapses back to the shape it would have had without it.</summary>
    public bool Delete(ReadOnlySpan<byte> key)
    {
        if (!_bySpan.Remove(key, out _, out var leaf)) return false;
        _root = Remove(_root!, leaf, 0);
        return true;
    }

    /// <summary>Proof that <paramref name="key"/> has its current value, or is absent, under <see cref="Root"/>.</summary>
    public StateProof Prove(ReadOnlySpan<byte> key)
    {
        var keccak = Keccak.Current;
        var node = EnsureHashed();
        Bytes32 path = default;
        if (_bySpan.TryGetValue(key, out var present)) path = present.Path;
        else keccak.Hash(key, path);

        var siblings = new List<byte[]>();
        for (var depth = 0; node is Branch branch; depth++)
        {
            var right = Bits.At(path, depth) == 1;
            var sibling = right ? branch.Left : branch.Right;
            siblings.Add(sibling is null ? new byte[32] : sibling.Hash[..].ToArray());
            node = right ? branch.Right : branch.Left;
        }
        if (node is not Leaf leaf) return new StateProof(key.ToArray(), siblings, StateProofTerminal.Empty, null, null, null);
        var valueHash = keccak.Hash(leaf.Value);
        var included = ReferenceEquals(leaf, present);
        return new StateProof(key.ToArray(), siblings, StateProofTerminal.Leaf, leaf.Path[..].ToArray(), valueHash,
            included ? leaf.Value.ToArray() : null);
    }

    /// <summary>
    /// The nodes (hash, body) that are reachable from the current root and not yet handed out (nor
    /// loaded): what a store must add so that <see cref="Load"/> can rebuild the current root. Parents
    /// come before their children. Nodes created and replaced again since the last call are not in it.
    /// A node may come back with content the store already holds (a value set back to an earlier one):
    /// writes should be idempotent by id.
    /// </summary>
    public IReadOnlyList<StateNode> TakeNewNodes()
    {
        var nodes = new List<StateNode>();
        if (EnsureHashed() is { } root) Collect(root, nodes);
        return nodes;
    }

    /// <summary>
    /// Rebuilds the whole tree at <paramref name="root"/> from a node store, breadth-first: one call of
    /// <paramref name="fetchNodes"/> per level (about log2(n) round trips), with the ids of that level.
    /// It returns the nodes found, in any order; every body is checked against its id and the tree's
    /// canonical shape, so a missing, altered or misplaced node throws <see cref="StateCorruptedException"/>.
    /// The loaded tree has no new nodes to take.
    /// </summary>
    public static StateTree Load(byte[] root, Func<IReadOnlyList<byte[]>, IEnumerable<StateNode>> fetchNodes)
    {
        ArgumentNullException.ThrowIfNull(fetchNodes);
        var loader = new Loader(root);
        while (loader.Pending is { Count: > 0 } ids) loader.Accept(fetchNodes(ids));
        return loader.Tree;
    }

    /// <inheritdoc cref="Load"/>
    public static async Task<StateTree> LoadAsync(byte[] root,
        Func<IReadOnlyList<byte[]>, CancellationToken, Task<IEnumerable<StateNode>>> fetchNodes, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(fetchNodes);
        var loader = new Loader(root);
        while (loader.Pending is { Count: > 0 } ids) loader.Accept(await fetchNodes(ids, ct).ConfigureAwait(false));
        return loader.Tree;
    }

    /// <summary>
    /// Proof for <paramref name="key"/> at any root whose nodes are in a store, walking one path down
    /// (about log2(n) fetches) instead of loading the tree. <paramref name="fetchBody"/> returns the body
    /// stored under an id, or null. Bodies are checked against their ids.
    /// </summary>
    public static StateProof ProveFromStore(byte[] root, ReadOnlySpan<byte> key, Func<byte[], byte[]?> fetchBody)
    {
        ArgumentNullException.ThrowIfNull(fetchBody);
        // One walk for both: with a fetch that completes at once the async walk never yields.
        return ProveFromStoreAsync(root, key.ToArray(), (id, _) => Task.FromResult(fetchBody(id))).GetAwaiter().GetResult();
    }

    /// <inheritdoc cref="ProveFromStore"/>
    public static async Task<StateProof> ProveFromStoreAsync(byte[] root, byte[] key,
        Func<byte[], CancellationToken, Task<byte[]?>> fetchBody, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(fetchBody);
        ArgumentNullException.ThrowIfNull(key);
        CheckRoot(root);
        var keyCopy = key.ToArray();
        var path = Keccak.Current.Hash(keyCopy);
        var siblings = new List<byte[]>();
        var id = root;
        for (var depth = 0; ; depth++)
        {
            var body = id.AsSpan().SequenceEqual(Bits.Zero32) ? null : await fetchBody(id, ct).ConfigureAwait(false);
            if (ProofStep(id, body, keyCopy, path, depth, siblings, out var next) is { } proof)
                return proof;
            id = next;
        }
    }

    /// <summary>
    /// One step down the key's path: the finished proof when <paramref name="id"/> is empty or a leaf,
    /// otherwise null, with the sibling recorded and <paramref name="next"/> set to the child on the path.
    /// Takes the hasher of the current thread each time (async callers resume on other threads).
    /// </summary>
    private static StateProof? ProofStep(byte[] id, byte[]? body, byte[] key, byte[] path, int depth, List<byte[]> siblings, out byte[] next)
    {
        next = [];
        if (id.AsSpan().SequenceEqual(Bits.Zero32))
            return new StateProof(key, siblings, StateProofTerminal.Empty, null, null, null);
        var keccak = Keccak.Current;
        var node = NodeCodec.Decode(id, body, keccak);
        if (node is Leaf leaf)
        {
            var included = path.AsSpan().SequenceEqual(leaf.Path);
            return new StateProof(key, siblings, StateProofTerminal.Leaf, leaf.Path[..].ToArray(),
                keccak.Hash(leaf.Value), included ? leaf.Value : null);
        }
        if (depth >= Bits.PathBits) throw NodeCodec.Corrupt(id, "internal node below depth 256");
        var right = Bits.At(path, depth) == 1;
        siblings.Add(body.AsSpan(right ? 1 : 33, 32).ToArray());
        next = body.AsSpan(right ? 33 : 1, 32).ToArray();
        return null;
    }

    private Node? EnsureHashed()
    {
        if (_root is { Dirty: true }) Rehash(_root, Keccak.Current);
        return _root;
    }

    private static void Rehash(Node node, Keccak keccak)
    {
        if (node is Branch branch)
        {
            if (branch.Left is { Dirty: true } left) Rehash(left, keccak);
            if (branch.Right is { Dirty: true } right) Rehash(right, keccak);
            keccak.Internal(branch.Left is null ? Bits.Zero32 : branch.Left.Hash, branch.Right is null ? Bits.Zero32 : branch.Right.Hash, branch.Hash);
        }
        else
        {
            var leaf = (Leaf)node;
            Span<byte> valueHash = stackalloc byte[32];
            keccak.Hash(leaf.Value, valueHash);
            keccak.Leaf(leaf.Path, valueHash, leaf.Hash);
        }
        node.Dirty = false;
    }

    private static void Collect(Node node, List<StateNode> nodes)
    {
        if (node.Stored) return;
        node.Stored = true;
        nodes.Add(new StateNode(node.Hash[..].ToArray(), NodeCodec.Body(node)));
        if (node is Branch branch)
        {
            if (branch.Left is not null) Collect(branch.Left, nodes);
            if (branch.Right is not null) Collect(branch.Right, nodes);
        }
    }

    private void Insert(Leaf leaf)
    {
        ref var slot = ref _root;
        for (var depth = 0; ; depth++)
        {
            switch (slot)
            {
                case null:
                    slot = leaf;
                    return;
                case Branch branch:
                    branch.Touch();
                    slot = ref Bits.At(leaf.Path, depth) == 0 ? ref branch.Left : ref branch.Right;
                    break;
                case Leaf other:
                    slot = Split(other, leaf, depth);
                    return;
            }
        }
    }

    /// <summary>
    /// Two leaves meeting at <paramref name="depth"/>: internal nodes down to their first differing bit
    /// (one empty child each while they agree), then one leaf on each side.
    /// </summary>
    private static Branch Split(Leaf a, Leaf b, int depth)
    {
        var differ = Bits.FirstDifference(a.Path, b.Path);
        if (differ == Bits.PathBits) throw new InvalidOperationException("two keys with the same keccak256: a hash collision");
        var bottom = new Branch();
        (bottom.Left, bottom.Right) = Bits.At(a.Path, differ) == 0 ? (a, b) : (b, a);
        var top = bottom;
        for (var d = differ - 1; d >= depth; d--)
        {
            var parent = new Branch();
            if (Bits.At(a.Path, d) == 0) parent.Left = top; else parent.Right = top;
            top = parent;
        }
        return top;
    }

    private void TouchPathTo(Leaf leaf)
    {
        var node = _root;
        for (var depth = 0; node is Branch branch; depth++)
        {
            branch.Touch();
            node = Bits.At(leaf.Path, depth) == 0 ? branch.Left : branch.Right;
        }
    }

    /// <summary>
    /// Removes <paramref name="target"/> (known to be in the tree) below <paramref name="node"/> and returns
    /// what replaces the node. An internal node left with a single leaf under it becomes that leaf: the
    /// collapse repeats upwards until a node still has two leaves under it, restoring the canonical shape.
    /// </summary>
    private static Node? Remove(Node node, Leaf target, int depth)
    {
        if (ReferenceEquals(node, target)) return null;
        var branch = (Branch)node;
        branch.Touch();
        if (Bits.At(target.Path, depth) == 0) branch.Left = Remove(branch.Left!, target, depth + 1);
        else branch.Right = Remove(branch.Right!, target, depth + 1);
        return (branch.Left, branch.Right) switch
        {
            (null, Leaf only) => only,
            (Leaf only, null) => only,
            _ => branch,
        };
    }

    private static void CheckRoot(byte[] root)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (root.Length != 32) throw new ArgumentException($"a root is 32 bytes, not {root.Length}", nameof(root));
    }

    /// <summary>Breadth-first rebuild: each level's nodes are fetched together, checked, and linked to their parents.</summary>
    private sealed class Loader
    {
        private List<Slot> _level = [];

        public Loader(byte[] root)
        {
            CheckRoot(root);
            if (!root.AsSpan().SequenceEqual(Bits.Zero32)) _level.Add(new Slot(root.ToArray(), null, false, 0, default, false));
        }

        public StateTree Tree { get; } = new();

        public IReadOnlyList<byte[]> Pending => _level.ConvertAll(s => s.Id);

        public void Accept(IEnumerable<StateNode> fetched)
        {
            ArgumentNullException.ThrowIfNull(fetched);
            var bodies = new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance);
            foreach (var node in fetched)
                if (node.Hash is not null) bodies[node.Hash] = node.Body;

            // Per call, not per loader: an async load resumes on other threads, and the hasher is per thread.
            var keccak = Keccak.Current;
            var next = new List<Slot>();
            foreach (var slot in _level)
            {
                var route = slot.Route;
                var node = NodeCodec.Decode(slot.Id, bodies.GetValueOrDefault(slot.Id), keccak);
                if (node is Leaf leaf)
                {
                    // A leaf must sit on its own path, and never alone under an internal node: the
                    // canonical shape is what every later insert, delete and proof relies on.
                    if (!Bits.SharePrefix(leaf.Path, route, slot.Depth)) throw NodeCodec.Corrupt(slot.Id, $"leaf off its path at depth {slot.Depth}");
                    if (slot.SiblingEmpty) throw NodeCodec.Corrupt(slot.Id, "leaf alone under an internal node");
                    if (!Tree._leaves.TryAdd(leaf.Key, leaf)) throw NodeCodec.Corrupt(slot.Id, "key appears twice");
                }
                else
                {
                    if (slot.Depth >= Bits.PathBits) throw NodeCodec.Corrupt(slot.Id, "internal node below depth 256");
                    var body = bodies[slot.Id];
                    var left = body.AsSpan(1, 32);
                    var right = body.AsSpan(33, 32);
                    var leftEmpty = left.SequenceEqual(Bits.Zero32);
                    var rightEmpty = right.SequenceEqual(Bits.Zero32);
                    if (leftEmpty && rightEmpty) throw NodeCodec.Corrupt(slot.Id, "internal node without children");
                    var branch = (Branch)node;
                    if (!leftEmpty) next.Add(new Slot(left.ToArray(), branch, false, slot.Depth + 1, route, rightEmpty));
                    if (!rightEmpty)
                    {
                        Bits.Set(route, slot.Depth);
                        next.Add(new Slot(right.ToArray(), branch, true, slot.Depth + 1, route, leftEmpty));
                    }
                }

                if (slot.Parent is null) Tree._root = node;
                else if (slot.IsRight) slot.Parent.Right = node;
                else slot.Parent.Left = node;
            }
            _level = next;
        }

        /// <summary>A node to fetch: where it hangs, its depth and the path bits that lead to it.</summary>
        private readonly record struct Slot(byte[] Id, Branch? Parent, bool IsRight, int Depth, Bytes32 Route, bool SiblingEmpty);
    }
}
