using Nexus.Contracts;
using Nexus.Contracts.Sequencer;
using Nexus.Runtime.Wasm;
using Nexus.State;
using Wasmtime;

namespace Nexus.Runtime.Tests;

/// <summary>Runtime behaviour on hand-written WAT modules: each test isolates one rule of ABI v1.</summary>
public sealed class WatRuntimeTests : IDisposable
{
    private readonly WasmRuntime _runtime = new();

    private const string Imports = """
        (import "nexus_v1" "input_len" (func $input_len (result i32)))
        (import "nexus_v1" "input_read" (func $input_read (param i32 i32 i32) (result i32)))
        (import "nexus_v1" "state_get" (func $state_get (param i32 i32 i32 i32) (result i32)))
        (import "nexus_v1" "state_set" (func $state_set (param i32 i32 i32 i32)))
        (import "nexus_v1" "emit_notice" (func $emit_notice (param i32 i32)))
        (import "nexus_v1" "abort" (func $abort (param i32 i32)))
        (memory (export "memory") 1)
        (data (i32.const 0) "key")
        (data (i32.const 16) "value")
        (data (i32.const 32) "bad\00input")
        """;

    private AppModule Wat(string body) => _runtime.Load(Module.ConvertText($"(module {Imports} {body})"));

    private static GuestInput Input(byte[]? payload = null) => GuestInput.From(new SequencedInput
    {
        Seq = 7,
        InputId = "31337:0x01:0",
        Position = new LogPosition(100, 3),
        BlockHash = "0x" + new string('a', 64),
        BlockTimestamp = 1_700_000_000,
        TxHash = "0x" + new string('b', 64),
        TxIndex = 1,
        Emitter = "0x" + new string('c', 40),
        Topics = ["0x" + new string('d', 64)],
        Data = "0x",
        Source = "inbox",
        Sender = "0x" + new string('e', 40),
        Nonce = 5,
        Payload = Nexus.Ethereum.Hex.Encode(payload ?? [1, 2, 3]),
        Arguments = [],
    }, 31337, "app", 2);

    private InputOutcome Run(AppModule module, IStateReader? state = null, ExecutionLimits? limits = null) =>
        _runtime.Execute(module, limits ?? new ExecutionLimits(1_000_000, 1 << 20), Input(), state ?? new MapState());

    [Fact]
    public void An_accepted_input_returns_its_writes_and_outputs_and_the_fuel_it_used()
    {
        var module = Wat("""
            (func (export "nexus_handle") (result i32)
              (call $state_set (i32.const 0) (i32.const 3) (i32.const 16) (i32.const 5))
              (call $emit_notice (i32.const 16) (i32.const 5))
              (i32.const 0))
            """);
        var outcome = Run(module);
        outcome.Accepted.ShouldBeTrue(outcome.Message);
        outcome.Writes.Single().Key.ShouldBe("key"u8.ToArray());
        outcome.Writes.Single().Value.ShouldBe("value"u8.ToArray());
        outcome.Outputs.Single().Payload.ShouldBe("value"u8.ToArray());
        outcome.FuelUsed.ShouldBeGreaterThan(2 * AbiV1.StateWriteFuel / 2);
        Run(module).FuelUsed.ShouldBe(outcome.FuelUsed);
    }

    [Fact]
    public void A_trap_after_writes_rejects_the_input_and_drops_them()
    {
        var outcome = Run(Wat("""
            (func (export "nexus_handle") (result i32)
              (call $state_set (i32.const 0) (i32.const 3) (i32.const 16) (i32.const 5))
              (unreachable))
            """));
        outcome.Reason.ShouldBe(RejectReason.Trap);
        outcome.Message.ShouldBe("trap: Unreachable");
        outcome.Writes.ShouldBeEmpty();
    }

    [Fact]
    public void An_infinite_loop_runs_out_of_fuel()
    {
        var outcome = Run(Wat("""(func (export "nexus_handle") (result i32) (loop $l (br $l)) (i32.const 0))"""));
        outcome.Reason.ShouldBe(RejectReason.OutOfFuel);
        outcome.FuelUsed.ShouldBe(1_000_000);
    }

    [Fact]
    public void Memory_cannot_grow_past_the_limit()
    {
        // 1 MiB limit = 16 pages; the module has 1, so growing by 16 must fail (-1) and by 15 succeed.
        var module = Wat("""
            (func (export "nexus_handle") (result i32)
              (if (i32.ne (memory.grow (i32.const 16)) (i32.const -1)) (then (return (i32.const 1))))
              (if (i32.eq (memory.grow (i32.const 15)) (i32.const -1)) (then (return (i32.const 2))))
              (i32.const 0))
            """);
        var outcome = Run(module);
        outcome.Accepted.ShouldBeTrue(outcome.Message);
    }

    [Fact]
    public void A_non_zero_return_is_an_app_rejection_with_its_code()
    {
        var outcome = Run(Wat("""(func (export "nexus_handle") (result i32) (i32.const 42))"""));
        outcome.Reason.ShouldBe(RejectReason.AppRejected);
        outcome.Code.ShouldBe(42);
    }

    [Theory]
    [InlineData("(call $state_set (i32.const -16) (i32.const 3) (i32.const 16) (i32.const 5))", "outside the guest memory")]
    [InlineData("(call $state_set (i32.const 0) (i32.const 2000) (i32.const 16) (i32.const 5))", "exceeds 1024")]
    [InlineData("(call $emit_notice (i32.const 0) (i32.const 65537))", "exceeds 65536")]
    [InlineData("(drop (call $input_read (i32.const 0) (i32.const 4) (i32.const 1)))", "past the input")]
    [InlineData("(drop (call $state_get (i32.const 0) (i32.const 3) (i32.const 65535) (i32.const 100)))", "outside the guest memory")]
    public void ABI_misuse_rejects_the_input_with_a_reason(string call, string message)
    {
        var outcome = Run(Wat($"""(func (export "nexus_handle") (result i32) {call} (i32.const 0))"""),
            new MapState { ["key"u8.ToArray()] = new byte[50] });
        outcome.Reason.ShouldBe(RejectReason.AbiMisuse);
        outcome.Message!.ShouldContain(message);
    }

    [Fact]
    public void Reads_see_the_inputs_own_writes_and_the_committed_state()
    {
        var module = Wat("""
            (func (export "nexus_handle") (result i32)
              ;; committed value is 50 bytes; then overwrite with 5 bytes and read it back
              (if (i32.ne (call $state_get (i32.const 0) (i32.const 3) (i32.const 100) (i32.const 0)) (i32.const 50)) (then (return (i32.const 1))))
              (call $state_set (i32.const 0) (i32.const 3) (i32.const 16) (i32.const 5))
              (if (i32.ne (call $state_get (i32.const 0) (i32.const 3) (i32.const 100) (i32.const 8)) (i32.const 5)) (then (return (i32.const 2))))
              (i32.const 0))
            """);
        Run(module, new MapState { ["key"u8.ToArray()] = new byte[50] }).Accepted.ShouldBeTrue();
    }

    [Theory]
    [InlineData("""(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32))) (memory (export "memory") 1) (func (export "nexus_handle") (result i32) (i32.const 0)))""", "not part of the Nexus ABI v1")]
    [InlineData("""(module (import "nexus_v1" "state_set" (func (param i32 i32))) (memory (export "memory") 1) (func (export "nexus_handle") (result i32) (i32.const 0)))""", "wrong type")]
    [InlineData("""(module (memory (export "memory") 1) (func $s) (start $s) (func (export "nexus_handle") (result i32) (i32.const 0)))""", "start function")]
    [InlineData("""(module (memory (export "memory") 1))""", "must export 'nexus_handle")]
    [InlineData("""(module (func (export "nexus_handle") (result i32) (i32.const 0)))""", "must export its 32-bit linear memory")]
    [InlineData("""(module (memory (export "memory") 1) (func (export "nexus_handle") (result i32) (drop (f32x4.splat (f32.const 1))) (i32.const 0)))""", "does not compile")]
    public void Modules_outside_the_ABI_are_refused_at_load(string wat, string message)
    {
        var error = Should.Throw<InvalidAppModuleException>(() => _runtime.Load(Module.ConvertText(wat)));
        error.Message.ShouldContain(message);
    }

    [Fact]
    public void An_abort_message_with_control_characters_is_kept_printable()
    {
        var outcome = Run(Wat("""(func (export "nexus_handle") (result i32) (call $abort (i32.const 32) (i32.const 9)) (i32.const 0))"""));
        outcome.Reason.ShouldBe(RejectReason.AppAborted);
        outcome.Message.ShouldBe("bad?input");
    }

    [Fact]
    public void Writes_past_16_MiB_in_one_input_are_an_ABI_misuse_even_when_fuel_would_allow_them()
    {
        // 100 KiB values written to the same key over and over: memory the host would otherwise hold.
        var module = Wat("""
            (func (export "nexus_handle") (result i32)
              (local $i i32)
              (memory.grow (i32.const 2)) drop
              (loop $l
                (call $state_set (i32.const 0) (i32.const 3) (i32.const 0) (i32.const 102400))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br_if $l (i32.lt_u (local.get $i) (i32.const 200))))
              (i32.const 0))
            """);
        var outcome = _runtime.Execute(module, new ExecutionLimits(1_000_000_000, 1 << 20), Input(), new MapState());
        outcome.Reason.ShouldBe(RejectReason.AbiMisuse);
        outcome.Message!.ShouldContain("state writes exceed");
    }

    [Fact]
    public void Outputs_past_the_blocks_remaining_budget_are_an_ABI_misuse()
    {
        var module = Wat("""(func (export "nexus_handle") (result i32) (call $emit_notice (i32.const 16) (i32.const 5)) (i32.const 0))""");
        _runtime.Execute(module, new ExecutionLimits(1_000_000, 1 << 20), Input(), new MapState(), blockOutputBudget: 5).Accepted.ShouldBeTrue();
        var outcome = _runtime.Execute(module, new ExecutionLimits(1_000_000, 1 << 20), Input(), new MapState(), blockOutputBudget: 4);
        outcome.Reason.ShouldBe(RejectReason.AbiMisuse);
        outcome.Message!.ShouldContain("in this block");
    }

    [Fact]
    public void A_failure_of_the_host_itself_is_thrown_not_recorded_as_the_guests_rejection()
    {
        var module = Wat("""(func (export "nexus_handle") (result i32) (drop (call $state_get (i32.const 0) (i32.const 3) (i32.const 100) (i32.const 8))) (i32.const 0))""");
        Should.Throw<InvalidOperationException>(() => _runtime.Execute(module, new ExecutionLimits(1_000_000, 1 << 20), Input(), new FailingState()))
            .Message.ShouldContain("host failure");
    }

    private sealed class FailingState : IStateReader
    {
        public bool TryGet(ReadOnlySpan<byte> key, out byte[] value) => throw new IOException("disk on fire");
    }

    [Fact]
    public void Garbage_bytes_are_refused()
    {
        Should.Throw<InvalidAppModuleException>(() => _runtime.Load([1, 2, 3, 4, 5, 6, 7, 8, 9]));
        Should.Throw<InvalidAppModuleException>(() => _runtime.Load([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 0xff, 0xff]));
    }

    public void Dispose() => _runtime.Dispose();
}

internal sealed class MapState : Dictionary<byte[], byte[]>, IStateReader
{
    public MapState() : base(ByteArrayComparer.Instance) { }

    public bool TryGet(ReadOnlySpan<byte> key, out byte[] value) =>
        GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(key, out value!);
}

public sealed class LimitTests
{
    [Fact]
    public void A_module_whose_initial_memory_exceeds_the_limit_is_refused_at_deploy_and_rejected_if_run()
    {
        using var runtime = new WasmRuntime();
        var module = runtime.Load(Module.ConvertText("""(module (memory (export "memory") 32) (func (export "nexus_handle") (result i32) (i32.const 0)))"""));
        module.InitialMemoryBytes.ShouldBe(32 * 65536);
        Should.Throw<InvalidAppModuleException>(() => module.CheckFits(new ExecutionLimits(1_000_000, 1 << 20))).Message.ShouldContain("above the 1024 KiB limit");
        module.CheckFits(new ExecutionLimits(1_000_000, 2 << 20));
        var outcome = runtime.Execute(module, new ExecutionLimits(1_000_000, 1 << 20), GuestInput.Empty, new MapState());
        outcome.Reason.ShouldBe(RejectReason.Trap);
        outcome.Message!.ShouldStartWith("trap:");
    }
}
