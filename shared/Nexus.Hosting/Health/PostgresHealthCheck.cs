using Marten;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Nexus.Hosting.Health;

internal sealed class PostgresHealthCheck(IDocumentStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var session = store.QuerySession();
            await session.QueryAsync<int>("select 1", ct);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy($"PostgreSQL unreachable: {e.GetBaseException().Message}");
        }
    }
}
