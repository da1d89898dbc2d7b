using System.CommandLine;
using Nexus.Apps;
using Nexus.Bench.Guest;
using Nexus.Contracts.Sequencer;
using Nexus.Ethereum;
using Nexus.Ethereum.Merkle;
using Nexus.Runtime.Blocks;
using Nexus.Runtime.Wasm;
using Nexus.State;

namespace Nexus.Bench.Runtime;

/// <summary>
/// The executor's targets, in one process (no infrastructure): compute-heavy guest vs the same
/// algorithm in C#, with and without fuel metering; instantiation; host calls; block execution of
/// the counter app. Each figure is the best of several rounds.
/// </summary>
public static class RuntimeBench
{
    public static Command Command()
    {
        var orders = new Option<int>("--orders") { Description = "synthetic orders per order-book kernel run", DefaultValueFactory = _ => 100_000 };
        var inputs = new Option<int>("--inputs") { Description = "counter inputs executed (blocks of 100)", DefaultValueFactory = _ => 20_000 };
        var cmd = new Command("runtime", "WebAssembly runtime: guest vs C#, metering cost, instantiation, host calls, block throughput") { orders, inputs };
        cmd.SetAction(p => Run(p.GetValue(orders), p.GetValue(inputs)));
        return cmd;
    }

    private static void Run(int orders, int inputs)
    {
        using var metered = new WasmRuntime();
        using var unmetered = new WasmRuntime(new RuntimeOptions { MeterFuel = false });
        var limits = new ExecutionLimits(10_000_000_000, 64 << 20);

        Console.WriteLine($"order-book kernel, {orders:N0} orders (best of 7):");
        var csharp = Best(7, () => OrderBookKernel.Run((uint)orders));
        var wasmMetered = Best(7, () => metered.RunKernel(metered.Load(SampleApps.OrderBook), "nexus_bench", orders, limits));
        var wasmFree = Best(7, () => unmetered.RunKernel(unmetered.Load(SampleApps.OrderBook), "nexus_bench", orders, limits));
        Console.WriteLine($"  C#                      {csharp,8:F2} ms   1.00x (baseline)");
        Console.WriteLine($"  wasm, fuel metered      {wasmMetered,8:F2} ms   {csharp / wasmMetered:F2}x of C#");
        Console.WriteLine($"  wasm, no metering       {wasmFree,8:F2} ms   {csharp / wasmFree:F2}x of C#   (metering costs {wasmMetered / wasmFree:F2}x)");

        // The worst case for metering: a loop whose body is one add (fuel is charged per basic block).
        var loop = Wasmtime.Module.ConvertText(TightLoop);
        const int iterations = 100_000_000;
        var loopMetered = Best(3, () => metered.RunKernel(metered.Load(loop), "nexus_bench", iterations, limits));
        var loopFree = Best(3, () => unmetered.RunKernel(unmetered.Load(loop), "nexus_bench", iterations, limits));
        var loopCsharp = Best(3, () => CSharpLoop(iterations));
        Console.WriteLine($"tight loop, {iterations:N0} iterations: C# {loopCsharp:F1} ms, wasm metered {loopMetered:F1} ms ({loopMetered / loopFree:F2}x of unmetered), unmetered {loopFree:F1} ms");

        // Instantiation + one trivial input (the hostile app's op 8 returns at once): per-input overhead.
        var hostile = metered.Load(SampleApps.Hostile);
        var trivial = GuestInput.From(Inbox(0, [8]), 31337, "bench", 0);
        var empty = new MapReader();
        const int n = 20_000;
        var instantiate = Best(5, () => { for (var i = 0; i < n; i++) metered.Execute(hostile, ExecutionLimits.Default, trivial, empty); }) * 1000 / n;
        using var onDemand = new WasmRuntime(new RuntimeOptions { PoolingAllocator = false });
        var hostileOnDemand = onDemand.Load(SampleApps.Hostile);
        var instantiateOnDemand = Best(5, () => { for (var i = 0; i < n; i++) onDemand.Execute(hostileOnDemand, ExecutionLimits.Default, trivial, empty); }) * 1000 / n;
        Console.WriteLine($"instantiate + run a trivial input: {instantiate:F1} µs with the pooling allocator (copy-on-write images), {instantiateOnDemand:F1} µs on demand");

        // Host calls: the counter app makes 2 state_get, 2 state_set, input_meta/len/read and one notice per input.
        var counter = metered.Load(SampleApps.Counter);
        var counterInput = GuestInput.From(Inbox(0, Amount(5)), 31337, "bench", 0);
        var perInput = Best(5, () => { for (var i = 0; i < n; i++) metered.Execute(counter, ExecutionLimits.Default, counterInput, empty); }) * 1000 / n;
        Console.WriteLine($"counter input (instantiate + 8 host calls): {perInput:F1} µs -> about {(perInput - instantiate) / 8 * 1000:F0} ns per host call");

        // Whole blocks: runtime + state tree + roots + header, as the executor does before its I/O.
        var code = new CodeBinding(counter, ExecutionLimits.Default);
        var blocks = CounterBlocks("bench", inputs);
        var ms = Best(3, () =>
        {
            var tree = new StateTree();
            var previous = BlockEncoding.Zero32;
            foreach (var (seal, chunk) in blocks)
                previous = BlockExecutor.Execute(metered, code, tree, seal, chunk, previous).HeaderHash;
        });
        Console.WriteLine($"counter blocks of 100: {inputs / ms * 1000:N0} inputs/s ({ms / blocks.Count:F2} ms per block; target 5,000 inputs/s)");
    }

    private const string TightLoop = """
        (module
          (memory (export "memory") 1)
          (func (export "nexus_handle") (result i32) (i32.const 0))
          (func (export "nexus_bench") (param $n i32) (result i64)
            (local $acc i64)
            (loop $l
              (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $n))))
              (local.set $n (i32.sub (local.get $n) (i32.const 1)))
              (br_if $l (local.get $n)))
            (local.get $acc)))
        """;

    private static long CSharpLoop(int n)
    {
        long acc = 0;
        for (var i = (uint)n; i != 0; i--)
            acc += i;
        return acc;
    }

    private static double Best(int rounds, Action action) => Timing.BestMs(rounds, action);

    private static double Best<T>(int rounds, Func<T> f) => Timing.BestMs(rounds, () => f());

    /// <summary>Counter-app inputs from 500 senders, sealed in blocks of 100.</summary>
    public static List<(BlockSealed Seal, SequencedInput[] Inputs)> CounterBlocks(string appId, int inputs) =>
        Enumerable.Range(0, inputs).Select(i => Inbox(i, Amount(1 + i % 1000), $"0x{1 + i % 500:x40}", appId))
            .Chunk(100).Select((chunk, h) => (Seal(appId, h, chunk), chunk)).ToList();

    private static BlockSealed Seal(string appId, int height, SequencedInput[] chunk) => new()
    {
        AppId = appId, ChainId = 31337, Height = height, FirstSeq = chunk[0].Seq, Count = chunk.Length,
        InputsRoot = InputsRoot.Compute(31337, appId, chunk), FromL1Block = chunk[0].Position.BlockNumber,
        ToL1Block = chunk[^1].Position.BlockNumber, StreamVersion = 0, InputsAfterVersion = 0,
    };

    private static byte[] Amount(int value)
    {
        var word = new byte[32];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(word.AsSpan(28), value);
        return word;
    }

    private static SequencedInput Inbox(long seq, byte[] payload, string sender = "0x00000000000000000000000000000000000000aa", string appId = "bench")
    {
        var (topics, data) = Nexus.Ethereum.Abi.InboxEvents.Encode(appId, sender, (ulong)seq, payload);
        return new SequencedInput
        {
            Seq = seq,
            InputId = $"31337:0x{seq:x64}:0",
            Position = new Contracts.LogPosition(100 + seq / 100, (int)(seq % 100)),
            BlockHash = "0x" + new string('b', 64),
            BlockTimestamp = 1_700_000_000,
            TxHash = $"0x{seq:x64}",
            TxIndex = 0,
            Emitter = "0x" + new string('1', 40),
            Topics = topics,
            Data = data,
            Source = "inbox",
            Arguments = [],
        };
    }

    private sealed class MapReader : IStateReader
    {
        public bool TryGet(ReadOnlySpan<byte> key, out byte[] value)
        {
            value = [];
            return false;
        }
    }
}
