using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using Nexus.Contracts.Sequencer;
using Nexus.Hosting;

namespace Nexus.Sequencer.Blocks;

/// <summary>
/// Publishes what the sequencer committed — sealed blocks and rejections — from the app streams
/// through a Marten subscription, never as a dual write: the daemon records its progress only after
/// the page is published (with broker confirms), so a crash republishes, with the same message ids.
/// </summary>
public sealed class SequencerPublisher : SubscriptionBase
{
    private readonly IBus _bus;

    public SequencerPublisher(IBus bus)
    {
        _bus = bus;
        Name = "sequencer-publisher";
        IncludeType<AppBlockSealed>();
        IncludeType<InputRejected>();
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken ct)
    {
        var publishes = page.Events.Select(e => e.Data switch
        {
            AppBlockSealed block => _bus.Publish(block, c => c.MessageId = MessageIds.For("app-block-sealed", block.AppId, block.Height.ToString()), ct),
            InputRejected rejected => _bus.Publish(rejected, c => c.MessageId = MessageIds.For("input-rejected", rejected.InputId), ct),
            _ => Task.CompletedTask,
        });
        await Task.WhenAll(publishes);
        return NullChangeListener.Instance;
    }
}
