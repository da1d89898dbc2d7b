using System.Text.Json;
using Npgsql;
using Orleans.Runtime;

namespace Nexus.Prover.Cluster;

/// <summary>
/// Orleans cluster membership in PostgreSQL, for a pool spread over machines. Orleans's own ADO.NET
/// provider needs SQL scripts that ship only in the Orleans source repository (not in its NuGet
/// packages), so this implements the provider contract (<see cref="IMembershipTable"/>) on two tables
/// of the prover's schema, created on first use: one row per silo (its entry as JSON, with an etag) and
/// one version row per cluster. Every change is a compare-and-swap on the version's etag (and on the
/// row's etag for updates) in one transaction, the optimistic concurrency Orleans's membership protocol
/// relies on.
/// </summary>
public sealed class PostgresMembershipTable(NpgsqlDataSource db, string schema, string clusterId, ILogger<PostgresMembershipTable> logger) : IMembershipTable
{
    private string Members => $"{schema}.orleans_members";
    private string Versions => $"{schema}.orleans_member_versions";

    public async Task InitializeMembershipTable(bool tryInitTableVersion)
    {
        await ProverSchema.ExecuteSerializedAsync(db, $"""
            create schema if not exists {schema};
            create sequence if not exists {schema}.orleans_etags;
            create table if not exists {Versions} (cluster_id text primary key, version int not null, etag bigint not null);
            create table if not exists {Members} (
                cluster_id text not null, silo text not null, entry jsonb not null, etag bigint not null,
                primary key (cluster_id, silo));
            """);
        if (tryInitTableVersion)
        {
            await using var init = db.CreateCommand($"insert into {Versions} values (@c, 0, nextval('{schema}.orleans_etags')) on conflict do nothing");
            init.Parameters.AddWithValue("c", clusterId);
            await init.ExecuteNonQueryAsync();
        }
        logger.LogInformation("membership in PostgreSQL schema {Schema}, cluster {Cluster}", schema, clusterId);
    }

    public async Task DeleteMembershipTableEntries(string cluster)
    {
        await using var command = db.CreateCommand($"delete from {Members} where cluster_id = @c; delete from {Versions} where cluster_id = @c");
        command.Parameters.AddWithValue("c", cluster);
        await command.ExecuteNonQueryAsync();
    }

    public async Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate)
    {
        var all = await ReadAll();
        foreach (var (entry, _) in all.Members)
        {
            if (entry.Status == SiloStatus.Active || LastUpdate(entry) >= beforeDate.UtcDateTime)
                continue;
            await using var command = db.CreateCommand($"delete from {Members} where cluster_id = @c and silo = @s");
            command.Parameters.AddWithValue("c", clusterId);
            command.Parameters.AddWithValue("s", entry.SiloAddress.ToParsableString());
            await command.ExecuteNonQueryAsync();
        }
    }

    public Task<MembershipTableData> ReadRow(SiloAddress key) => ReadAsync(key);

    public Task<MembershipTableData> ReadAll() => ReadAsync(null);

    public async Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        if (!await SwapVersionAsync(connection, tableVersion))
            return false;
        await using var insert = new NpgsqlCommand(
            $"insert into {Members} values (@c, @s, @e::jsonb, nextval('{schema}.orleans_etags')) on conflict do nothing", connection);
        insert.Parameters.AddWithValue("c", clusterId);
        insert.Parameters.AddWithValue("s", entry.SiloAddress.ToParsableString());
        insert.Parameters.AddWithValue("e", EntryJson.Write(entry));
        if (await insert.ExecuteNonQueryAsync() != 1)
            return false; // the transaction rolls back with the version swap
        await tx.CommitAsync();
        return true;
    }

    public async Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        if (!await SwapVersionAsync(connection, tableVersion))
            return false;
        await using var update = new NpgsqlCommand(
            $"update {Members} set entry = @e::jsonb, etag = nextval('{schema}.orleans_etags') where cluster_id = @c and silo = @s and etag = @etag", connection);
        update.Parameters.AddWithValue("c", clusterId);
        update.Parameters.AddWithValue("s", entry.SiloAddress.ToParsableString());
        update.Parameters.AddWithValue("e", EntryJson.Write(entry));
        update.Parameters.AddWithValue("etag", long.Parse(etag, System.Globalization.CultureInfo.InvariantCulture));
        if (await update.ExecuteNonQueryAsync() != 1)
            return false;
        await tx.CommitAsync();
        return true;
    }

    public async Task UpdateIAmAlive(MembershipEntry entry)
    {
        await using var command = db.CreateCommand(
            $"update {Members} set entry = jsonb_set(entry, '{{IAmAlive}}', to_jsonb(@t::bigint)), etag = nextval('{schema}.orleans_etags') " +
            "where cluster_id = @c and silo = @s");
        command.Parameters.AddWithValue("c", clusterId);
        command.Parameters.AddWithValue("s", entry.SiloAddress.ToParsableString());
        command.Parameters.AddWithValue("t", entry.IAmAliveTime.ToUniversalTime().Ticks);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The version moves to <paramref name="next"/> only if its etag is still the one the caller read.</summary>
    private async Task<bool> SwapVersionAsync(NpgsqlConnection connection, TableVersion next)
    {
        await using var swap = new NpgsqlCommand(
            $"update {Versions} set version = @v, etag = nextval('{schema}.orleans_etags') where cluster_id = @c and etag = @etag", connection);
        swap.Parameters.AddWithValue("c", clusterId);
        swap.Parameters.AddWithValue("v", next.Version);
        swap.Parameters.AddWithValue("etag", long.Parse(next.VersionEtag, System.Globalization.CultureInfo.InvariantCulture));
        return await swap.ExecuteNonQueryAsync() == 1;
    }

    private async Task<MembershipTableData> ReadAsync(SiloAddress? only)
    {
        await using var connection = await db.OpenConnectionAsync();
        // One snapshot for the version and the rows.
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        await using var version = new NpgsqlCommand($"select version, etag from {Versions} where cluster_id = @c", connection);
        version.Parameters.AddWithValue("c", clusterId);
        TableVersion tableVersion;
        await using (var reader = await version.ExecuteReaderAsync())
        {
            if (!await reader.ReadAsync())
                throw new InvalidOperationException($"membership of cluster {clusterId} is not initialised");
            tableVersion = new TableVersion(reader.GetInt32(0), reader.GetInt64(1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        await using var rows = new NpgsqlCommand(
            $"select entry::text, etag from {Members} where cluster_id = @c" + (only is null ? "" : " and silo = @s"), connection);
        rows.Parameters.AddWithValue("c", clusterId);
        if (only is not null)
            rows.Parameters.AddWithValue("s", only.ToParsableString());
        var list = new List<Tuple<MembershipEntry, string>>();
        await using (var reader = await rows.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                list.Add(Tuple.Create(EntryJson.Read(reader.GetString(0)), reader.GetInt64(1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        await tx.CommitAsync();
        return new MembershipTableData(list, tableVersion);
    }

    private static DateTime LastUpdate(MembershipEntry e)
    {
        var last = e.IAmAliveTime > e.StartTime ? e.IAmAliveTime : e.StartTime;
        foreach (var (_, time) in e.SuspectTimes ?? [])
            if (time > last)
                last = time;
        return DateTime.SpecifyKind(last, DateTimeKind.Utc);
    }

    /// <summary>A membership entry as JSON; times as UTC ticks, silo addresses in Orleans's parsable form.</summary>
    private static class EntryJson
    {
        private sealed record Row(string Silo, int Status, List<Suspicion>? Suspects, int ProxyPort, string HostName, string SiloName,
            string? RoleName, int UpdateZone, int FaultZone, long Start, long IAmAlive);
        private sealed record Suspicion(string Silo, long At);

        public static string Write(MembershipEntry e) => JsonSerializer.Serialize(new Row(
            e.SiloAddress.ToParsableString(), (int)e.Status,
            e.SuspectTimes?.Select(s => new Suspicion(s.Item1.ToParsableString(), s.Item2.ToUniversalTime().Ticks)).ToList(),
            e.ProxyPort, e.HostName, e.SiloName, e.RoleName, e.UpdateZone, e.FaultZone,
            e.StartTime.ToUniversalTime().Ticks, e.IAmAliveTime.ToUniversalTime().Ticks));

        public static MembershipEntry Read(string json)
        {
            var r = JsonSerializer.Deserialize<Row>(json) ?? throw new InvalidDataException("empty membership entry");
            return new MembershipEntry
            {
                SiloAddress = SiloAddress.FromParsableString(r.Silo),
                Status = (SiloStatus)r.Status,
                SuspectTimes = r.Suspects?.Select(s => Tuple.Create(SiloAddress.FromParsableString(s.Silo), new DateTime(s.At, DateTimeKind.Utc))).ToList(),
                ProxyPort = r.ProxyPort,
                HostName = r.HostName,
                SiloName = r.SiloName,
                RoleName = r.RoleName,
                UpdateZone = r.UpdateZone,
                FaultZone = r.FaultZone,
                StartTime = new DateTime(r.Start, DateTimeKind.Utc),
                IAmAliveTime = new DateTime(r.IAmAlive, DateTimeKind.Utc),
            };
        }
    }
}
