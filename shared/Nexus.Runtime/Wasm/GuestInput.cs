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
            ? InboxEvents.TryDecode(Hex.Decode(input.Topics[2]), logData)
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

        // Anything that does not decode as a submission reaches the guest as an event input with its raw
        // log data: deterministic either way (the sequencer refuses such inbox logs in the first place).
        var data = submission?.Payload ?? logData;
        return new GuestInput(meta, data, input.Topics.Select(Hex.Decode).ToArray());
    }
}
