using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Nexus.Contracts.Signer;
using Nexus.Crypto.Frost;

namespace Nexus.MpcSigner.Coordinator;

/// <summary>
/// FROST round two with t of the replicas that verified a block: commitments taken from batches
/// fetched ahead (signing is one round trip), shares requested concurrently, aggregated with share
/// verification. A replica that sends an invalid or malformed share is named, excluded and alarmed,
/// and the set is redrawn without it; one that restarted and forgot its nonces gets one retry with
/// fresh commitments.
/// </summary>
public sealed class SigningRound(
    Committee committee,
    IOptions<CoordinatorOptions> options,
    SignerMetrics metrics,
    TimeProvider clock,
    ILogger<SigningRound> log)
{
    /// <summary>The aggregate signature over <paramref name="digest"/> and the identifiers of its signers.</summary>
    public async Task<(Signature Signature, IReadOnlyList<int> Signers)> SignAsync(
        IReadOnlyList<ReplicaClient> agreeing, string appId, long height, string headerHash, byte[] digest, CancellationToken ct)
    {
        var candidates = agreeing.ToList();
        // Replicas given one retry with fresh commitments (shares are requested concurrently).
        var refreshed = new ConcurrentDictionary<Identifier, bool>();
        var timeout = TimeSpan.FromMilliseconds(options.Value.SignTimeoutMs);
        while (candidates.Count >= committee.MinSigners)
        {
            var set = candidates.Take(committee.MinSigners).ToList();
            var taken = await Task.WhenAll(set.Select(r => CommitmentAsync(r, timeout, ct)));
            if (Drop(candidates, set.Where((r, i) => taken[i].Id is null)))
                continue;

            var request = new SignRequest { AppId = appId, Height = height, HeaderHash = headerHash, Digest = ByteString.CopyFrom(digest) };
            request.Commitments.AddRange(taken.Select(t => ByteString.CopyFrom(FrostEncoding.Encode(t.Commitments))));
            var results = await Task.WhenAll(set.Select((r, i) => ShareAsync(r, request, taken[i].Id!, refreshed, timeout, ct)));
            if (Drop(candidates, set.Where((r, i) => results[i] is { Share: null, Retry: false })) || results.Any(x => x.Retry))
                continue;
            try
            {
                var signature = Frost.Aggregate(taken.Select(t => t.Commitments).ToList(), results.Select(x => x.Share!).ToList(),
                    committee.Public.GroupPublicKey, digest, committee.Public.VerifyingShares);
                return (signature, set.Select(r => (int)r.Id.Index).ToList());
            }
            catch (InvalidSignatureSharesException e) when (e.Cheaters.Count == set.Count)
            {
                // Every share wrong at once points at this side (committee file, domain), not at t replicas.
                throw new NotEnoughSignersException($"every share of {string.Join(",", set.Select(r => r.Id))} failed verification: check Coordinator:CommitteeFile against the replicas' keys");
            }
            catch (InvalidSignatureSharesException e)
            {
                foreach (var cheater in set.Where(r => e.Cheaters.Contains(r.Id)))
                    Exclude(cheater, $"sent an invalid signature share for {appId}/{height}");
                candidates.RemoveAll(r => e.Cheaters.Contains(r.Id));
            }
        }
        throw new NotEnoughSignersException($"fewer than {committee.MinSigners} replicas could sign {appId}/{height}");
    }

    private async Task<(string? Id, SigningCommitments Commitments)> CommitmentAsync(ReplicaClient replica, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            return await replica.TakeCommitmentAsync(options.Value.CommitmentBatch, timeout, ct);
        }
        catch (Exception e) when (e is RpcException or FrostException && !ct.IsCancellationRequested)
        {
            metrics.ReplicaFailures.Add(1, new("replica", replica.Id.Index), new("kind", "commit"));
            log.LogWarning("Replica {Replica}: no commitments ({Error})", replica.Id, e.Message);
            return default;
        }
    }

    private async Task<(SignatureShare? Share, bool Retry)> ShareAsync(ReplicaClient replica, SignRequest request, string nonceId,
        ConcurrentDictionary<Identifier, bool> refreshed, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            var mine = request.Clone();
            mine.NonceId = nonceId;
            var response = await replica.Client.SignAsync(mine, deadline: clock.GetUtcNow().UtcDateTime + timeout, cancellationToken: ct);
            var share = FrostEncoding.DecodeShare(response.Share.Span);
            // A share is the sender's whatever identifier it claims: verification then holds it to its own key.
            return (share.Id == replica.Id ? share : new SignatureShare(replica.Id, share.Z), false);
        }
        catch (RpcException e) when (!ct.IsCancellationRequested)
        {
            metrics.ReplicaFailures.Add(1, new("replica", replica.Id.Index), new("kind", "sign"));
            log.LogWarning("Replica {Replica}: no share for {AppId}/{Height} ({Status}: {Error})", replica.Id, request.AppId, request.Height, e.StatusCode, e.Status.Detail);
            if (e.StatusCode == StatusCode.FailedPrecondition && refreshed.TryAdd(replica.Id, true))
            {
                // It restarted and forgot the nonces behind our commitments: fetch fresh ones and let it try again.
                await replica.ForgetCommitmentsAsync();
                return (null, true);
            }
            return (null, false);
        }
        catch (FrostException e)
        {
            // An undecodable share is as bad as a wrong one.
            Exclude(replica, $"sent a malformed share ({e.Message})");
            return (null, false);
        }
    }

    private static bool Drop(List<ReplicaClient> candidates, IEnumerable<ReplicaClient> failed)
    {
        var list = failed.ToList();
        candidates.RemoveAll(list.Contains);
        return list.Count > 0;
    }

    private void Exclude(ReplicaClient replica, string why)
    {
        var until = replica.Exclude(TimeSpan.FromMinutes(options.Value.ExcludeCheatersMinutes));
        metrics.BadShares.Add(1, new KeyValuePair<string, object?>("replica", replica.Id.Index));
        log.LogError("ALARM: replica {Replica} {Why}; excluded from signing until {Until:u}", replica.Id, why, until);
    }
}
