using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Nexus.Contracts.Signer;
using Nexus.MpcSigner.Replica;

namespace Nexus.MpcSigner.Coordinator;

/// <summary>Why a replica did not verify a block: behind (and where it must start), unreachable, or refusing.</summary>
public sealed record Verdict(string Reason, bool Behind = false, long NextHeight = 0, bool Unreachable = false);

/// <summary>
/// Puts one proposal to one replica and reads its answer: sends the module along when the replica
/// lacks it, records how far the replica verified, and turns every other answer into a <see cref="Verdict"/>.
/// </summary>
public sealed class ReplicaVerification(
    ICoordinatorStore store,
    IOptions<CoordinatorOptions> options,
    SignerMetrics metrics,
    TimeProvider clock,
    ILogger<ReplicaVerification> log)
{
    /// <summary>Null when the replica verified the block; otherwise why not. <paramref name="proposal"/> is shared, never changed.</summary>
    public async Task<Verdict?> VerifyAsync(ReplicaClient replica, BlockProposal proposal, CancellationToken ct)
    {
        try
        {
            var response = await replica.Client.VerifyAsync(proposal, deadline: Deadline(), cancellationToken: ct);
            if (response.Status == VerifyStatus.NeedCode && ProposalJson.CodeHash(proposal) is { } codeHash)
            {
                var withCode = proposal.Clone();
                withCode.Code = ByteString.CopyFrom(await store.CodeAsync(codeHash, ct)
                    ?? throw new InvalidOperationException($"code {codeHash} is missing from the code store"));
                response = await replica.Client.VerifyAsync(withCode, deadline: Deadline(), cancellationToken: ct);
            }
            switch (response.Status)
            {
                case VerifyStatus.Verified when string.Equals(response.HeaderHash, proposal.HeaderHash, StringComparison.OrdinalIgnoreCase):
                    replica.Verified(proposal.AppId, proposal.Height);
                    return null;
                case VerifyStatus.Behind:
                    return new Verdict($"behind ({response.Reason})", Behind: true, NextHeight: response.NextHeight);
                default:
                    replica.Refused(proposal.AppId, proposal.Height, response.Reason);
                    metrics.ReplicaFailures.Add(1, new("replica", replica.Id.Index), new("kind", "refused"));
                    log.LogWarning("App {AppId} block {Height}: replica {Replica} refused: {Reason}", proposal.AppId, proposal.Height, replica.Id, response.Reason);
                    return new Verdict($"refused: {response.Reason}");
            }
        }
        catch (RpcException e) when (!ct.IsCancellationRequested)
        {
            metrics.ReplicaFailures.Add(1, new("replica", replica.Id.Index), new("kind", e.StatusCode.ToString()));
            log.LogDebug("App {AppId} block {Height}: replica {Replica} unreachable: {Error}", proposal.AppId, proposal.Height, replica.Id, e.Status.Detail);
            return new Verdict($"{e.StatusCode}: {e.Status.Detail}", Unreachable: true);
        }
    }

    private DateTime Deadline() => clock.GetUtcNow().UtcDateTime.AddMilliseconds(options.Value.VerifyTimeoutMs);
}
