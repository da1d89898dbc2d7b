using Grpc.Core;
using Grpc.Net.Client;
using Nexus.Contracts.Signer;
using Nexus.Crypto.Frost;

namespace Nexus.MpcSigner.Coordinator;

/// <summary>One replica as the coordinator sees it: its authenticated client, the nonce commitments it handed out, whether it is excluded.</summary>
public sealed class ReplicaClient : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly Queue<(string Id, SigningCommitments Commitments)> _commitments = new();
    private readonly SemaphoreSlim _refill = new(1, 1);

    public ReplicaClient(ReplicaEndpoint endpoint, System.Security.Cryptography.X509Certificates.X509Certificate2? clientCertificate)
    {
        Id = new Identifier(checked((ushort)endpoint.Id));
        Url = endpoint.Url;
        _channel = string.IsNullOrWhiteSpace(endpoint.ServerCertificatePin)
            ? GrpcChannel.ForAddress(endpoint.Url)
            : Nexus.Hosting.Grpc.MutualTls.Channel(endpoint.Url,
                clientCertificate ?? throw new InvalidOperationException($"replica {endpoint.Id} is pinned for mutual TLS but Coordinator:ClientCertificateFile is not set"),
                endpoint.ServerCertificatePin);
        Client = SignerAuth.Client(_channel.CreateCallInvoker(), Secrets.Read(endpoint.Token, endpoint.TokenFile, $"Coordinator:Replicas[{endpoint.Id}]:Token"));
    }

    public Identifier Id { get; }
    public string Url { get; }
    public Signer.SignerClient Client { get; }

    /// <summary>Until when this replica is left out of signing sets (it sent an invalid share).</summary>
    public DateTimeOffset ExcludedUntil { get; set; }

    /// <summary>The running catch-up of this replica, per app.</summary>
    public Dictionary<string, Task> CatchUps { get; } = [];

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _verified = new();

    /// <summary>The highest height this replica is known to have verified, per app (-1: not known).</summary>
    public long VerifiedHeight(string appId) => _verified.GetValueOrDefault(appId, -1);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> _holds = new();

    public bool CatchUpHeld(string appId) => _holds.TryGetValue(appId, out var until) && until > DateTimeOffset.UtcNow;

    public void HoldCatchUp(string appId, TimeSpan time) => _holds[appId] = DateTimeOffset.UtcNow + time;

    public void Verified(string appId, long height) => _verified.AddOrUpdate(appId, height, (_, h) => Math.Max(h, height));

    /// <summary>One unused commitment, fetching a batch when none is left (one round trip per batch, not per block).</summary>
    public async Task<(string Id, SigningCommitments Commitments)> TakeCommitmentAsync(int batch, TimeSpan timeout, CancellationToken ct)
    {
        await _refill.WaitAsync(ct);
        try
        {
            if (_commitments.Count == 0)
            {
                var response = await Client.CommitAsync(new CommitRequest { Count = (uint)batch }, deadline: DateTime.UtcNow + timeout, cancellationToken: ct);
                if (response.Commitments.Count == 0)
                    throw new RpcException(new Status(StatusCode.DataLoss, $"replica {Id} sent no commitments"));
                foreach (var c in response.Commitments)
                {
                    var decoded = FrostEncoding.DecodeCommitments(c.Commitments.Span);
                    if (decoded.Id != Id)
                        throw new RpcException(new Status(StatusCode.DataLoss, $"replica {Id} sent commitments of participant {decoded.Id}"));
                    _commitments.Enqueue((c.Id, decoded));
                }
            }
            return _commitments.Dequeue();
        }
        finally
        {
            _refill.Release();
        }
    }

    /// <summary>Drops every held commitment (the replica restarted and forgot their nonces).</summary>
    public async Task ForgetCommitmentsAsync()
    {
        await _refill.WaitAsync();
        _commitments.Clear();
        _refill.Release();
    }

    public void Dispose() => _channel.Dispose();
}

/// <summary>The committee's clients, owned by the container so their channels are disposed with it.</summary>
public sealed class ReplicaClients(IReadOnlyList<ReplicaClient> all) : IDisposable
{
    public IReadOnlyList<ReplicaClient> All { get; } = all;

    public void Dispose()
    {
        foreach (var client in All)
            client.Dispose();
    }
}
