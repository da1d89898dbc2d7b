using System.Buffers.Binary;
using Nexus.Contracts.Sequencer;
using Nexus.Ethereum;
using Nexus.Ethereum.Abi;

namespace Nexus.Runtime.Wasm;

/// <summary>What a guest sees of one input: the 208-byte metadata record of ABI v1, its bytes and its topics.</summary>
public sealed class GuestInput
{
    private GuestInput(byte[] meta, byte[] data, byte[][] topics)
    {
        Meta = meta;
        Data = data;
        Topics = topics;
    }

    /// <summary>No input (zero metadata): for calls outside <c>nexus_handle</c>.</summary>
    public static readonly GuestInput Empty = new(new byte[AbiV1.MetaSize], [], []);

    public byte[] Meta { get; }
    public byte[] Data { get; }
    public byte[][] Topics { get; }

    public long Seq => BinaryPrimitives.ReadInt64LittleEndian(Meta);

    /// <summary>
    /// Builds the guest view of a sequenced input of block <paramref name="height"/> — only from fields
    /// the inputs root commits (topics, data, positions, hashes, emitter). The sequencer's convenience
    /// fields (source, sender, nonce, payload, decoded arguments) are not trusted: a tampered copy of
    /// them could not change what the guest sees.
    /// </summary>
    public static GuestInput From(SequencedInput input, long chainId, string appId, long height)
    {
        var logData = Hex.Decode(input.Data);
        var submission = input.Topics.Count == 3 && string.Equals(input.Topics[0], InboxEvents.InputSubmitted.Topic0, StringComparison.OrdinalIgnoreCase)
            ? Submission.TryDecode(Hex.Decode(input.Topics[2]), logData)
            : null;
        var inbox = submission is not null;
        var meta = new byte[AbiV1.MetaSize];
        var m = meta.AsSpan();
        BinaryPrimitives.WriteInt64LittleEndian(m[0..], input.Seq);
        BinaryPrimitives.WriteInt64LittleEndian(m[8..], input.Position.BlockNumber);
        BinaryPrimitives.WriteInt64LittleEndian(m[16..], input.BlockTimestamp);
        BinaryPrimitives.WriteInt64LittleEndian(m[24..], input.Position.LogIndex);
        BinaryPrimitives.WriteInt64LittleEndian(m[32..], input.TxIndex);
        BinaryPrimitives.WriteInt64LittleEndian(m[40..], height);
        BinaryPrimitives.WriteInt64LittleEndian(m[48..], chainId);
        BinaryPrimitives.WriteUInt64LittleEndian(m[56..], submission?.Nonce ?? ulong.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(m[64..], inbox ? 0u : 1u);
        BinaryPrimitives.WriteUInt32LittleEndian(m[68..], (uint)input.Topics.Count);
        submission?.Sender.CopyTo(m[72..92]);
        Hex.Decode(input.Emitter).CopyTo(m[92..112]);
        Hex.Decode(input.BlockHash).CopyTo(m[112..144]);
        Hex.Decode(input.TxHash).CopyTo(m[144..176]);
        AppIds.ToBytes32(appId).CopyTo(m[176..208]);

        var data = submission?.Payload ?? logData;
        return new GuestInput(meta, data, input.Topics.Select(Hex.Decode).ToArray());
    }

    /// <summary>
    /// <c>InputSubmitted(bytes32 indexed appId, address indexed sender, uint64 nonce, bytes payload)</c>,
    /// decoded by hand on this hot path (Nethereum's decoder is several times slower) and strictly: only the
    /// canonical encoding is accepted (the sequencer already refuses anything else). Anything that does not
    /// decode is given to the guest as an event input with its raw log data — deterministic either way.
    /// </summary>
    private sealed record Submission(byte[] Sender, ulong Nonce, byte[] Payload)
    {
        public static Submission? TryDecode(byte[] senderTopic, byte[] data)
        {
            if (senderTopic.Length != 32 || senderTopic.AsSpan(0, 12).IndexOfAnyExcept((byte)0) >= 0 || data.Length < 96)
                return null;
            var d = data.AsSpan();
            if (d[..24].IndexOfAnyExcept((byte)0) >= 0 || !IsWord(d[32..64], 64) || d[64..88].IndexOfAnyExcept((byte)0) >= 0)
                return null;
            var length = BinaryPrimitives.ReadUInt64BigEndian(d[88..96]);
            if (length > (ulong)(data.Length - 96) || (ulong)data.Length != 96 + (length + 31) / 32 * 32
                || d[(96 + (int)length)..].IndexOfAnyExcept((byte)0) >= 0)
                return null;
            return new Submission(senderTopic[12..], BinaryPrimitives.ReadUInt64BigEndian(d[24..32]), d.Slice(96, (int)length).ToArray());
        }

        private static bool IsWord(ReadOnlySpan<byte> word, byte value) =>
            word[..31].IndexOfAnyExcept((byte)0) < 0 && word[31] == value;
    }
}
