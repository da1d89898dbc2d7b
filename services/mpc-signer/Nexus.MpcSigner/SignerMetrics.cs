using System.Diagnostics.Metrics;
using Nexus.Hosting;

namespace Nexus.MpcSigner;

public sealed class SignerMetrics
{
    public SignerMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(NexusMeters.Prefix + "MpcSigner");
        BlocksVerified = meter.CreateCounter<long>("nexus_signer_blocks_verified", description: "Blocks this replica confirmed and re-executed");
        Refusals = meter.CreateCounter<long>("nexus_signer_refusals", description: "Blocks this replica refused to sign");
        SharesIssued = meter.CreateCounter<long>("nexus_signer_shares_issued", description: "Signature shares this replica released");
        RejectedCalls = meter.CreateCounter<long>("nexus_signer_rejected_calls", description: "Calls refused for bad authentication or malformed requests, by kind");
        BlocksSigned = meter.CreateCounter<long>("nexus_signer_blocks_signed", description: "Blocks the coordinator signed and recorded");
        BadShares = meter.CreateCounter<long>("nexus_signer_bad_shares", description: "Invalid signature shares received, by replica (the replica is excluded)");
        ReplicaFailures = meter.CreateCounter<long>("nexus_signer_replica_failures", description: "Replica calls that failed or refused, by replica and kind");
        meter.CreateObservableGauge("nexus_signer_coordinator_leader", () => _leader, description: "1 while this coordinator is the active one (others stand by)");
        RoundSeconds = meter.CreateHistogram<double>("nexus_signer_block_seconds", "s", "Time from picking up an executed block to its recorded signature",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
    }

    private int _leader;

    public void Leader(bool leader) => _leader = leader ? 1 : 0;

    public Counter<long> BlocksVerified { get; }
    public Counter<long> Refusals { get; }
    public Counter<long> SharesIssued { get; }
    public Counter<long> RejectedCalls { get; }
    public Counter<long> BlocksSigned { get; }
    public Counter<long> BadShares { get; }
    public Counter<long> ReplicaFailures { get; }
    public Histogram<double> RoundSeconds { get; }
}
