using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Nexus.AppStreams.Registry;
using Nexus.Contracts.Executor;
using Nexus.Contracts.Registry;
using Nexus.Contracts.Sequencer;
using Nexus.Contracts.Signer;

namespace Nexus.AppStreams;

/// <summary>
/// The app event store as every process sees it: one stream per app (key = app id) holding its
/// registration, code deployments, inputs, blocks, results and signatures. Every store that reads or
/// appends to app streams applies <see cref="UseAppStreams"/>, so all of them read the same events
/// and keep the registry's read model (<see cref="RegisteredApp"/>) in step. What is here belongs to
/// no service: the event types are contracts, and the registry is written by whoever registers apps.
/// Each service adds its own documents on top (and only its own: the architecture tests check it).
/// </summary>
public static class AppStreamStore
{
    public const string DefaultSchema = "nexus";

    /// <summary>A standalone store (tools, tests, the auditor): connection, schema, and the app streams.</summary>
    public static void Configure(StoreOptions options, string connectionString, string schema = DefaultSchema)
    {
        options.Connection(connectionString);
        options.DatabaseSchemaName = schema;
        options.Events.DatabaseSchemaName = schema;
        options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        options.UseAppStreams();
    }

    /// <summary>The app streams' event types (with stable names) and the registry, on a store whose connection is set.</summary>
    public static StoreOptions UseAppStreams(this StoreOptions options)
    {
        options.Events.DatabaseSchemaName = options.DatabaseSchemaName;
        options.Events.StreamIdentity = StreamIdentity.AsString;
        // Quick append: one round trip per stream per commit (measured faster in the ingest benchmark).
        // Writers that need a consistent version lock the stream row first (AppStreamLock).
        options.Events.AppendMode = EventAppendMode.Quick;

        // Names are part of the stored data: fixed here so a renamed class cannot orphan a stream's events.
        options.Events.MapEventType<AppRegistered>(EventNames.AppRegistered);
        options.Events.MapEventType<AppCodeDeployed>(EventNames.AppCodeDeployed);
        options.Events.MapEventType<InputSequenced>(EventNames.InputSequenced);
        options.Events.MapEventType<InputRejected>(EventNames.InputRejected);
        options.Events.MapEventType<BlockSealed>(EventNames.BlockSealed);
        options.Events.MapEventType<BlockExecuted>(EventNames.BlockExecuted);
        options.Events.MapEventType<BlockSigned>(EventNames.BlockSigned);

        // The registry's read model, updated in the transaction that appends a registration or a deployment.
        options.Projections.Snapshot<RegisteredApp>(SnapshotLifecycle.Inline);
        options.Schema.For<AppCode>();
        return options;
    }
}

/// <summary>The stored names of the app streams' events.</summary>
public static class EventNames
{
    public const string AppRegistered = "app_registered";
    public const string AppCodeDeployed = "app_code_deployed";
    public const string InputSequenced = "input_sequenced";
    public const string InputRejected = "input_rejected";
    public const string BlockSealed = "block_sealed";
    public const string BlockExecuted = "block_executed";
    public const string BlockSigned = "block_signed";

    public static string Of<T>() => typeof(T).Name switch
    {
        nameof(Contracts.Registry.AppRegistered) => AppRegistered,
        nameof(Contracts.Registry.AppCodeDeployed) => AppCodeDeployed,
        nameof(Contracts.Sequencer.InputSequenced) => InputSequenced,
        nameof(Contracts.Sequencer.InputRejected) => InputRejected,
        nameof(Contracts.Sequencer.BlockSealed) => BlockSealed,
        nameof(Contracts.Executor.BlockExecuted) => BlockExecuted,
        nameof(Contracts.Signer.BlockSigned) => BlockSigned,
        _ => throw new ArgumentException($"{typeof(T).Name} is not an app stream event"),
    };
}
