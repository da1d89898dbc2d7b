namespace Nexus.LocalDev.Signers;

/// <summary>
/// The configuration keys of a replica and of a coordinator, as one place builds them for the
/// processes the demo starts, the benchmark and the tests (in production they come from each
/// replica's own appsettings or environment).
/// </summary>
public static class CommitteeConfiguration
{
    public sealed record ReplicaSetup(int Id, int GrpcPort, string Token, string KeyFile, string Passphrase, string Schema, string RpcUrl, string ModuleCacheDirectory, int Confirmations)
    {
        /// <summary>Mutual TLS: the replica's certificate, key and pin, and the client pins it admits.</summary>
        public (string Certificate, string Key, string Pin, IReadOnlyList<string> ClientPins)? Tls { get; init; }
    }

    public static Dictionary<string, string?> Replica(ReplicaSetup r, string settlementContract) => new Dictionary<string, string?>
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
    }.Concat(r.Tls is not { } tls ? [] : new Dictionary<string, string?>
    {
        ["Replica:TlsCertificateFile"] = tls.Certificate,
        ["Replica:TlsKeyFile"] = tls.Key,
    }.Concat(tls.ClientPins.Select((pin, i) => KeyValuePair.Create($"Replica:ClientCertificatePins:{i}", (string?)pin)))).ToDictionary();

    public static Dictionary<string, string?> Coordinator(IEnumerable<ReplicaSetup> replicas, string committeeFile, string settlementContract,
        (string Certificate, string Key)? clientCertificate = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Signer:Roles"] = "coordinator",
            ["Signer:SettlementContract"] = settlementContract,
            ["Coordinator:CommitteeFile"] = committeeFile,
        };
        if (clientCertificate is { } client)
        {
            settings["Coordinator:ClientCertificateFile"] = client.Certificate;
            settings["Coordinator:ClientKeyFile"] = client.Key;
        }
        var i = 0;
        foreach (var r in replicas)
        {
            settings[$"Coordinator:Replicas:{i}:Id"] = r.Id.ToString();
            settings[$"Coordinator:Replicas:{i}:Url"] = $"{(r.Tls is null ? "http" : "https")}://127.0.0.1:{r.GrpcPort}";
            settings[$"Coordinator:Replicas:{i}:Token"] = r.Token;
            if (r.Tls is { } tls)
                settings[$"Coordinator:Replicas:{i}:ServerCertificatePin"] = tls.Pin;
            i++;
        }
        return settings;
    }
}
