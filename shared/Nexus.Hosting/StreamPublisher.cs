using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;

namespace Nexus.Hosting;

/// <summary>
/// Announces one event type of the app streams on the bus through a Marten subscription (not a dual
/// write): for each <typeparamref name="TEvent"/> a service appended, a <typeparamref name="TNotification"/>
/// naming where it sits in the stream. Progress is recorded only after the broker confirmed, so a
/// crash republishes with the same deterministic message ids and consumers drop the repeats.
/// </summary>
public abstract class StreamPublisher<TEvent, TNotification> : SubscriptionBase where TEvent : class where TNotification : class
{
    private readonly IBus _bus;

    protected StreamPublisher(IBus bus, string name)
    {
        _bus = bus;
        Name = name;
        IncludeType<TEvent>();
    }

    /// <summary>The bus message for the event at <paramref name="version"/> of its stream.</summary>
    protected abstract TNotification Notification(TEvent e, long version);

    /// <summary>The same fact always gets the same id.</summary>
    protected abstract Guid MessageId(TEvent e);

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken ct)
    {
        await Task.WhenAll(page.Events.Where(e => e.Data is TEvent).Select(e =>
        {
            var data = (TEvent)e.Data;
            return _bus.PublishConfirmedAsync(Notification(data, e.Version), c => c.MessageId = MessageId(data), ct);
        }));
        return NullChangeListener.Instance;
    }
}
