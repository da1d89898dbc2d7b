using Npgsql;

namespace Nexus.Prover;

/// <summary>DDL of the prover's schema, run by whichever silo starts first; concurrent starts take turns.</summary>
public static class ProverSchema
{
    // Concurrent "create ... if not exists" can still collide in PostgreSQL's catalogs; a transaction-level
    // advisory lock makes silos starting together take turns.
    private const long DdlLock = 0x5E9_0005;

    public static async Task ExecuteSerializedAsync(NpgsqlDataSource db, string ddl)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await using (var lockCommand = new NpgsqlCommand($"select pg_advisory_xact_lock({DdlLock})", connection))
            await lockCommand.ExecuteNonQueryAsync();
        await using (var command = new NpgsqlCommand(ddl, connection))
            await command.ExecuteNonQueryAsync();
        await tx.CommitAsync();
    }
}
