using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using Nexus.Contracts.Signer;
using Nexus.Hosting;

namespace Nexus.MpcSigner.Coordinator;

/// <summary>
/// Publishes <see cref="BlockSigned"/> from the app streams (a Marten subscription, not a dual write):
/// progress is recorded after the broker confirmed, so a crash republishes with the same message ids.
/// </summary>
public sealed class SignedBlockPublisher : SubscriptionBase
{
    private readonly IBus _bus;

    public SignedBlockPublisher(IBus bus)
    {
        _bus = bus;
        Name = "signer-publisher";
        IncludeType<BlockSigned>();
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken ct)
    {
        var publishes = page.Events.Select(e => e.Data).OfType<BlockSigned>()
            .Select(b => _bus.Publish(b, c => c.MessageId = MessageIds.For("block-signed", b.AppId, b.Height.ToString()), ct));
        await Task.WhenAll(publishes);
        return NullChangeListener.Instance;
    }
}

/// <summary>A block was executed: wake the coordinator (the stream, not the message, says what to sign).</summary>
public sealed class BlockExecutedConsumer(SigningCoordinator coordinator) : IConsumer<Nexus.Contracts.Executor.BlockExecuted>
{
    public Task Consume(ConsumeContext<Nexus.Contracts.Executor.BlockExecuted> context)
    {
        coordinator.Wake();
        return Task.CompletedTask;
    }
}
