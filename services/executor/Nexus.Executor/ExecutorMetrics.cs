using System.Diagnostics.Metrics;
using Nexus.Contracts.Executor;
using Nexus.Hosting;

namespace Nexus.Executor;

public sealed class ExecutorMetrics
{
    private readonly Counter<long> _blocks;
    private readonly Counter<long> _inputs;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _fuel;
    private readonly Counter<long> _failures;
    private readonly Histogram<double> _blockSeconds;
    private long _failureCount;

    public ExecutorMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(NexusMeters.Prefix + "Executor");
        _blocks = meter.CreateCounter<long>("nexus_executor_blocks_executed", description: "App blocks executed and committed");
        _inputs = meter.CreateCounter<long>("nexus_executor_inputs_executed", description: "Inputs executed (accepted or rejected)");
        _rejected = meter.CreateCounter<long>("nexus_executor_inputs_rejected", description: "Inputs rejected, by reason");
        _fuel = meter.CreateCounter<long>("nexus_executor_fuel_used", description: "Fuel used by guests");
        _failures = meter.CreateCounter<long>("nexus_executor_app_failures", description: "Failed attempts to execute an app's blocks (retried)");
        _blockSeconds = meter.CreateHistogram<double>("nexus_executor_block_seconds", "s", "Time to execute one block (runtime and state, without I/O)");
    }

    public void Executed(BlockExecuted block, double seconds)
    {
        _blocks.Add(1);
        _inputs.Add(block.Results.Count);
        _fuel.Add(block.FuelUsed);
        _blockSeconds.Record(seconds);
        foreach (var r in block.Results)
            if (!r.Accepted)
                _rejected.Add(1, new KeyValuePair<string, object?>("reason", r.Reason));
    }

    /// <summary>Failed attempts so far (also exported as a counter): what tests wait on.</summary>
    public long Failures => Interlocked.Read(ref _failureCount);

    /// <summary>The last failure's message (the log has them all).</summary>
    public string? LastFailure { get; private set; }

    public void Failed(Exception e)
    {
        _failures.Add(1, new KeyValuePair<string, object?>("error", e.GetType().Name));
        LastFailure = e.Message;
        Interlocked.Increment(ref _failureCount);
    }
}
