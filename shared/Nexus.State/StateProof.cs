namespace Nexus.State;

/// <summary>What the walk down a key's path ends on.</summary>
public enum StateProofTerminal
{
    /// <summary>An empty subtree (hash 0): the key is absent. Also the whole proof for the empty tree.</summary>
    Empty,

    /// <summary>A leaf: the key's own (inclusion) or another key's whose path shares the walked prefix (exclusion).</summary>
    Leaf,
}

/// <summary>
/// Proof that <see cref="Key"/> maps to <see cref="Value"/> (inclusion, Value not null) or is absent
/// (exclusion, Value null) under a state root. Walking from the root along keccak256(Key), bit i (most
/// significant first) choosing left (0) or right (1) at depth i, <see cref="Siblings"/>[i] is the hash of
/// the other child of the internal node at depth i (top-down; 32 zero bytes for an empty child), and the
/// walk ends on <see cref="Terminal"/> at depth Siblings.Count. For a leaf terminal, <see cref="LeafPath"/>
/// and <see cref="LeafValueHash"/> (keccak256 of its value) give its hash.
/// Equality compares contents.
/// </summary>
public sealed record StateProof(
    byte[] Key,
    IReadOnlyList<byte[]> Siblings,
    StateProofTerminal Terminal,
    byte[]? LeafPath,
    byte[]? LeafValueHash,
    byte[]? Value)
{
    /// <summary>Whether the proof claims the key is present (check it with <see cref="Verify"/>).</summary>
    public bool IsInclusion => Value is not null;

    /// <summary>
    /// True if the proof is well formed and proves its claim (inclusion of <see cref="Value"/>, or
    /// absence) under <paramref name="root"/>. See README.md for why a valid proof of the other claim
    /// cannot exist for the same root.
    /// </summary>
    public bool Verify(byte[] root)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (root.Length != 32 || Key is null || Siblings is null || Siblings.Count > Bits.PathBits) return false;
        var keccak = Keccak.Current;
        Span<byte> path = stackalloc byte[32];
        keccak.Hash(Key, path);
        var depth = Siblings.Count;

        Span<byte> node = stackalloc byte[32];
        switch (Terminal)
        {
            case StateProofTerminal.Empty:
                if (LeafPath is not null || LeafValueHash is not null || Value is not null) return false;
                node.Clear();
                break;
            case StateProofTerminal.Leaf:
                if (LeafPath is not { Length: 32 } || LeafValueHash is not { Length: 32 }) return false;
                var differ = Bits.FirstDifference(LeafPath, path);
                if (Value is not null)
                {
                    // Inclusion: the leaf is the key's own and holds this value.
                    if (differ != Bits.PathBits) return false;
                    Span<byte> valueHash = stackalloc byte[32];
                    keccak.Hash(Value, valueHash);
                    if (!valueHash.SequenceEqual(LeafValueHash)) return false;
                }
                else if (differ == Bits.PathBits || differ < depth)
                {
                    // Exclusion needs another key's leaf, and one that belongs where the walk found it.
                    return false;
                }
                keccak.Leaf(LeafPath, LeafValueHash, node);
                break;
            default:
                return false;
        }

        // Up from the terminal: the path bit at each depth says on which side the sibling goes.
        for (var i = depth - 1; i >= 0; i--)
        {
            var sibling = Siblings[i];
            if (sibling is not { Length: 32 }) return false;
            if (Bits.At(path, i) == 0) keccak.Internal(node, sibling, node);
            else keccak.Internal(sibling, node, node);
        }
        return node.SequenceEqual(root);
    }

    /// <summary>True and the value if this is a valid inclusion proof under <paramref name="root"/>.</summary>
    public bool VerifyInclusion(byte[] root, out byte[] value)
    {
        value = Value ?? [];
        return Value is not null && Verify(root);
    }

    /// <summary>True if this is a valid proof that the key is absent under <paramref name="root"/>.</summary>
    public bool VerifyExclusion(byte[] root) => Value is null && Verify(root);

    public bool Equals(StateProof? other) =>
        other is not null && Terminal == other.Terminal && Same(Key, other.Key) && Same(LeafPath, other.LeafPath)
        && Same(LeafValueHash, other.LeafValueHash) && Same(Value, other.Value)
        && Siblings.Count == other.Siblings.Count && Siblings.Zip(other.Siblings).All(p => Same(p.First, p.Second));

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Terminal);
        hash.AddBytes(Key);
        hash.Add(Siblings.Count);
        if (Value is not null) hash.AddBytes(Value);
        return hash.ToHashCode();
    }

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Key = 0x{Convert.ToHexStringLower(Key)}, Siblings = {Siblings.Count}, Terminal = {Terminal}, ");
        builder.Append(Value is null ? "absent" : $"Value = 0x{Convert.ToHexStringLower(Value)}");
        return true;
    }

    private static bool Same(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);
}
