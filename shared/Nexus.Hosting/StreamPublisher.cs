using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;

namespace Nexus.Hosting;

/// <summary>
/// Publishes one event type from the app streams on the bus through a Marten subscription (not a dual
/// write): progress is recorded only after the broker confirmed, so a crash republishes with the same
/// deterministic message ids and consumers drop the repeats.
/// </summary>
public abstract class StreamPublisher<T> : SubscriptionBase where T : class
{
    private readonly IBus _bus;
    private readonly Func<T, Guid> _messageId;

    protected StreamPublisher(IBus bus, string name, Func<T, Guid> messageId)
    {
        _bus = bus;
        _messageId = messageId;
        Name = name;
        IncludeType<T>();
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken ct)
    {
        await Task.WhenAll(page.Events.Select(e => e.Data).OfType<T>().Select(m => _bus.Publish(m, c => c.MessageId = _messageId(m), ct)));
        return NullChangeListener.Instance;
    }
}
