using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Nexus.Ethereum.Chain;
using Nexus.Hosting;

namespace Nexus.ChainListener;

public sealed class ListenerMetrics
{
    private readonly Counter<long> _published;
    private readonly Counter<long> _deepReorgs;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _rpcFailures;
    private readonly ConcurrentDictionary<string, long> _scannedTo = new();
    private readonly ConcurrentDictionary<string, long> _lag = new();
    private readonly ConcurrentDictionary<string, bool> _halted = new();
    private int _leader;
    private long _head = -1;
    private long _rpcFailureCount;
    private long _failedRounds;
    private int _groups;

    public ListenerMetrics(IMeterFactory meters, IChainReader? chain = null)
    {
        var meter = meters.Create(NexusMeters.Prefix + "ChainListener");
        _published = meter.CreateCounter<long>("nexus_listener_inputs_published", description: "Observed inputs confirmed by the broker");
        _deepReorgs = meter.CreateCounter<long>("nexus_listener_deep_reorgs", description: "Reorgs below the confirmation depth (watch halted)");
        _retried = meter.CreateCounter<long>("nexus_listener_ranges_retried", description: "Reads discarded because the chain moved under them");
        _rpcFailures = meter.CreateCounter<long>("nexus_listener_rpc_failures", description: "Failed RPC rounds (backing off)");
        meter.CreateObservableGauge("nexus_listener_scanned_block", () =>
            _scannedTo.Select(kv => new Measurement<long>(kv.Value, new KeyValuePair<string, object?>("watch", kv.Key))));
        meter.CreateObservableGauge("nexus_listener_lag_blocks", () =>
            _lag.Select(kv => new Measurement<long>(kv.Value, new KeyValuePair<string, object?>("watch", kv.Key))),
            description: "Head minus the last scanned block (includes the confirmation depth)");
        meter.CreateObservableGauge("nexus_listener_leader", () => _leader, description: "1 when this instance is the active listener, 0 on standby");
        meter.CreateObservableGauge("nexus_listener_head_block", () => Interlocked.Read(ref _head), description: "The chain head the last round saw");
        meter.CreateObservableCounter("nexus_listener_failed_rounds", () => Interlocked.Read(ref _failedRounds), description: "Rounds that failed (RPC, database or broker) and were retried with backoff");
        meter.CreateObservableGauge("nexus_listener_halted_watches", () => _halted.Count(kv => kv.Value));
        meter.CreateObservableGauge("nexus_listener_scan_groups", () => Volatile.Read(ref _groups),
            description: "Groups of watches the last round read (watches at one depth and block are read together: idle apps join one group)");
        if (chain is JsonRpcChainReader rpc)
            meter.CreateObservableCounter("nexus_listener_rpc_calls", () => rpc.Calls, description: "JSON-RPC calls sent to the node");
    }

    /// <summary>Groups of watches the last round read.</summary>
    public int ScanGroups => Volatile.Read(ref _groups);

    public void Round(int groups) => Volatile.Write(ref _groups, groups);

    public void Published(string watch, int count) => _published.Add(count, new KeyValuePair<string, object?>("watch", watch));
    /// <summary>The head the last round saw (-1 before the first).</summary>
    public long Head => Interlocked.Read(ref _head);

    /// <summary>How far a watch has scanned (-1 when it has not yet).</summary>
    public long ScannedTo(string watch) => _scannedTo.GetValueOrDefault(watch, -1);

    /// <summary>Failed RPC rounds so far.</summary>
    public long RpcFailures => Interlocked.Read(ref _rpcFailureCount);

    /// <summary>Rounds that failed for any reason (RPC, database, broker) and were retried.</summary>
    public long FailedRounds => Interlocked.Read(ref _failedRounds);

    public void RoundFailed() => Interlocked.Increment(ref _failedRounds);

    public void SawHead(long head) => Interlocked.Exchange(ref _head, head);

    public void Scanned(string watch, long block, long head)
    {
        _scannedTo[watch] = block;
        _lag[watch] = head - block;
    }
    public void DeepReorg(string watch) { _deepReorgs.Add(1, new KeyValuePair<string, object?>("watch", watch)); _halted[watch] = true; }
    public void Halted(string watch, bool halted) => _halted[watch] = halted;
    public void Leader(bool leader) => _leader = leader ? 1 : 0;
    public void RangeRetried() => _retried.Add(1);
    public void RpcFailure()
    {
        _rpcFailures.Add(1);
        Interlocked.Increment(ref _rpcFailureCount);
    }
}
