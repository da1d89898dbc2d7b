using Marten;
using Nexus.AppStreams.Reading;
using Nexus.AppStreams.Registry;

namespace Nexus.ChainListener.Watches;

/// <summary>
/// The registry, cursors and marks as the listener last read or wrote them, kept between rounds while
/// it leads without a break (same <c>term</c>): a round then reads only what it has not seen — new
/// registrations, cursors of new apps, halted cursors an operator may have resumed — instead of every
/// document of every registered app. Forgotten on any failed round, on a new term (a standby that takes
/// over, or a leader that lost its lock for a moment, starts again from the database) and after
/// <see cref="MaxAge"/>, so an edit made behind the listener's back is read within that time.
/// </summary>
public sealed class WatchCache(TimeProvider clock)
{
    /// <summary>How long what was read is trusted before everything is read again.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);

    private DateTimeOffset _readAt;
    private readonly Dictionary<string, WatchCursor> _cursors = new();
    private readonly Dictionary<string, ScanMark> _marks = new();
    private IReadOnlyList<RegisteredApp>? _registry;
    private long _term = -1;

    public void Forget()
    {
        _cursors.Clear();
        _marks.Clear();
        _registry = null;
        _term = -1;
    }

    /// <summary>Every registration; read again only when their number grew (they are never changed or removed).</summary>
    public async Task<IReadOnlyList<RegisteredApp>> RegistryAsync(IQuerySession session, long term, CancellationToken ct)
    {
        if (term != _term || clock.GetUtcNow() - _readAt > MaxAge)
        {
            Forget();
            _term = term;
            _readAt = clock.GetUtcNow();
        }
        if (_registry is null || await AppStreamReader.RegistrationCountAsync(session, ct) != _registry.Count)
            _registry = await AppStreamReader.RegistrationsAsync(session, ct);
        return _registry;
    }

    /// <summary>The cursor of each plan (a fresh one when none was stored) and the marks of their depths.</summary>
    public async Task<(IReadOnlyDictionary<string, WatchCursor> Cursors, IReadOnlyDictionary<string, ScanMark> Marks)> LoadAsync(
        IQuerySession session, long chainId, IReadOnlyList<WatchPlan> plans, DateTimeOffset now, CancellationToken ct)
    {
        var unseen = plans.Where(p => !_cursors.TryGetValue(p.Id, out var c) || c.Halted).ToList();
        if (unseen.Count > 0)
        {
            var stored = (await session.LoadManyAsync<WatchCursor>(ct, unseen.Select(p => p.Id))).ToDictionary(c => c.Id);
            foreach (var plan in unseen)
                _cursors[plan.Id] = stored.GetValueOrDefault(plan.Id) ?? WatchCursor.Start(plan, now);
        }
        var marks = plans.Select(p => ScanMark.IdFor(chainId, p.Confirmations)).Distinct().Where(id => !_marks.ContainsKey(id)).ToList();
        if (marks.Count > 0)
            foreach (var mark in await session.LoadManyAsync<ScanMark>(ct, marks))
                _marks[mark.Id] = mark;
        return (_cursors, _marks);
    }

    /// <summary>What a round committed.</summary>
    public void Saved(IEnumerable<WatchCursor> cursors, ScanMark? mark)
    {
        foreach (var cursor in cursors) _cursors[cursor.Id] = cursor;
        if (mark is not null) _marks[mark.Id] = mark;
    }
}
