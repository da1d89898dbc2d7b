using System.Diagnostics;

namespace Nexus.Bench;

/// <summary>Where the local infrastructure is (the same environment variables `./nexus` exports).</summary>
public static class LocalInfrastructure
{
    private static string Env(string name, string fallback) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : fallback;

    public static readonly string Postgres = Env("NEXUS_POSTGRES", "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Database=postgres");
    public static readonly string Rpc = Env("NEXUS_RPC", "http://127.0.0.1:8545");
    public static readonly string RabbitManagement = Env("NEXUS_RABBITMQ_MANAGEMENT", "http://127.0.0.1:15672");
}

/// <summary>Wall-clock timing for the in-process benchmarks.</summary>
public static class Timing
{
    /// <summary>The fastest of <paramref name="rounds"/> timed runs of <paramref name="action"/> (ms), after a warm-up; <paramref name="setup"/> runs untimed before each.</summary>
    public static double BestMs(int rounds, Action action, Action? setup = null)
    {
        setup?.Invoke();
        action();
        var best = double.MaxValue;
        for (var i = 0; i < rounds; i++)
        {
            setup?.Invoke();
            var watch = Stopwatch.StartNew();
            action();
            best = Math.Min(best, watch.Elapsed.TotalMilliseconds);
        }
        return best;
    }
}
