using Marten;
using MassTransit;
using Microsoft.Extensions.Options;
using Nexus.AppStreams.Reading;
using Nexus.AppStreams.Registry;
using Nexus.ChainListener.Watches;
using Nexus.Contracts.ChainListener;
using Nexus.Ethereum;
using Nexus.Ethereum.Chain;
using Nexus.Hosting;
using Npgsql;

namespace Nexus.ChainListener.Scanning;

/// <summary>
/// The listener's loop: read the registry, step every watch until it has caught up with its
/// confirmed head, sleep, repeat. An unreachable RPC or database backs off and retries; the cursors
/// in PostgreSQL make a restart resume where the last confirmed publish left off.
/// </summary>
public sealed class ListenerWorker(
    IDocumentStore store,
    IChainReader chain,
    IBus bus,
    IOptions<ListenerOptions> options,
    IOptions<EthereumOptions> ethereum,
    ListenerMetrics metrics,
    TimeProvider clock,
    IHostApplicationLifetime lifetime,
    NewHeads newHeads,
    ListenerLeadership leadership,
    ILogger<ListenerWorker> logger) : BackgroundService
{
    private readonly WatchCache _cache = new(clock);

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        var o = options.Value;
        var backoff = new Backoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(o.MaxBackoffMs));
        var scanner = new WatchScanner(chain, o, metrics, logger, PublishAsync);
        long? chainId = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                chainId ??= await ChainIdAsync(ct);
                var caughtUp = await RoundAsync(scanner, chainId.Value, ct);
                if (backoff.Failures > 0) logger.LogInformation("Chain and database reachable again");
                backoff.Reset();
                if (caughtUp) await newHeads.WaitAsync(TimeSpan.FromMilliseconds(o.PollIntervalMs), clock, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (WrongChainException e)
            {
                // Reading another chain than configured would feed apps foreign inputs: stop, loudly.
                logger.LogCritical("{Error}", e.Message);
                lifetime.StopApplication();
                break;
            }
            catch (Exception e)
            {
                _cache.Forget(); // what this round wrote is uncertain: read it back
                // Unreachable RPC, database or broker: back off and go again. Anything else is a bug or a
                // misconfiguration worth an error line, but the loop still must not die with it.
                var expected = e is ChainUnavailableException or NpgsqlException or TimeoutException or MassTransitException;
                if (e is ChainUnavailableException) metrics.RpcFailure();
                metrics.RoundFailed();
                var delay = backoff.NextDelay();
                logger.Log(!expected ? LogLevel.Error : backoff.Failures <= 1 ? LogLevel.Warning : LogLevel.Debug, expected ? null : e,
                    "{What} failed ({Error}); retry {Attempt} in {Delay} ms", e.GetType().Name, e.GetBaseException().Message, backoff.Failures, (int)delay.TotalMilliseconds);
                await Task.Delay(delay, clock, ct);
            }
        }
    }

    private async Task<long> ChainIdAsync(CancellationToken ct)
    {
        var id = await chain.GetChainIdAsync(ct);
        var expected = ethereum.Value.ChainId;
        if (expected != 0 && expected != id)
            throw new WrongChainException($"configuration error: RPC {ethereum.Value.RpcUrl} serves chain {id}, but Ethereum:ChainId is {expected}");
        logger.LogInformation("Listening to chain {ChainId} at {Rpc}", id, ethereum.Value.RpcUrl);
        return id;
    }

    /// <summary>
    /// One pass over all watches, read in groups that stand at the same depth and block; true when every
    /// group has caught up. At each depth one group carries the <see cref="ScanMark"/>: the group its
    /// followers are in, else (no mark, or nobody follows it any more) the largest group that can move,
    /// under a new epoch. Its step writes the mark and only the cursors that changed more than their
    /// place. Other groups (apps catching up after registration) write their cursors and join the
    /// carrier's group once they stand where it does.
    /// </summary>
    private async Task<bool> RoundAsync(WatchScanner scanner, long chainId, CancellationToken ct)
    {
        if (!await leadership.EnsureLeaderAsync(chainId, ct)) return true; // standby: look again after the poll interval

        await using var session = store.LightweightSession();
        var registry = await _cache.RegistryAsync(session, leadership.Term, ct);
        var appsById = registry.ToDictionary(a => a.Id);
        var plans = WatchPlan.For(chainId, registry, options.Value.UnclaimedConfirmations);
        if (plans.Count == 0) return true;

        var (cursors, marks) = await _cache.LoadAsync(session, chainId, plans, clock.GetUtcNow(), ct);
        var head = await chain.GetHeadAsync(ct);
        metrics.SawHead(head);
        var watches = new List<(WatchPlan Plan, WatchCursor Stored, WatchCursor At)>(plans.Count);
        foreach (var plan in plans)
        {
            var stored = cursors[plan.Id];
            metrics.Halted(plan.Id, stored.Halted);
            if (!stored.Halted) watches.Add((plan, stored, stored.At(marks.GetValueOrDefault(ScanMark.IdFor(chainId, plan.Confirmations)))));
        }
        var groups = watches.GroupBy(w => (w.Plan.Confirmations, w.At.NextBlock, w.At.LastBlockHash)).ToList();
        var carriers = new Dictionary<IGrouping<(int Confirmations, long NextBlock, string? LastBlockHash), (WatchPlan Plan, WatchCursor Stored, WatchCursor At)>, string>();
        foreach (var depth in groups.GroupBy(g => g.Key.Confirmations))
        {
            var current = marks.GetValueOrDefault(ScanMark.IdFor(chainId, depth.Key));
            var followed = current is null ? null : depth.FirstOrDefault(g => g.Any(w => w.Stored.Mark == current.Epoch));
            var carrier = followed ?? depth.Where(g => head - depth.Key >= g.Key.NextBlock).MaxBy(g => g.Count());
            if (carrier is not null)
                carriers[carrier] = followed is not null ? current!.Epoch : Guid.NewGuid().ToString("N");
        }
        metrics.Round(groups.Count);

        var allCaughtUp = true;
        foreach (var group in groups)
        {
            var members = group.ToList();
            var step = await scanner.StepAsync(chainId, members.Select(w => (w.Plan, w.At)).ToList(), head, appsById, clock.GetUtcNow(), ct);
            allCaughtUp &= step.CaughtUp;
            var (moved, halted) = (step.Cursors[0].NextBlock != group.Key.NextBlock, step.Cursors[0].Halted);
            if (!moved && !halted) continue;
            var mark = !halted && carriers.TryGetValue(group, out var epoch)
                ? new ScanMark(ScanMark.IdFor(chainId, group.Key.Confirmations), epoch, step.Cursors[0].NextBlock, step.Cursors[0].LastBlockHash, clock.GetUtcNow())
                : null;
            if (mark is not null) session.Store(mark);
            var written = new List<WatchCursor>();
            for (var i = 0; i < members.Count; i++)
            {
                var stored = members[i].Stored;
                var next = step.Cursors[i] with { Mark = mark?.Epoch };
                // A follower that only moved with its mark needs no write of its own.
                if (mark is null || stored.Mark != mark.Epoch || next.LastPublished != stored.LastPublished)
                    written.Add(next);
            }
            session.Store(written.ToArray());
            await session.SaveChangesAsync(ct);
            _cache.Saved(written, mark);
        }
        return allCaughtUp;
    }

    /// <summary>
    /// Publishes per app, a few hundred inputs per message: apps concurrently, each app's messages one
    /// after the other, so they reach the sequencer in order and it never has to park inputs behind a
    /// message still in flight (measured: concurrent publishes of one app's messages made parking, and
    /// the sequencer's cost per input, double in some runs). The cursor moves only after all are confirmed.
    /// </summary>
    private Task PublishAsync(IReadOnlyList<ObservedInput> inputs, CancellationToken ct) =>
        Task.WhenAll(inputs.GroupBy(i => i.AppId).Select(async app =>
        {
            foreach (var chunk in app.Chunk(options.Value.InputsPerMessage))
            {
                var message = new InputsObserved { AppId = app.Key, ChainId = chunk[0].ChainId, Inputs = chunk };
                await bus.PublishConfirmedAsync(message, c =>
                {
                    c.MessageId = MessageIds.For("inputs-observed", message.AppId, message.Inputs[0].InputId, message.Inputs[^1].InputId);
                    // Mandatory: with no queue bound (no sequencer ever started, queue deleted) the broker
                    // returns the message and the publish fails, so the cursor stays and the range is retried,
                    // instead of the inputs vanishing while the cursor moves on.
                    if (c.TryGetPayload<RabbitMqSendContext>(out var rabbit)) rabbit.Mandatory = true;
                }, ct);
            }
        }));
}

internal sealed class WrongChainException(string message) : Exception(message);
