using System.Buffers.Binary;
using Nexus.Contracts.Sequencer;

namespace Nexus.Ethereum.Merkle;

/// <summary>
/// The inputs root an app block commits to. Each input's canonical encoding is
/// <c>abi.encode(uint256 chainId, bytes32 appId, uint64 seq, uint64 blockNumber, bytes32 blockHash,
/// bytes32 txHash, uint32 logIndex, address emitter, bytes32[] topics, bytes data)</c> — only facts an
/// L1 node can confirm, so any replica or contract can rebuild it from the log itself.
/// </summary>
public static class InputsRoot
{
    private const int Word = 32;
    private const int HeadWords = 10;

    /// <summary>
    /// Standard ABI encoding of the tuple above, written directly (this runs for every input on the hot
    /// path; Nethereum's general encoder is several times slower). Tests check it byte for byte against
    /// Nethereum's <c>ABIEncode</c>.
    /// </summary>
    public static byte[] Encode(long chainId, string appId, SequencedInput input)
    {
        var data = Hex.Decode(input.Data);
        var topicsAt = HeadWords * Word;
        var dataAt = topicsAt + Word + input.Topics.Count * Word;
        var buffer = new byte[dataAt + Word + (data.Length + Word - 1) / Word * Word];
        var span = buffer.AsSpan();

        Unsigned(span, 0, (ulong)chainId);
        AppIds.ToBytes32(appId).CopyTo(span[(1 * Word)..]);
        Unsigned(span, 2, (ulong)input.Seq);
        Unsigned(span, 3, (ulong)input.Position.BlockNumber);
        Bytes32(span[(4 * Word)..], input.BlockHash);
        Bytes32(span[(5 * Word)..], input.TxHash);
        Unsigned(span, 6, (ulong)input.Position.LogIndex);
        Address(span[(7 * Word)..], input.Emitter);
        Unsigned(span, 8, (ulong)topicsAt);
        Unsigned(span, 9, (ulong)dataAt);

        BinaryPrimitives.WriteUInt64BigEndian(span.Slice(topicsAt + Word - 8, 8), (ulong)input.Topics.Count);
        for (var i = 0; i < input.Topics.Count; i++)
            Bytes32(span[(topicsAt + Word + i * Word)..], input.Topics[i]);
        BinaryPrimitives.WriteUInt64BigEndian(span.Slice(dataAt + Word - 8, 8), (ulong)data.Length);
        data.CopyTo(span[(dataAt + Word)..]);
        return buffer;
    }

    public static string Compute(long chainId, string appId, IReadOnlyList<SequencedInput> inputs) =>
        Hex.Encode(MerkleTree.Keccak.Root(inputs.Select(i => Encode(chainId, appId, i)).ToList()));

    /// <summary>Adds one input to a block's running root.</summary>
    public static MerkleFrontier Append(MerkleFrontier frontier, long chainId, string appId, SequencedInput input) =>
        frontier.Append(MerkleTree.Keccak, Encode(chainId, appId, input));

    public static string Root(MerkleFrontier frontier) => Hex.Encode(frontier.Root(MerkleTree.Keccak));

    private static void Unsigned(Span<byte> buffer, int word, ulong value) =>
        BinaryPrimitives.WriteUInt64BigEndian(buffer.Slice(word * Word + Word - 8, 8), value);

    private static void Bytes32(Span<byte> destination, string hex) => Fixed(destination, hex, 32, 0);

    private static void Address(Span<byte> destination, string hex) => Fixed(destination, hex, 20, 12);

    private static void Fixed(Span<byte> destination, string hex, int length, int offset)
    {
        var digits = hex.AsSpan(hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? 2 : 0);
        if (digits.Length != length * 2 || Convert.FromHexString(digits, destination.Slice(offset, length), out _, out _) != System.Buffers.OperationStatus.Done)
            throw new FormatException($"'{hex}' is not {length} bytes of hex");
    }
}
