using System.Collections.Concurrent;
using System.Diagnostics;
using Marten;
using Microsoft.Extensions.Options;
using Nexus.AppStreams;
using Nexus.Contracts.Executor;
using Nexus.Contracts.Registry;
using Nexus.Ethereum;
using Nexus.Runtime.Blocks;
using Nexus.Runtime.Wasm;
using Nexus.State;

namespace Nexus.Executor.Blocks;

/// <summary>
/// Executes an app's sealed blocks in height order and commits them: state nodes first (idempotent,
/// content-addressed), then the <see cref="BlockExecuted"/> events under the stream's row lock after
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
    private readonly ConcurrentDictionary<string, AppModule> _code = new();

    /// <summary>Executes and commits up to <c>MaxBlocksPerCommit</c> pending blocks; returns how many.</summary>
    public async Task<int> RunAsync(string appId, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        if (await query.LoadAsync<AppExecution>(appId, ct) is not { } head)
            return 0;
        var slice = await AppBlocks.ReadAsync(query, appId, head.SealedVersion, options.Value.ReadWindow, ct);
        if (slice.Blocks.Count == 0)
            return 0;

        var state = await StateAsync(appId, head, ct);
        var executed = new List<BlockExecuted>();
        var newNodes = new List<StateNode>();
        try
        {
            var previous = head.HeaderHash;
            foreach (var block in slice.Blocks.Take(options.Value.MaxBlocksPerCommit))
            {
                if (block.Seal.Height != head.Height + 1 + executed.Count)
                    throw new BlockIntegrityException(block.Seal.Height, $"expected height {head.Height + 1 + executed.Count} after the last executed block");
                var code = await CodeAsync(head.CodeAt(block.Seal.Height), query, ct);
                var watch = Stopwatch.StartNew();
                var result = BlockExecutor.Execute(runtime, code, state.Tree, block.Seal, block.Inputs, previous);
                // Every block's root stays provable (queries at old heights), so nodes are taken per block.
                newNodes.AddRange(state.Tree.TakeNewNodes());
                metrics.Executed(result, watch.Elapsed.TotalSeconds);
                executed.Add(result);
                previous = result.HeaderHash;
            }

            await nodes.WriteAsync(appId, newNodes, ct);
            await using var session = store.LightweightSession();
            var stream = await session.Events.FetchForExclusiveWriting<AppExecution>(appId, ct);
            if (stream.Aggregate?.Height != head.Height)
            {
                // Another executor instance committed these heights first; ours are identical or the
                // audit will say otherwise. Reload from what was committed.
                log.LogInformation("App {AppId}: heights from {Height} were executed by another instance", appId, head.Height + 1);
                _states.TryRemove(appId, out _);
                return 0;
            }
            stream.AppendMany(executed);
            await session.SaveChangesAsync(ct);
            _states[appId] = state with { Height = executed[^1].Height };
            return executed.Count;
        }
        catch
        {
            _states.TryRemove(appId, out _);
            throw;
        }
    }

    private async Task<LoadedState> StateAsync(string appId, AppExecution head, CancellationToken ct)
    {
        if (_states.TryGetValue(appId, out var cached) && cached.Height == head.Height)
            return cached;
        var tree = await nodes.LoadAsync(appId, Hex.Decode(head.StateRoot), ct);
        log.LogInformation("App {AppId}: state at height {Height} loaded ({Keys} keys, root {Root})", appId, head.Height, tree.Count, head.StateRoot);
        return new LoadedState(tree, head.Height);
    }

    private async Task<CodeBinding> CodeAsync(AppCodeDeployed? deployment, IQuerySession query, CancellationToken ct)
    {
        if (deployment is null)
            return CodeBinding.None;
        if (!_code.TryGetValue(deployment.CodeHash, out var module))
        {
            var code = await query.LoadAsync<AppCode>(deployment.CodeHash, ct)
                ?? throw new InvalidOperationException($"code {deployment.CodeHash} of app {deployment.AppId} is missing from the code store");
            module = _code[deployment.CodeHash] = runtime.Load(code.Wasm);
        }
        return new CodeBinding(module, new ExecutionLimits(deployment.FuelLimit, deployment.MemoryLimitBytes));
    }
}
