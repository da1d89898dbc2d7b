using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using Nexus.Contracts.Sequencer;
using Nexus.Ethereum.Merkle;
using Nexus.Hosting;

namespace Nexus.Sequencer.Blocks;

/// <summary>
/// Publishes what the sequencer committed — sealed blocks with their inputs, and rejections — from
/// the app streams through a Marten subscription, never as a dual write: the daemon records its
/// progress only after the page is published (with broker confirms), so a crash republishes, with
/// the same message ids.
/// </summary>
public sealed class SequencerPublisher : SubscriptionBase
{
    private readonly IBus _bus;

    public SequencerPublisher(IBus bus)
    {
        _bus = bus;
        Name = "sequencer-publisher";
        IncludeType<BlockSealed>();
        IncludeType<InputRejected>();
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken ct)
    {
        var publishes = new List<Task>();
        foreach (var e in page.Events)
        {
            switch (e.Data)
            {
                case BlockSealed block:
                    var message = await WithInputsAsync(operations, block, ct);
                    publishes.Add(_bus.Publish(message, c => c.MessageId = MessageIds.For("app-block-sealed", block.AppId, block.Height.ToString()), ct));
                    break;
                case InputRejected rejected:
                    publishes.Add(_bus.Publish(rejected, c => c.MessageId = MessageIds.For("input-rejected", rejected.InputId), ct));
                    break;
            }
        }
        await Task.WhenAll(publishes);
        return NullChangeListener.Instance;
    }

    /// <summary>Reads the block's inputs back from its slice of the stream and checks them against the sealed root.</summary>
    public static async Task<AppBlockSealed> WithInputsAsync(IDocumentOperations operations, BlockSealed block, CancellationToken ct)
    {
        var slice = await operations.Events.FetchStreamAsync(block.AppId, version: block.StreamVersion - 1, fromVersion: block.InputsAfterVersion + 1, token: ct);
        var inputs = slice.Select(e => e.Data).OfType<InputSequenced>().Select(e => e.Input)
            .Where(i => i.Seq >= block.FirstSeq && i.Seq < block.FirstSeq + block.Count)
            .OrderBy(i => i.Seq).ToList();
        var root = InputsRoot.Compute(block.ChainId, block.AppId, inputs);
        if (inputs.Count != block.Count || root != block.InputsRoot)
            throw new InvalidOperationException(
                $"app {block.AppId} block {block.Height}: stream holds {inputs.Count} inputs with root {root}, the seal says {block.Count} with {block.InputsRoot}");
        return new AppBlockSealed
        {
            AppId = block.AppId,
            ChainId = block.ChainId,
            Height = block.Height,
            Inputs = inputs,
            InputsRoot = block.InputsRoot,
            FromL1Block = block.FromL1Block,
            ToL1Block = block.ToL1Block,
        };
    }
}
