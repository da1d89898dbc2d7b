using Marten;

namespace Nexus.AppStreams;

/// <summary>
/// The single point that serialises writers of one app's stream: a row lock on the stream, held until
/// the session commits. Under it a service reads its own head document, decides, appends its events
/// and stores its head in one transaction, so two instances (or a retry) can never both append the
/// same step, and the versions it computes for its events are the ones they get.
/// </summary>
public static class AppStreamLock
{
    /// <summary>Locks the app's stream for this session's transaction; returns its version, or null when there is no such stream.</summary>
    public static async Task<long?> LockAsync(IDocumentSession session, string appId, CancellationToken ct)
    {
        await session.Database.EnsureStorageExistsAsync(typeof(JasperFx.Events.IEvent), ct);
        await session.BeginTransactionAsync(ct);
        var versions = await session.AdvancedSql.QueryAsync<long>(
            $"select version from {session.DocumentStore.Options.Events.DatabaseSchemaName}.mt_streams where id = ? for update", ct, appId);
        return versions.Count == 0 ? null : versions[0];
    }
}
