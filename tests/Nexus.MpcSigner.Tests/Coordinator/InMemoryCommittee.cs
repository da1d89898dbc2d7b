using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Nexus.AppStreams.Reading;
using Nexus.Contracts.Executor;
using Nexus.Contracts.Signer;
using Nexus.Crypto.Frost;
using Nexus.MpcSigner.Coordinator;
using Nexus.Runtime.Blocks;

namespace Nexus.MpcSigner.Tests.Coordinator;

/// <summary>
/// A replica behind the generated gRPC client, in memory: it holds a real key share, issues real
/// nonce commitments and signs with real FROST, and can be told to refuse, lag, hang, cheat or forget.
/// </summary>
public sealed class InMemoryReplica(KeyPackage key) : Signer.SignerClient
{
    private readonly ConcurrentDictionary<string, SigningNonces> _nonces = new();

    public KeyPackage Key { get; } = key;
    public Identifier Id => Key.Id;

    /// <summary>How it judges a proposal (default: verified, with the proposal's own header hash).</summary>
    public Func<BlockProposal, VerifyResponse> Judge { get; set; } = p => new VerifyResponse { Status = VerifyStatus.Verified, HeaderHash = p.HeaderHash };

    /// <summary>When set, verification waits for it (a slow or hung replica).</summary>
    public TaskCompletionSource? Hold { get; set; }

    /// <summary>Sends a share with a wrong value.</summary>
    public bool Cheats { get; set; }

    /// <summary>Answers the next sign request as a restarted replica would (its nonces are gone).</summary>
    public bool ForgetsOnce { get; set; }

    public ConcurrentQueue<long> Verified { get; } = new();
    public int Commits;
    public int Shares;

    private static AsyncUnaryCall<T> Call<T>(Task<T> response) =>
        new(response, Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });

    public override AsyncUnaryCall<VerifyResponse> VerifyAsync(BlockProposal request, Metadata? headers = null, DateTime? deadline = null, CancellationToken cancellationToken = default) =>
        Call(VerifyCoreAsync(request, cancellationToken));

    private async Task<VerifyResponse> VerifyCoreAsync(BlockProposal request, CancellationToken ct)
    {
        if (Hold is { } hold)
            await hold.Task.WaitAsync(ct);
        var response = Judge(request);
        if (response.Status == VerifyStatus.Verified)
            Verified.Enqueue(request.Height);
        return response;
    }

    public override AsyncUnaryCall<CommitResponse> CommitAsync(CommitRequest request, Metadata? headers = null, DateTime? deadline = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Commits);
        var response = new CommitResponse();
        for (var i = 0; i < request.Count; i++)
        {
            var id = Guid.NewGuid().ToString();
            var nonces = Frost.Commit(Key);
            _nonces[id] = nonces;
            response.Commitments.Add(new NonceCommitment { Id = id, Commitments = ByteString.CopyFrom(FrostEncoding.Encode(nonces.Commitments)) });
        }
        return Call(Task.FromResult(response));
    }

    public override AsyncUnaryCall<SignResponse> SignAsync(SignRequest request, Metadata? headers = null, DateTime? deadline = null, CancellationToken cancellationToken = default)
    {
        if (ForgetsOnce)
        {
            ForgetsOnce = false;
            _nonces.Clear();
        }
        if (!_nonces.TryRemove(request.NonceId, out var nonces))
            return Call(Task.FromException<SignResponse>(new RpcException(new Status(StatusCode.FailedPrecondition, "nonce unknown here"))));
        var commitments = request.Commitments.Select(c => FrostEncoding.DecodeCommitments(c.Span)).ToList();
        var share = Frost.Sign(request.Digest.Span, nonces, Key, commitments);
        if (Cheats)
            share = new SignatureShare(share.Id, share.Z.Add(NBitcoin.Secp256k1.Scalar.One));
        Interlocked.Increment(ref Shares);
        return Call(Task.FromResult(new SignResponse { Share = ByteString.CopyFrom(FrostEncoding.Encode(share)) }));
    }
}

/// <summary>Executed blocks and recorded signatures in memory, as the coordinator's store would hold them.</summary>
public sealed class InMemoryCoordinatorStore : ICoordinatorStore
{
    private readonly ConcurrentDictionary<string, List<StreamEvent<BlockExecuted>>> _executed = new();
    private readonly ConcurrentDictionary<string, AppSigning> _heads = new();

    public ConcurrentQueue<BlockSigned> Recorded { get; } = new();

    /// <summary>Fails every read of this app (a broken stream).</summary>
    public HashSet<string> Broken { get; } = [];

    public void Execute(string appId, int blocks)
    {
        var list = _executed.GetOrAdd(appId, _ => []);
        lock (list)
            for (var i = 0; i < blocks; i++)
            {
                var height = list.Count;
                var header = new BlockHeader
                {
                    ChainId = 31337, AppId = appId, Height = height, PreviousHeaderHash = BlockEncoding.Zero32, CodeHash = BlockEncoding.Zero32,
                    InputsRoot = BlockEncoding.Zero32, InputCount = 0, StateRoot = BlockEncoding.Zero32, OutputsRoot = BlockEncoding.Zero32,
                    OutputCount = 0, ResultsRoot = BlockEncoding.Zero32, L1Block = height,
                };
                var block = new BlockExecuted { AppId = appId, Height = height, Header = header, HeaderHash = BlockEncoding.HeaderHash(header), Results = [], FuelUsed = 0, SealedVersion = 10 * height + 5 };
                list.Add(new StreamEvent<BlockExecuted>(10 * height + 6, block));
            }
    }

    private List<StreamEvent<BlockExecuted>> Of(string appId)
    {
        if (Broken.Contains(appId))
            throw new InvalidStreamException($"{appId} is broken");
        var list = _executed.GetOrAdd(appId, _ => []);
        lock (list)
            return [.. list];
    }

    public Task<IReadOnlyDictionary<string, long>> StreamVersionsAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyDictionary<string, long>>(_executed.ToDictionary(kv => kv.Key, kv => (long)kv.Value.Count * 10 + (_heads.TryGetValue(kv.Key, out var h) ? h.Height + 1 : 0)));

    public Task<AppSigning> HeadAsync(string appId, CancellationToken ct) => Task.FromResult(_heads.GetValueOrDefault(appId) ?? AppSigning.Start(appId));

    public Task<IReadOnlyList<StreamEvent<BlockExecuted>>> UnsignedAsync(AppSigning head, int max, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<StreamEvent<BlockExecuted>>>(Of(head.Id).Where(e => e.Data.Height > head.Height).Take(max).ToList());

    public Task<IReadOnlyList<StreamEvent<BlockExecuted>>> ExecutedFromAsync(string appId, long fromHeight, int max, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<StreamEvent<BlockExecuted>>>(Of(appId).Where(e => e.Data.Height >= fromHeight).Take(max).ToList());

    public Task<BlockProposal> ProposalAsync(StreamEvent<BlockExecuted> executed, CancellationToken ct) =>
        Task.FromResult(new BlockProposal { AppId = executed.Data.AppId, Height = executed.Data.Height, HeaderHash = executed.Data.HeaderHash });

    public Task<byte[]?> CodeAsync(string codeHash, CancellationToken ct) => Task.FromResult<byte[]?>(null);

    public Task<bool> RecordAsync(BlockSigned signed, long executedVersion, CancellationToken ct)
    {
        var head = _heads.GetValueOrDefault(signed.AppId);
        if ((head?.Height ?? -1) != signed.Height - 1)
            return Task.FromResult(false);
        _heads[signed.AppId] = new AppSigning(signed.AppId, signed.Height, signed.HeaderHash, executedVersion, signed.SignedAt);
        Recorded.Enqueue(signed);
        return Task.FromResult(true);
    }
}

/// <summary>A t-of-n committee of in-memory replicas and the coordinator's parts wired as the service wires them, on a clock the test moves.</summary>
public sealed class InMemoryCommittee
{
    public const string Settlement = "0x5e771e0000000000000000000000000000000001";

    public InMemoryCommittee(int n, int t, CoordinatorOptions? options = null)
    {
        var keys = TrustedDealer.Deal(n, t);
        Committee = new Committee(new PublicKeyPackage(keys.GroupPublicKey, keys.Packages.ToDictionary(k => k.Id, k => k.VerifyingShare)), t, new byte[32]);
        Replicas = keys.Packages.Select(k => new InMemoryReplica(k)).ToList();
        Clients = Replicas.Select(r => new ReplicaClient(r.Id, r, Clock)).ToList();
        Options = Microsoft.Extensions.Options.Options.Create(options ?? new CoordinatorOptions { CommitmentBatch = 4, SignTimeoutMs = 1_000, VerifyTimeoutMs = 5_000 });
        var metrics = new SignerMetrics(new TestMeterFactory());
        Verification = new ReplicaVerification(Store, Options, metrics, Clock, NullLogger<ReplicaVerification>.Instance);
        CatchUp = new ReplicaCatchUp(Store, Verification, new Lifetime(), NullLogger<ReplicaCatchUp>.Instance);
        Quorum = new QuorumVerification(Clients, Committee, Verification, CatchUp, Options, Clock);
        Round = new SigningRound(Committee, Options, metrics, Clock, NullLogger<SigningRound>.Instance);
        Signer = new BlockSigner(Store, Quorum, Round, Committee, Microsoft.Extensions.Options.Options.Create(new SignerOptions { SettlementContract = Settlement }),
            metrics, Clock, NullLogger<BlockSigner>.Instance);
        Leadership = new TestLeadership();
        Loop = new SigningCoordinator(Leadership, Store, Signer, CatchUp, Clients, Committee, Options, metrics, Clock, NullLogger<SigningCoordinator>.Instance);
    }

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.Parse("2026-12-01T00:00:00Z"));
    public Committee Committee { get; }
    public IReadOnlyList<InMemoryReplica> Replicas { get; }
    public IReadOnlyList<ReplicaClient> Clients { get; }
    public IOptions<CoordinatorOptions> Options { get; }
    public InMemoryCoordinatorStore Store { get; } = new();
    public ReplicaVerification Verification { get; }
    public ReplicaCatchUp CatchUp { get; }
    public QuorumVerification Quorum { get; }
    public SigningRound Round { get; }
    public BlockSigner Signer { get; }
    public TestLeadership Leadership { get; }
    public SigningCoordinator Loop { get; }

    public InMemoryReplica Replica(int id) => Replicas[id - 1];
    public ReplicaClient Client(int id) => Clients[id - 1];

    public static BlockProposal Proposal(string appId, long height) => new() { AppId = appId, Height = height, HeaderHash = "0x" + new string('a', 64) };

    public byte[] Digest(string headerHash) => BlockEncoding.SigningDigest(headerHash, 31337, Settlement);

    public sealed class TestLeadership : Nexus.Hosting.ILeadership
    {
        public bool Leads { get; set; } = true;
        public bool IsLeader => Leads;
        public Task<bool> EnsureLeaderAsync(CancellationToken ct) => Task.FromResult(Leads);
    }

    private sealed class Lifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;
        public CancellationToken ApplicationStopping => CancellationToken.None;
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public void StopApplication() { }
    }

    private sealed class TestMeterFactory : System.Diagnostics.Metrics.IMeterFactory
    {
        public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options) => new(options);
        public void Dispose() { }
    }
}
