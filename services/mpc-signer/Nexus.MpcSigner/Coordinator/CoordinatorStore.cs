using Google.Protobuf;
using Marten;
using Nexus.AppStreams;
using Nexus.AppStreams.Reading;
using Nexus.AppStreams.Registry;
using Nexus.Contracts.Executor;
using Nexus.Contracts.Signer;
using Nexus.MpcSigner.Replica;

namespace Nexus.MpcSigner.Coordinator;

/// <summary>
/// The coordinator's own head for one app (its document, written only under the app's stream lock,
/// in the transaction that appends the signature): the last signed height and header, and the stream
/// version of that block's <see cref="BlockExecuted"/>, after which the next executed blocks are read.
/// </summary>
public sealed record AppSigning(string Id, long Height, string HeaderHash, long ExecutedVersion, DateTimeOffset SignedAt)
{
    public static AppSigning Start(string appId) => new(appId, -1, "", 0, default);
}

/// <summary>The coordinator's index of signed blocks (its document): where each one's <see cref="BlockExecuted"/> is, so catch-up finds old blocks.</summary>
public sealed record SignedBlock(string Id, string AppId, long Height, long ExecutedVersion)
{
    public static string IdFor(string appId, long height) => $"{appId}/{height}";
}

/// <summary>
/// Everything the coordinator reads and writes: executed blocks and their proposals from the app
/// streams (through the stream reader), the modules replicas ask for, and its own records. The rest of
/// the coordinator sees only this interface, so it is tested without a database.
/// </summary>
public interface ICoordinatorStore
{
    /// <summary>Every app stream and its version (the sweep).</summary>
    Task<IReadOnlyDictionary<string, long>> StreamVersionsAsync(CancellationToken ct);

    Task<AppSigning> HeadAsync(string appId, CancellationToken ct);

    /// <summary>Executed blocks after the head, in height order, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<StreamEvent<BlockExecuted>>> UnsignedAsync(AppSigning head, int max, CancellationToken ct);

    /// <summary>Executed blocks from <paramref name="fromHeight"/> on, signed or not, at most <paramref name="max"/> (catch-up).</summary>
    Task<IReadOnlyList<StreamEvent<BlockExecuted>>> ExecutedFromAsync(string appId, long fromHeight, int max, CancellationToken ct);

    /// <summary>What replicas receive for an executed block: its seal and inputs as recorded, the code in force and the registration.</summary>
    Task<BlockProposal> ProposalAsync(StreamEvent<BlockExecuted> executed, CancellationToken ct);

    /// <summary>A module by its hash (for a replica that answered NEED_CODE).</summary>
    Task<byte[]?> CodeAsync(string codeHash, CancellationToken ct);

    /// <summary>Appends the signature under the stream's lock, once per height; false when the height was already recorded.</summary>
    Task<bool> RecordAsync(BlockSigned signed, long executedVersion, CancellationToken ct);
}

/// <summary>The coordinator's store on the app streams and its own documents.</summary>
public sealed class CoordinatorStore(IDocumentStore store) : ICoordinatorStore
{
    /// <summary>The coordinator's own documents (named for it in the database): heads and the index of signed blocks.</summary>
    public static StoreOptions Documents(StoreOptions options)
    {
        options.Schema.For<AppSigning>().DocumentAlias("coordinator_head");
        options.Schema.For<SignedBlock>().DocumentAlias("coordinator_block");
        return options;
    }

    public async Task<IReadOnlyDictionary<string, long>> StreamVersionsAsync(CancellationToken ct)
    {
        await using var query = store.QuerySession();
        return await AppStreamReader.StreamVersionsAsync(query, ct);
    }

    public async Task<AppSigning> HeadAsync(string appId, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        return await HeadAsync(query, appId, ct);
    }

    /// <summary>The coordinator's head for an app; a fresh one only when the stream holds no signature (see <see cref="ServiceHead"/>).</summary>
    private static async Task<AppSigning> HeadAsync(IQuerySession session, string appId, CancellationToken ct)
    {
        if (await session.LoadAsync<AppSigning>(appId, ct) is { } head)
            return head;
        await ServiceHead.RefuseWhenRecordedAsync<BlockSigned>(session, appId, "coordinator", ct);
        return AppSigning.Start(appId);
    }

    public async Task<IReadOnlyList<StreamEvent<BlockExecuted>>> UnsignedAsync(AppSigning head, int max, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        var executed = await AppStreamReader.ReadEventsAsync<BlockExecuted>(query, head.Id, head.ExecutedVersion, max, ct);
        return InOrderFrom(executed, head.Height + 1);
    }

    public async Task<IReadOnlyList<StreamEvent<BlockExecuted>>> ExecutedFromAsync(string appId, long fromHeight, int max, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        var head = await HeadAsync(query, appId, ct);
        // A signed block's index names its version; beyond the signed head, read on from the head.
        var (after, skip) = fromHeight <= head.Height && await query.LoadAsync<SignedBlock>(SignedBlock.IdFor(appId, fromHeight), ct) is { } known
            ? (known.ExecutedVersion - 1, 0L)
            : (head.ExecutedVersion, Math.Max(0, fromHeight - head.Height - 1));
        var executed = await AppStreamReader.ReadEventsAsync<BlockExecuted>(query, appId, after, (int)Math.Min(int.MaxValue, max + skip), ct);
        return InOrderFrom(executed, fromHeight).Take(max).ToList();
    }

    /// <summary>The run of consecutive heights from <paramref name="height"/> (the executor writes one BlockExecuted per height, in order).</summary>
    private static List<StreamEvent<BlockExecuted>> InOrderFrom(IReadOnlyList<StreamEvent<BlockExecuted>> executed, long height)
    {
        var run = new List<StreamEvent<BlockExecuted>>();
        foreach (var e in executed.SkipWhile(e => e.Data.Height < height))
        {
            if (e.Data.Height != height + run.Count)
                break;
            run.Add(e);
        }
        return run;
    }

    public async Task<BlockProposal> ProposalAsync(StreamEvent<BlockExecuted> executed, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        var appId = executed.Data.AppId;
        var block = await AppStreamReader.ReadBlockAsync(query, appId, executed.Data.SealedVersion, ct);
        // The registration as the stream records it (its first event), which replicas pin with the app's first block.
        var registration = await AppStreamReader.RegisteredAsync(query, appId, ct)
            ?? throw new InvalidStreamException($"app '{appId}' has blocks but its stream does not start with its registration");
        return new BlockProposal
        {
            AppId = appId,
            Height = executed.Data.Height,
            HeaderHash = executed.Data.HeaderHash,
            SealJson = ProposalJson.Encode(block.Seal),
            InputsJson = ProposalJson.Encode(block.Inputs),
            DeploymentJson = block.Code is null ? ByteString.Empty : ProposalJson.Encode(block.Code),
            RegistrationJson = ProposalJson.Encode(registration),
        };
    }

    public async Task<byte[]?> CodeAsync(string codeHash, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        return await AppCodeRegistry.LoadAsync(query, codeHash, ct);
    }

    public async Task<bool> RecordAsync(BlockSigned signed, long executedVersion, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        await AppStreamLock.LockAsync(session, signed.AppId, ct);
        // Under the stream's lock: the head is at the previous height, and the index (a second witness)
        // holds nothing at this one.
        var head = await HeadAsync(session, signed.AppId, ct);
        if (head.Height != signed.Height - 1 || await session.LoadAsync<SignedBlock>(SignedBlock.IdFor(signed.AppId, signed.Height), ct) is not null)
            return false;
        session.Events.Append(signed.AppId, signed);
        session.Store(new AppSigning(signed.AppId, signed.Height, signed.HeaderHash, executedVersion, signed.SignedAt));
        session.Store(new SignedBlock(SignedBlock.IdFor(signed.AppId, signed.Height), signed.AppId, signed.Height, executedVersion));
        await session.SaveChangesAsync(ct);
        return true;
    }
}
