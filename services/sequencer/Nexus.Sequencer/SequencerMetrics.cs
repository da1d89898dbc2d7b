using System.Diagnostics.Metrics;
using Nexus.Contracts.Sequencer;
using Nexus.Hosting;
using Nexus.Sequencer.Inputs;

namespace Nexus.Sequencer;

public sealed class SequencerMetrics
{
    private readonly Counter<long> _sequenced;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _blocks;
    private readonly Counter<long> _parked;

    public SequencerMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(NexusMeters.Prefix + "Sequencer");
        _sequenced = meter.CreateCounter<long>("nexus_sequencer_inputs_sequenced", description: "Inputs given a sequence number");
        _rejected = meter.CreateCounter<long>("nexus_sequencer_inputs_rejected", description: "Observed logs recorded as rejected");
        _blocks = meter.CreateCounter<long>("nexus_sequencer_blocks_sealed", description: "App blocks sealed");
        _parked = meter.CreateCounter<long>("nexus_sequencer_inputs_parked", description: "Inputs that arrived before their predecessor");
    }

    public void Record(SequencingBatch batch, int parked)
    {
        _sequenced.Add(batch.Events.Count(e => e is InputSequenced));
        _blocks.Add(batch.Events.Count(e => e is BlockSealed));
        _rejected.Add(batch.Rejections.Count);
        _parked.Add(parked);
    }

    public void UnknownApp(int count) => _rejected.Add(count);
}
