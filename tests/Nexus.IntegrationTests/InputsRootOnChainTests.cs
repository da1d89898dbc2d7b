using System.Numerics;
using Nethereum.Web3;
using Nexus.Contracts;
using Nexus.Contracts.Sequencer;
using Nexus.Ethereum;
using Nexus.Ethereum.Dev;
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
            BlockHash = RandomHex(32), BlockTimestamp = 0, TxHash = RandomHex(32), TxIndex = 0, Emitter = RandomHex(20),
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
            var onChain = await checker.GetFunction("leafHash").CallAsync<byte[]>(
                new BigInteger(31337), AppIds.ToBytes32("counter"), (ulong)i.Seq, (ulong)i.Position.BlockNumber,
                Hex.Decode(i.BlockHash), Hex.Decode(i.TxHash), (uint)i.Position.LogIndex, i.Emitter,
                i.Topics.Select(Hex.Decode).ToList(), Hex.Decode(i.Data));
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
