using System.CommandLine;
using System.Diagnostics;
using Marten;
using Nexus.AppStreams;
using Nexus.Contracts.Executor;
using Nexus.AppStreams.Reading;
using Nexus.AppStreams.Registry;
using Nexus.Apps;
using Nexus.Contracts.Registry;
using Nexus.Contracts.Sequencer;
using Nexus.Ethereum.Merkle;
using Nexus.Executor;
using Nexus.LocalDev.Hosting;
using Nexus.Runtime.Blocks;
using Nexus.Runtime.Wasm;
using Nexus.State;

namespace Nexus.Bench.Runtime;

/// <summary>
/// The executor service on the local PostgreSQL and RabbitMQ: a backlog of sealed counter-app blocks
/// (100 inputs each, written straight into a throw-away schema as the sequencer would) is executed and
/// committed; the baseline, in the same process, is the same blocks executed in memory with no I/O.
/// </summary>
public static class ExecuteBench
{
    private static readonly string Postgres = LocalInfrastructure.Postgres;
    private static readonly string Management = LocalInfrastructure.RabbitManagement;

    public static Command Command()
    {
        var inputs = new Option<int>("--inputs") { Description = "inputs in the backlog (blocks of 100)", DefaultValueFactory = _ => 50_000 };
        var cmd = new Command("execute", "executor service throughput on PostgreSQL (blocks of 100 counter inputs) vs. in-memory execution") { inputs };
        cmd.SetAction(async (p, ct) => await RunAsync(p.GetValue(inputs), ct));
        return cmd;
    }

    private static async Task<int> RunAsync(int count, CancellationToken ct)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var schema = "bench_" + run;
        var appId = "bench-exec-" + run;
        await using var vhost = await RabbitVirtualHost.CreateAsync(Management, "bench-" + run);
        using var store = DocumentStore.For(o => AppStreamStore.Configure(o, Postgres, schema));
        try
        {
            var blocks = RuntimeBench.CounterBlocks(appId, count);
            double baseline;
            Console.WriteLine($"nexus-bench execute: {count:N0} counter inputs in {blocks.Count} blocks of 100, {Environment.ProcessorCount} cores");

            using (var runtime = new WasmRuntime())
            {
                var code = new CodeBinding(runtime.Load(SampleApps.Counter), ExecutionLimits.Default);
                var watch = Stopwatch.StartNew();
                var tree = new StateTree();
                var previous = BlockEncoding.Zero32;
                foreach (var (seal, chunk) in blocks)
                    previous = BlockExecutor.Execute(runtime, code, tree, seal, chunk, previous).HeaderHash;
                baseline = count / watch.Elapsed.TotalSeconds;
                Console.WriteLine($"  baseline  in memory (runtime + state tree + roots): {baseline,9:N0} inputs/s");
            }

            await WriteBacklogAsync(store, appId, blocks, ct);
            var settings = new Dictionary<string, string?>
            {
                ["Postgres:ConnectionString"] = Postgres, ["Postgres:Schema"] = schema,
                ["RabbitMq:VirtualHost"] = vhost.Name, ["Executor:GrpcPort"] = InProcessService.FreePort().ToString(),
                ["Executor:SweepIntervalMs"] = "100", ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:Nexus.Executor.Blocks.AppExecutor"] = Environment.GetEnvironmentVariable("NEXUS_BENCH_VERBOSE") is null ? "Warning" : "Debug",
            };
            var clock = Stopwatch.StartNew();
            await using var executor = await InProcessService.StartAsync(b => b.AddExecutor(), settings);
            var last = blocks[^1].Seal.Height;
            (TimeSpan At, long Height)? first = null;
            while (true)
            {
                await using var session = store.QuerySession();
                var height = (await AppStreamReader.LastAsync<BlockExecuted>(session, appId, ct))?.Data.Height ?? -1;
                if (first is null && height >= 0)
                    first = (clock.Elapsed, height);
                if (height >= last)
                    break;
                if (clock.Elapsed > TimeSpan.FromMinutes(10))
                    throw new TimeoutException("the executor did not finish within 10 minutes");
                await Task.Delay(20, ct);
            }
            var rate = count / clock.Elapsed.TotalSeconds;
            var steady = (last - first!.Value.Height) * 100 / (clock.Elapsed - first.Value.At).TotalSeconds;
            Console.WriteLine($"  executor  PostgreSQL, from service start to last block committed: {rate,9:N0} inputs/s ({clock.Elapsed.TotalSeconds:F1} s)");
            Console.WriteLine($"  executor  PostgreSQL, after the first commit:                     {steady,9:N0} inputs/s ({steady / baseline:P0} of in-memory; target 5,000)");
            return 0;
        }
        finally
        {
            await ThrowAwaySchema.DropAsync(Postgres, schema, CancellationToken.None);
        }
    }

    /// <summary>Registration, code, then each block's inputs and seal, with the stream versions the sequencer would record.</summary>
    private static async Task WriteBacklogAsync(IDocumentStore store, string appId, IReadOnlyList<(BlockSealed Seal, SequencedInput[] Inputs)> blocks, CancellationToken ct)
    {
        await AppRegistry.RegisterAsync(store, new AppRegistered
        {
            AppId = appId, ChainId = 31337, Inbox = "0x" + new string('1', 40), PayloadAbi = null, Sources = [],
            Confirmations = 0, FromBlock = 0, RegisteredAt = DateTimeOffset.UtcNow,
        }, ct);
        var wasm = SampleApps.Counter;
        await AppCodeRegistry.DeployAsync(store, appId, WasmRuntime.CodeHash(wasm), wasm, 0, AbiV1.DefaultFuelLimit, AbiV1.DefaultMemoryLimitBytes, ct);
        var version = 2L;
        foreach (var batch in blocks.Chunk(50))
        {
            await using var session = store.LightweightSession();
            var events = new List<object>();
            foreach (var (seal, inputs) in batch)
            {
                var after = version;
                events.AddRange(inputs.Select(i => new InputSequenced { AppId = appId, Input = i }));
                version += inputs.Length + 1;
                events.Add(seal with { StreamVersion = version, InputsAfterVersion = after });
            }
            session.Events.Append(appId, events);
            await session.SaveChangesAsync(ct);
        }
    }
}
