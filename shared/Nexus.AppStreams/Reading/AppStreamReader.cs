using Marten;
using Nexus.AppStreams.Registry;
using Nexus.Contracts.Executor;
using Nexus.Contracts.Registry;
using Nexus.Contracts.Sequencer;
using Nexus.Contracts.Signer;

namespace Nexus.AppStreams.Reading;

/// <summary>One app block as its stream records it: the seal, its inputs in sequence order, and the code in force at its height.</summary>
public sealed record AppBlock(BlockSealed Seal, IReadOnlyList<SequencedInput> Inputs, AppCodeDeployed? Code)
{
    public long Height => Seal.Height;
}

/// <summary>An event with its version in the app's stream.</summary>
public sealed record StreamEvent<T>(long Version, T Data);

/// <summary>What a forward read of an app's stream found.</summary>
/// <param name="Blocks">Complete sealed blocks, in height order.</param>
/// <param name="Executed">The <see cref="BlockExecuted"/> events met, in stream order (the auditor compares them).</param>
/// <param name="LastSealVersion">Version of the last complete block's seal (the start point when there is none).</param>
/// <param name="EndOfStream">The read reached the end of the stream.</param>
/// <param name="Deployments">The deployments known after this read (those given, and those met).</param>
public sealed record BlockRange(IReadOnlyList<AppBlock> Blocks, IReadOnlyList<StreamEvent<BlockExecuted>> Executed, long LastSealVersion, bool EndOfStream,
    IReadOnlyList<AppCodeDeployed> Deployments);

/// <summary>
/// Where an app stands in each stage, as its stream records them: inputs sequenced and inputs in sealed
/// blocks, and the last height sealed, executed and signed (-1: none yet).
/// </summary>
public sealed record AppProgress(string AppId, long Inputs, long SealedInputs, long SealedHeight, long ExecutedHeight, long SignedHeight);

/// <summary>The stream does not hold what its own records say (a tampered or corrupted event).</summary>
public sealed class InvalidStreamException(string message) : Exception(message);

/// <summary>
/// The one way to read app streams: "block h of app a, with its inputs, as recorded", the events of
/// one stage after a version, the registration and code in force, and where each stream stands. The
/// executor, the signer coordinator, the auditor, the CLI and the benchmarks all read through here,
/// never through another service's documents, so they cannot read the same stream two ways.
/// </summary>
public static class AppStreamReader
{
    /// <summary>The stream that holds rejections of logs naming an app id nobody registered (app ids cannot start with '_').</summary>
    public const string UnregisteredStream = "_unregistered";

    /// <summary>The registry's read model of an app (registration and deployments, projected with them).</summary>
    public static Task<RegisteredApp?> RegistrationAsync(IQuerySession session, string appId, CancellationToken ct) =>
        session.LoadAsync<RegisteredApp>(appId, ct);

    /// <summary>The registration as the stream records it: its first event (null when there is no such stream or it starts otherwise).</summary>
    public static async Task<AppRegistered?> RegisteredAsync(IQuerySession session, string appId, CancellationToken ct) =>
        (await EventAtAsync<AppRegistered>(session, appId, 1, ct))?.Data;

    public static async Task<IReadOnlyList<RegisteredApp>> RegistrationsAsync(IQuerySession session, CancellationToken ct) =>
        await session.Query<RegisteredApp>().OrderBy(a => a.Id).ToListAsync(ct);

    /// <summary>How many apps are registered: registrations are never changed or removed, so a reader that keeps them reloads only when this grows.</summary>
    public static Task<int> RegistrationCountAsync(IQuerySession session, CancellationToken ct) =>
        session.Query<RegisteredApp>().CountAsync(ct);

    /// <summary>
    /// Reads forward from just after <paramref name="afterVersion"/> (a seal, or the registration) and
    /// returns the complete blocks found within about <paramref name="maxEvents"/> events, each with the
    /// code in force at its height. A block larger than the window widens it, so progress is always possible.
    /// The deployments before <paramref name="afterVersion"/> are <paramref name="known"/> when given —
    /// a reader that trusts only events (the auditor) passes those it met, from the stream's start — and
    /// else the registry's read model.
    /// </summary>
    public static async Task<BlockRange> ReadBlocksAsync(IQuerySession session, string appId, long afterVersion, int maxEvents, CancellationToken ct,
        IReadOnlyList<AppCodeDeployed>? known = null)
    {
        // Loaded before the events: a deployment committed after this load has a later version than
        // afterVersion (versions follow commits under the stream's lock), so the read below meets it.
        known ??= (await RegistrationAsync(session, appId, ct) ?? throw new InvalidOperationException($"app '{appId}' is not registered")).Deployments;
        var window = Math.Max(1, maxEvents);
        while (true)
        {
            var events = await session.Events.FetchStreamAsync(appId, version: afterVersion + window, fromVersion: afterVersion + 1, token: ct);
            var range = Split(events.Select(e => (e.Version, e.Data)), known, afterVersion, events.Count < window);
            if (range.Blocks.Count > 0 || range.EndOfStream)
                return range;
            window *= 2;
        }
    }

    /// <summary>The block sealed at <paramref name="sealVersion"/>, with its inputs and code.</summary>
    public static async Task<AppBlock> ReadBlockAsync(IQuerySession session, string appId, long sealVersion, CancellationToken ct)
    {
        var seal = await EventAtAsync<BlockSealed>(session, appId, sealVersion, ct)
            ?? throw new InvalidStreamException($"version {sealVersion} of {appId}'s stream is not a seal");
        var range = await ReadBlocksAsync(session, appId, seal.Data.InputsAfterVersion, (int)(sealVersion - seal.Data.InputsAfterVersion), ct);
        return range.Blocks.FirstOrDefault(b => b.Height == seal.Data.Height)
            ?? throw new InvalidStreamException($"the inputs of {appId}'s block {seal.Data.Height} are not in its stream before its seal");
    }

    /// <summary>Splits a run of stream events into complete blocks; deployments met join <paramref name="known"/> for the code in force.</summary>
    private static BlockRange Split(IEnumerable<(long Version, object Data)> events, IReadOnlyList<AppCodeDeployed> known, long afterVersion, bool endOfStream)
    {
        var deployments = known.ToList();
        var blocks = new List<AppBlock>();
        var executed = new List<StreamEvent<BlockExecuted>>();
        var pending = new List<StreamEvent<BlockExecuted>>();
        var inputs = new List<SequencedInput>();
        var last = afterVersion;
        foreach (var (version, data) in events)
        {
            switch (data)
            {
                case InputSequenced s:
                    inputs.Add(s.Input);
                    break;
                case AppCodeDeployed d when !deployments.Contains(d):
                    deployments.Add(d);
                    break;
                case BlockExecuted x:
                    pending.Add(new StreamEvent<BlockExecuted>(version, x));
                    break;
                case BlockSealed seal:
                    blocks.Add(new AppBlock(seal, inputs, RegisteredApp.CodeAt(deployments, seal.Height)));
                    executed.AddRange(pending);
                    inputs = [];
                    pending.Clear();
                    last = version;
                    break;
            }
        }
        if (endOfStream)
            executed.AddRange(pending);
        return new BlockRange(blocks, executed, last, endOfStream, deployments);
    }

    /// <summary>Events of one type after <paramref name="afterVersion"/>, in stream order, at most <paramref name="max"/>.</summary>
    public static async Task<IReadOnlyList<StreamEvent<T>>> ReadEventsAsync<T>(IQuerySession session, string appId, long afterVersion, int max, CancellationToken ct)
    {
        var type = EventNames.Of<T>();
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamKey == appId && e.Version > afterVersion && e.EventTypeName == type)
            .OrderBy(e => e.Version).Take(max).ToListAsync(ct);
        return events.Select(e => new StreamEvent<T>(e.Version, (T)e.Data)).ToList();
    }

    /// <summary>The event at <paramref name="version"/> if it is a <typeparamref name="T"/>.</summary>
    public static async Task<StreamEvent<T>?> EventAtAsync<T>(IQuerySession session, string appId, long version, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(appId, version: version, fromVersion: version, token: ct);
        return events.Count == 1 && events[0].Data is T data ? new StreamEvent<T>(version, data) : null;
    }

    /// <summary>The last event of one type in the app's stream, or null.</summary>
    public static async Task<StreamEvent<T>?> LastAsync<T>(IQuerySession session, string appId, CancellationToken ct)
    {
        var type = EventNames.Of<T>();
        var e = await session.Events.QueryAllRawEvents()
            .Where(x => x.StreamKey == appId && x.EventTypeName == type)
            .OrderByDescending(x => x.Version).FirstOrDefaultAsync(ct);
        return e is null ? null : new StreamEvent<T>(e.Version, (T)e.Data);
    }

    /// <summary>Every stream's current version (one query): what a sweep compares with how far it has read.</summary>
    public static async Task<IReadOnlyDictionary<string, long>> StreamVersionsAsync(IQuerySession session, CancellationToken ct)
    {
        await session.Database.EnsureStorageExistsAsync(typeof(JasperFx.Events.IEvent), ct);
        // Marten's raw queries map one column: the pair travels as text (stream ids hold no '|').
        var rows = await session.AdvancedSql.QueryAsync<string>(
            $"select id || '|' || version from {session.DocumentStore.Options.Events.DatabaseSchemaName}.mt_streams", ct);
        return rows.Select(r => r.Split('|')).ToDictionary(p => p[0], p => long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>How far each stage has come for an app, from the last event of each kind in its stream.</summary>
    public static async Task<AppProgress> ProgressAsync(IQuerySession session, string appId, CancellationToken ct)
    {
        var input = await LastAsync<InputSequenced>(session, appId, ct);
        var sealedBlock = await LastAsync<BlockSealed>(session, appId, ct);
        var executed = await LastAsync<BlockExecuted>(session, appId, ct);
        var signed = await LastAsync<BlockSigned>(session, appId, ct);
        return new AppProgress(appId, (input?.Data.Input.Seq ?? -1) + 1, sealedBlock is { Data: var b } ? b.FirstSeq + b.Count : 0,
            sealedBlock?.Data.Height ?? -1, executed?.Data.Height ?? -1, signed?.Data.Height ?? -1);
    }

    /// <summary>
    /// The most recent rejections, newest first: of every stream, or of one app id — from its stream
    /// when it is registered, else from <see cref="UnregisteredStream"/> (the newest 10,000 searched).
    /// </summary>
    public static async Task<IReadOnlyList<InputRejected>> RejectionsAsync(IQuerySession session, string? appId, int last, CancellationToken ct)
    {
        var query = session.Events.QueryAllRawEvents().Where(e => e.EventTypeName == EventNames.InputRejected);
        var registered = appId is null || await RegistrationAsync(session, appId, ct) is not null;
        if (appId is not null)
        {
            var stream = registered ? appId : UnregisteredStream;
            query = query.Where(e => e.StreamKey == stream);
        }
        var events = await query.OrderByDescending(e => e.Sequence).Take(registered ? last : 10_000).ToListAsync(ct);
        return events.Select(e => (InputRejected)e.Data).Where(r => registered || r.AppId == appId).Take(last).ToList();
    }
}
