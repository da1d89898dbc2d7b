using System.Runtime.CompilerServices;
using Org.BouncyCastle.Crypto.Digests;

namespace Nexus.State;

/// <summary>32 bytes held inline (a hash or a key path), so a node carries its hashes without extra arrays.</summary>
[InlineArray(32)]
internal struct Bytes32
{
    private byte _element0;
}

/// <summary>
/// keccak256 over spans with one reused digest per thread: the tree hashes on every write, and a
/// fresh digest (or a result array) per hash costs more than the permutation itself.
/// </summary>
internal sealed class Keccak
{
    internal const byte LeafPrefix = 0x00;
    internal const byte InternalPrefix = 0x01;

    [ThreadStatic] private static Keccak? t_current;

    private readonly KeccakDigest _digest = new(256);

    public static Keccak Current => t_current ??= new Keccak();

    public void Hash(ReadOnlySpan<byte> data, Span<byte> output)
    {
        _digest.BlockUpdate(data);
        _digest.DoFinal(output);
    }

    public byte[] Hash(ReadOnlySpan<byte> data)
    {
        var output = new byte[32];
        Hash(data, output);
        return output;
    }

    /// <summary>keccak256(0x00 ‖ path ‖ valueHash).</summary>
    public void Leaf(ReadOnlySpan<byte> path, ReadOnlySpan<byte> valueHash, Span<byte> output)
    {
        _digest.Update(LeafPrefix);
        _digest.BlockUpdate(path);
        _digest.BlockUpdate(valueHash);
        _digest.DoFinal(output);
    }

    /// <summary>keccak256(0x01 ‖ left ‖ right).</summary>
    public void Internal(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> output)
    {
        _digest.Update(InternalPrefix);
        _digest.BlockUpdate(left);
        _digest.BlockUpdate(right);
        _digest.DoFinal(output);
    }
}
