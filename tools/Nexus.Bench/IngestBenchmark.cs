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
    internal sealed class World : IAsyncDisposable
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
            // Readiness is polled while the bus connects: its "not ready yet" answers are expected here.
            ["Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks"] = "None",
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

        // Each stage alone: a first pass on a small backlog compiles the code (services run for days, so
        // figures are for compiled code), then the measured pass.
        foreach (var (name, inputs, measured) in new[] { ("w", Math.Min(4_000, s.Inputs), false), ("a", s.Inputs, true) })
        {
            await using var stages = await World.CreateAsync(run + "_" + name);
            await RegisterAsync(stages, dapp, inbox, auction, name + run, ct);
            await BacklogAsync(dapp, inbox, auction, stages.Apps, s with { Inputs = inputs }, ct);
            var (listenerRate, listenerCpu, messages) = await ListenerAloneAsync(stages, inputs, ct);
            await using var sequencing = await World.CreateAsync(run + "_" + name + "s");
            foreach (var app in stages.Apps)
                await AppRegistry.RegisterAsync(sequencing.Store, app, ct);
            var (sequencerRate, sequencerCpu) = await SequencerAloneAsync(sequencing, messages, inputs, ct);
            if (!measured)
                continue;
            Console.WriteLine($"  stage     chain-listener alone: confirmed logs -> InputsObserved confirmed by the broker:  {listenerRate,9:N0} inputs/s, {listenerCpu,6:F1} µs CPU/input");
            Console.WriteLine($"  stage     sequencer alone: InputsObserved -> app streams, sealed blocks announced:       {sequencerRate,9:N0} inputs/s, {sequencerCpu,6:F1} µs CPU/input");
        }

        // The pipeline on another backlog, its code compiled by the stage runs.
        await using var pipeline = await World.CreateAsync(run + "_p");
        await RegisterAsync(pipeline, dapp, inbox, auction, "p" + run, ct);
        // Twice the stages' backlog: the sustained window is long enough for the figure to settle.
        s = s with { Inputs = 2 * s.Inputs };
        await BacklogAsync(dapp, inbox, auction, pipeline.Apps, s, ct);
        var sealedBlocks = new ConcurrentDictionary<(string App, long Height), int>();
        var sealedInputs = 0L;
        var sealedAt = new ConcurrentBag<(long Block, DateTime At)>();
        var mark = new SteadyMark(s.Inputs);
        var probe = pipeline.Probe(e => e.Handler<BlockSealedNotification>(async c =>
        {
            // As a consumer does: the notification says where the seal is, the stream holds it.
            var now = DateTime.UtcNow;
            await using var session = pipeline.Store.QuerySession();
            var seal = (await AppStreamReader.EventAtAsync<BlockSealed>(session, c.Message.AppId, c.Message.StreamVersion, ct))!.Data;
            if (!sealedBlocks.TryAdd((seal.AppId, seal.Height), seal.Count))
                return;
            mark.Count(Interlocked.Add(ref sealedInputs, seal.Count));
            for (var block = seal.FromL1Block; block <= seal.ToL1Block; block++)
                sealedAt.Add((block, now));
        }));
        await probe.StartAsync(ct);
        await using (var sequencer = await InProcessService.StartAsync(b => b.AddSequencer(), pipeline.Settings()))
        {
            await sequencer.WaitReadyAsync();
            var clock = Stopwatch.StartNew();
            await using var listener = await InProcessService.StartAsync(b => b.AddChainListener(), pipeline.Settings());
            await WaitAsync(() => Interlocked.Read(ref sealedInputs) >= s.Inputs, TimeSpan.FromMinutes(10), ct);
            var total = clock.Elapsed;
            var (sustained, pipelineCpu) = mark.Result(Interlocked.Read(ref sealedInputs));
            Console.WriteLine($"  pipeline  confirmed log -> sealed block announced (2 apps):                             {sustained,9:N0} inputs/s sustained, {pipelineCpu,6:F1} µs CPU/input");
            Console.WriteLine($"            {s.Inputs:N0} inputs in {total.TotalSeconds:N1} s from listener start (start-up and the first range read included)");

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
            await WaitAsync(() => Interlocked.Read(ref sealedInputs) >= s.Inputs + steady, TimeSpan.FromMinutes(2), ct);
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
        Console.Write($"            a backlog of {s.Inputs:N0} inputs on the dev node… ");
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

    internal static List<byte[]> Payloads(int from, int count) =>
        Enumerable.Range(from, count).Select(i => new Nethereum.ABI.ABIEncode().GetABIEncoded(new BigInteger(i))).ToList();

    /// <summary>
    /// The listener drains the backlog into a probe queue; the messages are kept for the sequencer's run.
    /// Rate and CPU are taken from the first fifth of the inputs on, past start-up and first compilation.
    /// </summary>
    private static async Task<(double Rate, double CpuMicros, IReadOnlyList<InputsObserved> Messages)> ListenerAloneAsync(World world, int inputs, CancellationToken ct)
    {
        var messages = new ConcurrentQueue<InputsObserved>();
        var received = 0L;
        var mark = new SteadyMark(inputs);
        var probe = world.Probe(e => e.Handler<InputsObserved>(c =>
        {
            messages.Enqueue(c.Message);
            mark.Count(Interlocked.Add(ref received, c.Message.Inputs.Count));
            return Task.CompletedTask;
        }));
        await probe.StartAsync(ct);
        await using (await InProcessService.StartAsync(b => b.AddChainListener(), world.Settings()))
            await WaitAsync(() => Interlocked.Read(ref received) >= inputs, TimeSpan.FromMinutes(10), ct);
        await probe.StopAsync(ct);
        var (rate, cpu) = mark.Result(Interlocked.Read(ref received));
        // In chain order per app, as the listener published them (the probe may have taken them in any order).
        var ordered = messages.GroupBy(m => m.AppId).SelectMany(g => g.OrderBy(m => m.Inputs[0].Position)).ToList();
        return (rate, cpu, ordered);
    }

    /// <summary>The sequencer takes the listener's messages off the bus, published in order, until every input is in a sealed block.</summary>
    private static async Task<(double Rate, double CpuMicros)> SequencerAloneAsync(World world, IReadOnlyList<InputsObserved> messages, int inputs, CancellationToken ct)
    {
        var sealedInputs = 0L;
        var mark = new SteadyMark(inputs);
        var probe = world.Probe(e => e.Handler<BlockSealedNotification>(async c =>
        {
            await using var session = world.Store.QuerySession();
            var seal = await AppStreamReader.EventAtAsync<BlockSealed>(session, c.Message.AppId, c.Message.StreamVersion, ct);
            mark.Count(Interlocked.Add(ref sealedInputs, seal!.Data.Count));
        }));
        await probe.StartAsync(ct);
        await using var sequencer = await InProcessService.StartAsync(b => b.AddSequencer(), world.Settings());
        await sequencer.WaitReadyAsync();
        foreach (var m in messages)
            await probe.Publish(m, ct);
        await WaitAsync(() => Interlocked.Read(ref sealedInputs) >= inputs, TimeSpan.FromMinutes(10), ct);
        await probe.StopAsync(ct);
        return mark.Result(Interlocked.Read(ref sealedInputs));
    }

    /// <summary>Rate and this process's CPU per input from the moment a fifth of the inputs were done to the end.</summary>
    private sealed class SteadyMark(int total)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _markCount = -1;
        private TimeSpan _markAt, _markCpu, _endAt, _endCpu;

        public void Count(long done)
        {
            lock (this)
            {
                if (_markCount < 0 && done >= total / 5)
                    (_markCount, _markAt, _markCpu) = (done, _clock.Elapsed, Process.GetCurrentProcess().TotalProcessorTime);
                if (done >= total && _endAt == TimeSpan.Zero)
                    (_endAt, _endCpu) = (_clock.Elapsed, Process.GetCurrentProcess().TotalProcessorTime);
            }
        }

        public (double Rate, double CpuMicros) Result(long done)
        {
            lock (this)
            {
                // The window from a fifth to the end; its counts come from sealed blocks, so the end is
                // the first count at or past the total.
                var inputs = total - _markCount;
                if (_markCount < 0 || _endAt <= _markAt || inputs <= 0)
                    return (double.NaN, double.NaN);
                return (inputs / (_endAt - _markAt).TotalSeconds, (_endCpu - _markCpu).TotalMicroseconds / inputs);
            }
        }
    }

    /// <summary>PostgreSQL's durability settings as the server reports them.</summary>
    internal static async Task<string> DurabilityAsync(CancellationToken ct)
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

    internal static double Pct(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    internal static async Task WaitAsync(Func<bool> condition, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the pipeline did not finish in time");
            await Task.Delay(5, ct);
        }
    }
}
