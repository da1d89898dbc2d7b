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
    private long _lockTerm = -1;

    public async Task<bool> EnsureLeaderAsync(long chainId, CancellationToken ct)
    {
        if (_lock is null || _chainId != chainId)
        {
            if (_lock is not null)
                await _lock.DisposeAsync();
            _lock = new Nexus.Hosting.Leadership(postgres.Value.ConnectionString, $"the listeners of chain {chainId} (schema {postgres.Value.Schema})", logger);
            _chainId = chainId;
            _lockTerm = -1;
        }
        var leader = await _lock.EnsureLeaderAsync(ct);
        if (leader && _lock.Term != _lockTerm)
        {
            _lockTerm = _lock.Term;
            Term++;
        }
        metrics.Leader(leader);
        return leader;
    }

    /// <summary>Changes whenever leadership was (re)taken: what was cached under the previous term may be stale.</summary>
    public long Term { get; private set; }

    public ValueTask DisposeAsync() => _lock?.DisposeAsync() ?? ValueTask.CompletedTask;
}
