using MassTransit;
using Nexus.Contracts.Executor;
using Nexus.Hosting;

namespace Nexus.Executor.Blocks;

/// <summary>Announces each executed block from the app streams, once per height (results stay in the stream).</summary>
public sealed class ExecutedBlockPublisher(IBus bus) : StreamPublisher<BlockExecuted, BlockExecutedNotification>(bus, "executor-publisher")
{
    protected override BlockExecutedNotification Notification(BlockExecuted e, long version) =>
        new() { AppId = e.AppId, Height = e.Height, StreamVersion = version };

    protected override Guid MessageId(BlockExecuted e) => MessageIds.For("block-executed", e.AppId, e.Height.ToString());
}
