using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Nexus.Contracts.Signer;
using Nexus.Crypto.Frost;
using Nexus.MpcSigner.Dkg;
using Nexus.Runtime.Blocks;

namespace Nexus.MpcSigner.Replica;

/// <summary>
/// The replica's gRPC rounds. Malformed requests get InvalidArgument and state nothing changes; a
/// share is released only for a header this replica verified itself, with a nonce first persisted
/// as used.
/// </summary>
public sealed class SignerService(
    ReplicaKey key,
    NonceBook nonces,
    ReplicaStore store,
    BlockVerifier verifier,
    DkgSession dkg,
    IOptions<SignerOptions> signer,
    SignerMetrics metrics,
    ILogger<SignerService> log) : Signer.SignerBase
{
    public override async Task<InfoResponse> GetInfo(InfoRequest request, ServerCallContext context)
    {
        var response = new InfoResponse { Identifier = key.Id.Index, ChainId = verifier.ChainId };
        if (key.Current is { } k)
        {
            response.GroupPublicKey = ByteString.CopyFrom(Ciphersuite.SerializeElement(k.GroupPublicKey));
            response.VerifyingShare = ByteString.CopyFrom(Ciphersuite.SerializeElement(k.VerifyingShare));
            response.MinSigners = (uint)k.MinSigners;
        }
        foreach (var head in await store.HeadsAsync(context.CancellationToken))
            response.Apps.Add(new AppProgress { AppId = head.AppId, Height = head.Height, HeaderHash = head.HeaderHash });
        return response;
    }

    public override async Task<CommitResponse> Commit(CommitRequest request, ServerCallContext context)
    {
        var k = RequireKey();
        if (request.Count is < 1 or > 256)
            throw Invalid("count must be 1..256");
        var issued = Enumerable.Range(0, (int)request.Count).Select(_ => (Id: Guid.NewGuid(), Nonces: Frost.Commit(k))).ToList();
        // Recorded before they are handed out, so every commitment a coordinator holds is accounted for.
        await store.IssueNoncesAsync(issued.ConvertAll(i => i.Id), context.CancellationToken);
        var response = new CommitResponse();
        foreach (var (id, n) in issued)
        {
            nonces.Add(id, n);
            response.Commitments.Add(new NonceCommitment { Id = id.ToString(), Commitments = ByteString.CopyFrom(FrostEncoding.Encode(n.Commitments)) });
        }
        return response;
    }

    public override async Task<VerifyResponse> Verify(BlockProposal request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.AppId) || request.Height < 0 || !IsHash(request.HeaderHash))
            throw Invalid("app_id, a height ≥ 0 and a 32-byte header_hash are required");
        try
        {
            return await verifier.VerifyAsync(request, context.CancellationToken);
        }
        catch (MalformedProposalException e)
        {
            throw Invalid(e.Message);
        }
        catch (Exception e) when (e is Nexus.Ethereum.Chain.ChainUnavailableException or Npgsql.NpgsqlException or HttpRequestException or TimeoutException)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"this replica cannot reach its own node or store: {e.GetBaseException().Message}"));
        }
        catch (CodeIntegrityException e)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
    }

    public override async Task<SignResponse> Sign(SignRequest request, ServerCallContext context)
    {
        var k = RequireKey();
        if (!Guid.TryParse(request.NonceId, out var nonceId) || !IsHash(request.HeaderHash) || string.IsNullOrEmpty(request.AppId))
            throw Invalid("app_id, header_hash and a nonce_id from Commit are required");
        List<SigningCommitments> commitments;
        try
        {
            commitments = request.Commitments.Select(c => FrostEncoding.DecodeCommitments(c.Span)).ToList();
        }
        catch (FrostException e)
        {
            throw Invalid($"commitments: {e.Message}");
        }
        if (commitments.Count < k.MinSigners || commitments.Select(c => c.Id).Distinct().Count() != commitments.Count)
            throw Invalid($"need {k.MinSigners} or more distinct signers' commitments, got {commitments.Count}");

        var verified = await store.HeaderAtAsync(request.AppId, request.Height, context.CancellationToken);
        if (!string.Equals(verified, request.HeaderHash, StringComparison.OrdinalIgnoreCase))
            throw new RpcException(new Status(StatusCode.FailedPrecondition, verified is null
                ? $"{request.AppId}/{request.Height} has not been verified by this replica"
                : $"this replica verified a different header at {request.AppId}/{request.Height}"));

        var message = BlockEncoding.SigningDigest(verified!, await ChainIdAsync(context.CancellationToken), signer.Value.SettlementContract);
        if (!request.Digest.Span.SequenceEqual(message))
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"this replica signs digest {Convert.ToHexStringLower(message)} (its chain and Signer:SettlementContract {signer.Value.SettlementContract}); the request expects {Convert.ToHexStringLower(request.Digest.Span)}"));

        var own = commitments.SingleOrDefault(c => c.Id == k.Id);
        if (!nonces.TryPeek(nonceId, out var peeked) || own is null || !SameCommitments(own, peeked.Commitments))
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                own is null ? "this replica's commitment is not in the signing set" : $"nonce {nonceId} is unknown here (used, forgotten, or issued before a restart)"));
        // Taken from memory, then persisted as used, before the share exists: a crash anywhere after
        // this point loses the nonce, never reuses it.
        if (!nonces.TryTake(nonceId, out var taken) || !await store.UseNonceAsync(nonceId, request.AppId, request.Height, verified!, context.CancellationToken))
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"nonce {nonceId} was already used"));

        SignatureShare share;
        try
        {
            share = Frost.Sign(message, taken, k, commitments);
        }
        catch (FrostException e)
        {
            throw Invalid(e.Message);
        }
        metrics.SharesIssued.Add(1);
        log.LogDebug("App {AppId} block {Height}: share released with {Signers} signers", request.AppId, request.Height, commitments.Count);
        return new SignResponse { Share = ByteString.CopyFrom(FrostEncoding.Encode(share)) };
    }

    public override Task<DkgStartResponse> DkgStart(DkgStartRequest request, ServerCallContext context) => Dkg(() => dkg.Start(request));

    public override Task<DkgSharesResponse> DkgShares(DkgSharesRequest request, ServerCallContext context) => Dkg(() => dkg.Shares(request));

    public override Task<DkgFinishResponse> DkgFinish(DkgFinishRequest request, ServerCallContext context) => Dkg(() => dkg.Finish(request));

    private Task<T> Dkg<T>(Func<T> step)
    {
        try
        {
            return Task.FromResult(step());
        }
        catch (Exception e) when (e is ArgumentException or FrostException or System.Security.Cryptography.CryptographicException or OverflowException)
        {
            throw Invalid(e.Message);
        }
        catch (InvalidOperationException e)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
    }

    private async Task<long> ChainIdAsync(CancellationToken ct)
    {
        try
        {
            return await verifier.ChainIdAsync(ct);
        }
        catch (Exception e) when (e is Nexus.Ethereum.Chain.ChainUnavailableException or HttpRequestException)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"this replica cannot reach its own node: {e.GetBaseException().Message}"));
        }
    }

    private KeyPackage RequireKey() => key.Current
        ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, "this replica holds no key share yet (run `nexus signers dkg`)"));

    private RpcException Invalid(string message)
    {
        metrics.RejectedCalls.Add(1, new KeyValuePair<string, object?>("kind", "malformed"));
        return new RpcException(new Status(StatusCode.InvalidArgument, message));
    }

    private static bool SameCommitments(SigningCommitments a, SigningCommitments b) =>
        FrostEncoding.Encode(a).AsSpan().SequenceEqual(FrostEncoding.Encode(b));

    private static bool IsHash(string value) =>
        value is { Length: 66 } && value.StartsWith("0x", StringComparison.Ordinal) && value.AsSpan(2).ContainsAnyExcept("0123456789abcdefABCDEF") == false;
}
