using Nexus.AppStreams.Registry;
using Nexus.Ethereum;
using Nexus.Ethereum.Abi;
using Nexus.Ethereum.Chain;

namespace Nexus.ChainListener.Watches;

/// <summary>
/// What one watch reads: a set of log filters from a start block at a confirmation depth.
/// Each registered app has its own watch (its sources, its depth, its start block, its own cursor),
/// so one app's deep reorg halts that app only; watches at the same depth and block are read together
/// (see <see cref="ScanMark"/>), so idle apps cost no RPC calls of their own. Each inbox also has an "unclaimed" watch that reports
/// submissions no registered app covers, so they are recorded as rejected instead of vanishing.
/// </summary>
public sealed record WatchPlan(
    string Id,
    string? AppId,
    string? UnclaimedInbox,
    IReadOnlyList<LogFilter> Filters,
    int Confirmations,
    long FromBlock)
{
    public bool IsUnclaimed => UnclaimedInbox is not null;

    public static IReadOnlyList<WatchPlan> For(long chainId, IReadOnlyList<RegisteredApp> registry, int unclaimedConfirmations)
    {
        var apps = registry.Where(a => a.Registration.ChainId == chainId).ToList();
        var plans = apps.Select(a => ForApp(a)).ToList();
        plans.AddRange(apps
            .Where(a => a.Registration.Inbox is not null)
            .GroupBy(a => a.Registration.Inbox!.ToLowerInvariant())
            .Select(g => new WatchPlan(
                $"unclaimed:{chainId}:{g.Key}", null, g.Key,
                [new LogFilter(g.Key, [InboxEvents.InputSubmitted.Topic0])],
                unclaimedConfirmations,
                g.Min(a => a.Registration.FromBlock))));
        return plans;
    }

    private static WatchPlan ForApp(RegisteredApp app)
    {
        var r = app.Registration;
        var filters = new List<LogFilter>();
        if (r.Inbox is not null)
            filters.Add(new LogFilter(r.Inbox.ToLowerInvariant(), [InboxEvents.InputSubmitted.Topic0, AppIds.ToTopic(r.AppId)]));
        filters.AddRange(r.Sources.Select(s => new LogFilter(s.Contract.ToLowerInvariant(), [EventSignature.Parse(s.EventSignature).Topic0])));
        return new WatchPlan($"app:{r.AppId}", r.AppId, null, filters, r.Confirmations, r.FromBlock);
    }

    /// <summary>True when one of this watch's filters selects the log (address, and every topic it names).</summary>
    public bool Matches(ChainLog log)
    {
        foreach (var filter in Filters)
        {
            if (!string.Equals(filter.Address, log.Address, StringComparison.OrdinalIgnoreCase)) continue;
            var all = true;
            for (var i = 0; i < filter.Topics.Count && all; i++)
                all = filter.Topics[i] is not { } topic || (i < log.Topics.Count && string.Equals(topic, log.Topics[i], StringComparison.OrdinalIgnoreCase));
            if (all) return true;
        }
        return false;
    }

    /// <summary>
    /// The filters that read a group of watches at once: each (contract, event) once, without the app
    /// topic, so a thousand apps behind one inbox cost one eth_getLogs; <see cref="Matches"/> then gives
    /// each watch its logs.
    /// </summary>
    public static IReadOnlyList<LogFilter> Combined(IReadOnlyList<WatchPlan> plans) =>
        plans.Count == 1 ? plans[0].Filters // alone (catching up), a watch reads only its own logs
        : plans.SelectMany(p => p.Filters)
            .Select(f => (Address: f.Address.ToLowerInvariant(), Event: f.Topics.Count > 0 ? f.Topics[0] : null))
            .Distinct()
            .Select(f => new LogFilter(f.Address, f.Event is null ? [] : [f.Event]))
            .ToList();

    /// <summary>For the unclaimed watch: true when no registered app covers this inbox log.</summary>
    public static bool IsUnclaimedLog(ChainLog log, IReadOnlyDictionary<string, RegisteredApp> appsById)
    {
        var appId = log.Topics.Count > 1 ? AppIds.FromTopic(log.Topics[1]) : null;
        if (appId is null || !appsById.TryGetValue(appId, out var app)) return true;
        return !string.Equals(app.Registration.Inbox, log.Address, StringComparison.OrdinalIgnoreCase)
               || log.BlockNumber < app.Registration.FromBlock;
    }
}
