using JasperFx.Events.Daemon;
using Marten;
using Nexus.AppStreams;
using Nexus.Executor.Blocks;
using Nexus.Executor.Query;
using Nexus.Hosting;
using Nexus.Runtime.Wasm;
using Nexus.State;
using Npgsql;

namespace Nexus.Executor;

/// <summary>The executor's registrations, shared by Program.cs and the tests that host it in-process.</summary>
public static class ExecutorHost
{
    public const int DefaultPort = 5103;

    public static WebApplicationBuilder AddExecutor(this WebApplicationBuilder builder)
    {
        builder.AddNexusDefaults("executor", DefaultPort);
        builder.Services.AddNexusOptions<ExecutorOptions>(ExecutorOptions.Section);
        var options = builder.Configuration.GetSection(ExecutorOptions.Section).Get<ExecutorOptions>() ?? new ExecutorOptions();
        var postgres = builder.Configuration.GetSection(PostgresOptions.Section).Get<PostgresOptions>() ?? new PostgresOptions();

        builder.Services.AddSingleton<ExecutorMetrics>();
        builder.Services.AddSingleton(sp => new WasmRuntime(new RuntimeOptions
        {
            ModuleCacheDirectory = RuntimeOptions.PrivateCacheDirectory(options.ModuleCacheDirectory),
            DebugLog = options.GuestDebugLog ? line => sp.GetRequiredService<ILogger<WasmRuntime>>().LogDebug("guest: {Line}", line) : null,
        }));
        builder.Services.AddSingleton(_ => new StateNodes(NpgsqlDataSource.Create(postgres.ConnectionString), postgres.Schema));
        builder.Services.AddSingleton<AppExecutor>();
        builder.Services.AddSingleton<ExecutionScheduler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ExecutionScheduler>());

        builder.AddNexusMarten(store =>
            {
                Documents(store.UseAppStreams());
                Persistence.PublishFromStreams(store, 0x5E91000);
            })
            .AddSubscriptionWithServices<ExecutedBlockPublisher>(ServiceLifetime.Singleton, o => o.Options.BatchSize = 200)
            .AddAsyncDaemon(DaemonMode.HotCold);

        builder.AddNexusBus(bus => bus.AddConsumer<BlockSealedConsumer>());

        builder.Services.AddGrpc(o => o.EnableDetailedErrors = false);
        builder.ListenGrpcOn(options.GrpcPort, DefaultPort);
        return builder;
    }

    /// <summary>The executor's own documents (named for it in the database): heads and the block index.</summary>
    public static StoreOptions Documents(StoreOptions store)
    {
        store.Schema.For<AppExecution>().DocumentAlias("executor_head");
        store.Schema.For<ExecutedBlock>().DocumentAlias("executor_block").Index(x => x.AppId).Index(x => x.FirstSeq);
        return store;
    }

    public static WebApplication MapExecutorQueries(this WebApplication app)
    {
        app.MapGrpcService<AppQueryService>();
        return app;
    }
}
