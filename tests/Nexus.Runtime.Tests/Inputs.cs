using System.Numerics;
using Nethereum.ABI;
using Nexus.Contracts;
using Nexus.Contracts.Sequencer;
using Nexus.Ethereum;
using Nexus.Ethereum.Abi;

namespace Nexus.Runtime.Tests;

/// <summary>Sequenced inputs shaped exactly as the sequencer stores them.</summary>
internal static class Inputs
{
    public const long ChainId = 31337;

    public static SequencedInput Inbox(long seq, byte[] payload, string appId = "app", string sender = "0x00000000000000000000000000000000000000aa")
    {
        var (topics, data) = InboxEvents.Encode(appId, sender, (ulong)seq, payload);
        return new SequencedInput
        {
            Seq = seq,
            InputId = $"{ChainId}:0x{seq:x64}:0",
            Position = new LogPosition(100 + seq, 0),
            BlockHash = "0x" + new string('b', 64),
            BlockTimestamp = 1_700_000_000 + seq,
            TxHash = $"0x{seq:x64}",
            TxIndex = 0,
            Emitter = "0x" + new string('1', 40),
            Topics = topics,
            Data = data,
            Source = "inbox",
            Sender = sender,
            Nonce = seq,
            Payload = Hex.Encode(payload),
            Arguments = [],
        };
    }

    public const string OrderPlacedTopic = "0x959d7183ae33c98ff0e89de17ee16be8568e424944c0b93f2c0eaf2fa8c6e292";

    /// <summary>An OrderBook <c>OrderPlaced(address indexed trader, uint8 side, uint64 price, uint64 qty)</c> event input.</summary>
    public static SequencedInput OrderPlaced(long seq, int trader, int side, ulong price, ulong qty) => Inbox(seq, []) with
    {
        Topics = [OrderPlacedTopic, $"0x{trader:x64}"],
        Data = Hex.Encode(new ABIEncode().GetABIEncoded(new ABIValue("uint8", side), new ABIValue("uint64", price), new ABIValue("uint64", qty))),
        Source = "OrderPlaced(address indexed trader, uint8 side, uint64 price, uint64 qty)",
        Sender = null,
        Nonce = null,
        Payload = null,
    };

    public static byte[] Uint256(BigInteger value)
    {
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        return [.. new byte[32 - bytes.Length], .. bytes];
    }
}
