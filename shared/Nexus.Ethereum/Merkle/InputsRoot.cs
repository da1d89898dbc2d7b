using System.Numerics;
using Nethereum.ABI;
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
    private static readonly ABIEncode Abi = new();

    public static byte[] Encode(long chainId, string appId, SequencedInput input) =>
        Abi.GetABIEncoded(
            new ABIValue("uint256", new BigInteger(chainId)),
            new ABIValue("bytes32", AppIds.ToBytes32(appId)),
            new ABIValue("uint64", new BigInteger(input.Seq)),
            new ABIValue("uint64", new BigInteger(input.Position.BlockNumber)),
            new ABIValue("bytes32", Hex.Decode(input.BlockHash)),
            new ABIValue("bytes32", Hex.Decode(input.TxHash)),
            new ABIValue("uint32", new BigInteger(input.Position.LogIndex)),
            new ABIValue("address", input.Emitter),
            new ABIValue("bytes32[]", input.Topics.Select(Hex.Decode).ToList()),
            new ABIValue("bytes", Hex.Decode(input.Data)));

    public static string Compute(long chainId, string appId, IReadOnlyList<SequencedInput> inputs) =>
        Hex.Encode(MerkleTree.Keccak.Root(inputs.Select(i => Encode(chainId, appId, i)).ToList()));
}
