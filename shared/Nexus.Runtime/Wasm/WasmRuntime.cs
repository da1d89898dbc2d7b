using System.Collections.Concurrent;
using Nexus.Ethereum;
using Wasmtime;

namespace Nexus.Runtime.Wasm;

/// <summary>Process-wide runtime settings. None of them changes results; they only change speed.</summary>
public sealed record RuntimeOptions
{
    /// <summary>Where compiled modules are kept between runs (null: memory only). Only this process writes it; trust it like the binary.</summary>
    public string? ModuleCacheDirectory { get; init; }

    /// <summary>Wasmtime's pooling allocator: pre-reserved instance slots with copy-on-write memory images.</summary>
    public bool PoolingAllocator { get; init; } = true;

    /// <summary>
    /// Fuel metering. Only benchmarks turn it off (to measure its cost): without it an input cannot be
    /// bounded and fuel used is not recorded, so results are not valid for consensus.
    /// </summary>
    public bool MeterFuel { get; init; } = true;

    /// <summary>Receives guests' <c>debug_log</c> lines; null drops them.</summary>
    public Action<string>? DebugLog { get; init; }

    /// <summary>
    /// A module cache directory only this user can write (compiled artifacts are loaded as native code,
    /// so never a shared temp folder): <paramref name="configured"/>, or <c>~/.local/share/nexus/&lt;name&gt;</c>.
    /// </summary>
    public static string PrivateCacheDirectory(string? configured, string name = "module-cache")
    {
        var dir = Directory.CreateDirectory(string.IsNullOrWhiteSpace(configured)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "nexus", name)
            : configured);
        if (!OperatingSystem.IsWindows())
            dir.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        return dir.FullName;
    }
}

/// <summary>Per-app execution limits, recorded with the deployed code (they are part of consensus).</summary>
public sealed record ExecutionLimits(long Fuel, long MemoryBytes)
{
    public static readonly ExecutionLimits Default = new(AbiV1.DefaultFuelLimit, AbiV1.DefaultMemoryLimitBytes);
}

/// <summary>
/// The deterministic WebAssembly runtime: one Wasmtime engine configured for consensus (fuel,
/// canonical NaNs, no threads/SIMD/WASI), one linker holding the <c>nexus_v1</c> host functions, and
/// a cache of compiled modules by code hash. Each input runs on a fresh instance in a fresh store.
/// Thread-safe; stores are never shared between threads.
/// </summary>
public sealed class WasmRuntime : IDisposable
{
    // Part of the cache key: a compiled artifact is only valid for the same Wasmtime and settings.
    private const string EngineFingerprint = "wasmtime-50.0.1-v1";

    /// <summary>Instances that may run at once in one process (the executor runs at most this many apps in parallel).</summary>
    public const int MaxConcurrentInstances = 128;

    private readonly RuntimeOptions _options;
    private readonly Engine _engine;
    private readonly Linker _linker;
    private readonly ConcurrentDictionary<string, Lazy<AppModule>> _modules = new();

    public WasmRuntime(RuntimeOptions? options = null)
    {
        _options = options ?? new RuntimeOptions();
        using var config = new Config()
            .WithFuelConsumption(_options.MeterFuel)
            .WithCraneliftNaNCanonicalization(true)
            .WithWasmThreads(false)
            .WithSIMD(false)
            .WithRelaxedSIMD(false, true)
            .WithMemory64(false)
            .WithMultiMemory(false)
            .WithGc(false)
            .WithReferenceTypes(false)
            .WithFunctionReferences(false)
            .WithExceptions(false)
            .WithTailCalls(false)
            .WithWideArithmetic(false)
            .WithBulkMemory(true)
            .WithMultiValue(true)
            .WithMaximumStackSize(512 * 1024)
            .WithOptimizationLevel(OptimizationLevel.Speed);
        if (_options.PoolingAllocator)
        {
            // Slots for every instance that can run at once, and per-slot limits at least as large as
            // anything a deployment may set, so the pool never decides an outcome the store limits did not.
            using var pool = new PoolingAllocationConfig()
                .WithTotalComponentInstances(0)
                .WithMaxCoreInstances(MaxConcurrentInstances)
                .WithMaxMemories(MaxConcurrentInstances)
                .WithMaxTables(MaxConcurrentInstances)
                .WithMaxMemorySize(unchecked((nuint)AbiV1.MaxMemoryLimitBytes))
                .WithMaxTableElements((nuint)AbiV1.MaxTableElements)
                .WithMaxCoreInstanceSize((nuint)(16 << 20))
                .WithMaxUnusedWarmSlots(16);
            config.WithPoolingAllocationStrategy(pool).WithMemoryInitCopyOnWrite(true);
        }
        _engine = new Engine(config);
        _linker = new Linker(_engine);
        HostCalls.Define(_linker);
    }

    /// <summary>Compiles (or fetches from cache) and checks a module. Throws <see cref="InvalidAppModuleException"/> when it breaks ABI v1.</summary>
    public AppModule Load(byte[] wasm)
    {
        var codeHash = CodeHash(wasm);
        var lazy = _modules.GetOrAdd(codeHash, hash => new Lazy<AppModule>(() => Compile(hash, wasm)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            _modules.TryRemove(codeHash, out _);
            throw;
        }
    }

    /// <summary>A module already compiled under this code hash (no bytes needed).</summary>
    public bool TryGetLoaded(string codeHash, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AppModule? module)
    {
        module = _modules.TryGetValue(codeHash, out var lazy) && lazy.IsValueCreated ? lazy.Value : null;
        return module is not null;
    }

    /// <summary>keccak256 of the module bytes: the code's identity in events and headers.</summary>
    public static string CodeHash(byte[] wasm) => Hex.Encode(Keccak256.Hash(wasm));

    /// <summary>
    /// Runs one input. Never throws for anything the guest does: every failure is a rejected outcome.
    /// <paramref name="blockOutputBudget"/>: output bytes the block still has room for (ABI v1: 8 MiB per block).
    /// </summary>
    public InputOutcome Execute(AppModule module, ExecutionLimits limits, GuestInput input, IStateReader state, long blockOutputBudget = AbiV1.MaxOutputBytesPerBlock)
    {
        var ctx = new InputContext(input, state, _options.DebugLog, blockOutputBudget);
        using var store = NewStore(ctx, limits);
        try
        {
            var instance = _linker.Instantiate(store, module.Module);
            var memory = instance.GetMemory(AbiV1.MemoryExport)!;
            var handle = instance.GetFunction<int>(AbiV1.EntryPoint)!;
            ctx.Init(store, memory, _options.MeterFuel).Running = true;
            var code = handle();
            ctx.Running = false;
            var used = FuelUsed(store, limits);
            return code == 0
                ? new InputOutcome(RejectReason.None, 0, null, used, ctx.Writes, ctx.Outputs)
                : InputOutcome.Rejected(RejectReason.AppRejected, used, $"nexus_handle returned {code}", code);
        }
        catch (Exception e) when (e is WasmtimeException or GuestFault)
        {
            // A .NET exception thrown by the host itself inside a callback (out of memory, a bug in the
            // state reader) arrives wrapped; it is the node's failure, not the guest's, and must not be
            // committed as a rejection: rethrow it so the block is retried.
            if (ctx.FailureReason == RejectReason.None && e.InnerException is { } inner && inner is not GuestFault)
                throw new InvalidOperationException("host failure while running a guest", inner);
            var used = FuelUsed(store, limits);
            if (ctx.FailureReason != RejectReason.None)
                return InputOutcome.Rejected(ctx.FailureReason, used, ctx.FailureMessage);
            if (e is TrapException { Type: TrapCode.OutOfFuel })
                return InputOutcome.Rejected(RejectReason.OutOfFuel, limits.Fuel, "out of fuel");
            return InputOutcome.Rejected(RejectReason.Trap, used, TrapMessage(e));
        }
    }

    /// <summary>
    /// Calls a guest export <c>(i32) -> i64</c> outside any input (host calls are refused): the
    /// benchmark's way to time pure guest compute, e.g. the order book's <c>nexus_bench</c>.
    /// </summary>
    public long RunKernel(AppModule module, string export, int argument, ExecutionLimits limits)
    {
        var ctx = new InputContext(GuestInput.Empty, EmptyState.Instance, null);
        using var store = NewStore(ctx, limits);
        var instance = _linker.Instantiate(store, module.Module);
        var kernel = instance.GetFunction<int, long>(export) ?? throw new ArgumentException($"no export {export}: (i32) -> i64");
        return kernel(argument);
    }

    private Store NewStore(InputContext ctx, ExecutionLimits limits)
    {
        var store = new Store(_engine, ctx);
        store.SetLimits(memorySize: limits.MemoryBytes, tableElements: AbiV1.MaxTableElements, instances: 1, tables: 1, memories: 1);
        if (_options.MeterFuel)
            store.Fuel = (ulong)limits.Fuel;
        return store;
    }

    private long FuelUsed(Store store, ExecutionLimits limits) => _options.MeterFuel ? limits.Fuel - (long)store.Fuel : 0;

    private sealed class EmptyState : IStateReader
    {
        public static readonly EmptyState Instance = new();

        public bool TryGet(ReadOnlySpan<byte> key, out byte[] value)
        {
            value = [];
            return false;
        }
    }

    private static string TrapMessage(Exception e) => e switch
    {
        TrapException trap when trap.Type != TrapCode.Undefined => $"trap: {trap.Type}",
        // Instantiation errors (memory above the limit, bad data segment) and traps without a code:
        // keep the first line only, without Wasmtime's backtrace.
        _ => "trap: " + e.Message.Split('\n')[0].Trim(),
    };

    private AppModule Compile(string codeHash, byte[] wasm)
    {
        ModuleShape.Check(wasm);
        Module module;
        try
        {
            module = FromCache(codeHash) ?? Module.FromBytes(_engine, codeHash, wasm);
        }
        catch (WasmtimeException e)
        {
            throw new InvalidAppModuleException($"the module does not compile under the Nexus runtime: {e.Message.Split('\n')[0]}");
        }
        ModuleShape.CheckImportsAndExports(module);
        var memory = module.Exports.OfType<MemoryExport>().Single(e => e.Name == AbiV1.MemoryExport);
        var app = new AppModule(codeHash, module, wasm.Length, memory.Minimum * 65536);
        ToCache(codeHash, module);
        return app;
    }

    private string? CachePath(string codeHash) => _options.ModuleCacheDirectory is { } dir
        ? Path.Combine(dir, $"{codeHash[2..]}.{EngineFingerprint}.cwasm")
        : null;

    private Module? FromCache(string codeHash)
    {
        if (CachePath(codeHash) is not { } path || !File.Exists(path))
            return null;
        try
        {
            return Module.DeserializeFile(_engine, codeHash, path);
        }
        catch (WasmtimeException)
        {
            // Written by another Wasmtime build or CPU, or truncated: recompile and rewrite it.
            File.Delete(path);
            return null;
        }
    }

    private void ToCache(string codeHash, Module module)
    {
        if (CachePath(codeHash) is not { } path || File.Exists(path))
            return;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllBytes(temp, module.Serialize());
        File.Move(temp, path, overwrite: true);
    }

    public void Dispose()
    {
        foreach (var lazy in _modules.Values)
            if (lazy.IsValueCreated)
                lazy.Value.Module.Dispose();
        _linker.Dispose();
        _engine.Dispose();
    }
}

/// <summary>A compiled app module that passed the ABI v1 checks.</summary>
public sealed record AppModule(string CodeHash, Module Module, int SizeBytes, long InitialMemoryBytes)
{
    /// <summary>Refuses limits under which no input could even start (the initial memory above the memory limit).</summary>
    public void CheckFits(ExecutionLimits limits)
    {
        if (InitialMemoryBytes > limits.MemoryBytes)
            throw new InvalidAppModuleException($"the module starts with {InitialMemoryBytes >> 10} KiB of memory, above the {limits.MemoryBytes >> 10} KiB limit");
    }
}

public sealed class InvalidAppModuleException(string message) : Exception(message);
