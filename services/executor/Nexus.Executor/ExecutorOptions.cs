using System.ComponentModel.DataAnnotations;

namespace Nexus.Executor;

/// <summary>Section <c>Executor</c>.</summary>
public sealed class ExecutorOptions
{
    public const string Section = "Executor";

    /// <summary>Where compiled modules are cached between runs (made private to the service's user); empty: <c>~/.local/share/nexus/module-cache</c>.</summary>
    public string? ModuleCacheDirectory { get; set; }

    /// <summary>Stream events read per query when catching up (a bigger block widens it).</summary>
    [Range(10, 100_000)] public int ReadWindow { get; set; } = 2_000;

    /// <summary>Most blocks of one app committed in one transaction.</summary>
    [Range(1, 1_000)] public int MaxBlocksPerCommit { get; set; } = 20;

    /// <summary>How often every app is checked for sealed blocks not yet executed (bus messages may be lost or early).</summary>
    [Range(50, 600_000)] public int SweepIntervalMs { get; set; } = 2_000;

    /// <summary>Apps executed in parallel.</summary>
    [Range(1, Nexus.Runtime.Wasm.WasmRuntime.MaxConcurrentInstances)] public int MaxParallelApps { get; set; } = Math.Min(Environment.ProcessorCount, 64);

    /// <summary>Port of the gRPC query API (HTTP/2 without TLS, on the service's bind address).</summary>
    [Range(1, 65535)] public int GrpcPort { get; set; } = 5113;

    /// <summary>Forward guests' debug_log lines to the service log (Debug level).</summary>
    public bool GuestDebugLog { get; set; }
}
