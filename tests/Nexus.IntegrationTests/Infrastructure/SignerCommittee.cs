using System.Security.Cryptography;
using System.Text.Json;
using Grpc.Net.Client;
using Marten;
using Nexus.Contracts.Signer;
using Nexus.Crypto.Frost;
using Nexus.LocalDev.Hosting;
using Nexus.MpcSigner;
using Nexus.MpcSigner.Coordinator;
using Nexus.LocalDev.Signers;

namespace Nexus.IntegrationTests.Infrastructure;

/// <summary>
/// n mpc-signer replicas (each with its own key file, token, schema and gRPC port) and a coordinator,
/// hosted in-process over a test's pipeline. Keys come from a trusted-dealer split (fast) or are left
/// for `nexus signers dkg`.
/// </summary>
public sealed class SignerCommittee : IAsyncDisposable
{
    /// <summary>The contract the signatures' EIP-712 domain names (any address: the digest is what is checked).</summary>
    public const string SettlementContract = "0x5e771e0000000000000000000000000000000001";

    private readonly Pipeline _p;
    private readonly Dictionary<int, InProcessService> _replicas = [];
    private InProcessService? _coordinator;

    public sealed record Member(int Id, string Token, int GrpcPort, string KeyFile, string Schema, string Passphrase)
    {
        /// <summary>Its TLS certificate, key and pin when the committee uses mutual TLS.</summary>
        public (string Certificate, string Key, string Pin)? Tls { get; set; }

        public string Url => $"{(Tls is null ? "http" : "https")}://127.0.0.1:{GrpcPort}";
    }

    /// <summary>The coordinator's (and the operator's) client certificate when the committee uses mutual TLS.</summary>
    public (string Certificate, string Key, string Pin)? ClientTls { get; private set; }

    private SignerCommittee(Pipeline p, int n, int t, string dir)
    {
        _p = p;
        N = n;
        T = t;
        Dir = dir;
        Members = Enumerable.Range(1, n).Select(i => new Member(i, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)), InProcessService.FreePort(),
            Path.Combine(dir, $"replica-{i}.key"), $"{p.Schema}_s{i}", $"passphrase of replica {i}")).ToList();
    }

    public int N { get; }
    public int T { get; }
    public string Dir { get; }
    public IReadOnlyList<Member> Members { get; }
    public string CommitteeFilePath => Path.Combine(Dir, "committee.json");
    public string ReplicasFilePath => Path.Combine(Dir, "replicas.json");
    public DealtKeys? Dealt { get; private set; }

    public static SignerCommittee Create(Pipeline p, int n, int t, bool deal = true, bool tls = false)
    {
        var dir = Directory.CreateTempSubdirectory("nexus-signers-").FullName;
        var committee = new SignerCommittee(p, n, t, dir);
        if (tls)
        {
            (string, string, string) Issue(string name)
            {
                using var cert = Nexus.Hosting.Grpc.MutualTls.CreateSelfSigned("nexus-" + name);
                var (crt, key) = (Path.Combine(dir, name + "-tls.crt"), Path.Combine(dir, name + "-tls.key"));
                Nexus.Hosting.Grpc.MutualTls.WritePem(cert, crt, key);
                return (crt, key, Nexus.Hosting.Grpc.MutualTls.Pin(cert));
            }
            committee.ClientTls = Issue("coordinator");
            foreach (var m in committee.Members)
                m.Tls = Issue($"replica-{m.Id}");
        }
        File.WriteAllText(committee.ReplicasFilePath, JsonSerializer.Serialize(new
        {
            Replicas = committee.Members.Select(m => new { m.Id, m.Url, m.Token, ServerCertificatePin = m.Tls?.Pin }),
            ClientCertificateFile = committee.ClientTls?.Certificate,
            ClientKeyFile = committee.ClientTls?.Key,
        }));
        if (deal)
        {
            var keys = TrustedDealer.Deal(n, t);
            committee.Dealt = keys;
            foreach (var (m, key) in committee.Members.Zip(keys.Packages))
                committee.WriteKey(m, key);
            File.WriteAllText(committee.CommitteeFilePath, CommitteeFile.Serialize(new Committee(
                new PublicKeyPackage(keys.GroupPublicKey, keys.Packages.ToDictionary(k => k.Id, k => k.VerifyingShare)), t, new byte[32])));
        }
        return committee;
    }

    /// <summary>Seals a key package into a member's key file (few PBKDF2 iterations: tests only).</summary>
    public void WriteKey(Member m, KeyPackage key)
    {
        File.Delete(m.KeyFile);
        File.WriteAllBytes(m.KeyFile, KeyShareFile.Seal(key, m.Passphrase, KeyShareFile.MinIterations));
    }

    private CommitteeConfiguration.ReplicaSetup Setup(Member m, string? rpcUrl = null) =>
        new(m.Id, m.GrpcPort, m.Token, m.KeyFile, m.Passphrase, m.Schema, rpcUrl ?? LocalInfra.RpcUrl, Path.Combine(Dir, $"modules-{m.Id}"), Confirmations: 1)
        {
            Tls = m.Tls is { } tls ? (tls.Certificate, tls.Key, tls.Pin, [ClientTls!.Value.Pin]) : null,
        };

    public Dictionary<string, string?> ReplicaSettings(int id, string? rpcUrl = null) =>
        _p.Settings().Concat(CommitteeConfiguration.Replica(Setup(Members[id - 1], rpcUrl), SettlementContract)).ToDictionary();

    public async Task<InProcessService> StartReplicaAsync(int id, string? rpcUrl = null)
    {
        var service = await InProcessService.StartAsync(b => b.AddMpcSigner(), ReplicaSettings(id, rpcUrl), app => app.MapSignerRounds());
        _replicas[id] = service;
        return service;
    }

    /// <summary>Starts (and, if it starts, stops again) a signer with exactly these settings.</summary>
    public async Task StartWithAsync(Dictionary<string, string?> settings)
    {
        await using var service = await InProcessService.StartAsync(b => b.AddMpcSigner(), settings, app => app.MapSignerRounds());
    }

    public async Task StartReplicasAsync(params int[] ids)
    {
        foreach (var id in ids.Length == 0 ? Enumerable.Range(1, N) : ids)
            await StartReplicaAsync(id);
    }

    public async Task StopReplicaAsync(int id)
    {
        if (_replicas.Remove(id, out var service))
            await service.DisposeAsync();
    }

    public InProcessService Replica(int id) => _replicas[id];

    public Dictionary<string, string?> CoordinatorSettings()
    {
        var settings = _p.Settings().Concat(CommitteeConfiguration.Coordinator(Members.Select(m => Setup(m)), CommitteeFilePath, SettlementContract,
            ClientTls is { } client ? (client.Certificate, client.Key) : null)).ToDictionary();
        settings["Coordinator:SweepIntervalMs"] = "300";
        settings["Coordinator:VerifyTimeoutMs"] = "20000";
        settings["Coordinator:SignTimeoutMs"] = "3000";
        settings["Coordinator:CommitmentBatch"] = "4";
        settings["Logging:LogLevel:Nexus.MpcSigner"] = "Information";
        return settings;
    }

    public async Task<InProcessService> StartCoordinatorAsync()
    {
        var settings = CoordinatorSettings();
        _coordinator = await InProcessService.StartAsync(b => b.AddMpcSigner(), settings, app => app.MapSignerRounds());
        return _coordinator;
    }

    /// <summary>Another coordinator on the same store (the caller disposes it).</summary>
    public Task<InProcessService> StartStandbyCoordinatorAsync() =>
        InProcessService.StartAsync(b => b.AddMpcSigner(), CoordinatorSettings(), app => app.MapSignerRounds());

    public async Task StopCoordinatorAsync()
    {
        if (_coordinator is { } c)
            await c.DisposeAsync();
        _coordinator = null;
    }

    /// <summary>A replica as the running coordinator sees it (its last refusal, exclusion, verified heights).</summary>
    public ReplicaClient CoordinatorReplica(int id) =>
        ((IReadOnlyList<ReplicaClient>)_coordinator!.Services.GetService(typeof(IReadOnlyList<ReplicaClient>))!).Single(r => r.Id.Index == id);

    public SigningCoordinator Coordinator => (SigningCoordinator)_coordinator!.Services.GetService(typeof(SigningCoordinator))!;

    /// <summary>A client of one replica, with its token unless another is given.</summary>
    public (Signer.SignerClient Client, GrpcChannel Channel) Client(int id, string? token = null)
    {
        var m = Members[id - 1];
        var channel = m.Tls is { } tls
            ? Nexus.Hosting.Grpc.MutualTls.Channel(m.Url, Nexus.Hosting.Grpc.MutualTls.Load(ClientTls!.Value.Certificate, ClientTls.Value.Key), tls.Pin)
            : GrpcChannel.ForAddress(m.Url);
        return (SignerAuth.Client(channel.CreateCallInvoker(), token ?? m.Token), channel);
    }

    /// <summary>What the coordinator puts to the replicas for an executed block (read as the coordinator reads it).</summary>
    public async Task<BlockProposal> ProposalAsync(string appId, long height)
    {
        var coordinator = new CoordinatorStore(_p.Store);
        var executed = (await coordinator.ExecutedFromAsync(appId, height, 1, default)).Single();
        return await coordinator.ProposalAsync(executed, default);
    }

    public async Task<IReadOnlyList<BlockSigned>> SignedAsync(string appId)
    {
        await using var session = _p.Store.QuerySession();
        var events = await session.Events.FetchStreamAsync(appId);
        return events.Select(e => e.Data).OfType<BlockSigned>().OrderBy(b => b.Height).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await StopCoordinatorAsync();
        foreach (var id in _replicas.Keys.ToList())
            await StopReplicaAsync(id);
        foreach (var m in Members)
            await ThrowAwaySchema.DropAsync(LocalInfra.Postgres, m.Schema);
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
