using Npgsql;

namespace Nexus.MpcSigner.Replica;

/// <summary>
/// Where one app stands at this replica: the last header it verified, the state root after it, and
/// what the next block must continue — its first sequence number, an input position after the last
/// one, and the code in force (which may change only at a deployment's own height).
/// </summary>
public sealed record VerifiedHead(string AppId, long Height, string HeaderHash, byte[] StateRoot,
    long NextSeq, long LastL1Block, int LastLogIndex, CodeInForce? Code, string Registration)
{
    /// <summary>Where the last input verified so far sits ((−1, −1) before any).</summary>
    public Nexus.Contracts.LogPosition LastInput => new(LastL1Block, LastLogIndex);
}

/// <summary>The deployment a block ran with, as the replica accepted it.</summary>
public sealed record CodeInForce(string CodeHash, long FromHeight, long FuelLimit, long MemoryLimitBytes)
{
    public static CodeInForce? Of(Nexus.Contracts.Registry.AppCodeDeployed? d) =>
        d is null ? null : new(d.CodeHash.ToLowerInvariant(), d.FromHeight, d.FuelLimit, d.MemoryLimitBytes);
}

/// <summary>
/// The replica's own records, in its own schema (plain SQL; no other service writes here):
/// the head it verified per app, the one header it accepts per (app, height), the nonces it issued
/// and used, and the modules it was sent. The state tree's nodes sit beside them (StateNodes).
/// </summary>
public sealed class ReplicaStore(NpgsqlDataSource dataSource, string schema)
{
    private readonly SemaphoreSlim _creating = new(1, 1);
    private volatile bool _ready;

    public string Schema => schema;

    /// <summary>
    /// Creates the tables on first use (serialised: concurrent DDL on one catalog can fail), and drops
    /// the commitments issued before this process started: their secret nonces died with it.
    /// </summary>
    public async Task EnsureCreatedAsync(CancellationToken ct)
    {
        if (_ready)
            return;
        await _creating.WaitAsync(ct);
        try
        {
            if (!_ready)
                await CreateAsync(ct);
            _ready = true;
        }
        finally
        {
            _creating.Release();
        }
    }

    private async Task CreateAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand($"""
            create schema if not exists {schema};
            create table if not exists {schema}.signer_heads (app_id text primary key, height bigint not null, header_hash text not null, state_root bytea not null,
                next_seq bigint not null, last_l1_block bigint not null, last_log_index int not null,
                code_hash text, code_from bigint, fuel_limit bigint, memory_limit bigint, registration text not null, updated_at timestamptz not null default now());
            create table if not exists {schema}.signer_headers (app_id text not null, height bigint not null, header_hash text not null, verified_at timestamptz not null default now(), signed_at timestamptz, primary key (app_id, height));
            create table if not exists {schema}.signer_nonces (id uuid primary key, issued_at timestamptz not null default now(), used_at timestamptz, app_id text, height bigint, header_hash text);
            create table if not exists {schema}.signer_code (code_hash text primary key, wasm bytea not null);
            delete from {schema}.signer_nonces where used_at is null;
            """);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private const string HeadColumns = "height, header_hash, state_root, next_seq, last_l1_block, last_log_index, code_hash, code_from, fuel_limit, memory_limit, registration";

    private static VerifiedHead ReadHead(string appId, NpgsqlDataReader r, int o) => new(appId, r.GetInt64(o), r.GetString(o + 1), (byte[])r[o + 2],
        r.GetInt64(o + 3), r.GetInt64(o + 4), r.GetInt32(o + 5),
        r.IsDBNull(o + 6) ? null : new CodeInForce(r.GetString(o + 6), r.GetInt64(o + 7), r.GetInt64(o + 8), r.GetInt64(o + 9)), r.GetString(o + 10));

    public async Task<VerifiedHead?> HeadAsync(string appId, CancellationToken ct)
    {
        await EnsureCreatedAsync(ct);
        await using var cmd = dataSource.CreateCommand($"select {HeadColumns} from {schema}.signer_heads where app_id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = appId });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadHead(appId, reader, 0) : null;
    }

    public async Task<IReadOnlyList<VerifiedHead>> HeadsAsync(CancellationToken ct)
    {
        await EnsureCreatedAsync(ct);
        await using var cmd = dataSource.CreateCommand($"select app_id, {HeadColumns} from {schema}.signer_heads order by app_id");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var heads = new List<VerifiedHead>();
        while (await reader.ReadAsync(ct))
            heads.Add(ReadHead(reader.GetString(0), reader, 1));
        return heads;
    }

    /// <summary>The header this replica verified at (app, height), if any.</summary>
    public async Task<string?> HeaderAtAsync(string appId, long height, CancellationToken ct)
    {
        await EnsureCreatedAsync(ct);
        await using var cmd = dataSource.CreateCommand($"select header_hash from {schema}.signer_headers where app_id = $1 and height = $2");
        cmd.Parameters.Add(new NpgsqlParameter { Value = appId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = height });
        return await cmd.ExecuteScalarAsync(ct) as string;
    }

    /// <summary>
    /// Records a verified block and moves the head, in one transaction. The header row is written once
    /// and never changed, so a second, different header for the same height can never be signed; the
    /// head moves only from the previous height (a concurrent verification loses).
    /// </summary>
    public async Task<bool> RecordVerifiedAsync(VerifiedHead next, CancellationToken ct)
    {
        await EnsureCreatedAsync(ct);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var insert = new NpgsqlCommand($"insert into {schema}.signer_headers (app_id, height, header_hash) values ($1, $2, $3) on conflict do nothing", connection, tx))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = next.AppId });
            insert.Parameters.Add(new NpgsqlParameter { Value = next.Height });
            insert.Parameters.Add(new NpgsqlParameter { Value = next.HeaderHash });
            if (await insert.ExecuteNonQueryAsync(ct) != 1)
                return false;
        }
        await using (var head = new NpgsqlCommand(next.Height == 0
            ? $"insert into {schema}.signer_heads (app_id, {HeadColumns}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) on conflict do nothing"
            : $"update {schema}.signer_heads set height = $2, header_hash = $3, state_root = $4, next_seq = $5, last_l1_block = $6, last_log_index = $7, code_hash = $8, code_from = $9, fuel_limit = $10, memory_limit = $11, updated_at = now() where app_id = $1 and height = $2 - 1", connection, tx))
        {
            foreach (var value in new object?[] { next.AppId, next.Height, next.HeaderHash, next.StateRoot, next.NextSeq, next.LastL1Block, next.LastLogIndex,
                         next.Code?.CodeHash, next.Code?.FromHeight, next.Code?.FuelLimit, next.Code?.MemoryLimitBytes, next.Registration }.Take(next.Height == 0 ? 12 : 11))
                head.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
            if (await head.ExecuteNonQueryAsync(ct) != 1)
                return false;
        }
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task IssueNoncesAsync(IReadOnlyList<Guid> ids, CancellationToken ct)
    {
        await EnsureCreatedAsync(ct);
        await using var cmd = dataSource.CreateCommand($"insert into {schema}.signer_nonces (id) select unnest($1::uuid[])");
        cmd.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray() });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Marks a nonce used, for this header, before its share is computed; false when it was used (or never issued).</summary>
    public async Task<bool> UseNonceAsync(Guid id, string appId, long height, string headerHash, CancellationToken ct)
    {
        await EnsureCreatedAsync(ct);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using var use = new NpgsqlCommand($"update {schema}.signer_nonces set used_at = now(), app_id = $2, height = $3, header_hash = $4 where id = $1 and used_at is null", connection, tx);
        use.Parameters.Add(new NpgsqlParameter { Value = id });
        use.Parameters.Add(new NpgsqlParameter { Value = appId });
        use.Parameters.Add(new NpgsqlParameter { Value = height });
        use.Parameters.Add(new NpgsqlParameter { Value = headerHash });
        if (await use.ExecuteNonQueryAsync(ct) != 1)
            return false;
        await using var signed = new NpgsqlCommand($"update {schema}.signer_headers set signed_at = coalesce(signed_at, now()) where app_id = $1 and height = $2", connection, tx);
        signed.Parameters.Add(new NpgsqlParameter { Value = appId });
        signed.Parameters.Add(new NpgsqlParameter { Value = height });
        await signed.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task<byte[]?> CodeAsync(string codeHash, CancellationToken ct)
    {
        await EnsureCreatedAsync(ct);
        await using var cmd = dataSource.CreateCommand($"select wasm from {schema}.signer_code where code_hash = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = codeHash.ToLowerInvariant() });
        return await cmd.ExecuteScalarAsync(ct) as byte[];
    }

    public async Task StoreCodeAsync(string codeHash, byte[] wasm, CancellationToken ct)
    {
        await EnsureCreatedAsync(ct);
        await using var cmd = dataSource.CreateCommand($"insert into {schema}.signer_code (code_hash, wasm) values ($1, $2) on conflict do nothing");
        cmd.Parameters.Add(new NpgsqlParameter { Value = codeHash.ToLowerInvariant() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = wasm });
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
