using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Nexus.Ethereum;
using Nexus.Ethereum.Chain;

namespace Nexus.ChainListener.Health;

public sealed class EthereumHealthCheck(IOptions<EthereumOptions> options) : IHealthCheck
{
    private readonly JsonRpcChainReader _chain = new(options.Value.RpcUrl);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            var head = await _chain.GetHeadAsync(ct);
            return HealthCheckResult.Healthy($"head {head}");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy($"RPC {options.Value.RpcUrl} unreachable: {e.GetBaseException().Message}");
        }
    }
}
