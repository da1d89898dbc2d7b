namespace Nexus.MpcSigner;

/// <summary>
/// The configuration keys of a replica and of a coordinator, as one place builds them for the
/// processes the demo starts, the benchmark and the tests (in production they come from each
/// replica's own appsettings or environment).
/// </summary>
public static class SignerSettings
{
    public sealed record ReplicaSetup(int Id, int GrpcPort, string Token, string KeyFile, string Passphrase, string Schema, string RpcUrl, string ModuleCacheDirectory, int Confirmations);

    public static Dictionary<string, string?> Replica(ReplicaSetup r, string settlementContract) => new()
    {
        ["Signer:Roles"] = "replica",
        ["Signer:SettlementContract"] = settlementContract,
        ["Signer:GrpcPort"] = r.GrpcPort.ToString(),
        ["Replica:Identifier"] = r.Id.ToString(),
        ["Replica:KeyFile"] = r.KeyFile,
        ["Replica:Passphrase"] = r.Passphrase,
        ["Replica:Token"] = r.Token,
        ["Replica:RpcUrl"] = r.RpcUrl,
        ["Replica:Confirmations"] = r.Confirmations.ToString(),
        ["Replica:Schema"] = r.Schema,
        ["Replica:ModuleCacheDirectory"] = r.ModuleCacheDirectory,
    };

    public static Dictionary<string, string?> Coordinator(IEnumerable<ReplicaSetup> replicas, string committeeFile, string settlementContract)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Signer:Roles"] = "coordinator",
            ["Signer:SettlementContract"] = settlementContract,
            ["Coordinator:CommitteeFile"] = committeeFile,
        };
        var i = 0;
        foreach (var r in replicas)
        {
            settings[$"Coordinator:Replicas:{i}:Id"] = r.Id.ToString();
            settings[$"Coordinator:Replicas:{i}:Url"] = $"http://127.0.0.1:{r.GrpcPort}";
            settings[$"Coordinator:Replicas:{i}:Token"] = r.Token;
            i++;
        }
        return settings;
    }
}
