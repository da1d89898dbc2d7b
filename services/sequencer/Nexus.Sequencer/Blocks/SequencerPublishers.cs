using MassTransit;
using Nexus.Contracts.Sequencer;
using Nexus.Hosting;

namespace Nexus.Sequencer.Blocks;

/// <summary>Announces each sealed block from the app streams: where its seal is, not its inputs (readers take those from the stream).</summary>
public sealed class SealedBlockPublisher(IBus bus) : StreamPublisher<BlockSealed, BlockSealedNotification>(bus, "sequencer-publisher")
{
    protected override BlockSealedNotification Notification(BlockSealed e, long version) =>
        new() { AppId = e.AppId, Height = e.Height, StreamVersion = version };

    protected override Guid MessageId(BlockSealed e) => MessageIds.For("block-sealed", e.AppId, e.Height.ToString());
}

/// <summary>Publishes every rejection recorded in a stream (the app's, or that of unregistered ids), for alarms and explorers.</summary>
public sealed class RejectionPublisher(IBus bus) : StreamPublisher<InputRejected, InputRejected>(bus, "sequencer-rejections")
{
    protected override InputRejected Notification(InputRejected e, long version) => e;

    protected override Guid MessageId(InputRejected e) => MessageIds.For("input-rejected", e.InputId);
}
