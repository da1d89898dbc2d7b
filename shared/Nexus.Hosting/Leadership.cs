using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Nexus.Hosting;

/// <summary>Whether this instance is the one that works (the others stand by).</summary>
public interface ILeadership
{
    bool IsLeader { get; }

    /// <summary>True while this instance leads; tries to take the lead when it does not.</summary>
    Task<bool> EnsureLeaderAsync(CancellationToken ct);
}

/// <summary>
/// One active instance, the others on standby: a PostgreSQL session-level advisory lock (keyed by
/// <paramref name="name"/>) held on a dedicated connection. If the leader dies its session ends, the
/// lock is released and a standby takes over. Exclusivity is for efficiency: the work the services
/// guard this way is safe to repeat, only wasteful.
/// </summary>
public sealed class Leadership(string connectionString, string name, ILogger logger) : ILeadership, IAsyncDisposable
{
    private NpgsqlConnection? _connection;
    private bool _leader;

    public bool IsLeader => _leader;

    /// <summary>
    /// Counts the times this instance took the lead: unchanged between two calls that returned true means
    /// it led without a break (the lock's session stayed open), so what it kept in memory is still its own.
    /// </summary>
    public long Term { get; private set; }

    /// <summary>True while this instance holds the lock; tries to take it when it does not.</summary>
    public async Task<bool> EnsureLeaderAsync(CancellationToken ct)
    {
        if (_leader && _connection is { State: System.Data.ConnectionState.Open } && await StillAliveAsync(ct))
            return true;
        await DropAsync();
        // Not from the pool: a pooled connection outlives Dispose, and the lock with it.
        _connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await _connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("select pg_try_advisory_lock(@key)", _connection);
        command.Parameters.AddWithValue("key", BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(name))));
        _leader = (bool)(await command.ExecuteScalarAsync(ct))!;
        if (_leader)
        {
            Term++;
            logger.LogInformation("Leading {Name}", name);
        }
        else
            await DropAsync();
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
            logger.LogWarning("Lost the leadership connection ({Name}); trying to lead again", name);
            return false;
        }
    }

    private async Task DropAsync()
    {
        _leader = false;
        if (_connection is not null)
            await _connection.DisposeAsync();
        _connection = null;
    }

    public ValueTask DisposeAsync() => new(DropAsync());
}
