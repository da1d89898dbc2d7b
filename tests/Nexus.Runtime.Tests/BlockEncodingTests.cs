using Nethereum.ABI;
using Nethereum.Util;
using Nexus.Contracts.Executor;
using Nexus.Ethereum;
using Nexus.Runtime.Blocks;
using Nexus.Runtime.Wasm;

namespace Nexus.Runtime.Tests;

/// <summary>The committed encodings, byte for byte against Nethereum's general ABI encoder.</summary>
public sealed class BlockEncodingTests
{
    private static readonly ABIEncode Abi = new();

    [Fact]
    public void The_header_hash_is_keccak_of_abi_encode_of_the_typehash_and_fields()
    {
        var h = new BlockHeader
        {
            ChainId = 31337, AppId = "demo-app", Height = 7, PreviousHeaderHash = "0x" + new string('1', 64), CodeHash = "0x" + new string('2', 64),
            InputsRoot = "0x" + new string('3', 64), InputCount = 100, StateRoot = "0x" + new string('4', 64), OutputsRoot = "0x" + new string('5', 64),
            OutputCount = 3, ResultsRoot = "0x" + new string('6', 64), L1Block = 123456,
        };
        var expected = Abi.GetABIEncoded(
            new ABIValue("bytes32", Sha3Keccack.Current.CalculateHash(System.Text.Encoding.ASCII.GetBytes(BlockEncoding.HeaderType))),
            new ABIValue("uint256", h.ChainId), new ABIValue("bytes32", AppIds.ToBytes32(h.AppId)), new ABIValue("uint64", h.Height),
            new ABIValue("bytes32", Hex.Decode(h.PreviousHeaderHash)), new ABIValue("bytes32", Hex.Decode(h.CodeHash)),
            new ABIValue("bytes32", Hex.Decode(h.InputsRoot)), new ABIValue("uint32", h.InputCount), new ABIValue("bytes32", Hex.Decode(h.StateRoot)),
            new ABIValue("bytes32", Hex.Decode(h.OutputsRoot)), new ABIValue("uint32", h.OutputCount), new ABIValue("bytes32", Hex.Decode(h.ResultsRoot)),
            new ABIValue("uint64", h.L1Block));
        BlockEncoding.HeaderHash(h).ShouldBe(Hex.Encode(Sha3Keccack.Current.CalculateHash(expected)));
        BlockEncoding.HeaderHash(h with { Height = 8 }).ShouldNotBe(BlockEncoding.HeaderHash(h));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(1000)]
    public void Output_leaves_are_abi_encode_of_kind_seq_target_and_payload(int length)
    {
        var target = Enumerable.Range(1, 20).Select(i => (byte)i).ToArray();
        var payload = Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray();
        BlockEncoding.OutputLeaf(OutputKind.Call, 42, target, payload).ShouldBe(Abi.GetABIEncoded(
            new ABIValue("uint8", 1), new ABIValue("uint64", 42), new ABIValue("address", Hex.Encode(target)), new ABIValue("bytes", payload)));
    }

    [Fact]
    public void Result_leaves_are_abi_encode_of_seq_reason_code_fuel_and_output_count()
    {
        BlockEncoding.ResultLeaf(9, RejectReason.AppRejected, -1, 123_456, 2).ShouldBe(Abi.GetABIEncoded(
            new ABIValue("uint64", 9), new ABIValue("uint8", 1), new ABIValue("uint32", uint.MaxValue), new ABIValue("uint64", 123_456), new ABIValue("uint32", 2)));
    }
}
