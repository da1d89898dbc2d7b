using System.Buffers.Binary;

namespace Nexus.State;

internal abstract class Node
{
    /// <summary>Valid when <see cref="Dirty"/> is false; rewritten in place, never reallocated.</summary>
    public Bytes32 Hash;

    /// <summary>The content changed since <see cref="Hash"/> was computed.</summary>
    public bool Dirty = true;

    /// <summary>
    /// This exact content is in the store (came from it, or was handed out by TakeNewNodes). Any change
    /// below a node also changes the node, so a stored node's whole subtree is stored.
    /// </summary>
    public bool Stored;

    public void Touch()
    {
        Dirty = true;
        Stored = false;
    }
}

internal sealed class Leaf(byte[] key, byte[] value) : Node
{
    public readonly byte[] Key = key;
    public byte[] Value = value;

    /// <summary>keccak256(Key), kept so that updates, proofs and splits never rehash the key.</summary>
    public Bytes32 Path;
}

/// <summary>An internal node: a subtree with at least two leaves; null is an empty child.</summary>
internal sealed class Branch : Node
{
    public Node? Left;
    public Node? Right;
}

/// <summary>Node bodies as persisted (see <see cref="StateNode"/>), and their verification against an id.</summary>
internal static class NodeCodec
{
    public const int InternalBodyLength = 1 + 32 + 32;
    public const int LeafHeaderLength = 1 + 32 + 4;

    public static byte[] Body(Node node) => node switch
    {
        Branch b => InternalBody(b.Left is null ? Bits.Zero32 : b.Left.Hash, b.Right is null ? Bits.Zero32 : b.Right.Hash),
        Leaf l => LeafBody(l.Path, l.Key, l.Value),
        _ => throw new InvalidOperationException(),
    };

    public static byte[] InternalBody(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        var body = new byte[InternalBodyLength];
        body[0] = Keccak.InternalPrefix;
        left.CopyTo(body.AsSpan(1));
        right.CopyTo(body.AsSpan(33));
        return body;
    }

    public static byte[] LeafBody(ReadOnlySpan<byte> path, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var body = new byte[LeafHeaderLength + key.Length + value.Length];
        body[0] = Keccak.LeafPrefix;
        path.CopyTo(body.AsSpan(1));
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(33), (uint)key.Length);
        key.CopyTo(body.AsSpan(LeafHeaderLength));
        value.CopyTo(body.AsSpan(LeafHeaderLength + key.Length));
        return body;
    }

    /// <summary>
    /// Decodes a body fetched under <paramref name="id"/> and checks that it is that node: an internal
    /// body must hash to the id; a leaf's path must be keccak(key) and its leaf hash the id. Returns
    /// a clean, stored node; a <see cref="Branch"/> comes without children (its child ids are body[1..33], body[33..65]).
    /// </summary>
    public static Node Decode(ReadOnlySpan<byte> id, byte[]? body, Keccak keccak)
    {
        if (body is null) throw new StateCorruptedException($"node {Hex(id)} is missing from the store");
        if (body.Length == 0) throw Corrupt(id, "empty body");
        Node node;
        if (body[0] == Keccak.InternalPrefix)
        {
            if (body.Length != InternalBodyLength) throw Corrupt(id, $"internal body of {body.Length} bytes");
            var branch = new Branch();
            keccak.Hash(body, branch.Hash);
            node = branch;
        }
        else if (body[0] == Keccak.LeafPrefix)
        {
            if (body.Length < LeafHeaderLength) throw Corrupt(id, $"leaf body of {body.Length} bytes");
            var keyLength = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(33));
            if (keyLength > (uint)(body.Length - LeafHeaderLength)) throw Corrupt(id, $"key length {keyLength} exceeds the body");
            var key = body.AsSpan(LeafHeaderLength, (int)keyLength).ToArray();
            var value = body.AsSpan(LeafHeaderLength + (int)keyLength).ToArray();
            var leaf = new Leaf(key, value);
            keccak.Hash(key, leaf.Path);
            if (!body.AsSpan(1, 32).SequenceEqual(leaf.Path)) throw Corrupt(id, "leaf path is not keccak256(key)");
            Span<byte> valueHash = stackalloc byte[32];
            keccak.Hash(value, valueHash);
            keccak.Leaf(leaf.Path, valueHash, leaf.Hash);
            node = leaf;
        }
        else
        {
            throw Corrupt(id, $"unknown node type 0x{body[0]:x2}");
        }
        if (!id.SequenceEqual(node.Hash))
            throw Corrupt(id, $"body hashes to {Hex(node.Hash)}");
        node.Dirty = false;
        node.Stored = true;
        return node;
    }

    public static StateCorruptedException Corrupt(ReadOnlySpan<byte> id, string why) =>
        new($"node {Hex(id)} in the store is corrupted: {why}");

    public static string Hex(ReadOnlySpan<byte> bytes) => "0x" + Convert.ToHexStringLower(bytes);
}
