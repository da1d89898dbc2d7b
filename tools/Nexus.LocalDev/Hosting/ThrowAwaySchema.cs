using Npgsql;

namespace Nexus.LocalDev.Hosting;

/// <summary>Removes a run's own PostgreSQL schema (tests and benchmarks each work in one).</summary>
public static class ThrowAwaySchema
{
    public static async Task DropAsync(string connectionString, string schema, CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var drop = new NpgsqlCommand($"drop schema if exists \"{schema}\" cascade", connection);
        await drop.ExecuteNonQueryAsync(ct);
    }
}
