using MassTransit;
using Nexus.Contracts.Sequencer;

namespace Nexus.Executor.Blocks;

/// <summary>
/// A sealed block is a wake-up, not the data: blocks are read from the app's stream, in order, so a
/// redelivered, duplicated or early notification cannot make a block run twice or out of order.
/// </summary>
public sealed class BlockSealedConsumer(ExecutionScheduler scheduler) : IConsumer<BlockSealedNotification>
{
    public Task Consume(ConsumeContext<BlockSealedNotification> context)
    {
        scheduler.Wake(context.Message.AppId);
        return Task.CompletedTask;
    }
}
