using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nexus.Contracts.Executor;
using Nexus.Ethereum;
using Nexus.LocalDev.Chain;
using Nexus.IntegrationTests.Infrastructure;
using Nexus.Runtime.Blocks;

namespace Nexus.IntegrationTests;

/// <summary>The header hash and the signing digest, computed by the EVM (BlockHeaders.sol) and by the C# the executor uses.</summary>
public sealed class BlockHeaderOnChainTests
{
    public sealed class HeaderDto
    {
        [Parameter("uint256", "chainId", 1)] public BigInteger ChainId { get; set; }
        [Parameter("bytes32", "appId", 2)] public byte[] AppId { get; set; } = [];
        [Parameter("uint64", "height", 3)] public ulong Height { get; set; }
        [Parameter("bytes32", "previousHeaderHash", 4)] public byte[] PreviousHeaderHash { get; set; } = [];
        [Parameter("bytes32", "codeHash", 5)] public byte[] CodeHash { get; set; } = [];
        [Parameter("bytes32", "inputsRoot", 6)] public byte[] InputsRoot { get; set; } = [];
        [Parameter("uint32", "inputCount", 7)] public uint InputCount { get; set; }
        [Parameter("bytes32", "stateRoot", 8)] public byte[] StateRoot { get; set; } = [];
        [Parameter("bytes32", "outputsRoot", 9)] public byte[] OutputsRoot { get; set; } = [];
        [Parameter("uint32", "outputCount", 10)] public uint OutputCount { get; set; }
        [Parameter("bytes32", "resultsRoot", 11)] public byte[] ResultsRoot { get; set; } = [];
        [Parameter("uint64", "l1Block", 12)] public ulong L1Block { get; set; }
    }

    [Function("hashOf", "bytes32")]
    public sealed class HashOfFunction : Nethereum.Contracts.FunctionMessage
    {
        [Parameter("tuple", "h", 1)] public HeaderDto H { get; set; } = new();
    }

    [Fact]
    public async Task The_EVM_computes_the_same_header_hashes_and_signing_digests_as_the_executor()
    {
        var dapp = new DappClient(LocalInfra.RpcUrl, DevAccounts.HardhatAccount0Key, DevAccounts.DevChainId);
        var address = await dapp.DeployAsync("BlockHeaderChecker");
        var checker = dapp.Web3.Eth.GetContract(Nexus.Ethereum.Artifacts.SolidityArtifact.Load("BlockHeaderChecker").Abi, address);
        var random = new Random(9);
        string R32() { var b = new byte[32]; random.NextBytes(b); return Hex.Encode(b); }
        for (var i = 0; i < 8; i++)
        {
            var h = new BlockHeader
            {
                ChainId = random.NextInt64(1, long.MaxValue), AppId = $"app-{i}", Height = random.NextInt64(0, long.MaxValue), PreviousHeaderHash = R32(),
                CodeHash = R32(), InputsRoot = R32(), InputCount = random.Next(), StateRoot = R32(), OutputsRoot = R32(),
                OutputCount = random.Next(), ResultsRoot = R32(), L1Block = random.NextInt64(0, long.MaxValue),
            };
            var onChain = await dapp.Web3.Eth.GetContractQueryHandler<HashOfFunction>().QueryAsync<byte[]>(address, new HashOfFunction
            {
                H = new HeaderDto
                {
                    ChainId = h.ChainId, AppId = AppIds.ToBytes32(h.AppId), Height = (ulong)h.Height, PreviousHeaderHash = Hex.Decode(h.PreviousHeaderHash),
                    CodeHash = Hex.Decode(h.CodeHash), InputsRoot = Hex.Decode(h.InputsRoot), InputCount = (uint)h.InputCount, StateRoot = Hex.Decode(h.StateRoot),
                    OutputsRoot = Hex.Decode(h.OutputsRoot), OutputCount = (uint)h.OutputCount, ResultsRoot = Hex.Decode(h.ResultsRoot), L1Block = (ulong)h.L1Block,
                },
            });
            var headerHash = BlockEncoding.HeaderHash(h);
            Hex.Encode(onChain).ShouldBe(headerHash);

            var settlement = "0x" + Convert.ToHexStringLower(Enumerable.Range(0, 20).Select(_ => (byte)random.Next(256)).ToArray());
            var digest = await checker.GetFunction("digestOf").CallAsync<byte[]>(Hex.Decode(headerHash), new BigInteger(h.ChainId), settlement);
            Hex.Encode(digest).ShouldBe(Hex.Encode(BlockEncoding.SigningDigest(headerHash, h.ChainId, settlement)));
            // Bound to chain and contract.
            Hex.Encode(BlockEncoding.SigningDigest(headerHash, h.ChainId + 1, settlement)).ShouldNotBe(Hex.Encode(digest));
        }
    }
}
