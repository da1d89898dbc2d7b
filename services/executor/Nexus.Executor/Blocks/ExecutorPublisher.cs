using MassTransit;
using Nexus.Contracts.Executor;
using Nexus.Hosting;

namespace Nexus.Executor.Blocks;

/// <summary>Publishes <see cref="BlockExecuted"/> from the app streams, once per height.</summary>
public sealed class ExecutorPublisher(IBus bus) : StreamPublisher<BlockExecuted>(bus, "executor-publisher",
    b => MessageIds.For("block-executed", b.AppId, b.Height.ToString()));
