using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Nexus.AppStreams;
using Nexus.Hosting.Health;

namespace Nexus.Hosting;

/// <summary>Marten on PostgreSQL: the shared app event store plus whatever documents the service adds.</summary>
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
                AppStreamStore.Configure(store, options.ConnectionString, options.Schema);
                configure?.Invoke(store);
            })
            .UseLightweightSessions();
    }
}
