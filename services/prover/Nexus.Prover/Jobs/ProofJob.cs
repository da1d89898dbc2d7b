using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Options;
using Nexus.Contracts.Prover;
using Nexus.Crypto.Bn254;
using Nexus.Crypto.Groth16;
using Nexus.Crypto.Groth16.Formats;
using Nexus.Prover.Pool;
using Orleans.Concurrency;
using Orleans.Runtime.Placement;

namespace Nexus.Prover.Jobs;

[GenerateSerializer, Immutable, Alias("nexus.prover.JobProgress")]
public sealed record JobProgress(string Status, int Tasks, int Done, string? Error);

/// <summary>
/// One proof job, coordinated by one grain: it splits the proof into work items (three polynomials onto
/// the coset, then MSM chunks by point range for A, B1, B2, C and H), sends them to workers spread over
/// the active silos, stores each finished part, sends a failed item again (another silo, up to
/// MaxAttempts), and combines the parts into the proof. <see cref="Start"/> is idempotent: the bus
/// consumer calls it on every delivery, the sweepers when the job's heartbeat stops (its silo died),
/// and a new activation continues from the stored parts.
/// </summary>
[Alias("nexus.prover.IProofJob")]
public interface IProofJob : IGrainWithStringKey
{
    [Alias("Start")] Task Start();
    [AlwaysInterleave, Alias("Progress")] Task<JobProgress> Progress();
}

public sealed class ProofJob(
    ProofJobStore store, ProvingKeys keys, IBus bus, ProverMetrics metrics, IOptions<ProverOptions> options,
    ILocalSiloDetails silo, ILogger<ProofJob> logger) : Grain, IProofJob
{
    private Task? _run;
    private IGrainTimer? _heartbeat;
    private int _tasks, _done;
    private string _status = "idle";
    private string? _error;

    public async Task Start()
    {
        if (_run is { IsCompleted: false })
            return;
        var job = await store.GetAsync(this.GetPrimaryKeyString()) ?? throw new ArgumentException($"no job {this.GetPrimaryKeyString()}");
        if (job.Status != JobStatus.Running)
        {
            // A repeated request for a finished job gets its answer again.
            await PublishAsync(job, job.ProofJson, job.PublicSignals, job.Error, []);
            _status = job.Status.ToString().ToLowerInvariant();
            DeactivateOnIdle();
            return;
        }
        var claims = await store.ClaimAsync(job.JobId, silo.SiloAddress.ToString());
        if (claims > options.Value.MaxResumes)
        {
            // Started (and interrupted) this often: something fails the same way every time.
            var error = $"the job was started {claims} times without finishing (last: {job.Error ?? "see the silos' logs"})";
            await PublishAsync(job, null, null, error, []);
            await store.FinishAsync(job.JobId, null, null, error);
            _status = "failed";
            DeactivateOnIdle();
            return;
        }
        _status = "running";
        DelayDeactivation(TimeSpan.FromHours(6));
        var jobId = job.JobId;
        _heartbeat = this.RegisterGrainTimer(() => store.HeartbeatAsync(jobId, _tasks), new GrainTimerCreationOptions(TimeSpan.Zero, TimeSpan.FromSeconds(2)) { KeepAlive = true });
        // The work runs in the grain's context but not in this call: Start returns once it is under way.
        _run = RunAsync(job);
    }

    public Task<JobProgress> Progress() => Task.FromResult(new JobProgress(_status, _tasks, _done, _error));

    private async Task RunAsync(StoredJob job)
    {
        await Task.Yield(); // Start returns before any of the work below
        metrics.JobStarted();
        var outcome = "failed";
        try
        {
            // Loading a key, parsing the witness and checking every constraint: off the grain's turn.
            var (key, witness) = await Task.Run(() =>
            {
                var key = keys.Get(job.Circuit, job.KeyHash);
                var witness = WitnessFile.Parse(job.Witness, $"job {job.JobId}'s witness");
                Groth16Prover.CheckWitness(key.Key, witness);
                if (key.R1cs?.FirstViolation(witness) is { } violation)
                    throw new ArgumentException($"the witness does not satisfy {job.Circuit}: {violation}");
                return (key, witness);
            });
            var proof = await ProveAsync(job, key, witness);
            var signals = Groth16Prover.PublicSignals(key.Key, witness).Select(s => s.ToString()).ToArray();
            var proofJson = proof.ToSnarkJson().ToJsonString();
            // Published before the job is marked done: a crash in between publishes again (at least once).
            await PublishAsync(job, proofJson, signals, null, await store.SilosAsync(job.JobId));
            await store.FinishAsync(job.JobId, proofJson, signals, null);
            _status = "done";
            outcome = "done";
            logger.LogInformation("job {Job} ({Circuit}): proof in {Seconds:F2} s", job.JobId, job.Circuit, (DateTimeOffset.UtcNow - job.CreatedAt).TotalSeconds);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or InvalidOperationException or WorkFailedException)
        {
            // The job's own fault (its witness, its circuit) or work that failed on every try: it ends with the reason.
            _status = "failed";
            _error = e.Message;
            logger.LogWarning("job {Job} ({Circuit}) failed: {Error}", job.JobId, job.Circuit, e.Message);
            try
            {
                await PublishAsync(job, null, null, e.Message, []);
                await store.FinishAsync(job.JobId, null, null, e.Message);
            }
            catch (Exception reporting)
            {
                // Not recorded: the job stays running without a heartbeat, so a sweeper starts it again
                // (and it fails again, and is recorded then).
                outcome = "interrupted";
                logger.LogError(reporting, "job {Job}: its failure could not be recorded; it will be resumed", job.JobId);
            }
        }
        catch (Exception e)
        {
            // Storage or bus trouble: the job stays running and a sweeper resumes it when the heartbeat stops.
            _status = "interrupted";
            outcome = "interrupted";
            logger.LogError(e, "job {Job} interrupted; it will be resumed", job.JobId);
        }
        finally
        {
            metrics.JobEnded(outcome, (DateTimeOffset.UtcNow - job.CreatedAt).TotalSeconds);
            // Done, failed or interrupted: this activation has no more to do (and holds the witness).
            _heartbeat?.Dispose();
            _heartbeat = null;
            DelayDeactivation(TimeSpan.Zero);
            DeactivateOnIdle();
        }
    }

    private async Task<Proof> ProveAsync(StoredJob job, LoadedKey loaded, Element<Fr>[] witness)
    {
        var key = loaded.Key;
        var parts = new ConcurrentDictionary<string, byte[]>(await store.PartsAsync(job.JobId));
        var witnessWords = Words.FromScalars(witness);
        WorkItem Item(WorkKind kind, int polynomial, MsmPart part, int start, int count, byte[] scalars, int fromBit = 0, int toBit = WorkItem.ScalarBits) =>
            new(job.JobId, job.Circuit, loaded.Hash, kind, polynomial, part, start, count, scalars, fromBit, toBit);

        // MSM work: chunks of points, each cut into bit ranges of the scalars (ranges of windows).
        var chunk = options.Value.ChunkPoints;
        var splits = options.Value.BitSplits;
        List<WorkItem> Chunks(MsmPart part, int points, int offset, byte[] words)
        {
            var items = new List<WorkItem>();
            for (var start = 0; start < points; start += chunk)
            {
                var count = Math.Min(chunk, points - start);
                var scalars = words.AsSpan((offset + start) * 32, count * 32).ToArray();
                for (var s = 0; s < splits; s++)
                    items.Add(Item(WorkKind.Msm, 0, part, start, count, scalars, s * WorkItem.ScalarBits / splits, (s + 1) * WorkItem.ScalarBits / splits));
            }
            return items;
        }
        var cosets = Enumerable.Range(0, 3).Select(p => Item(WorkKind.Coset, p, MsmPart.A, 0, 0, witnessWords)).ToList();
        var witnessChunks = new[] { MsmPart.A, MsmPart.B1, MsmPart.B2 }.SelectMany(p => Chunks(p, key.Vars, 0, witnessWords))
            .Concat(Chunks(MsmPart.C, key.C.Length, key.Public + 1, witnessWords)).ToList();
        var hChunkCount = (key.DomainSize + chunk - 1) / chunk * splits;
        _tasks = cosets.Count + witnessChunks.Count + hChunkCount;
        _done = cosets.Concat(witnessChunks).Count(i => parts.ContainsKey(i.PartId));
        logger.LogInformation("job {Job} ({Circuit}, domain 2^{Log2}): {Tasks} work items, {Done} already done", job.JobId, job.Circuit, key.Log2Domain, _tasks, _done);

        // The polynomials first (H's scalars wait for them), the witness MSMs beside them.
        await RunAllAsync(job.JobId, cosets.Concat(witnessChunks).Where(i => !parts.ContainsKey(i.PartId)), parts);
        var a = Words.ToScalars(parts["coset-0"]);
        var b = Words.ToScalars(parts["coset-1"]);
        var c = Words.ToScalars(parts["coset-2"]);
        for (var i = 0; i < a.Length; i++)
            a[i] = a[i] * b[i] - c[i];
        var hChunks = Chunks(MsmPart.H, key.DomainSize, 0, Words.FromScalars(a));
        await RunAllAsync(job.JobId, hChunks.Where(i => !parts.ContainsKey(i.PartId)), parts);

        // Only this run's items are summed (a part stored under another chunk size is not one of them).
        var items = witnessChunks.Concat(hChunks).ToList();
        G1 SumG1(MsmPart part) => items.Where(i => i.Part == part)
            .Aggregate(G1.Infinity, (sum, i) => sum + G1.FromEvmBytes(parts[i.PartId]));
        var b2 = items.Where(i => i.Part == MsmPart.B2)
            .Aggregate(G2.Infinity, (sum, i) => sum + G2.FromEvmBytes(parts[i.PartId], checkSubgroup: false));
        return Groth16Prover.Combine(key, SumG1(MsmPart.A), SumG1(MsmPart.B1), b2, SumG1(MsmPart.C), SumG1(MsmPart.H),
            Groth16Prover.RandomScalar(), Groth16Prover.RandomScalar());
    }

    /// <summary>Runs items on workers across the active silos, a few per silo at a time, each item retried on failure.</summary>
    private async Task RunAllAsync(string jobId, IEnumerable<WorkItem> items, ConcurrentDictionary<string, byte[]> parts)
    {
        var silos = await ActiveSilosAsync();
        using var slots = new SemaphoreSlim(Math.Max(1, silos.Length * options.Value.ChunksPerSilo));
        var next = 0;
        var running = new List<Task>();
        foreach (var item in items)
        {
            await slots.WaitAsync();
            running.Add(RunAndReleaseAsync(item, next++));
        }
        await Task.WhenAll(running);

        async Task RunAndReleaseAsync(WorkItem item, int index)
        {
            try
            {
                await RunOneAsync(item, index);
            }
            finally
            {
                slots.Release();
            }
        }

        async Task RunOneAsync(WorkItem item, int index)
        {
            Exception? last = null;
            for (var attempt = 1; attempt <= options.Value.MaxAttempts; attempt++)
            {
                if (attempt > 1)
                {
                    metrics.Retry();
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
                    silos = await ActiveSilosAsync();
                }
                WorkResult result;
                try
                {
                    // A placement hint puts the new worker activation on the chosen silo.
                    RequestContext.Set(IPlacementDirector.PlacementHintKey, silos[(index + attempt - 1) % silos.Length]);
                    result = await GrainFactory.GetGrain<IProvingWorker>($"{jobId}/{item.PartId}/{attempt}").Run(item);
                }
                catch (Exception e) when (e is not ArgumentException)
                {
                    last = e;
                    logger.LogWarning("job {Job}: {Part} failed on try {Attempt}: {Error}", jobId, item.PartId, attempt, e.GetBaseException().Message);
                    continue;
                }
                finally
                {
                    RequestContext.Remove(IPlacementDirector.PlacementHintKey);
                }
                // Outside the retries: a storage error interrupts the job (resumed later), it is no worker's fault.
                await store.SavePartAsync(jobId, item.PartId, result.Data, result.Silo);
                parts[item.PartId] = result.Data;
                Interlocked.Increment(ref _done);
                return;
            }
            throw new WorkFailedException($"{item.PartId} failed {options.Value.MaxAttempts} times; last: {last?.GetBaseException().Message}");
        }
    }

    private async Task<SiloAddress[]> ActiveSilosAsync()
    {
        var hosts = await GrainFactory.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        return [.. hosts.Keys.OrderBy(s => s.ToString())];
    }

    private Task PublishAsync(StoredJob job, string? proof, string[]? signals, string? error, string[] silos) =>
        bus.Publish(new ProofReady
        {
            JobId = job.JobId,
            Circuit = job.Circuit,
            ProvingKeyHash = job.KeyHash,
            Proof = proof,
            PublicSignals = signals,
            Error = error,
            Seconds = (DateTimeOffset.UtcNow - job.CreatedAt).TotalSeconds,
            Silos = silos,
        });
}

/// <summary>A work item failed on every try.</summary>
public sealed class WorkFailedException(string message) : Exception(message);
