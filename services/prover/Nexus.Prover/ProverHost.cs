using System.Net;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Nexus.Hosting;
using Nexus.Hosting.Grpc;
using Nexus.Prover.Cluster;
using Nexus.Prover.Jobs;
using Nexus.Prover.Pool;
using Npgsql;
using Orleans.Configuration;
using Orleans.Connections.Security;
using Orleans.Dashboard;

namespace Nexus.Prover;

/// <summary>The prover's registrations: an Orleans silo of the proving pool, its job store, the bus consumer.</summary>
public static class ProverHost
{
    public const int DefaultPort = 5106;

    public static WebApplicationBuilder AddProver(this WebApplicationBuilder builder)
    {
        builder.AddNexusDefaults("prover", DefaultPort);
        builder.Services.AddNexusOptions<ProverOptions>(ProverOptions.Section)
            .Validate(o => Directory.Exists(o.KeysDirectory), "Prover:KeysDirectory must be an existing folder of proving keys")
            .Validate(o => string.IsNullOrEmpty(o.SiloAddress) || IPAddress.TryParse(o.SiloAddress, out _), "Prover:SiloAddress must be an IP address (or empty)")
            .Validate(o => string.IsNullOrEmpty(o.TlsCertificateFile) == string.IsNullOrEmpty(o.TlsKeyFile), "Prover:TlsCertificateFile and Prover:TlsKeyFile go together")
            .Validate(o => string.IsNullOrEmpty(o.TlsCertificateFile) || o.PeerCertificatePins.Length > 0, "Prover:PeerCertificatePins must name the silos' certificates when TLS is on");
        builder.Services.AddNexusOptions<PostgresOptions>(PostgresOptions.Section);
        var options = builder.Configuration.GetSection(ProverOptions.Section).Get<ProverOptions>() ?? new ProverOptions();
        var postgres = builder.Configuration.GetSection(PostgresOptions.Section).Get<PostgresOptions>() ?? new PostgresOptions();

        var db = NpgsqlDataSource.Create(postgres.ConnectionString);
        builder.Services.AddProvingPool(db, options.Schema);
        builder.Services.AddHealthChecks().AddCheck<PoolHealthCheck>("pool", tags: [NexusDefaults.ReadyTag]);

        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o => { o.ClusterId = options.ClusterId; o.ServiceId = "nexus-prover"; });
            var address = IPAddress.TryParse(options.SiloAddress, out var a) ? a : null;
            if (options.Clustering == "Postgres")
            {
                silo.Configure<EndpointOptions>(o =>
                {
                    if (address is not null)
                        o.AdvertisedIPAddress = address; // unset: Orleans picks this host's address
                    o.SiloPort = options.SiloPort;
                    o.SiloListeningEndpoint = new IPEndPoint(address ?? IPAddress.Any, options.SiloPort);
                    o.GatewayPort = 0; // no external clients: requests arrive over the bus
                });
                silo.Services.AddSingleton<IMembershipTable>(sp => new PostgresMembershipTable(
                    db, options.Schema, options.ClusterId, sp.GetRequiredService<ILogger<PostgresMembershipTable>>()));
            }
            else
            {
                silo.UseLocalhostClustering(options.SiloPort, 0, new IPEndPoint(IPAddress.Loopback, options.PrimarySiloPort),
                    serviceId: "nexus-prover", clusterId: options.ClusterId);
            }
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(options.ProbeTimeoutSeconds);
                o.TableRefreshTimeout = TimeSpan.FromSeconds(5);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);
                o.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(30);
            });
            // Witnesses and coset results travel between silos: 32 bytes per signal (2 MB at 2^16).
            silo.Configure<SiloMessagingOptions>(o => o.MaxMessageBodySize = 512 * 1024 * 1024);
            if (!string.IsNullOrEmpty(options.TlsCertificateFile) && !string.IsNullOrEmpty(options.TlsKeyFile))
            {
                var certificate = MutualTls.Load(options.TlsCertificateFile, options.TlsKeyFile);
                var pins = options.PeerCertificatePins.Select(p => p.ToLowerInvariant()).ToHashSet();
                silo.UseTls(certificate, tls =>
                {
                    tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
                    tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
                    // Pinned, not chained: silos are peers of one operator, their certificates self-signed.
                    tls.RemoteCertificateValidation = (peer, _, _) => pins.Contains(MutualTls.Pin(peer));
                });
            }
            if (options.Dashboard)
                silo.AddDashboard();
        });

        builder.AddNexusBus(bus => bus.AddConsumer<ProofRequestedConsumer>());
        return builder;
    }

    /// <summary>What the pool's grains and the sweeper need beside the silo (also used by Orleans test clusters).</summary>
    public static IServiceCollection AddProvingPool(this IServiceCollection services, NpgsqlDataSource db, string schema)
    {
        services.AddSingleton(db);
        services.AddSingleton(new ProofJobStore(db, schema));
        services.AddSingleton<ProvingKeys>();
        services.AddSingleton<ProverMetrics>();
        services.AddHostedService<JobStoreSetup>();
        services.AddHostedService<JobSweeper>();
        return services;
    }

    public static WebApplication MapProver(this WebApplication app)
    {
        app.MapGet("/jobs/{id}", async (string id, ProofJobStore store) =>
            await store.GetAsync(id) is { } job
                ? Results.Json(new { job.JobId, job.Circuit, Status = job.Status.ToString(), job.Tasks, job.TasksDone, job.Error, job.CreatedAt })
                : Results.NotFound());
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ProverOptions>>().Value.Dashboard)
            app.MapOrleansDashboard(routePrefix: "/dashboard");
        return app;
    }

    /// <summary>Creates the job tables before the consumer and the sweepers use them.</summary>
    private sealed class JobStoreSetup(ProofJobStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken ct) => store.InitializeAsync();
        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    }

    /// <summary>Ready when the job store answers and this silo sees at least one active silo (itself).</summary>
    private sealed class PoolHealthCheck(NpgsqlDataSource db, IGrainFactory grains) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            try
            {
                await using var command = db.CreateCommand("select 1");
                await command.ExecuteScalarAsync(ct);
                var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
                return HealthCheckResult.Healthy($"{hosts.Count} active silo(s)");
            }
            catch (Exception e)
            {
                return HealthCheckResult.Unhealthy($"pool not ready: {e.GetBaseException().Message}");
            }
        }
    }
}
