using System.Threading.Channels;
using Marten;
using Microsoft.Extensions.Options;
using Nexus.AppStreams;
using Nexus.Ethereum;

namespace Nexus.Executor.Blocks;

/// <summary>
/// Decides when each app runs: on an <c>AppBlockSealed</c> wake-up, on a periodic sweep that finds
/// sealed-but-unexecuted blocks (so a lost, early or never-published message delays a block by at
/// most one sweep), and again right away while an app has more blocks. One run per app at a time;
/// failures retry with exponential backoff without blocking other apps.
/// </summary>
public sealed class ExecutionScheduler(
    AppExecutor executor,
    IDocumentStore store,
    ExecutorMetrics metrics,
    IOptions<ExecutorOptions> options,
    ILogger<ExecutionScheduler> log) : BackgroundService
{
    private readonly Channel<string> _wakeups = Channel.CreateUnbounded<string>();
    private readonly Dictionary<string, AppSlot> _slots = [];

    private sealed class AppSlot
    {
        public bool Running;
        public bool Again;
        public readonly Backoff Backoff = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30));
    }

    public void Wake(string appId) => _wakeups.Writer.TryWrite(appId);

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        _ = SweepAsync(ct);
        using var parallel = new SemaphoreSlim(options.Value.MaxParallelApps);
        await foreach (var appId in _wakeups.Reader.ReadAllAsync(ct))
        {
            AppSlot slot;
            lock (_slots)
            {
                slot = _slots.TryGetValue(appId, out var s) ? s : _slots[appId] = new AppSlot();
                if (slot.Running)
                {
                    slot.Again = true;
                    continue;
                }
                slot.Running = true;
            }
            await parallel.WaitAsync(ct);
            _ = Task.Run(async () =>
            {
                try { await RunAppAsync(appId, slot, ct); }
                finally { parallel.Release(); }
            }, ct);
        }
    }

    private async Task RunAppAsync(string appId, AppSlot slot, CancellationToken ct)
    {
        var more = false;
        var delay = TimeSpan.Zero;
        try
        {
            more = await executor.RunAsync(appId, ct) > 0;
            slot.Backoff.Reset();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            metrics.Failed();
            delay = slot.Backoff.NextDelay();
            log.LogError(e, "App {AppId}: execution failed (attempt {Attempt}); retrying in {Delay}", appId, slot.Backoff.Failures, delay);
            more = true;
        }
        lock (_slots)
        {
            slot.Running = false;
            more |= slot.Again;
            slot.Again = false;
        }
        if (!more)
            return;
        if (delay > TimeSpan.Zero)
            await Task.Delay(delay, ct).ContinueWith(_ => { }, TaskScheduler.Default);
        Wake(appId);
    }

    private async Task SweepAsync(CancellationToken ct)
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30));
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var query = store.QuerySession();
                var sealedHeights = (await query.Query<AppSequence>().Select(s => new { s.Id, s.NextHeight }).ToListAsync(ct))
                    .ToDictionary(s => s.Id, s => s.NextHeight - 1);
                var executed = (await query.Query<AppExecution>().Select(e => new { e.Id, e.Height }).ToListAsync(ct))
                    .ToDictionary(e => e.Id, e => e.Height);
                foreach (var (appId, sealedHeight) in sealedHeights)
                {
                    if (!executed.TryGetValue(appId, out var height))
                    {
                        // Registered before the executor existed: build its execution snapshot from the stream once.
                        await store.Advanced.RebuildSingleStreamAsync<AppExecution>(appId, ct);
                        log.LogInformation("App {AppId}: execution snapshot built from its existing stream", appId);
                        height = -1;
                    }
                    if (sealedHeight > height)
                        Wake(appId);
                }
                backoff.Reset();
                await Task.Delay(options.Value.SweepIntervalMs, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                var delay = backoff.NextDelay();
                log.LogWarning("Sweep for pending blocks failed ({Error}); retrying in {Delay}", e.Message, delay);
                await Task.Delay(delay, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
