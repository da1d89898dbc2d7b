using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Marten;
using Microsoft.Extensions.Options;
using Nexus.AppStreams;
using Nexus.Contracts.Executor;
using Nexus.Contracts.Registry;
using Nexus.Contracts.Sequencer;
using Nexus.Contracts.Signer;
using Nexus.Crypto.Frost;
using Nexus.Ethereum;
using Nexus.MpcSigner.Replica;
using Nexus.Runtime.Blocks;

namespace Nexus.MpcSigner.Coordinator;

/// <summary>Fewer than t replicas agreed on a block; nothing was signed.</summary>
public sealed class NotEnoughSignersException(string message) : Exception(message);

/// <summary>
/// Drives the committee: for each executed block, in order per app, asks every replica to verify it
/// (each checks its own node and re-executes), then runs FROST round two with t of those that agreed,
/// using commitments fetched ahead in batches, aggregates, verifies, and records <see cref="BlockSigned"/>
/// in the app's stream. A replica that is behind is fed the blocks it missed; one that sends an
/// invalid share is named by share verification, excluded and alarmed, and the set is re-drawn.
/// </summary>
public sealed class SigningCoordinator(
    IDocumentStore store,
    Committee committee,
    IReadOnlyList<ReplicaClient> replicas,
    IOptions<CoordinatorOptions> options,
    IOptions<SignerOptions> signer,
    IOptions<Nexus.Hosting.PostgresOptions> postgres,
    SignerMetrics metrics,
    ILogger<SigningCoordinator> log) : BackgroundService
{
    // One coordinator signs, others stand by: two would both spend nonces on every block (the record
    // guard keeps one BlockSigned per height either way).
    private readonly Nexus.Hosting.Leadership _leadership = new(postgres.Value.ConnectionString, $"the signing coordinators (schema {postgres.Value.Schema})", log);
    private readonly CoordinatorOptions _options = options.Value;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private CancellationToken _stopping;
    private readonly Dictionary<string, (DateTimeOffset NotBefore, Nexus.Ethereum.Backoff Backoff)> _failing = [];

    /// <summary>Whether this coordinator is the active one.</summary>
    public bool IsLeader => _leadership.IsLeader;

    /// <summary>A block was executed: look now instead of at the next sweep.</summary>
    public void Wake()
    {
        try { _wake.Release(); } catch (SemaphoreFullException) { }
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        _stopping = ct;
        log.LogInformation("Coordinating a {T}-of-{N} committee (group key {Key}) over {Count} replicas",
            committee.MinSigners, committee.MaxSigners, committee.GroupPublicKeyHex, replicas.Count);
        var backoff = new Nexus.Ethereum.Backoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10));
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var leader = await _leadership.EnsureLeaderAsync(ct);
                metrics.Leader(leader);
                if (leader)
                    await SignPendingAsync(ct);
                backoff.Reset();
                await _wake.WaitAsync(TimeSpan.FromMilliseconds(_options.SweepIntervalMs), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                var delay = backoff.NextDelay();
                log.LogWarning("Signing pass failed ({Error}); retrying in {Delay:F1} s", e.Message, delay.TotalSeconds);
                await Task.Delay(delay, ct).ContinueWith(_ => { }, CancellationToken.None);
            }
        }
    }

    public override async Task StopAsync(CancellationToken ct)
    {
        await base.StopAsync(ct);
        await _leadership.DisposeAsync();
    }

    /// <summary>Signs every executed block not yet signed, apps in parallel, heights in order.</summary>
    public async Task SignPendingAsync(CancellationToken ct)
    {
        await using var query = store.QuerySession();
        var executed = await query.Query<AppExecution>().Select(e => new { e.Id, e.Height }).ToListAsync(ct);
        var signed = (await query.Query<AppSigning>().ToListAsync(ct)).ToDictionary(s => s.Id, s => s.Height);
        var pending = executed
            .Select(e => (App: e.Id, From: signed.GetValueOrDefault(e.Id, -1) + 1, To: e.Height))
            .Where(p => p.From <= p.To && !Failing(p.App))
            .ToList();
        await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelApps, CancellationToken = ct },
            async (p, token) =>
            {
                for (var height = p.From; height <= p.To; height++)
                {
                    try
                    {
                        await SignBlockAsync(p.App, height, token);
                        Succeeded(p.App);
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
                    {
                        var delay = Failed(p.App);
                        log.LogWarning("App {AppId} block {Height}: not signed ({Error}); retrying in {Delay:F1} s", p.App, height, e.Message, delay.TotalSeconds);
                        return;
                    }
                }
            });

        // A replica that missed the last blocks (down, unreachable) is brought up to the signed head
        // even when no new block comes to reveal that it is behind.
        foreach (var (appId, head) in signed)
            foreach (var replica in replicas.Where(r => r.VerifiedHeight(appId) < head))
                StartCatchUp(replica, appId, head, head);
    }

    /// <summary>One block: verify on every replica, sign with t agreeing ones, record.</summary>
    public async Task<BlockSigned?> SignBlockAsync(string appId, long height, CancellationToken ct)
    {
        var timer = Stopwatch.StartNew();
        var block = await ProposedBlocks.LoadAsync(store, appId, height, ct) ?? throw new InvalidOperationException($"{appId}/{height} is not executed");
        var message = BlockEncoding.SigningDigest(block.Executed.HeaderHash, block.Executed.Header.ChainId, signer.Value.SettlementContract);

        var verdicts = await VerifyAllAsync(block, ct);
        var agreeing = replicas.Where((r, i) => verdicts[i] is null).ToList();
        if (agreeing.Count < committee.MinSigners)
        {
            // Replicas that were behind may have caught up meanwhile; give them the time of one verification.
            var behind = replicas.Where((r, i) => verdicts[i] is { Behind: true }).ToList();
            if (behind.Count > 0 && agreeing.Count + behind.Count >= committee.MinSigners)
            {
                await Task.WhenAny(Task.WhenAll(behind.Select(r => CatchUpOf(r, appId))), Task.Delay(_options.VerifyTimeoutMs, ct));
                var proposal = ProposedBlocks.Proposal(block);
                var again = await Task.WhenAll(behind.Select(r => VerifyAsync(r, block, proposal, ct)));
                agreeing.AddRange(behind.Where((r, i) => again[i] is null));
            }
        }
        var now = DateTimeOffset.UtcNow;
        agreeing = agreeing.Where(r => r.ExcludedUntil <= now).OrderBy(r => r.Id.Index).ToList();
        if (agreeing.Count < committee.MinSigners)
            throw new NotEnoughSignersException($"{agreeing.Count} replica(s) agreed, {committee.MinSigners} needed: " +
                string.Join("; ", replicas.Select((r, i) => $"{r.Id}: {verdicts[i]?.Reason ?? "verified"}")));

        var verifyMs = timer.Elapsed.TotalMilliseconds;
        var (signature, signers) = await SignAsync(agreeing, block, message, ct);
        var signMs = timer.Elapsed.TotalMilliseconds - verifyMs;
        var signedBlock = new BlockSigned
        {
            AppId = appId,
            Height = height,
            Header = block.Executed.Header,
            HeaderHash = block.Executed.HeaderHash,
            SettlementContract = signer.Value.SettlementContract,
            Digest = Hex.Encode(message),
            Signature = Hex.Encode(signature.ToBytes()),
            GroupPublicKey = committee.GroupPublicKeyHex,
            Signers = signers,
            SignedAt = DateTimeOffset.UtcNow,
        };
        if (!await RecordAsync(signedBlock, ct))
            return null;
        metrics.BlocksSigned.Add(1);
        metrics.RoundSeconds.Record(timer.Elapsed.TotalSeconds);
        log.LogInformation("App {AppId} block {Height} signed by replicas {Signers} in {Ms:F0} ms (load and verify {VerifyMs:F0}, sign {SignMs:F0}, record {RecordMs:F0})",
            appId, height, string.Join(",", signers), timer.Elapsed.TotalMilliseconds, verifyMs, signMs, timer.Elapsed.TotalMilliseconds - verifyMs - signMs);
        return signedBlock;
    }

    /// <summary>Why a replica did not verify a block: behind (and where it must start), unreachable, or refusing.</summary>
    private sealed record Verdict(string Reason, bool Behind = false, long NextHeight = 0, bool Unreachable = false);

    /// <summary>
    /// Asks every replica; returns once all answered, or once t agreed and the rest had as long again
    /// (at least 250 ms): one slow replica must not hold every block up for the full timeout. The late
    /// answers still land (the replica stays in step) but do not count for this block.
    /// </summary>
    private async Task<Verdict?[]> VerifyAllAsync(ProposedBlock block, CancellationToken ct)
    {
        // One proposal for every replica (its JSON is the bulk of the message).
        var proposal = ProposedBlocks.Proposal(block);
        var tasks = replicas.Select(r => VerifyAsync(r, block, proposal, ct)).ToArray();
        var all = Task.WhenAll(tasks);
        var watch = Stopwatch.StartNew();
        while (!all.IsCompleted)
        {
            if (tasks.Where((t, i) => t.IsCompletedSuccessfully && t.Result is null && replicas[i].ExcludedUntil <= DateTimeOffset.UtcNow).Count() >= committee.MinSigners)
            {
                await Task.WhenAny(all, Task.Delay(TimeSpan.FromMilliseconds(Math.Max(250, watch.Elapsed.TotalMilliseconds)), ct));
                break;
            }
            await Task.WhenAny(tasks.Where(t => !t.IsCompleted));
        }
        return tasks.Select(t => t.IsCompletedSuccessfully ? t.Result
            : new Verdict(t.IsFaulted ? t.Exception!.GetBaseException().Message : "still verifying")).ToArray();
    }

    /// <summary>Null when the replica verified the block; otherwise why not. <paramref name="proposal"/> is shared, never changed.</summary>
    private async Task<Verdict?> VerifyAsync(ReplicaClient replica, ProposedBlock block, BlockProposal proposal, CancellationToken ct)
    {
        var (appId, height) = (block.Executed.AppId, block.Executed.Height);
        try
        {
            var response = await replica.Client.VerifyAsync(proposal, deadline: Deadline(_options.VerifyTimeoutMs), cancellationToken: ct);
            if (response.Status == VerifyStatus.NeedCode && block.Deployment is { } deployment)
            {
                await using var query = store.QuerySession();
                var withCode = proposal.Clone();
                withCode.Code = ByteString.CopyFrom(await AppCodeRegistry.LoadAsync(query, deployment.CodeHash, ct)
                    ?? throw new InvalidOperationException($"code {deployment.CodeHash} is missing from the code store"));
                response = await replica.Client.VerifyAsync(withCode, deadline: Deadline(_options.VerifyTimeoutMs), cancellationToken: ct);
            }
            switch (response.Status)
            {
                case VerifyStatus.Verified when string.Equals(response.HeaderHash, block.Executed.HeaderHash, StringComparison.OrdinalIgnoreCase):
                    replica.Verified(appId, height);
                    return null;
                case VerifyStatus.Behind:
                    StartCatchUp(replica, appId, response.NextHeight, height);
                    return new Verdict($"behind ({response.Reason})", Behind: true, NextHeight: response.NextHeight);
                default:
                    metrics.ReplicaFailures.Add(1, new("replica", replica.Id.Index), new("kind", "refused"));
                    log.LogWarning("App {AppId} block {Height}: replica {Replica} refused: {Reason}", appId, height, replica.Id, response.Reason);
                    return new Verdict($"refused: {response.Reason}");
            }
        }
        catch (RpcException e) when (!ct.IsCancellationRequested)
        {
            metrics.ReplicaFailures.Add(1, new("replica", replica.Id.Index), new("kind", e.StatusCode.ToString()));
            log.LogDebug("App {AppId} block {Height}: replica {Replica} unreachable: {Error}", appId, height, replica.Id, e.Status.Detail);
            return new Verdict($"{e.StatusCode}: {e.Status.Detail}", Unreachable: true);
        }
    }

    /// <summary>FROST round two with t agreeing replicas; re-drawn without any that fail or cheat.</summary>
    private async Task<(Signature Signature, IReadOnlyList<int> Signers)> SignAsync(List<ReplicaClient> agreeing, ProposedBlock block, byte[] message, CancellationToken ct)
    {
        var candidates = agreeing.ToList();
        // Replicas given one retry with fresh commitments (shares are requested concurrently).
        var refreshed = new System.Collections.Concurrent.ConcurrentDictionary<Identifier, bool>();
        var timeout = TimeSpan.FromMilliseconds(_options.SignTimeoutMs);
        while (candidates.Count >= committee.MinSigners)
        {
            var set = candidates.Take(committee.MinSigners).ToList();
            var taken = await Task.WhenAll(set.Select(async r =>
            {
                try
                {
                    return await r.TakeCommitmentAsync(_options.CommitmentBatch, timeout, ct);
                }
                catch (Exception e) when (e is RpcException or FrostException && !ct.IsCancellationRequested)
                {
                    metrics.ReplicaFailures.Add(1, new("replica", r.Id.Index), new("kind", "commit"));
                    log.LogWarning("Replica {Replica}: no commitments ({Error})", r.Id, e.Message);
                    return default;
                }
            }));
            if (Drop(candidates, set.Where((r, i) => taken[i].Id is null)))
                continue;

            var request = new SignRequest { AppId = block.Executed.AppId, Height = block.Executed.Height, HeaderHash = block.Executed.HeaderHash, Digest = ByteString.CopyFrom(message) };
            request.Commitments.AddRange(taken.Select(t => ByteString.CopyFrom(FrostEncoding.Encode(t.Commitments))));
            var results = await Task.WhenAll(set.Select(async (r, i) =>
            {
                try
                {
                    var mine = request.Clone();
                    mine.NonceId = taken[i].Id;
                    var response = await r.Client.SignAsync(mine, deadline: DateTime.UtcNow + timeout, cancellationToken: ct);
                    var share = FrostEncoding.DecodeShare(response.Share.Span);
                    return (Share: share.Id == r.Id ? share : new SignatureShare(r.Id, share.Z), Retry: false);
                }
                catch (RpcException e) when (!ct.IsCancellationRequested)
                {
                    metrics.ReplicaFailures.Add(1, new("replica", r.Id.Index), new("kind", "sign"));
                    log.LogWarning("Replica {Replica}: no share for {AppId}/{Height} ({Status}: {Error})", r.Id, block.Executed.AppId, block.Executed.Height, e.StatusCode, e.Status.Detail);
                    if (e.StatusCode == StatusCode.FailedPrecondition && refreshed.TryAdd(r.Id, true))
                    {
                        // It restarted and forgot the nonces behind our commitments: fetch fresh ones and let it try again.
                        await r.ForgetCommitmentsAsync();
                        return (Share: null, Retry: true);
                    }
                    return (Share: (SignatureShare?)null, Retry: false);
                }
                catch (FrostException e)
                {
                    // An undecodable share is as bad as a wrong one.
                    Exclude(r, $"sent a malformed share ({e.Message})");
                    return (Share: null, Retry: false);
                }
            }));
            if (Drop(candidates, set.Where((r, i) => results[i] is { Share: null, Retry: false })) || results.Any(x => x.Retry))
                continue;
            var shares = results.Select(x => x.Share!).ToList();
            try
            {
                var signature = Frost.Aggregate(taken.Select(t => t.Commitments).ToList(), shares,
                    committee.Public.GroupPublicKey, message, committee.Public.VerifyingShares);
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
                    Exclude(cheater, $"sent an invalid signature share for {block.Executed.AppId}/{block.Executed.Height}");
                candidates.RemoveAll(r => e.Cheaters.Contains(r.Id));
            }
        }
        throw new NotEnoughSignersException($"fewer than {committee.MinSigners} replicas could sign {block.Executed.AppId}/{block.Executed.Height}");
    }

    private static bool Drop(List<ReplicaClient> candidates, IEnumerable<ReplicaClient> failed)
    {
        var list = failed.ToList();
        candidates.RemoveAll(list.Contains);
        return list.Count > 0;
    }

    private void Exclude(ReplicaClient replica, string why)
    {
        replica.ExcludedUntil = DateTimeOffset.UtcNow.AddMinutes(_options.ExcludeCheatersMinutes);
        metrics.BadShares.Add(1, new KeyValuePair<string, object?>("replica", replica.Id.Index));
        log.LogError("ALARM: replica {Replica} {Why}; excluded from signing until {Until:u}", replica.Id, why, replica.ExcludedUntil);
    }

    /// <summary>
    /// Feeds a replica the blocks it missed, in order, in the background (one run per replica and app).
    /// <paramref name="from"/> may be a guess: a BEHIND answer moves it back to the replica's next height.
    /// </summary>
    private void StartCatchUp(ReplicaClient replica, string appId, long from, long to)
    {
        lock (replica.CatchUps)
        {
            if (replica.CatchUps.TryGetValue(appId, out var running) && !running.IsCompleted || replica.CatchUpHeld(appId))
                return;
            replica.CatchUps[appId] = Task.Run(async () =>
            {
                try
                {
                    await CatchUpAsync(replica, appId, from, to, _stopping);
                }
                catch (Exception e) when (e is not OperationCanceledException || !_stopping.IsCancellationRequested)
                {
                    replica.HoldCatchUp(appId, TimeSpan.FromSeconds(30));
                    log.LogWarning("Replica {Replica}: catching up on {AppId} failed ({Error})", replica.Id, appId, e.Message);
                }
            }, CancellationToken.None);
        }
    }

    private async Task CatchUpAsync(ReplicaClient replica, string appId, long from, long to, CancellationToken ct)
    {
        if (from == to && replica.VerifiedHeight(appId) < to)
        {
            // Probe: ask for the head first; BEHIND says where to start.
            var probe = await ProposedBlocks.LoadAsync(store, appId, to, ct);
            if (probe is null || await VerifyAsync(replica, probe, ProposedBlocks.Proposal(probe), ct) is not { } verdict)
                return;
            if (!verdict.Behind)
            {
                // Unreachable or refusing: not again on every sweep.
                replica.HoldCatchUp(appId, TimeSpan.FromSeconds(verdict.Unreachable ? 5 : 30));
                return;
            }
            from = verdict.NextHeight;
        }
        log.LogInformation("Replica {Replica} is behind on {AppId}: feeding blocks {From}..{To}", replica.Id, appId, from, to);
        for (var height = from; height <= to; height++)
        {
            var block = await ProposedBlocks.LoadAsync(store, appId, height, ct);
            if (block is null || await VerifyAsync(replica, block, ProposedBlocks.Proposal(block), ct) is not null)
            {
                // Not again for a while: a replica that refuses would re-execute the same block every sweep.
                replica.HoldCatchUp(appId, TimeSpan.FromSeconds(30));
                log.LogWarning("Replica {Replica} stopped catching up on {AppId} at {Height}", replica.Id, appId, height);
                return;
            }
        }
        log.LogInformation("Replica {Replica} caught up on {AppId} to {To}", replica.Id, appId, to);
    }

    private static Task CatchUpOf(ReplicaClient replica, string appId)
    {
        lock (replica.CatchUps)
            return replica.CatchUps.GetValueOrDefault(appId) ?? Task.CompletedTask;
    }

    /// <summary>Appends the signature under the stream's lock, once: a second coordinator (or a retry) finds it recorded.</summary>
    private async Task<bool> RecordAsync(BlockSigned signed, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForExclusiveWriting<AppExecution>(signed.AppId, ct);
        var current = await session.LoadAsync<AppSigning>(signed.AppId, ct);
        if ((current?.Height ?? -1) != signed.Height - 1)
        {
            log.LogInformation("App {AppId} block {Height}: already recorded by another coordinator", signed.AppId, signed.Height);
            return false;
        }
        stream.AppendOne(signed);
        session.Store(new AppSigning(signed.AppId, signed.Height, signed.HeaderHash, signed.SignedAt));
        await session.SaveChangesAsync(ct);
        return true;
    }

    private static DateTime Deadline(int ms) => DateTime.UtcNow.AddMilliseconds(ms);

    private bool Failing(string appId)
    {
        lock (_failing)
            return _failing.TryGetValue(appId, out var f) && f.NotBefore > DateTimeOffset.UtcNow;
    }

    private TimeSpan Failed(string appId)
    {
        lock (_failing)
        {
            var backoff = _failing.TryGetValue(appId, out var f) ? f.Backoff : new Nexus.Ethereum.Backoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30));
            var delay = backoff.NextDelay();
            _failing[appId] = (DateTimeOffset.UtcNow + delay, backoff);
            return delay;
        }
    }

    private void Succeeded(string appId)
    {
        lock (_failing)
            _failing.Remove(appId);
    }
}
