using Microsoft.Extensions.Diagnostics.HealthChecks;
using Nexus.Ethereum.Chain;

namespace Nexus.MpcSigner.Replica;

/// <summary>Ready when the replica's own Ethereum node and its own store answer, and it holds a key share.</summary>
public sealed class ReplicaHealthCheck(IChainReader chain, ReplicaStore store, ReplicaKey key) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await chain.GetHeadAsync(ct);
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy($"own Ethereum node: {e.Message}");
        }
        try
        {
            await store.HeadsAsync(ct);
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy($"own store: {e.Message}");
        }
        return key.Current is null ? HealthCheckResult.Degraded("no key share yet (run `nexus signers dkg`)") : HealthCheckResult.Healthy();
    }
}
