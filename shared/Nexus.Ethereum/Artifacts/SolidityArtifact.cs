using System.Reflection;
using System.Text.Json;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace Nexus.Ethereum.Artifacts;

/// <summary>ABI and bytecode of one of the repo's contracts, compiled by solc-js at build time and embedded.</summary>
public sealed record SolidityArtifact(string Name, string Abi, string Bytecode)
{
    public const string NexusInbox = "NexusInbox";
    public const string SampleAuction = "SampleAuction";
    public const string OrderBook = "OrderBook";

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, SolidityArtifact> Loaded = new();

    public static SolidityArtifact Load(string contractName) => Loaded.GetOrAdd(contractName, Read);

    private static SolidityArtifact Read(string contractName)
    {
        var resource = $"Nexus.Solidity.{contractName}.json";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"contract '{contractName}' is not embedded (known: {string.Join(", ", Known())})");
        using var doc = JsonDocument.Parse(stream);
        return new SolidityArtifact(
            contractName,
            doc.RootElement.GetProperty("abi").GetRawText(),
            doc.RootElement.GetProperty("bytecode").GetString()!);
    }

    public static IEnumerable<string> Known() =>
        Assembly.GetExecutingAssembly().GetManifestResourceNames()
            .Where(n => n.StartsWith("Nexus.Solidity.", StringComparison.Ordinal))
            .Select(n => n["Nexus.Solidity.".Length..^".json".Length]);

    /// <summary>Deploys the contract from the web3's account (with constructor arguments, if any) and waits for the receipt.</summary>
    public async Task<TransactionReceipt> DeployAsync(IWeb3 web3, string from, CancellationToken ct = default, params object[] constructorArguments)
    {
        var receipt = await web3.Eth.DeployContract.SendRequestAndWaitForReceiptAsync(
            Abi, Bytecode, from, new Nethereum.Hex.HexTypes.HexBigInteger(6_000_000), null, null, ct, constructorArguments);
        if (receipt.Status?.Value != 1)
            throw new InvalidOperationException($"deploying {Name} failed in tx {receipt.TransactionHash}");
        return receipt;
    }
}
