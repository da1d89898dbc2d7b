using System.Numerics;
using Nexus.Apps;
using Nexus.Contracts.Sequencer;
using Nexus.Ethereum;
using Nexus.Ethereum.Merkle;
using Nexus.Runtime.Blocks;
using Nexus.Runtime.Wasm;
using Nexus.State;

namespace Nexus.Runtime.Tests;

/// <summary>The Rust sample apps of apps/, built by apps/build.sh, run by the runtime.</summary>
public sealed class SampleAppTests : IDisposable
{
    private readonly WasmRuntime _runtime = new();
    private static readonly ExecutionLimits Limits = new(5_000_000, 16 << 20);

    private InputOutcome Run(byte[] wasm, SequencedInput input, IStateReader? state = null) =>
        _runtime.Execute(_runtime.Load(wasm), Limits, GuestInput.From(input, Inputs.ChainId, "app", 0), state ?? new MapState());

    [Theory]
    [InlineData(1, RejectReason.OutOfFuel, null)]
    [InlineData(2, RejectReason.AppAborted, "out of memory")]
    [InlineData(3, RejectReason.Trap, "Unreachable")]
    [InlineData(5, RejectReason.AbiMisuse, "exceeds 65536")]
    [InlineData(6, RejectReason.AbiMisuse, "outside the guest memory")]
    [InlineData(7, RejectReason.AbiMisuse, "key of 2048 bytes")]
    [InlineData(8, RejectReason.AppRejected, "returned 42")]
    [InlineData(9, RejectReason.Trap, "trap")]
    [InlineData(10, RejectReason.AbiMisuse, "more than 256 outputs")]
    [InlineData(11, RejectReason.AbiMisuse, "exceeds 262144")]
    [InlineData(12, RejectReason.AppAborted, "panic")]
    [InlineData(13, RejectReason.Trap, "IntegerDivisionByZero")]
    [InlineData(15, RejectReason.AbiMisuse, "past the input")]
    public void Every_hostile_behaviour_is_a_rejected_input_with_its_reason_and_leaves_no_writes_or_outputs(byte op, RejectReason reason, string? message)
    {
        var outcome = Run(SampleApps.Hostile, Inputs.Inbox(1, [op]));
        outcome.Reason.ShouldBe(reason, outcome.Message);
        if (message is not null)
            outcome.Message!.ShouldContain(message);
        outcome.Writes.ShouldBeEmpty();
        outcome.Outputs.ShouldBeEmpty();
        outcome.FuelUsed.ShouldBeGreaterThan(0);
        if (reason == RejectReason.AppRejected)
            outcome.Code.ShouldBe(42);
        // Deterministic: the same input gives the same outcome and fuel, every time.
        Run(SampleApps.Hostile, Inputs.Inbox(1, [op])).ShouldSatisfyAllConditions(
            again => again.Reason.ShouldBe(outcome.Reason), again => again.FuelUsed.ShouldBe(outcome.FuelUsed));
    }

    [Fact]
    public void NaNs_are_canonical_whatever_their_payload_so_float_results_are_deterministic()
    {
        var outcome = Run(SampleApps.Hostile, Inputs.Inbox(1, [4]));
        outcome.Accepted.ShouldBeTrue(outcome.Message);
        var f64 = Convert.FromHexString("000000000000f87f");
        var f32 = Convert.FromHexString("0000c07f");
        byte[] expected = [.. f64, .. f64, .. f64, .. f32, .. f32, .. f32, .. f64, .. f64, .. f32, .. f32, .. f64, .. f32];
        outcome.Writes.Single().Value.ShouldBe(expected);
    }

    [Fact]
    public void Memory_growth_past_the_apps_limit_fails_inside_the_guest_and_the_input_still_completes()
    {
        var outcome = Run(SampleApps.Hostile, Inputs.Inbox(1, [14]));
        outcome.Accepted.ShouldBeTrue(outcome.Message);
        outcome.Writes.Single().Value.ShouldBe(new byte[] { 1 });
    }

    [Fact]
    public void After_a_hostile_input_the_next_input_runs_normally()
    {
        Run(SampleApps.Hostile, Inputs.Inbox(1, [1])).Reason.ShouldBe(RejectReason.OutOfFuel);
        var ok = Run(SampleApps.Hostile, Inputs.Inbox(2, [0]));
        ok.Accepted.ShouldBeTrue(ok.Message);
        ok.Writes.Single().Value.ShouldBe(BitConverter.GetBytes(2L));
    }

    [Fact]
    public void The_order_book_kernel_in_wasm_returns_the_checksum_of_the_same_algorithm_in_csharp_and_rust()
    {
        var module = _runtime.Load(SampleApps.OrderBook);
        var limits = new ExecutionLimits(1_000_000_000, 64 << 20);
        ((ulong)_runtime.RunKernel(module, "nexus_bench", 1000, limits)).ShouldBe(0x91998fa638285069UL);
        ((ulong)_runtime.RunKernel(module, "nexus_bench", 100_000, limits)).ShouldBe(0x9286832a4675069dUL);
    }

    /// <summary>Property: random input sequences executed twice, on fresh trees and a fresh runtime, give identical blocks.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Counter_blocks_are_deterministic_and_the_state_holds_the_sums(int seed)
    {
        var random = new Random(seed);
        var senders = Enumerable.Range(0, 5).Select(i => $"0x{i + 1:x40}").ToArray();
        var inputs = Enumerable.Range(0, 120).Select(i =>
            Inputs.Inbox(i, random.Next(8) == 0 ? [1, 2, 3] : Inputs.Uint256(random.Next(0, 1000)), sender: senders[random.Next(senders.Length)])).ToList();

        var first = ExecuteBlocks(_runtime, SampleApps.Counter, inputs, out var tree);
        using var other = new WasmRuntime(new RuntimeOptions { PoolingAllocator = false });
        var second = ExecuteBlocks(other, SampleApps.Counter, inputs, out _);
        second.Select(b => b.HeaderHash).ShouldBe(first.Select(b => b.HeaderHash));

        var expectedTotal = inputs.Select(i => Hex.Decode(i.Payload!)).Where(p => p.Length == 32).Select(p => new BigInteger(p, true, true)).Aggregate(BigInteger.Zero, (a, b) => a + b);
        tree.TryGet("total"u8, out var total).ShouldBeTrue();
        new BigInteger(total, true, true).ShouldBe(expectedTotal);
        var results = first.SelectMany(b => b.Results).ToList();
        results.Where(r => !r.Accepted).ShouldAllBe(r => r.Reason == "AppRejected" && (r.Code == 1 || r.Code == 2));
        results.Count(r => r.Accepted).ShouldBe(inputs.Count(i => Hex.Decode(i.Payload!) is { Length: 32 } p && !p.All(b => b == 0)));
    }

    /// <summary>Property: random order flow on the order book executes identically twice, and every fill is a settle call.</summary>
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void Order_book_blocks_are_deterministic_and_fills_conserve_quantity(int seed)
    {
        var random = new Random(seed);
        var inputs = Enumerable.Range(0, 200).Select(i =>
            Inputs.OrderPlaced(i, 1 + random.Next(6), random.Next(2), (ulong)random.Next(95, 106), (ulong)random.Next(1, 50))).ToList();
        var first = ExecuteBlocks(_runtime, SampleApps.OrderBook, inputs, out _);
        using var other = new WasmRuntime(new RuntimeOptions { PoolingAllocator = false });
        ExecuteBlocks(other, SampleApps.OrderBook, inputs, out _).Select(b => b.HeaderHash).ShouldBe(first.Select(b => b.HeaderHash));

        var results = first.SelectMany(b => b.Results).ToList();
        results.ShouldAllBe(r => r.Accepted);
        var fills = results.SelectMany(r => r.Outputs).ToList();
        fills.ShouldNotBeEmpty();
        fills.ShouldAllBe(o => o.Kind == "call" && o.Payload.StartsWith("0x5a859a95"));
        // Every fill's quantity comes out of both a maker and a taker: total filled ≤ total placed on each side.
        var filled = fills.Sum(o => (long)new BigInteger(Hex.Decode(o.Payload)[(4 + 5 * 32)..], true, true));
        filled.ShouldBeLessThanOrEqualTo(inputs.Sum(i => (long)ulong.Parse(i.Data[^16..], System.Globalization.NumberStyles.HexNumber)) / 2);
    }

    private static List<Contracts.Executor.BlockExecuted> ExecuteBlocks(WasmRuntime runtime, byte[] wasm, IReadOnlyList<SequencedInput> inputs, out StateTree tree)
    {
        tree = new StateTree();
        var code = new CodeBinding(runtime.Load(wasm), Limits);
        var blocks = new List<Contracts.Executor.BlockExecuted>();
        var previous = BlockEncoding.Zero32;
        foreach (var (chunk, height) in inputs.Chunk(25).Select((c, h) => (c, (long)h)))
        {
            var seal = new BlockSealed
            {
                AppId = "app", ChainId = Inputs.ChainId, Height = height, FirstSeq = chunk[0].Seq, Count = chunk.Length,
                InputsRoot = InputsRoot.Compute(Inputs.ChainId, "app", chunk), FromL1Block = chunk[0].Position.BlockNumber,
                ToL1Block = chunk[^1].Position.BlockNumber, StreamVersion = 0, InputsAfterVersion = 0,
            };
            var block = BlockExecutor.Execute(runtime, code, tree, seal, chunk, previous);
            blocks.Add(block);
            previous = block.HeaderHash;
        }
        return blocks;
    }

    [Fact]
    public void A_block_whose_inputs_do_not_match_the_sealed_root_is_refused()
    {
        var inputs = new[] { Inputs.Inbox(0, Inputs.Uint256(5)) };
        var seal = new BlockSealed
        {
            AppId = "app", ChainId = Inputs.ChainId, Height = 0, FirstSeq = 0, Count = 1,
            InputsRoot = InputsRoot.Compute(Inputs.ChainId, "app", [Inputs.Inbox(0, Inputs.Uint256(6))]),
            FromL1Block = 0, ToL1Block = 0, StreamVersion = 0, InputsAfterVersion = 0,
        };
        Should.Throw<BlockIntegrityException>(() => BlockExecutor.Execute(_runtime, CodeBinding.None, new StateTree(), seal, inputs, BlockEncoding.Zero32))
            .Message.ShouldContain("inputs root");
    }

    public void Dispose() => _runtime.Dispose();
}

public sealed class GuestInputTests
{
    [Fact]
    public void An_inbox_submission_gives_the_guest_its_payload_sender_and_nonce_from_the_log_itself()
    {
        var input = Inputs.Inbox(3, [9, 8, 7], sender: "0x00000000000000000000000000000000000000bb") with
        {
            Payload = "0xdeadbeef", Sender = "0x0000000000000000000000000000000000000001", Nonce = 99, // the sequencer's copies are not trusted
        };
        var guest = GuestInput.From(input, Inputs.ChainId, "app", 1);
        guest.Data.ShouldBe(new byte[] { 9, 8, 7 });
        BitConverter.ToUInt64(guest.Meta, 56).ShouldBe(3UL);
        BitConverter.ToUInt32(guest.Meta, 64).ShouldBe(0u);
        guest.Meta[72..92].ShouldBe(Hex.Decode("0x00000000000000000000000000000000000000bb"));
    }

    [Theory]
    [InlineData("0x")]
    [InlineData("0x00000000000000000000000000000000000000000000000000000000000000030000000000000000000000000000000000000000000000000000000000000041")]
    public void A_non_canonical_inbox_log_is_handed_over_as_a_raw_event_input(string data)
    {
        var guest = GuestInput.From(Inputs.Inbox(3, [1]) with { Data = data }, Inputs.ChainId, "app", 1);
        BitConverter.ToUInt32(guest.Meta, 64).ShouldBe(1u);
        guest.Data.ShouldBe(Hex.Decode(data));
        BitConverter.ToUInt64(guest.Meta, 56).ShouldBe(ulong.MaxValue);
    }
}

public sealed class ModuleCacheTests
{
    [Fact]
    public void Compiled_modules_are_cached_on_disk_and_a_new_runtime_loads_them_with_the_same_results()
    {
        var dir = Directory.CreateTempSubdirectory("nexus-cache-test-");
        try
        {
            var input = GuestInput.From(Inputs.Inbox(0, Inputs.Uint256(7)), Inputs.ChainId, "app", 0);
            InputOutcome first;
            using (var runtime = new WasmRuntime(new RuntimeOptions { ModuleCacheDirectory = dir.FullName }))
                first = runtime.Execute(runtime.Load(SampleApps.Counter), ExecutionLimits.Default, input, new MapState());
            var cached = dir.GetFiles("*.cwasm").ShouldHaveSingleItem();
            cached.Name.ShouldStartWith(WasmRuntime.CodeHash(SampleApps.Counter)[2..]);

            using (var runtime = new WasmRuntime(new RuntimeOptions { ModuleCacheDirectory = dir.FullName }))
            {
                var again = runtime.Execute(runtime.Load(SampleApps.Counter), ExecutionLimits.Default, input, new MapState());
                again.FuelUsed.ShouldBe(first.FuelUsed);
                again.Outputs.Single().Payload.ShouldBe(first.Outputs.Single().Payload);
            }

            // A cache file that is not a Wasmtime artifact (another build, a truncated write) is recompiled.
            File.WriteAllBytes(cached.FullName, [1, 2, 3]);
            using (var runtime = new WasmRuntime(new RuntimeOptions { ModuleCacheDirectory = dir.FullName }))
                runtime.Execute(runtime.Load(SampleApps.Counter), ExecutionLimits.Default, input, new MapState()).FuelUsed.ShouldBe(first.FuelUsed);
            new FileInfo(cached.FullName).Length.ShouldBeGreaterThan(3); // rewritten
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
