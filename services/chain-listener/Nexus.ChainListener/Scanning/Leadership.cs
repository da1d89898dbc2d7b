using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Nexus.Hosting;
using Npgsql;

namespace Nexus.ChainListener.Scanning;

/// <summary>
/// One active listener per chain and store, the others on standby: a PostgreSQL session-level
/// advisory lock held on a dedicated connection. If the leader dies its session ends, the lock is
/// released and a standby takes over from the shared cursors. Exclusivity is for efficiency only:
/// two listeners publishing at once produce duplicates that the sequencer drops.
/// </summary>
public sealed class Leadership(IOptions<PostgresOptions> postgres, ListenerMetrics metrics, ILogger<Leadership> logger) : IAsyncDisposable
{
    private NpgsqlConnection? _connection;
    private bool _leader;

    public async Task<bool> EnsureLeaderAsync(long chainId, CancellationToken ct)
    {
        if (_leader && _connection is { State: System.Data.ConnectionState.Open } && await StillAliveAsync(ct))
            return true;
        await DropAsync();
        _connection = new NpgsqlConnection(postgres.Value.ConnectionString);
        await _connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("select pg_try_advisory_lock(@key)", _connection);
        command.Parameters.AddWithValue("key", LockKey(postgres.Value.Schema, chainId));
        _leader = (bool)(await command.ExecuteScalarAsync(ct))!;
        metrics.Leader(_leader);
        if (_leader) logger.LogInformation("Leading the listeners of chain {ChainId} (schema {Schema})", chainId, postgres.Value.Schema);
        else await DropAsync();
        return _leader;
    }

    private async Task<bool> StillAliveAsync(CancellationToken ct)
    {
        try
        {
            await using var ping = new NpgsqlCommand("select 1", _connection);
            await ping.ExecuteScalarAsync(ct);
            return true;
        }
        catch (NpgsqlException)
        {
            logger.LogWarning("Lost the leadership connection; trying to lead again");
            return false;
        }
    }

    private async Task DropAsync()
    {
        _leader = false;
        if (_connection is not null) await _connection.DisposeAsync();
        _connection = null;
    }

    private static long LockKey(string schema, long chainId) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes($"nexus-chain-listener|{schema}|{chainId}")));

    public ValueTask DisposeAsync() => new(DropAsync());
}
