using Microsoft.Extensions.Options;
using Nexus.Hosting;

namespace Nexus.ChainListener.Scanning;

/// <summary>
/// One active listener per chain and store, the others on standby (<see cref="Nexus.Hosting.Leadership"/>);
/// a standby takes over from the shared cursors. Two listeners publishing at once would only produce
/// duplicates that the sequencer drops.
/// </summary>
public sealed class ListenerLeadership(IOptions<PostgresOptions> postgres, ListenerMetrics metrics, ILogger<ListenerLeadership> logger) : IAsyncDisposable
{
    private Nexus.Hosting.Leadership? _lock;
    private long _chainId = -1;

    public async Task<bool> EnsureLeaderAsync(long chainId, CancellationToken ct)
    {
        if (_lock is null || _chainId != chainId)
        {
            if (_lock is not null)
                await _lock.DisposeAsync();
            _lock = new Nexus.Hosting.Leadership(postgres.Value.ConnectionString, $"the listeners of chain {chainId} (schema {postgres.Value.Schema})", logger);
            _chainId = chainId;
        }
        var leader = await _lock.EnsureLeaderAsync(ct);
        metrics.Leader(leader);
        return leader;
    }

    public ValueTask DisposeAsync() => _lock?.DisposeAsync() ?? ValueTask.CompletedTask;
}
