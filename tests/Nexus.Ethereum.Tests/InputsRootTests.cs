using System.Numerics;
using Nethereum.ABI;
using Nexus.Contracts;
using Nexus.Contracts.Sequencer;
using Nexus.Ethereum.Merkle;

namespace Nexus.Ethereum.Tests;

public class InputsRootTests
{
    private static SequencedInput RandomInput(Random random)
    {
        string RandomHex(int bytes) { var b = new byte[bytes]; random.NextBytes(b); return Hex.Encode(b); }
        return new SequencedInput
        {
            Seq = random.NextInt64(0, long.MaxValue), InputId = "x",
            Position = new LogPosition(random.NextInt64(0, long.MaxValue), random.Next()),
            BlockHash = RandomHex(32), BlockTimestamp = random.NextInt64(0, long.MaxValue), TxHash = RandomHex(32), TxIndex = random.Next(),
            Emitter = RandomHex(20), Topics = Enumerable.Range(0, random.Next(0, 5)).Select(_ => RandomHex(32)).ToList(),
            Data = RandomHex(random.Next(0, 200)), Source = "inbox", Arguments = [],
        };
    }

    [Fact]
    public void The_hand_written_encoding_equals_Nethereums_abi_encode_byte_for_byte()
    {
        var random = new Random(11);
        for (var i = 0; i < 300; i++)
        {
            var input = RandomInput(random);
            // abi.encode(struct InputLeaf): the struct's offset (32), then its fields as a tuple.
            var reference = new ABIEncode().GetABIEncoded(new ABIValue("uint256", 32)).Concat(new ABIEncode().GetABIEncoded(
                new ABIValue("uint256", new BigInteger(31337)),
                new ABIValue("bytes32", AppIds.ToBytes32("counter")),
                new ABIValue("uint64", new BigInteger(input.Seq)),
                new ABIValue("uint64", new BigInteger(input.Position.BlockNumber)),
                new ABIValue("bytes32", Hex.Decode(input.BlockHash)),
                new ABIValue("uint64", new BigInteger(input.BlockTimestamp)),
                new ABIValue("bytes32", Hex.Decode(input.TxHash)),
                new ABIValue("uint32", new BigInteger((uint)input.TxIndex)),
                new ABIValue("uint32", new BigInteger((uint)input.Position.LogIndex)),
                new ABIValue("address", input.Emitter),
                new ABIValue("bytes32[]", input.Topics.Select(Hex.Decode).ToList()),
                new ABIValue("bytes", Hex.Decode(input.Data)))).ToArray();
            Hex.Encode(InputsRoot.Encode(31337, "counter", input)).ShouldBe(Hex.Encode(reference), $"input {i}");
        }
    }

    [Fact]
    public void Malformed_hashes_are_refused_rather_than_encoded()
    {
        var input = RandomInput(new Random(1)) with { TxHash = "0x1234" };
        Should.Throw<FormatException>(() => InputsRoot.Encode(31337, "counter", input));
    }
}
