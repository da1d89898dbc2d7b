using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Hosting.Health;

namespace Nexus.Hosting;

/// <summary>Marten on PostgreSQL, in the configured schema; the service adds the app streams and its own documents.</summary>
public static class Persistence
{
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddNexusMarten(
        this WebApplicationBuilder builder, Action<StoreOptions>? configure = null)
    {
        builder.Services.AddNexusOptions<PostgresOptions>(PostgresOptions.Section);
        var options = builder.Configuration.GetSection(PostgresOptions.Section).Get<PostgresOptions>() ?? new PostgresOptions();
        builder.Services.AddHealthChecks().AddCheck<PostgresHealthCheck>("postgres", tags: [NexusDefaults.ReadyTag]);
        return builder.Services
            .AddMarten(store =>
            {
                store.Connection(options.ConnectionString);
                store.DatabaseSchemaName = options.Schema;
                store.AutoCreateSchemaObjects = JasperFx.AutoCreate.CreateOrUpdate;
                configure?.Invoke(store);
            })
            .UseLightweightSessions();
    }

    /// <summary>
    /// Settings for a service whose Marten async daemon publishes from the streams: poll for new events
    /// often, also when idle (or a quiet app's event waits up to the default 1 s before it leaves), and
    /// elect one publisher among the service's instances (hot/cold) with a PostgreSQL advisory lock.
    /// The lock is database-wide, so its id is per service (<paramref name="serviceLockBase"/>) and per
    /// store schema.
    /// </summary>
    public static void PublishFromStreams(StoreOptions store, int serviceLockBase)
    {
        store.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(100);
        store.Projections.FastPollingTime = TimeSpan.FromMilliseconds(50);
        store.Projections.DaemonLockId = serviceLockBase + BitConverter.ToUInt16(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(store.DatabaseSchemaName)));
    }
}
