using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Nexus.AppStreams;
using Nexus.Crypto.Frost;
using Nexus.Ethereum.Chain;
using Nexus.Hosting;
using Nexus.Hosting.Grpc;
using Nexus.MpcSigner.Coordinator;
using Nexus.MpcSigner.Dkg;
using Nexus.MpcSigner.Replica;
using Nexus.Runtime.Wasm;
using Nexus.State;
using Npgsql;

namespace Nexus.MpcSigner;

/// <summary>
/// The mpc-signer's registrations, shared by Program.cs and the tests that host it in-process. One
/// binary, two roles: a replica (own key share, own Ethereum node, own state; serves the gRPC rounds)
/// and the coordinator (reads executed blocks, drives the rounds, records signatures); a process
/// may take both.
/// </summary>
public static class SignerHost
{
    public const int DefaultPort = 5104;

    public static WebApplicationBuilder AddMpcSigner(this WebApplicationBuilder builder)
    {
        builder.AddNexusDefaults("mpc-signer", DefaultPort);
        builder.Services.AddNexusOptions<SignerOptions>(SignerOptions.Section);
        var signer = builder.Configuration.GetSection(SignerOptions.Section).Get<SignerOptions>() ?? new SignerOptions();
        builder.Services.AddSingleton<SignerMetrics>();
        if (signer.IsReplica)
            AddReplica(builder, signer);
        if (signer.IsCoordinator)
            AddCoordinator(builder);
        return builder;
    }

    private static void AddReplica(WebApplicationBuilder builder, SignerOptions signer)
    {
        builder.Services.AddNexusOptions<ReplicaOptions>(ReplicaOptions.Section);
        var options = builder.Configuration.GetSection(ReplicaOptions.Section).Get<ReplicaOptions>() ?? new ReplicaOptions();
        var postgres = builder.Configuration.GetSection(PostgresOptions.Section).Get<PostgresOptions>() ?? new PostgresOptions();
        var schema = string.IsNullOrWhiteSpace(options.Schema) ? $"signer_{options.Identifier}" : options.Schema;
        var connectionString = string.IsNullOrWhiteSpace(options.ConnectionString) ? postgres.ConnectionString : options.ConnectionString;

        builder.Services.AddSingleton(sp => new WasmRuntime(new RuntimeOptions
        {
            ModuleCacheDirectory = RuntimeOptions.PrivateCacheDirectory(options.ModuleCacheDirectory, $"signer-{options.Identifier}-modules"),
        }));
        builder.Services.AddSingleton<IChainReader>(_ => new JsonRpcChainReader(options.RpcUrl));
        // Created by the container, so it is disposed with it.
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        builder.Services.AddSingleton(sp => new ReplicaStore(sp.GetRequiredService<NpgsqlDataSource>(), schema));
        builder.Services.AddSingleton(sp => new ReplicaNodes(new StateNodes(sp.GetRequiredService<NpgsqlDataSource>(), schema)));
        builder.Services.AddSingleton<ReplicaState>();
        builder.Services.AddSingleton<BlockVerifier>();
        builder.Services.AddSingleton<ReplicaKey>();
        builder.Services.AddSingleton(_ => new NonceBook(options.MaxOutstandingNonces));
        builder.Services.AddSingleton<DkgSession>();
        builder.Services.AddSingleton<TokenAuthInterceptor>();
        // Fail at start, not at the first call: a replica with an unreadable key or no token is misconfigured.
        builder.Services.AddHostedService(sp => new StartupCheck(() =>
        {
            sp.GetRequiredService<ReplicaKey>();
            sp.GetRequiredService<TokenAuthInterceptor>();
        }));
        builder.Services.AddHealthChecks().AddCheck<ReplicaHealthCheck>("replica", tags: [NexusDefaults.ReadyTag]);

        builder.Services.AddGrpc(o =>
        {
            o.EnableDetailedErrors = false;
            o.Interceptors.Add<TokenAuthInterceptor>();
            // A block proposal carries its inputs and, once, the module.
            o.MaxReceiveMessageSize = 64 * 1024 * 1024;
        });
        if (string.IsNullOrWhiteSpace(options.TlsCertificateFile))
            builder.ListenGrpcOn(signer.GrpcPort, DefaultPort);
        else
        {
            if (options.ClientCertificatePins.Count == 0)
                throw new InvalidOperationException("Replica:ClientCertificatePins is empty: with TLS on, no client could connect");
            var certificate = MutualTls.Load(options.TlsCertificateFile, options.TlsKeyFile ?? throw new InvalidOperationException("Replica:TlsKeyFile is not set"));
            builder.ListenGrpcOn(signer.GrpcPort, DefaultPort, listen => MutualTls.RequireClientCertificates(listen, certificate, options.ClientCertificatePins));
        }
    }

    private static void AddCoordinator(WebApplicationBuilder builder)
    {
        builder.Services.AddNexusOptions<CoordinatorOptions>(CoordinatorOptions.Section);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => CommitteeFile.Read(sp.GetRequiredService<IOptions<CoordinatorOptions>>().Value.CommitteeFile));
        builder.Services.AddSingleton(sp => new ReplicaClients(Clients(sp)));
        builder.Services.AddSingleton<IReadOnlyList<ReplicaClient>>(sp => sp.GetRequiredService<ReplicaClients>().All);
        // One coordinator signs, others stand by: two would both spend nonces on every block (the record
        // guard keeps one BlockSigned per height either way). The lock is per store schema.
        builder.Services.AddSingleton<ILeadership>(sp =>
        {
            var postgres = sp.GetRequiredService<IOptions<PostgresOptions>>().Value;
            return new Leadership(postgres.ConnectionString, $"the signing coordinators (schema {postgres.Schema})", sp.GetRequiredService<ILogger<SigningCoordinator>>());
        });
        builder.Services.AddSingleton<ICoordinatorStore, CoordinatorStore>();
        builder.Services.AddSingleton<ReplicaVerification>();
        builder.Services.AddSingleton<ReplicaCatchUp>();
        builder.Services.AddSingleton<QuorumVerification>();
        builder.Services.AddSingleton<SigningRound>();
        builder.Services.AddSingleton<BlockSigner>();
        builder.Services.AddSingleton<SigningCoordinator>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SigningCoordinator>());

        builder.AddNexusMarten(store =>
            {
                CoordinatorStore.Documents(store.UseAppStreams());
                Persistence.PublishFromStreams(store, 0x5E92000);
            })
            .AddSubscriptionWithServices<SignedBlockPublisher>(ServiceLifetime.Singleton, o => o.Options.BatchSize = 200)
            .AddAsyncDaemon(DaemonMode.HotCold);
        builder.AddNexusBus(bus => bus.AddConsumer<BlockExecutedConsumer>());
    }

    /// <summary>A client per configured replica, each checked to be a member of the committee.</summary>
    private static IReadOnlyList<ReplicaClient> Clients(IServiceProvider sp)
    {
        var options = sp.GetRequiredService<IOptions<CoordinatorOptions>>().Value;
        var committee = sp.GetRequiredService<Committee>();
        foreach (var r in options.Replicas)
            if (!committee.Public.VerifyingShares.ContainsKey(new Identifier(checked((ushort)r.Id))))
                throw new InvalidOperationException($"Coordinator:Replicas: replica {r.Id} is not a member of the committee in {options.CommitteeFile}");
        if (options.Replicas.Select(r => r.Id).Distinct().Count() != options.Replicas.Count)
            throw new InvalidOperationException("Coordinator:Replicas: an identifier appears twice");
        var certificate = string.IsNullOrWhiteSpace(options.ClientCertificateFile) ? null
            : MutualTls.Load(options.ClientCertificateFile, options.ClientKeyFile ?? throw new InvalidOperationException("Coordinator:ClientKeyFile is not set"));
        return options.Replicas.Select(r => new ReplicaClient(r, certificate, sp.GetRequiredService<TimeProvider>())).ToList();
    }

    public static WebApplication MapSignerRounds(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<SignerOptions>>().Value.IsReplica)
            app.MapGrpcService<SignerService>();
        return app;
    }

    private sealed class StartupCheck(Action check) : IHostedService
    {
        public Task StartAsync(CancellationToken ct)
        {
            check();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    }
}
