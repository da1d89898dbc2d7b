using System.CommandLine;
using Marten;
using Nexus.AppStreams;
using Nexus.Ethereum.Chain;
using Nexus.LocalDev.Chain;

namespace Nexus.Cli;

/// <summary>Options every command understands, with environment fallbacks so scripts need not repeat them.</summary>
public static class CliOptions
{
    public static readonly Option<string> Postgres = new("--postgres")
    {
        Description = "PostgreSQL connection string (env NEXUS_POSTGRES)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("NEXUS_POSTGRES")
            ?? "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Database=postgres",
    };

    public static readonly Option<string> Schema = new("--schema")
    {
        Description = "schema of the app event store (env NEXUS_SCHEMA)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("NEXUS_SCHEMA") ?? AppStreamStore.DefaultSchema,
    };

    public static readonly Option<string> Rpc = new("--rpc")
    {
        Description = "Ethereum JSON-RPC URL (env NEXUS_RPC)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("NEXUS_RPC") ?? "http://127.0.0.1:8545",
    };

    public static readonly Option<string?> KeyFile = new("--key-file")
    {
        Description = "file holding the hex private key that sends transactions (or env NEXUS_TX_KEY)",
        Recursive = true,
    };

    public static readonly Option<bool> DevKey = new("--dev-key")
    {
        Description = "use Hardhat's well-known account 0 (LOCAL DEV CHAIN ONLY, refused on any other chain)",
        Recursive = true,
    };

    public static void AddTo(RootCommand root)
    {
        foreach (var o in new Option[] { Postgres, Schema, Rpc, KeyFile, DevKey }) root.Options.Add(o);
    }

    public static IDocumentStore Store(ParseResult p) =>
        DocumentStore.For(o => AppStreamStore.Configure(o, p.GetValue(Postgres)!, p.GetValue(Schema)!));

    public static JsonRpcChainReader Chain(ParseResult p) => new(p.GetValue(Rpc)!);

    /// <summary>A transaction sender from --key-file, NEXUS_TX_KEY or --dev-key (checked against the chain id).</summary>
    public static async Task<DappClient> SenderAsync(ParseResult p, CancellationToken ct)
    {
        var rpc = p.GetValue(Rpc)!;
        var chainId = await Chain(p).GetChainIdAsync(ct);
        string key;
        if (p.GetValue(KeyFile) is { } file) key = (await File.ReadAllTextAsync(file, ct)).Trim();
        else if (Environment.GetEnvironmentVariable("NEXUS_TX_KEY") is { Length: > 0 } env) key = env.Trim();
        else if (p.GetValue(DevKey))
        {
            DevAccounts.EnsureDevChain(chainId);
            key = DevAccounts.HardhatAccount0Key;
        }
        else throw new ArgumentException("no transaction key: pass --key-file, set NEXUS_TX_KEY, or --dev-key on the local dev chain");
        return new DappClient(rpc, key, chainId);
    }
}
