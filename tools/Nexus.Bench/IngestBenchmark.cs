using System.Collections.Concurrent;
using System.Diagnostics;
using System.Numerics;
using Marten;
using MassTransit;
using Nexus.AppStreams;
using Nexus.AppStreams.Reading;
using Nexus.AppStreams.Registry;
using Nexus.ChainListener;
using Nexus.Contracts;
using Nexus.Contracts.ChainListener;
using Nexus.Contracts.Registry;
using Nexus.Contracts.Sequencer;
using Nexus.Ethereum.Artifacts;
using Nexus.LocalDev.Chain;
using Nexus.LocalDev.Hosting;
using Nexus.Sequencer;

namespace Nexus.Bench;

public sealed record IngestSettings(int Inputs, int PerTransaction, int LatencySeconds);

/// <summary>
/// Measures the ingestion path on the local infrastructure: (1) the bus alone — ObservedInput
/// published with confirms and consumed, the baseline; (2) a backlog of confirmed logs from two apps
/// through chain-listener → RabbitMQ → sequencer → Marten → AppBlockSealed on the bus; (3) the
/// latency from a log's block being mined (0 confirmations, so no confirmation wait) to the sealed
/// block that holds it arriving on the bus, at a steady load.
/// </summary>
public static class IngestBenchmark
{
    private static readonly string Postgres = LocalInfrastructure.Postgres;
    private static readonly string Rpc = LocalInfrastructure.Rpc;
    private static readonly string Management = LocalInfrastructure.RabbitManagement;

    public static async Task<int> RunAsync(IngestSettings s, CancellationToken ct)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var schema = "bench_" + run;
        await using var vhost = await RabbitVirtualHost.CreateAsync(Management, "bench-" + run);
        using var store = DocumentStore.For(o => AppStreamStore.Configure(o, Postgres, schema));
        try
        {
            Console.WriteLine($"nexus-bench ingest: {s.Inputs} inputs, {s.PerTransaction} per transaction, {Environment.ProcessorCount} cores");
            var baseline = await BusBaselineAsync(vhost.Name, s.Inputs, ct);
            Console.WriteLine($"  baseline  bus alone (publish with confirms -> consume):  {baseline,9:N0} msg/s");

            var sealedBlocks = new ConcurrentDictionary<(string App, long Height), int>();
            long SealedInputs() => sealedBlocks.Values.Sum(c => (long)c);
            var sealedAt = new ConcurrentBag<(long Block, DateTime At)>();
            var probe = Bus.Factory.CreateUsingRabbitMq(cfg =>
            {
                cfg.Host("127.0.0.1", vhost.Name, h => { h.Username("guest"); h.Password("guest"); });
                cfg.ReceiveEndpoint("bench-probe", e => e.Handler<BlockSealedNotification>(async c =>
                {
                    // As a consumer does: the notification says where the seal is, the stream holds it.
                    var now = DateTime.UtcNow;
                    await using var session = store.QuerySession();
                    var seal = (await AppStreamReader.EventAtAsync<BlockSealed>(session, c.Message.AppId, c.Message.StreamVersion, ct))!.Data;
                    if (sealedBlocks.TryAdd((seal.AppId, seal.Height), seal.Count))
                        for (var block = seal.FromL1Block; block <= seal.ToL1Block; block++)
                            sealedAt.Add((block, now));
                }));
            });
            await probe.StartAsync(ct);

            var dapp = new DappClient(Rpc, DevAccounts.HardhatAccount0Key, DevAccounts.DevChainId);
            var inbox = await dapp.DeployAsync(SolidityArtifact.NexusInbox, ct);
            var auction = await dapp.DeployAsync(SolidityArtifact.SampleAuction, ct);
            var head = (long)(await dapp.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
            var inboxApp = new AppRegistered
            {
                AppId = "bench-inbox-" + run, ChainId = DevAccounts.DevChainId, Inbox = inbox, PayloadAbi = "(uint256)",
                Sources = [], Confirmations = 0, FromBlock = head + 1, RegisteredAt = DateTimeOffset.UtcNow,
            };
            var eventApp = inboxApp with
            {
                AppId = "bench-events-" + run, Inbox = null, PayloadAbi = null,
                Sources = [new EventSource(auction, "BidPlaced(address indexed bidder, uint256 indexed lotId, uint256 amount)")],
            };
            await AppRegistry.RegisterAsync(store, inboxApp, ct);
            await AppRegistry.RegisterAsync(store, eventApp, ct);

            // Phase 2: a backlog of confirmed logs, then the services start and drain it.
            Console.Write("  generating the backlog on the dev node… ");
            var sent = 0;
            while (sent < s.Inputs)
            {
                var n = Math.Min(s.PerTransaction, s.Inputs - sent);
                if (sent / s.PerTransaction % 2 == 0)
                    await dapp.SubmitBatchAsync(inbox, inboxApp.AppId, Enumerable.Range(sent, n).Select(i => new Nethereum.ABI.ABIEncode().GetABIEncoded(new BigInteger(i))).ToList(), ct);
                else
                    await dapp.BidManyAsync(auction, 1, Enumerable.Range(sent, n).Select(i => new BigInteger(i)).ToList(), ct);
                sent += n;
            }
            Console.WriteLine("done");

            var settings = new Dictionary<string, string?>
            {
                ["Postgres:ConnectionString"] = Postgres, ["Postgres:Schema"] = schema,
                ["RabbitMq:VirtualHost"] = vhost.Name, ["Ethereum:RpcUrl"] = Rpc,
                ["Logging:LogLevel:Default"] = "Warning",
            };
            await using var sequencer = await InProcessService.StartAsync(b => b.AddSequencer(), settings);
            var clock = Stopwatch.StartNew();
            await using var listener = await InProcessService.StartAsync(b => b.AddChainListener(), settings);
            await WaitAsync(() => !sealedAt.IsEmpty, TimeSpan.FromMinutes(2), ct);
            var firstSealed = clock.Elapsed;
            await WaitAsync(() => SealedInputs() >= s.Inputs, TimeSpan.FromMinutes(10), ct);
            var total = clock.Elapsed;
            var sustained = s.Inputs / (total - firstSealed).TotalSeconds;
            Console.WriteLine($"  pipeline  confirmed log -> AppBlockSealed (2 apps):      {sustained,9:N0} inputs/s sustained ({sustained / baseline:P0} of the bus alone)");
            Console.WriteLine($"            {s.Inputs} inputs in {total.TotalSeconds:N1} s from listener start, first sealed block after {firstSealed.TotalSeconds:N1} s (start-up, first range read)");

            // Phase 3: steady load; latency from "block mined" to "sealed block on the bus".
            var minedAt = new ConcurrentDictionary<long, DateTime>();
            var stopAt = DateTime.UtcNow.AddSeconds(s.LatencySeconds);
            var steady = 0;
            while (DateTime.UtcNow < stopAt)
            {
                var receipt = await dapp.SubmitBatchAsync(inbox, inboxApp.AppId, Enumerable.Range(0, 10).Select(i => new Nethereum.ABI.ABIEncode().GetABIEncoded(new BigInteger(i))).ToList(), ct);
                minedAt[(long)receipt.BlockNumber.Value] = DateTime.UtcNow;
                steady += 10;
                await Task.Delay(90, ct);
            }
            await WaitAsync(() => SealedInputs() >= s.Inputs + steady, TimeSpan.FromMinutes(2), ct);
            var latencies = sealedAt.Where(x => minedAt.ContainsKey(x.Block)).Select(x => (x.At - minedAt[x.Block]).TotalMilliseconds).Order().ToList();
            Console.WriteLine($"  latency   block mined -> sealed block on the bus, 0 conf, {steady / (double)s.LatencySeconds:N0} inputs/s: p50 {Pct(latencies, 0.50):N0} ms, p99 {Pct(latencies, 0.99):N0} ms, max {latencies[^1]:N0} ms ({latencies.Count} inputs)");
            await probe.StopAsync(ct);
            return 0;
        }
        finally
        {
            await ThrowAwaySchema.DropAsync(Postgres, schema, ct);
        }
    }

    /// <summary>The bus alone, shaped like the listener's traffic: ObservedInput published in concurrent chunks with confirms.</summary>
    private static async Task<double> BusBaselineAsync(string vhost, int count, CancellationToken ct)
    {
        var received = 0;
        var done = new TaskCompletionSource();
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host("127.0.0.1", vhost, h => { h.Username("guest"); h.Password("guest"); });
            cfg.ReceiveEndpoint("bench-baseline", e =>
            {
                e.PrefetchCount = 256;
                e.Handler<ObservedInput>(_ =>
                {
                    if (Interlocked.Increment(ref received) == count) done.TrySetResult();
                    return Task.CompletedTask;
                });
            });
        });
        await bus.StartAsync(ct);
        var sample = new ObservedInput
        {
            InputId = "31337:0x" + new string('a', 64) + ":0", AppId = "baseline", ChainId = 31337,
            Position = new LogPosition(1, 0), BlockHash = "0x" + new string('b', 64), BlockTimestamp = 0,
            TxHash = "0x" + new string('a', 64), TxIndex = 0, Emitter = "0x" + new string('c', 40),
            Topics = ["0x" + new string('d', 64), "0x" + new string('e', 64), "0x" + new string('f', 64)],
            Data = "0x" + new string('0', 256), Preceding = new LogPosition(0, 0), LastOfL1Block = false,
        };
        var clock = Stopwatch.StartNew();
        foreach (var chunk in Enumerable.Range(0, count).Chunk(2_000))
            await Task.WhenAll(chunk.Select(i => bus.Publish(sample with { Position = new LogPosition(1, i) }, ct)));
        await done.Task.WaitAsync(TimeSpan.FromMinutes(5), ct);
        var rate = count / clock.Elapsed.TotalSeconds;
        await bus.StopAsync(ct);
        return rate;
    }

    private static double Pct(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    private static async Task WaitAsync(Func<bool> condition, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the pipeline did not finish in time");
            await Task.Delay(20, ct);
        }
    }
}
