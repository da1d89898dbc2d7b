using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Nexus.Contracts.Signer;
using Nexus.Crypto.Frost;

namespace Nexus.MpcSigner.Coordinator;

/// <summary>
/// One replica as the coordinator sees it, and everything the coordinator remembers about it: its
/// authenticated client, the nonce commitments it handed out, until when it is excluded, how far it
/// is known to have verified each app, and its running catch-ups. Its state is its own: other parts
/// of the coordinator go through these methods, never its collections.
/// </summary>
public sealed class ReplicaClient : IDisposable
{
    private readonly GrpcChannel? _channel;
    private readonly TimeProvider _clock;
    private readonly Queue<(string Id, SigningCommitments Commitments)> _commitments = new();
    private readonly SemaphoreSlim _refill = new(1, 1);
    private readonly ConcurrentDictionary<string, long> _verified = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _catchUpHolds = new();
    private readonly Dictionary<string, Task> _catchUps = [];
    private DateTimeOffset _excludedUntil;

    public ReplicaClient(ReplicaEndpoint endpoint, X509Certificate2? clientCertificate, TimeProvider clock)
    {
        Id = new Identifier(checked((ushort)endpoint.Id));
        Url = endpoint.Url;
        _clock = clock;
        _channel = string.IsNullOrWhiteSpace(endpoint.ServerCertificatePin)
            ? GrpcChannel.ForAddress(endpoint.Url)
            : Nexus.Hosting.Grpc.MutualTls.Channel(endpoint.Url,
                clientCertificate ?? throw new InvalidOperationException($"replica {endpoint.Id} is pinned for mutual TLS but Coordinator:ClientCertificateFile is not set"),
                endpoint.ServerCertificatePin);
        Client = SignerAuth.Client(_channel.CreateCallInvoker(), Secrets.Read(endpoint.Token, endpoint.TokenFile, $"Coordinator:Replicas[{endpoint.Id}]:Token"));
    }

    /// <summary>A replica reached through a given client (tests put an in-memory replica behind it).</summary>
    public ReplicaClient(Identifier id, Signer.SignerClient client, TimeProvider clock)
    {
        Id = id;
        Url = $"in-memory:{id}";
        Client = client;
        _clock = clock;
    }

    public Identifier Id { get; }
    public string Url { get; }
    public Signer.SignerClient Client { get; }

    public bool IsExcluded => _excludedUntil > _clock.GetUtcNow();

    /// <summary>Leaves this replica out of signing sets for <paramref name="time"/>; returns until when.</summary>
    public DateTimeOffset Exclude(TimeSpan time) => _excludedUntil = _clock.GetUtcNow() + time;

    /// <summary>The highest height this replica is known to have verified, per app (-1: not known).</summary>
    public long VerifiedHeight(string appId) => _verified.GetValueOrDefault(appId, -1);

    public void Verified(string appId, long height) => _verified.AddOrUpdate(appId, height, (_, h) => Math.Max(h, height));

    /// <summary>The last block this replica refused, and why (what an operator looks at first).</summary>
    public Refusal? LastRefusal { get; private set; }

    public void Refused(string appId, long height, string reason) => LastRefusal = new Refusal(appId, height, reason, _clock.GetUtcNow());

    /// <summary>
    /// Starts <paramref name="catchUp"/> for an app unless one is running for it or catching up is held
    /// (after a failure); false when not started.
    /// </summary>
    public bool TryStartCatchUp(string appId, Func<Task> catchUp)
    {
        lock (_catchUps)
        {
            if (_catchUps.TryGetValue(appId, out var running) && !running.IsCompleted || CatchUpHeld(appId))
                return false;
            _catchUps[appId] = Task.Run(catchUp);
            return true;
        }
    }

    /// <summary>The running (or last) catch-up of an app, or a completed task.</summary>
    public Task CatchUpOf(string appId)
    {
        lock (_catchUps)
            return _catchUps.GetValueOrDefault(appId) ?? Task.CompletedTask;
    }

    /// <summary>No catch-up for an app for a while (a replica that refuses would re-execute the same block on every sweep).</summary>
    public void HoldCatchUp(string appId, TimeSpan time) => _catchUpHolds[appId] = _clock.GetUtcNow() + time;

    private bool CatchUpHeld(string appId) => _catchUpHolds.TryGetValue(appId, out var until) && until > _clock.GetUtcNow();

    /// <summary>One unused commitment, fetching a batch when none is left (one round trip per batch, not per block).</summary>
    public async Task<(string Id, SigningCommitments Commitments)> TakeCommitmentAsync(int batch, TimeSpan timeout, CancellationToken ct)
    {
        await _refill.WaitAsync(ct);
        try
        {
            if (_commitments.Count == 0)
            {
                var response = await Client.CommitAsync(new CommitRequest { Count = (uint)batch }, deadline: _clock.GetUtcNow().UtcDateTime + timeout, cancellationToken: ct);
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

    public void Dispose() => _channel?.Dispose();
}

/// <summary>A block a replica refused to sign, and its reason.</summary>
public sealed record Refusal(string AppId, long Height, string Reason, DateTimeOffset At);

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
