using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using Nexus.Contracts.Executor;
using Nexus.Hosting;

namespace Nexus.Executor.Blocks;

/// <summary>
/// Publishes <see cref="BlockExecuted"/> from the app streams through a Marten subscription (not a
/// dual write): progress is recorded only after the broker confirmed, so a crash republishes with the
/// same message ids.
/// </summary>
public sealed class ExecutorPublisher : SubscriptionBase
{
    private readonly IBus _bus;

    public ExecutorPublisher(IBus bus)
    {
        _bus = bus;
        Name = "executor-publisher";
        IncludeType<BlockExecuted>();
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken ct)
    {
        var publishes = page.Events.Select(e => e.Data).OfType<BlockExecuted>()
            .Select(b => _bus.Publish(b, c => c.MessageId = MessageIds.For("block-executed", b.AppId, b.Height.ToString()), ct));
        await Task.WhenAll(publishes);
        return NullChangeListener.Instance;
    }
}
