using MassTransit;
using Nexus.Contracts.Signer;
using Nexus.Hosting;

namespace Nexus.MpcSigner.Coordinator;

/// <summary>Publishes <see cref="BlockSigned"/> from the app streams, once per height.</summary>
public sealed class SignedBlockPublisher(IBus bus) : StreamPublisher<BlockSigned>(bus, "signer-publisher",
    b => MessageIds.For("block-signed", b.AppId, b.Height.ToString()));

/// <summary>A block was executed: wake the coordinator (the stream, not the message, says what to sign).</summary>
public sealed class BlockExecutedConsumer(SigningCoordinator coordinator) : IConsumer<Nexus.Contracts.Executor.BlockExecuted>
{
    public Task Consume(ConsumeContext<Nexus.Contracts.Executor.BlockExecuted> context)
    {
        coordinator.Wake();
        return Task.CompletedTask;
    }
}
