using System.Buffers.Binary;
using Nexus.Contracts.Sequencer;

namespace Nexus.Ethereum.Merkle;

/// <summary>
/// The inputs root an app block commits to. Each input's canonical encoding is <c>abi.encode(leaf)</c> of
/// the Solidity struct <c>InputLeaf(uint256 chainId, bytes32 appId, uint64 seq, uint64 blockNumber,
/// bytes32 blockHash, uint64 blockTimestamp, bytes32 txHash, uint32 txIndex, uint32 logIndex, address
/// emitter, bytes32[] topics, bytes data)</c> (contracts/solidity/InputsRoot.sol): one offset word, then
/// the fields. Only facts an L1 node can confirm from the log and its block, so any replica or
/// contract can rebuild it — and every field a guest sees (the block timestamp is its only clock) is
/// committed.
/// </summary>
public static class InputsRoot
{
    private const int Word = 32;
    private const int HeadWords = 12;

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
        var buffer = new byte[Word + dataAt + Word + (data.Length + Word - 1) / Word * Word];
        // abi.encode of a dynamic struct: the offset of the struct (always 32), then the struct itself,
        // whose own offsets count from its start.
        BinaryPrimitives.WriteUInt64BigEndian(buffer.AsSpan(Word - 8, 8), Word);
        var span = buffer.AsSpan(Word);

        Unsigned(span, 0, (ulong)chainId);
        AppIds.ToBytes32(appId).CopyTo(span[(1 * Word)..]);
        Unsigned(span, 2, (ulong)input.Seq);
        Unsigned(span, 3, (ulong)input.Position.BlockNumber);
        Bytes32(span[(4 * Word)..], input.BlockHash);
        Unsigned(span, 5, (ulong)input.BlockTimestamp);
        Bytes32(span[(6 * Word)..], input.TxHash);
        Unsigned(span, 7, (uint)input.TxIndex);
        Unsigned(span, 8, (ulong)input.Position.LogIndex);
        Address(span[(9 * Word)..], input.Emitter);
        Unsigned(span, 10, (ulong)topicsAt);
        Unsigned(span, 11, (ulong)dataAt);

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
