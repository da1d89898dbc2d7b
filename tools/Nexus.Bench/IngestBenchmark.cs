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
using Npgsql;

namespace Nexus.Bench;

public sealed record IngestSettings(int Inputs, int PerTransaction, int LatencySeconds);

/// <summary>
/// Measures ingestion on the local infrastructure, from confirmed logs to sealed blocks announced on
/// the bus, in one process on this machine's cores:
/// <list type="number">
/// <item>the bus alone — one <see cref="ObservedInput"/> per message, published with confirms and consumed: the baseline;</item>
/// <item>each stage alone, with its cost in this process's CPU time per input: the chain-listener draining a
///   backlog of confirmed logs into <see cref="InputsObserved"/> messages (counted by a probe), then the
///   sequencer taking those very messages off the bus into app streams and blocks;</item>
/// <item>the pipeline — listener → RabbitMQ → sequencer → PostgreSQL → notification — draining a second
///   backlog, with the code warmed by the stage runs (sustained, not start-up);</item>
/// <item>latency from a log's block being mined to the notification of the block that seals it, at a steady load.</item>
/// </list>
/// PostgreSQL's durability settings are printed with the figures (<c>./nexus bench</c> starts it durable).
/// </summary>
public static class IngestBenchmark
{
    private static readonly string Postgres = LocalInfrastructure.Postgres;
    private static readonly string Rpc = LocalInfrastructure.Rpc;
    private static readonly string Management = LocalInfrastructure.RabbitManagement;

    /// <summary>One run's world: its schema, virtual host, apps and store.</summary>
    private sealed class World : IAsyncDisposable
    {
        public required string Schema { get; init; }
        public required RabbitVirtualHost VirtualHost { get; init; }
        public required DocumentStore Store { get; init; }
        public List<AppRegistered> Apps { get; } = [];

        public static async Task<World> CreateAsync(string name)
        {
            var schema = "bench_" + name;
            return new World
            {
                Schema = schema,
                VirtualHost = await RabbitVirtualHost.CreateAsync(Management, "bench-" + name.Replace('_', '-')),
                Store = DocumentStore.For(o => AppStreamStore.Configure(o, Postgres, schema)),
            };
        }

        public Dictionary<string, string?> Settings() => new()
        {
            ["Postgres:ConnectionString"] = Postgres, ["Postgres:Schema"] = Schema,
            ["RabbitMq:VirtualHost"] = VirtualHost.Name, ["Ethereum:RpcUrl"] = Rpc,
            ["Logging:LogLevel:Default"] = "Warning",
        };

        public IBusControl Probe(Action<IRabbitMqReceiveEndpointConfigurator> endpoint) => Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host("127.0.0.1", VirtualHost.Name, h => { h.Username("guest"); h.Password("guest"); });
            cfg.ReceiveEndpoint("bench-probe", e =>
            {
                e.PrefetchCount = 512;
                endpoint(e);
            });
        });

        public async ValueTask DisposeAsync()
        {
            Store.Dispose();
            await VirtualHost.DisposeAsync();
            await ThrowAwaySchema.DropAsync(Postgres, Schema, CancellationToken.None);
        }
    }

    public static async Task<int> RunAsync(IngestSettings s, CancellationToken ct)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        Console.WriteLine($"nexus-bench ingest: {s.Inputs:N0} inputs per backlog, {s.PerTransaction} per transaction, {Environment.ProcessorCount} cores, everything in one process and on this machine");
        Console.WriteLine($"  durability PostgreSQL {await DurabilityAsync(ct)}; RabbitMQ durable queues, persistent messages, publisher confirms");
        await using var baselineHost = await RabbitVirtualHost.CreateAsync(Management, "bench-" + run + "-bus");
        var baseline = await BusBaselineAsync(baselineHost.Name, s.Inputs, ct);
        Console.WriteLine($"  baseline  bus alone, one ObservedInput per message (publish with confirms -> consume): {baseline,9:N0} msg/s");

        var dapp = new DappClient(Rpc, DevAccounts.HardhatAccount0Key, DevAccounts.DevChainId);
        var inbox = await dapp.DeployAsync(SolidityArtifact.NexusInbox, ct);
        var auction = await dapp.DeployAsync(SolidityArtifact.SampleAuction, ct);

        // Stages alone, on backlog A.
        await using var stages = await World.CreateAsync(run + "_a");
        await RegisterAsync(stages, dapp, inbox, auction, "a" + run, ct);
        await BacklogAsync(dapp, inbox, auction, stages.Apps, s, ct);
        var (listenerRate, listenerCpu, messages) = await ListenerAloneAsync(stages, s.Inputs, ct);
        Console.WriteLine($"  stage     chain-listener alone: confirmed logs -> InputsObserved confirmed by the broker:  {listenerRate,9:N0} inputs/s, {listenerCpu,6:F1} µs CPU/input");
        await using var sequencing = await World.CreateAsync(run + "_s");
        foreach (var app in stages.Apps)
            await AppRegistry.RegisterAsync(sequencing.Store, app, ct);
        var (sequencerRate, sequencerCpu) = await SequencerAloneAsync(sequencing, messages, s.Inputs, ct);
        Console.WriteLine($"  stage     sequencer alone: InputsObserved -> app streams, sealed blocks announced:       {sequencerRate,9:N0} inputs/s, {sequencerCpu,6:F1} µs CPU/input");

        // The pipeline on backlog B, warmed up by the stages.
        await using var pipeline = await World.CreateAsync(run + "_p");
        await RegisterAsync(pipeline, dapp, inbox, auction, "p" + run, ct);
        await BacklogAsync(dapp, inbox, auction, pipeline.Apps, s, ct);
        var sealedBlocks = new ConcurrentDictionary<(string App, long Height), int>();
        long SealedInputs() => sealedBlocks.Values.Sum(c => (long)c);
        var sealedAt = new ConcurrentBag<(long Block, DateTime At)>();
        var probe = pipeline.Probe(e => e.Handler<BlockSealedNotification>(async c =>
        {
            // As a consumer does: the notification says where the seal is, the stream holds it.
            var now = DateTime.UtcNow;
            await using var session = pipeline.Store.QuerySession();
            var seal = (await AppStreamReader.EventAtAsync<BlockSealed>(session, c.Message.AppId, c.Message.StreamVersion, ct))!.Data;
            if (sealedBlocks.TryAdd((seal.AppId, seal.Height), seal.Count))
                for (var block = seal.FromL1Block; block <= seal.ToL1Block; block++)
                    sealedAt.Add((block, now));
        }));
        await probe.StartAsync(ct);
        await using (var sequencer = await InProcessService.StartAsync(b => b.AddSequencer(), pipeline.Settings()))
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            await using var listener = await InProcessService.StartAsync(b => b.AddChainListener(), pipeline.Settings());
            await WaitAsync(() => !sealedAt.IsEmpty, TimeSpan.FromMinutes(2), ct);
            var firstSealed = clock.Elapsed;
            await WaitAsync(() => SealedInputs() >= s.Inputs, TimeSpan.FromMinutes(10), ct);
            var total = clock.Elapsed;
            var sustained = s.Inputs / (total - firstSealed).TotalSeconds;
            var pipelineCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / s.Inputs;
            Console.WriteLine($"  pipeline  confirmed log -> sealed block announced (2 apps), warm:                         {sustained,9:N0} inputs/s sustained, {pipelineCpu,6:F1} µs CPU/input");
            Console.WriteLine($"            {s.Inputs:N0} inputs in {total.TotalSeconds:N1} s from listener start; first sealed block after {firstSealed.TotalSeconds:N1} s (start-up, first range read)");

            // Steady load; latency from "block mined" to "its sealed block announced".
            var minedAt = new ConcurrentDictionary<long, DateTime>();
            var stopAt = DateTime.UtcNow.AddSeconds(s.LatencySeconds);
            var steady = 0;
            var counter = pipeline.Apps[0].AppId;
            while (DateTime.UtcNow < stopAt)
            {
                var receipt = await dapp.SubmitBatchAsync(inbox, counter, Payloads(0, 10), ct);
                minedAt[(long)receipt.BlockNumber.Value] = DateTime.UtcNow;
                steady += 10;
                await Task.Delay(90, ct);
            }
            await WaitAsync(() => SealedInputs() >= s.Inputs + steady, TimeSpan.FromMinutes(2), ct);
            var latencies = sealedAt.Where(x => minedAt.ContainsKey(x.Block)).Select(x => (x.At - minedAt[x.Block]).TotalMilliseconds).Order().ToList();
            Console.WriteLine($"  latency   block mined -> its sealed block announced, 0 conf, {steady / (double)s.LatencySeconds:N0} inputs/s: p50 {Pct(latencies, 0.50):N0} ms, p99 {Pct(latencies, 0.99):N0} ms, max {latencies[^1]:N0} ms ({latencies.Count} L1 blocks)");
        }
        await probe.StopAsync(ct);
        return 0;
    }

    /// <summary>An inbox app (payload (uint256)) and an app fed by the auction's BidPlaced events, from the next block, 0 confirmations.</summary>
    private static async Task RegisterAsync(World world, DappClient dapp, string inbox, string auction, string suffix, CancellationToken ct)
    {
        var head = (long)(await dapp.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
        var inboxApp = new AppRegistered
        {
            AppId = "bench-inbox-" + suffix, ChainId = DevAccounts.DevChainId, Inbox = inbox, PayloadAbi = "(uint256)",
            Sources = [], Confirmations = 0, FromBlock = head + 1, RegisteredAt = DateTimeOffset.UtcNow,
        };
        var eventApp = inboxApp with
        {
            AppId = "bench-events-" + suffix, Inbox = null, PayloadAbi = null,
            Sources = [new EventSource(auction, "BidPlaced(address indexed bidder, uint256 indexed lotId, uint256 amount)")],
        };
        foreach (var app in new[] { inboxApp, eventApp })
        {
            await AppRegistry.RegisterAsync(world.Store, app, ct);
            world.Apps.Add(app);
        }
    }

    /// <summary>Confirmed logs on the dev node, half inbox submissions, half bids, before any service starts.</summary>
    private static async Task BacklogAsync(DappClient dapp, string inbox, string auction, IReadOnlyList<AppRegistered> apps, IngestSettings s, CancellationToken ct)
    {
        Console.Write($"            generating a backlog of {s.Inputs:N0} inputs on the dev node… ");
        for (var sent = 0; sent < s.Inputs;)
        {
            var n = Math.Min(s.PerTransaction, s.Inputs - sent);
            if (sent / s.PerTransaction % 2 == 0)
                await dapp.SubmitBatchAsync(inbox, apps[0].AppId, Payloads(sent, n), ct);
            else
                await dapp.BidManyAsync(auction, 1, Enumerable.Range(sent, n).Select(i => new BigInteger(i)).ToList(), ct);
            sent += n;
        }
        Console.WriteLine("done");
    }

    private static List<byte[]> Payloads(int from, int count) =>
        Enumerable.Range(from, count).Select(i => new Nethereum.ABI.ABIEncode().GetABIEncoded(new BigInteger(i))).ToList();

    /// <summary>The listener drains the backlog into a probe queue; the messages are kept for the sequencer's run.</summary>
    private static async Task<(double Rate, double CpuMicros, IReadOnlyList<InputsObserved> Messages)> ListenerAloneAsync(World world, int inputs, CancellationToken ct)
    {
        var messages = new ConcurrentQueue<InputsObserved>();
        var received = 0L;
        var firstAt = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        var probe = world.Probe(e => e.Handler<InputsObserved>(c =>
        {
            if (Interlocked.Add(ref received, c.Message.Inputs.Count) == c.Message.Inputs.Count)
                firstAt = clock.Elapsed;
            messages.Enqueue(c.Message);
            return Task.CompletedTask;
        }));
        await probe.StartAsync(ct);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        clock.Restart();
        await using (await InProcessService.StartAsync(b => b.AddChainListener(), world.Settings()))
            await WaitAsync(() => Interlocked.Read(ref received) >= inputs, TimeSpan.FromMinutes(10), ct);
        var elapsed = clock.Elapsed - firstAt;
        var cpuMicros = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / inputs;
        await probe.StopAsync(ct);
        return (inputs / elapsed.TotalSeconds, cpuMicros, messages.ToList());
    }

    /// <summary>The sequencer takes the listener's messages off the bus until every input is in a sealed block.</summary>
    private static async Task<(double Rate, double CpuMicros)> SequencerAloneAsync(World world, IReadOnlyList<InputsObserved> messages, int inputs, CancellationToken ct)
    {
        var sealedInputs = 0L;
        var probe = world.Probe(e => e.Handler<BlockSealedNotification>(async c =>
        {
            await using var session = world.Store.QuerySession();
            var seal = await AppStreamReader.EventAtAsync<BlockSealed>(session, c.Message.AppId, c.Message.StreamVersion, ct);
            Interlocked.Add(ref sealedInputs, seal!.Data.Count);
        }));
        await probe.StartAsync(ct);
        await using var sequencer = await InProcessService.StartAsync(b => b.AddSequencer(), world.Settings());
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(messages.Select(m => probe.Publish(m, ct)));
        await WaitAsync(() => Interlocked.Read(ref sealedInputs) >= inputs, TimeSpan.FromMinutes(10), ct);
        var elapsed = clock.Elapsed;
        var cpuMicros = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / inputs;
        await probe.StopAsync(ct);
        return (inputs / elapsed.TotalSeconds, cpuMicros);
    }

    /// <summary>PostgreSQL's durability settings as the server reports them.</summary>
    private static async Task<string> DurabilityAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(Postgres);
        await connection.OpenAsync(ct);
        var settings = new List<string>();
        foreach (var name in new[] { "fsync", "synchronous_commit", "full_page_writes" })
        {
            await using var show = new NpgsqlCommand($"show {name}", connection);
            settings.Add($"{name}={await show.ExecuteScalarAsync(ct)}");
        }
        var durable = settings.All(s => s.EndsWith("=on"));
        return string.Join(", ", settings) + (durable ? " (durable)" : " (NOT durable: start it with NEXUS_PG_DURABLE=1 for figures)");
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
            await Task.Delay(5, ct);
        }
    }
}
