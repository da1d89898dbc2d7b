using System.Numerics;
using Nethereum.Web3;
using Nexus.Contracts;
using Nexus.Contracts.Sequencer;
using Nexus.Ethereum;
using Nexus.LocalDev.Chain;
using Nexus.Ethereum.Merkle;
using Nexus.IntegrationTests.Infrastructure;

namespace Nexus.IntegrationTests;

/// <summary>
/// The inputs root is protocol: the sequencer computes it in C#, settlement will check it in the EVM.
/// The EVM's own abi.encode and keccak256 (InputsRoot.sol) are the independent implementation here.
/// </summary>
public sealed class InputsRootOnChainTests
{
    private static SequencedInput RandomInput(Random random, long seq)
    {
        string RandomHex(int bytes) { var b = new byte[bytes]; random.NextBytes(b); return Hex.Encode(b); }
        return new SequencedInput
        {
            Seq = seq, InputId = "x", Position = new LogPosition(random.NextInt64(0, 1L << 40), random.Next(0, 1 << 20)),
            BlockHash = RandomHex(32), BlockTimestamp = random.NextInt64(0, 1L << 40), TxHash = RandomHex(32), TxIndex = random.Next(0, 1 << 20), Emitter = RandomHex(20),
            Topics = Enumerable.Range(0, random.Next(0, 5)).Select(_ => RandomHex(32)).ToList(),
            Data = RandomHex(random.Next(0, 130)), Source = "inbox", Arguments = [],
        };
    }

    [Fact]
    public async Task The_EVM_computes_the_same_leaves_roots_and_proof_checks_as_the_sequencer()
    {
        var dapp = new DappClient(LocalInfra.RpcUrl, DevAccounts.HardhatAccount0Key, DevAccounts.DevChainId);
        var address = await dapp.DeployAsync("InputsRootChecker");
        var checker = dapp.Web3.Eth.GetContract(Nexus.Ethereum.Artifacts.SolidityArtifact.Load("InputsRootChecker").Abi, address);
        var random = new Random(5);
        var inputs = Enumerable.Range(0, 13).Select(i => RandomInput(random, i)).ToList();

        var leaves = new List<byte[]>();
        foreach (var i in inputs)
        {
            var onChain = await dapp.Web3.Eth.GetContractQueryHandler<LeafHashFunction>().QueryAsync<byte[]>(address, new LeafHashFunction
            {
                Leaf = new InputLeaf
                {
                    ChainId = 31337, AppId = AppIds.ToBytes32("counter"), Seq = (ulong)i.Seq, BlockNumber = (ulong)i.Position.BlockNumber,
                    BlockHash = Hex.Decode(i.BlockHash), BlockTimestamp = (ulong)i.BlockTimestamp, TxHash = Hex.Decode(i.TxHash),
                    TxIndex = (uint)i.TxIndex, LogIndex = (uint)i.Position.LogIndex, Emitter = i.Emitter,
                    Topics = i.Topics.Select(Hex.Decode).ToList(), Data = Hex.Decode(i.Data),
                },
            });
            var local = MerkleTree.Keccak.LeafHash(InputsRoot.Encode(31337, "counter", i));
            Hex.Encode(onChain).ShouldBe(Hex.Encode(local));
            leaves.Add(local);
        }

        for (var n = 0; n <= inputs.Count; n++)
        {
            var onChainRoot = await checker.GetFunction("rootOf").CallAsync<byte[]>(leaves.Take(n).ToList());
            Hex.Encode(onChainRoot).ShouldBe(InputsRoot.Compute(31337, "counter", inputs.Take(n).ToList()), $"n={n}");
        }

        var encoded = inputs.Select(i => InputsRoot.Encode(31337, "counter", i)).ToList();
        var root = MerkleTree.Keccak.Root(encoded);
        for (var index = 0; index < inputs.Count; index++)
        {
            var proof = MerkleTree.Keccak.Proof(encoded, index).ToList();
            (await Verify(checker, root, leaves[index], index, inputs.Count, proof)).ShouldBeTrue($"leaf {index}");
            (await Verify(checker, root, leaves[index], (index + 1) % inputs.Count, inputs.Count, proof)).ShouldBeFalse("wrong index");
            (await Verify(checker, root, leaves[(index + 1) % inputs.Count], index, inputs.Count, proof)).ShouldBeFalse("wrong leaf");
            var tampered = proof.Select(p => (byte[])p.Clone()).ToList();
            tampered[0][0] ^= 1;
            (await Verify(checker, root, leaves[index], index, inputs.Count, tampered)).ShouldBeFalse("tampered path");
        }
    }

    private static Task<bool> Verify(Nethereum.Contracts.Contract checker, byte[] root, byte[] leaf, int index, int count, List<byte[]> proof) =>
        checker.GetFunction("verify").CallAsync<bool>(root, leaf, new BigInteger(index), new BigInteger(count), proof);
}

[Nethereum.ABI.FunctionEncoding.Attributes.Function("leafHash", "bytes32")]
public sealed class LeafHashFunction : Nethereum.Contracts.FunctionMessage
{
    [Nethereum.ABI.FunctionEncoding.Attributes.Parameter("tuple", "leaf", 1)]
    public InputLeaf Leaf { get; set; } = new();
}

/// <summary>InputsMerkle.InputLeaf, as Nethereum encodes a struct argument.</summary>
public sealed class InputLeaf
{
    [Nethereum.ABI.FunctionEncoding.Attributes.Parameter("uint256", "chainId", 1)] public BigInteger ChainId { get; set; }
    [Nethereum.ABI.FunctionEncoding.Attributes.Parameter("bytes32", "appId", 2)] public byte[] AppId { get; set; } = [];
    [Nethereum.ABI.FunctionEncoding.Attributes.Parameter("uint64", "seq", 3)] public ulong Seq { get; set; }
    [Nethereum.ABI.FunctionEncoding.Attributes.Parameter("uint64", "blockNumber", 4)] public ulong BlockNumber { get; set; }
    [Nethereum.ABI.FunctionEncoding.Attributes.Parameter("bytes32", "blockHash", 5)] public byte[] BlockHash { get; set; } = [];
    [Nethereum.ABI.FunctionEncoding.Attributes.Parameter("uint64", "blockTimestamp", 6)] public ulong BlockTimestamp { get; set; }
    [Nethereum.ABI.FunctionEncoding.Attributes.Parameter("bytes32", "txHash", 7)] public byte[] TxHash { get; set; } = [];
    [Nethereum.ABI.FunctionEncoding.Attributes.Parameter("uint32", "txIndex", 8)] public uint TxIndex { get; set; }
    [Nethereum.ABI.FunctionEncoding.Attributes.Parameter("uint32", "logIndex", 9)] public uint LogIndex { get; set; }
    [Nethereum.ABI.FunctionEncoding.Attributes.Parameter("address", "emitter", 10)] public string Emitter { get; set; } = "";
    [Nethereum.ABI.FunctionEncoding.Attributes.Parameter("bytes32[]", "topics", 11)] public List<byte[]> Topics { get; set; } = [];
    [Nethereum.ABI.FunctionEncoding.Attributes.Parameter("bytes", "data", 12)] public byte[] Data { get; set; } = [];
}
