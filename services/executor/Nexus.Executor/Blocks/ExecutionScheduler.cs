using System.Collections.Concurrent;
using System.Threading.Channels;
using Marten;
using Microsoft.Extensions.Options;
using Nexus.AppStreams.Reading;
using Nexus.Hosting;

namespace Nexus.Executor.Blocks;

/// <summary>
/// Decides when each app runs: on a sealed-block notification, on a periodic sweep that wakes every
/// app whose stream moved since it was last looked at (so a lost, early or never-published message
/// delays a block by at most one sweep), and again right away while an app has more blocks. One run
/// per app at a time; failures retry with exponential backoff without blocking other apps.
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
    // The stream version each app had when a run last found nothing more to execute: the sweep wakes
    // only apps whose stream moved since, so its cost grows with active apps, not registered ones.
    private readonly ConcurrentDictionary<string, long> _lookedAt = new();

    private sealed class AppSlot
    {
        public bool Running;
        public bool Again;
        /// <summary>The stream version the last sweep saw (a run that then finds nothing has looked at least that far).</summary>
        public long SeenVersion;
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
        var seen = slot.SeenVersion;
        try
        {
            more = await executor.RunAsync(appId, ct) > 0;
            slot.Backoff.Reset();
            if (!more)
                _lookedAt[appId] = seen;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            metrics.Failed(e);
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
                foreach (var (appId, version) in await AppStreamReader.StreamVersionsAsync(query, ct))
                {
                    if (appId == AppStreamReader.UnregisteredStream || _lookedAt.GetValueOrDefault(appId, -1) >= version)
                        continue;
                    lock (_slots)
                        (_slots.TryGetValue(appId, out var s) ? s : _slots[appId] = new AppSlot()).SeenVersion = version;
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
