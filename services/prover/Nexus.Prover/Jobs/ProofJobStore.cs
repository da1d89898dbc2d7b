using Npgsql;

namespace Nexus.Prover.Jobs;

public enum JobStatus { Running, Done, Failed }

/// <summary>A job as stored: what to prove, how far it got, and its outcome.</summary>
public sealed record StoredJob(string JobId, string Circuit, string KeyHash, byte[] Witness, JobStatus Status, string? Error,
    string? ProofJson, string[]? PublicSignals, DateTimeOffset CreatedAt, int Tasks, int TasksDone);

/// <summary>
/// Jobs and their finished parts in PostgreSQL, so a job outlives the silo running it: the witness and
/// key hash are stored on acceptance, each finished part (a polynomial on the coset, an MSM chunk's sum)
/// as it arrives, and the job's heartbeat while a silo works on it. A job whose heartbeat stops is
/// resumed by any silo's sweeper, from its stored parts.
/// </summary>
public sealed class ProofJobStore(NpgsqlDataSource db, string schema)
{
    private string Jobs => $"{schema}.proof_jobs";
    private string Parts => $"{schema}.proof_job_parts";

    public async Task InitializeAsync()
    {
        await ProverSchema.ExecuteSerializedAsync(db, $"""
            create schema if not exists {schema};
            create table if not exists {Jobs} (
                job_id text primary key, circuit text not null, key_hash text not null, witness bytea not null,
                status text not null, error text, coordinator text, claims int not null default 0, proof text, public_signals jsonb,
                tasks int not null default 0, tasks_done int not null default 0,
                created_at timestamptz not null default now(), heartbeat_at timestamptz not null default now(),
                finished_at timestamptz);
            create index if not exists proof_jobs_running on {Jobs} (heartbeat_at) where status = 'Running';
            create table if not exists {Parts} (
                job_id text not null references {Jobs} (job_id) on delete cascade, part text not null, data bytea not null,
                silo text not null, primary key (job_id, part));
            """);
    }

    /// <summary>Stores a new job; false when one with this id exists already (a redelivered request).</summary>
    public async Task<bool> AcceptAsync(string jobId, string circuit, string keyHash, byte[] witness)
    {
        await using var command = db.CreateCommand($"""
            insert into {Jobs} (job_id, circuit, key_hash, witness, status) values (@id, @c, @k, @w, 'Running') on conflict do nothing
            """);
        command.Parameters.AddWithValue("id", jobId);
        command.Parameters.AddWithValue("c", circuit);
        command.Parameters.AddWithValue("k", keyHash);
        command.Parameters.AddWithValue("w", witness);
        return await command.ExecuteNonQueryAsync() == 1;
    }

    /// <summary>Records a job refused before it could start (an unknown circuit, a malformed witness).</summary>
    public async Task RejectAsync(string jobId, string circuit, string error)
    {
        await using var command = db.CreateCommand($"""
            insert into {Jobs} (job_id, circuit, key_hash, witness, status, error, finished_at) values (@id, @c, '', '', 'Failed', @e, now())
            on conflict do nothing
            """);
        command.Parameters.AddWithValue("id", jobId);
        command.Parameters.AddWithValue("c", circuit);
        command.Parameters.AddWithValue("e", error);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<StoredJob?> GetAsync(string jobId)
    {
        await using var command = db.CreateCommand($"""
            select job_id, circuit, key_hash, witness, status, error, proof, public_signals::text, created_at, tasks, tasks_done
            from {Jobs} where job_id = @id
            """);
        command.Parameters.AddWithValue("id", jobId);
        await using var r = await command.ExecuteReaderAsync();
        if (!await r.ReadAsync())
            return null;
        return new StoredJob(r.GetString(0), r.GetString(1), r.GetString(2), (byte[])r[3], Enum.Parse<JobStatus>(r.GetString(4)),
            r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6),
            r.IsDBNull(7) ? null : System.Text.Json.JsonSerializer.Deserialize<string[]>(r.GetString(7)),
            r.GetFieldValue<DateTimeOffset>(8), r.GetInt32(9), r.GetInt32(10));
    }

    public async Task<Dictionary<string, byte[]>> PartsAsync(string jobId)
    {
        await using var command = db.CreateCommand($"select part, data from {Parts} where job_id = @id");
        command.Parameters.AddWithValue("id", jobId);
        var parts = new Dictionary<string, byte[]>();
        await using var r = await command.ExecuteReaderAsync();
        while (await r.ReadAsync())
            parts[r.GetString(0)] = (byte[])r[1];
        return parts;
    }

    /// <summary>
    /// Keeps a finished part (first writer wins) and beats the job's heartbeat, holding the job row's
    /// lock from the start: the count goes up by the rows inserted (recounting the parts lost updates
    /// when two silos saved at once), and a job finished meanwhile (<see cref="FinishAsync"/> takes the
    /// same lock) keeps no part.
    /// </summary>
    public async Task SavePartAsync(string jobId, string part, byte[] data, string silo)
    {
        await using var command = db.CreateCommand($"""
            with job as (select job_id from {Jobs} where job_id = @id and status = 'Running' for no key update),
                 kept as (insert into {Parts} select job_id, @p, @d, @s from job on conflict do nothing returning 1)
            update {Jobs} set tasks_done = tasks_done + (select count(*) from kept), heartbeat_at = now() where job_id = (select job_id from job)
            """);
        command.Parameters.AddWithValue("id", jobId);
        command.Parameters.AddWithValue("p", part);
        command.Parameters.AddWithValue("d", data);
        command.Parameters.AddWithValue("s", silo);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<string[]> SilosAsync(string jobId)
    {
        await using var command = db.CreateCommand($"select distinct silo from {Parts} where job_id = @id order by 1");
        command.Parameters.AddWithValue("id", jobId);
        var silos = new List<string>();
        await using var r = await command.ExecuteReaderAsync();
        while (await r.ReadAsync())
            silos.Add(r.GetString(0));
        return [.. silos];
    }

    /// <summary>Records which silo coordinates the job now (for operators, and the crash tests); how many starts it has had.</summary>
    public async Task<int> ClaimAsync(string jobId, string silo)
    {
        await using var command = db.CreateCommand($"update {Jobs} set coordinator = @s, heartbeat_at = now(), claims = claims + 1 where job_id = @id returning claims");
        command.Parameters.AddWithValue("id", jobId);
        command.Parameters.AddWithValue("s", silo);
        return (int)(await command.ExecuteScalarAsync() ?? 0);
    }

    public async Task HeartbeatAsync(string jobId, int tasks)
    {
        await using var command = db.CreateCommand($"update {Jobs} set heartbeat_at = now(), tasks = @t where job_id = @id and status = 'Running'");
        command.Parameters.AddWithValue("id", jobId);
        command.Parameters.AddWithValue("t", tasks);
        await command.ExecuteNonQueryAsync();
    }

    public async Task FinishAsync(string jobId, string? proofJson, string[]? publicSignals, string? error)
    {
        // One transaction (a batch is one): the parts are only needed to resume, the proof is kept.
        await using var command = db.CreateCommand($"""
            update {Jobs} set status = @s, proof = @p, public_signals = @ps::jsonb, error = @e, finished_at = now(), witness = ''
            where job_id = @id and status = 'Running';
            delete from {Parts} where job_id = @id
            """);
        command.Parameters.AddWithValue("id", jobId);
        command.Parameters.AddWithValue("s", error is null ? nameof(JobStatus.Done) : nameof(JobStatus.Failed));
        command.Parameters.AddWithValue("p", (object?)proofJson ?? DBNull.Value);
        command.Parameters.AddWithValue("ps", publicSignals is null ? DBNull.Value : System.Text.Json.JsonSerializer.Serialize(publicSignals));
        command.Parameters.AddWithValue("e", (object?)error ?? DBNull.Value);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Running jobs whose heartbeat is older than <paramref name="stale"/>: their silo died or stalled.</summary>
    public async Task<List<string>> StaleAsync(TimeSpan stale)
    {
        await using var command = db.CreateCommand($"select job_id from {Jobs} where status = 'Running' and heartbeat_at < now() - @age order by created_at limit 100");
        command.Parameters.AddWithValue("age", stale);
        var ids = new List<string>();
        await using var r = await command.ExecuteReaderAsync();
        while (await r.ReadAsync())
            ids.Add(r.GetString(0));
        return ids;
    }
}
