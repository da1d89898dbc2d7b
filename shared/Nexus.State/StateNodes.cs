using Npgsql;
using NpgsqlTypes;

namespace Nexus.State;

/// <summary>
/// State trees in PostgreSQL, in the schema of the service that owns them (the executor's, each
/// signer replica's own): content-addressed nodes (id = hash), written once, never
/// updated. A block's root (in its <c>BlockExecuted</c>) is a snapshot: the tree at any executed height
/// is reachable from its root, so a restart reloads state without re-executing, and proofs can be
/// served at old heights. Nodes are written before the block's event commits; a crash in between
/// leaves only unreferenced nodes, which the next attempt rewrites harmlessly.
/// </summary>
public sealed class StateNodes(NpgsqlDataSource dataSource, string schema)
{
    public const string Table = "state_nodes";

    private volatile bool _ready;

    /// <summary>Creates the table on first use (Marten creates its own tables lazily too; this one is plain SQL).</summary>
    private async Task EnsureTableAsync(CancellationToken ct)
    {
        if (_ready)
            return;
        await using var cmd = dataSource.CreateCommand(
            $"create schema if not exists {schema}; create table if not exists {schema}.{Table} (app_id text not null, hash bytea not null, body bytea not null, primary key (app_id, hash))");
        await cmd.ExecuteNonQueryAsync(ct);
        _ready = true;
    }

    public async Task WriteAsync(string appId, IReadOnlyList<StateNode> nodes, CancellationToken ct)
    {
        if (nodes.Count == 0)
            return;
        await EnsureTableAsync(ct);
        await using var cmd = dataSource.CreateCommand(
            $"insert into {schema}.{Table} (app_id, hash, body) select $1, h, b from unnest($2::bytea[], $3::bytea[]) as t(h, b) on conflict do nothing");
        cmd.Parameters.Add(new NpgsqlParameter { Value = appId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = nodes.Select(n => n.Hash).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        cmd.Parameters.Add(new NpgsqlParameter { Value = nodes.Select(n => n.Body).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<StateNode>> ReadAsync(string appId, IReadOnlyList<byte[]> hashes, CancellationToken ct)
    {
        await EnsureTableAsync(ct);
        await using var cmd = dataSource.CreateCommand($"select hash, body from {schema}.{Table} where app_id = $1 and hash = any($2)");
        cmd.Parameters.Add(new NpgsqlParameter { Value = appId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = hashes.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        var nodes = new List<StateNode>(hashes.Count);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            nodes.Add(new StateNode((byte[])reader[0], (byte[])reader[1]));
        return nodes;
    }

    /// <summary>One node's body, or null (proofs walk one path: about log2(n) of these).</summary>
    public async Task<byte[]?> ReadBodyAsync(string appId, byte[] hash, CancellationToken ct)
    {
        await EnsureTableAsync(ct);
        await using var cmd = dataSource.CreateCommand($"select body from {schema}.{Table} where app_id = $1 and hash = $2");
        cmd.Parameters.Add(new NpgsqlParameter { Value = appId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = hash });
        return await cmd.ExecuteScalarAsync(ct) as byte[];
    }

    /// <summary>A state value's proof at <paramref name="root"/>, read from the node store.</summary>
    public Task<StateProof> ProveAsync(string appId, byte[] root, byte[] key, CancellationToken ct) =>
        StateTree.ProveFromStoreAsync(root, key, (hash, token) => ReadBodyAsync(appId, hash, token), ct);

    /// <summary>The whole tree at <paramref name="root"/>, one query per tree level.</summary>
    public Task<StateTree> LoadAsync(string appId, byte[] root, CancellationToken ct) =>
        StateTree.LoadAsync(root, async (hashes, token) => (IEnumerable<StateNode>)await ReadAsync(appId, hashes, token), ct);
}
