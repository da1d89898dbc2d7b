using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Nexus.AppStreams.Reading;
using Nexus.AppStreams.Registry;
using Nexus.ChainListener;
using Nexus.Contracts.Registry;
using Nexus.Contracts.Sequencer;
using Nexus.Ethereum.Artifacts;
using Nexus.Ethereum.Chain;
using Nexus.LocalDev.Chain;
using Nexus.LocalDev.Hosting;
using Nexus.Sequencer;
using static Nexus.Bench.IngestBenchmark;

namespace Nexus.Bench;

public sealed record ScaleSettings(int Registered, int Active, int Seconds);

/// <summary>
/// The scale point of ingestion: many registered apps, few active. The same steady load (the active
/// apps submitting in turn, one transaction per block) runs twice in one run, first with only the
/// active apps registered (the baseline), then with the idle ones registered too (their start blocks
/// spread over the last 50 blocks, as registrations made at different times are). Reported for each:
/// the listener's JSON-RPC calls per new block, its scan groups, and the latency from a block being
/// mined to the notification of the sealed block that holds its inputs.
/// </summary>
public static class IngestScaleBenchmark
{
    public static async Task<int> RunAsync(ScaleSettings s, CancellationToken ct)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        Console.WriteLine($"nexus-bench ingest-scale: {s.Active} active apps, {s.Registered:N0} registered, {s.Seconds} s of steady load each, {Environment.ProcessorCount} cores, one process");
        Console.WriteLine($"  durability PostgreSQL {await DurabilityAsync(ct)}");
        var dapp = new DappClient(LocalInfrastructure.Rpc, DevAccounts.HardhatAccount0Key, DevAccounts.DevChainId);
        var inbox = await dapp.DeployAsync(SolidityArtifact.NexusInbox, ct);
        await LoadAsync("warm-up", s with { Registered = s.Active, Seconds = Math.Min(5, s.Seconds) }, dapp, inbox, run + "_w", print: false, ct);
        await LoadAsync("baseline", s with { Registered = s.Active }, dapp, inbox, run + "_b", print: true, ct);
        await LoadAsync("scale", s, dapp, inbox, run + "_s", print: true, ct);
        return 0;
    }

    private static async Task LoadAsync(string label, ScaleSettings s, DappClient dapp, string inbox, string name, bool print, CancellationToken ct)
    {
        await using var world = await World.CreateAsync(name);
        var head = (long)(await dapp.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
        var registering = Stopwatch.StartNew();
        for (var i = 0; i < s.Registered; i++)
        {
            var app = new AppRegistered
            {
                AppId = $"s{name.Replace('_', '-')}-{i}", ChainId = DevAccounts.DevChainId, Inbox = inbox, PayloadAbi = "(uint256)", Sources = [],
                Confirmations = 0, FromBlock = i < s.Active ? head + 1 : Math.Max(1, head + 1 - i % 50), RegisteredAt = DateTimeOffset.UtcNow,
            };
            await AppRegistry.RegisterAsync(world.Store, app, ct);
            world.Apps.Add(app);
        }
        var registered = registering.Elapsed;
        var active = world.Apps.Take(s.Active).Select(a => a.AppId).ToList();

        var minedAt = new ConcurrentDictionary<long, DateTime>();
        var sealedAt = new ConcurrentBag<(long Block, DateTime At)>();
        var sealedInputs = 0L;
        var probe = world.Probe(e => e.Handler<BlockSealedNotification>(async c =>
        {
            var now = DateTime.UtcNow;
            await using var session = world.Store.QuerySession();
            var seal = (await AppStreamReader.EventAtAsync<BlockSealed>(session, c.Message.AppId, c.Message.StreamVersion, ct))!.Data;
            Interlocked.Add(ref sealedInputs, seal.Count);
            for (var block = seal.FromL1Block; block <= seal.ToL1Block; block++)
                sealedAt.Add((block, now));
        }));
        await probe.StartAsync(ct);
        await using var sequencer = await InProcessService.StartAsync(b => b.AddSequencer(), world.Settings());
        await sequencer.WaitReadyAsync();
        await using var listener = await InProcessService.StartAsync(b => b.AddChainListener(), world.Settings());
        var rpc = (JsonRpcChainReader)listener.Services.GetRequiredService<IChainReader>();
        var metrics = listener.Services.GetRequiredService<ListenerMetrics>();
        // Caught up: every watch scanned to a block mined after the start (the idle ones merged into one group).
        await dapp.MineAsync(1);
        await WaitAsync(() => world.Apps.All(a => metrics.ScannedTo($"app:{a.AppId}") > head), TimeSpan.FromMinutes(5), ct);

        var (callsBefore, headBefore) = (rpc.Calls, metrics.Head);
        var stopAt = DateTime.UtcNow.AddSeconds(s.Seconds);
        var sent = 0;
        for (var i = 0; DateTime.UtcNow < stopAt; i++)
        {
            var receipt = await dapp.SubmitBatchAsync(inbox, active[i % active.Count], Payloads(i, 5), ct);
            minedAt[(long)receipt.BlockNumber.Value] = DateTime.UtcNow;
            sent += 5;
            await Task.Delay(90, ct);
        }
        await WaitAsync(() => Interlocked.Read(ref sealedInputs) >= sent, TimeSpan.FromMinutes(2), ct);
        var blocks = metrics.Head - headBefore;
        var calls = rpc.Calls - callsBefore;
        await probe.StopAsync(ct);
        var latencies = sealedAt.Where(x => minedAt.ContainsKey(x.Block)).Select(x => (x.At - minedAt[x.Block]).TotalMilliseconds).Order().ToList();
        if (print)
            Console.WriteLine($"  {label,-9} {s.Registered,6:N0} registered, {s.Active} active: {calls / (double)blocks,6:F1} RPC calls per new block ({blocks} blocks), " +
                $"{metrics.ScanGroups} scan group(s); block mined -> sealed block announced p50 {Pct(latencies, 0.50):N0} ms, p99 {Pct(latencies, 0.99):N0} ms " +
                $"({latencies.Count} L1 blocks; registering took {registered.TotalSeconds:N1} s)");
    }
}
