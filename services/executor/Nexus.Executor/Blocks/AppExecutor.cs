using System.Collections.Concurrent;
using System.Diagnostics;
using Marten;
using Microsoft.Extensions.Options;
using Nexus.AppStreams;
using Nexus.AppStreams.Reading;
using Nexus.AppStreams.Registry;
using Nexus.Contracts.Executor;
using Nexus.Ethereum;
using Nexus.Runtime.Blocks;
using Nexus.Runtime.Wasm;
using Nexus.State;

namespace Nexus.Executor.Blocks;

/// <summary>
/// Executes an app's sealed blocks in height order and commits them: state nodes first (idempotent,
/// content-addressed), then the <see cref="BlockExecuted"/> events under the stream's lock after
/// checking that nobody executed them meanwhile. The in-memory state is a cache of the committed
/// state: whenever a commit does not happen it is dropped and reloaded from its root.
/// Callers run at most one <see cref="RunAsync"/> per app at a time.
/// </summary>
public sealed class AppExecutor(
    IDocumentStore store,
    StateNodes nodes,
    WasmRuntime runtime,
    ExecutorMetrics metrics,
    IOptions<ExecutorOptions> options,
    ILogger<AppExecutor> log)
{
    private sealed record LoadedState(StateTree Tree, long Height);

    private readonly ConcurrentDictionary<string, LoadedState> _states = new();

    private sealed record Batch(IReadOnlyList<BlockExecuted> Blocks, IReadOnlyList<StateNode> Nodes, double ExecuteMs);

    /// <summary>
    /// Executes and commits the app's pending blocks, a batch of up to <c>MaxBlocksPerCommit</c> per
    /// transaction, up to <see cref="BatchesPerRun"/> batches; returns how many blocks were committed.
    /// Pipelined: while one batch is being written to PostgreSQL the next is read and executed on the
    /// in-memory state, which assumes the commit succeeds — if it does not, everything in memory is dropped.
    /// </summary>
    public async Task<int> RunAsync(string appId, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        var head = await HeadAsync(query, appId, ct);
        var state = await StateAsync(appId, head, ct);
        var (height, previous, afterVersion) = (head.Height, head.HeaderHash, head.SealedVersion);
        Task<int>? committing = null;
        var committed = 0;
        try
        {
            for (var batches = 0; batches < BatchesPerRun; batches++)
            {
                var range = await AppStreamReader.ReadBlocksAsync(query, appId, afterVersion, options.Value.ReadWindow, ct);
                if (range.Blocks.Count == 0)
                    break;
                var batch = await ExecuteAsync(state, range.Blocks.Take(options.Value.MaxBlocksPerCommit), height, previous, query, ct);
                if (committing is not null && await committing == 0)
                    return committed; // another instance is ahead: the state was dropped
                committed += committing?.Result ?? 0;
                committing = CommitAsync(appId, height, batch, ct);
                (height, previous, afterVersion) = (batch.Blocks[^1].Height, batch.Blocks[^1].HeaderHash, batch.Blocks[^1].SealedVersion);
            }
            if (committing is not null)
            {
                if (await committing == 0)
                    return committed;
                committed += committing.Result;
            }
            _states[appId] = state with { Height = height };
            return committed;
        }
        catch
        {
            _states.TryRemove(appId, out _);
            if (committing is not null)
                await committing.ContinueWith(_ => { }, TaskScheduler.Default); // never leave a write running unobserved
            throw;
        }
    }

    private const int BatchesPerRun = 10;
    private const long MaxOutputBytesPerCommit = 16L << 20;

    private async Task<Batch> ExecuteAsync(LoadedState state, IEnumerable<AppBlock> blocks, long height, string previous, IQuerySession query, CancellationToken ct)
    {
        var timing = Stopwatch.StartNew();
        var executed = new List<BlockExecuted>();
        var newNodes = new List<StateNode>();
        long outputBytes = 0;
        foreach (var block in blocks)
        {
            // Bounds one transaction: blocks carry up to 8 MiB of outputs each.
            if (outputBytes > MaxOutputBytesPerCommit)
                break;
            if (block.Height != height + 1 + executed.Count)
                throw new BlockIntegrityException(block.Height, $"expected height {height + 1 + executed.Count} after the last executed block");
            var code = await CodeBinding.ForAsync(runtime, block.Code, hash => AppCodeRegistry.LoadAsync(query, hash, ct));
            var watch = Stopwatch.StartNew();
            var result = BlockExecutor.Execute(runtime, code, state.Tree, block.Seal, block.Inputs, previous);
            // Every block's root stays provable (queries at old heights), so nodes are taken per block.
            newNodes.AddRange(state.Tree.TakeNewNodes());
            metrics.Executed(result, watch.Elapsed.TotalSeconds);
            executed.Add(result);
            previous = result.HeaderHash;
            outputBytes += result.Results.Sum(r => r.Outputs.Sum(o => (long)o.Payload.Length));
        }
        return new Batch(executed, newNodes, timing.Elapsed.TotalMilliseconds);
    }

    /// <summary>Writes a batch; 0 if another instance had already committed past <paramref name="expectedHeight"/>.</summary>
    private async Task<int> CommitAsync(string appId, long expectedHeight, Batch batch, CancellationToken ct)
    {
        var timing = Stopwatch.StartNew();
        await nodes.WriteAsync(appId, batch.Nodes, ct);
        var nodesMs = timing.Elapsed.TotalMilliseconds;
        await using var session = store.LightweightSession();
        var version = await AppStreamLock.LockAsync(session, appId, ct)
            ?? throw new InvalidOperationException($"app '{appId}' has no stream");
        // Under the stream's lock: nobody committed these heights (the head, and the block index as a
        // witness that the head is not stale), and the code each block ran is the code in force for it.
        var head = await HeadAsync(session, appId, ct);
        var registry = await AppStreamReader.RegistrationAsync(session, appId, ct);
        if (head.Height == expectedHeight && await session.LoadAsync<ExecutedBlock>(ExecutedBlock.IdFor(appId, expectedHeight + 1), ct) is not null)
            // Head and index are written in one transaction: a head behind the index was restored from an
            // older backup (or edited). Refuse loudly rather than stall on "already recorded" forever.
            throw new LostHeadException($"app '{appId}': the executor head says height {expectedHeight} but height {expectedHeight + 1} is recorded: the head is older than its records; restore it with the stream it belongs to");
        var conflict = head.Height != expectedHeight
            ? "another instance executed them first"
            : batch.Blocks.FirstOrDefault(b => (registry?.CodeAt(b.Height)?.CodeHash ?? BlockEncoding.Zero32) != b.Header.CodeHash) is { } stale
                ? $"code for height {stale.Height} changed while it ran"
                : null;
        if (conflict is not null)
        {
            // Nothing is written; the in-memory state is dropped and rebuilt from what was committed.
            log.LogInformation("App {AppId}: heights from {Height} not committed: {Reason}", appId, expectedHeight + 1, conflict);
            _states.TryRemove(appId, out _);
            return 0;
        }
        session.Events.Append(appId, batch.Blocks);
        foreach (var (block, i) in batch.Blocks.Select((b, i) => (b, i)))
        {
            session.Store(ExecutedBlock.For(block, version + 1 + i));
            head = head.Apply(block);
        }
        session.Store(head);
        await session.SaveChangesAsync(ct);
        log.LogDebug("App {AppId}: blocks {From}..{To} executed in {ExecuteMs:F0} ms; {Nodes} state nodes written in {NodesMs:F0} ms, committed in {CommitMs:F0} ms",
            appId, batch.Blocks[0].Height, batch.Blocks[^1].Height, batch.ExecuteMs, batch.Nodes.Count, nodesMs, timing.Elapsed.TotalMilliseconds - nodesMs);
        return batch.Blocks.Count;
    }

    /// <summary>The executor's head for an app; a fresh one only when the stream holds no executed block (see <see cref="ServiceHead"/>).</summary>
    private static async Task<AppExecution> HeadAsync(IQuerySession session, string appId, CancellationToken ct)
    {
        if (await session.LoadAsync<AppExecution>(appId, ct) is { } head)
            return head;
        await ServiceHead.RefuseWhenRecordedAsync<BlockExecuted>(session, appId, "executor", ct);
        return AppExecution.Start(appId);
    }

    private async Task<LoadedState> StateAsync(string appId, AppExecution head, CancellationToken ct)
    {
        if (_states.TryGetValue(appId, out var cached) && cached.Height == head.Height)
            return cached;
        var tree = await nodes.LoadAsync(appId, Hex.Decode(head.StateRoot), ct);
        log.LogInformation("App {AppId}: state at height {Height} loaded ({Keys} keys, root {Root})", appId, head.Height, tree.Count, head.StateRoot);
        return new LoadedState(tree, head.Height);
    }
}
