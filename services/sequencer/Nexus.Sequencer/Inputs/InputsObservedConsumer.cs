using Marten;
using MassTransit;
using Microsoft.Extensions.Options;
using Nexus.AppStreams;
using Nexus.Contracts.ChainListener;
using Nexus.Hosting;

namespace Nexus.Sequencer.Inputs;

/// <summary>
/// Takes observed inputs (several messages per transaction) and, per app, appends them to the app's stream in chain order.
/// Exactly-once comes from the stream, not the bus: each app's stream is locked for the
/// transaction (<c>FetchForExclusiveWriting</c>), a log at or before the app's last position is a
/// duplicate, and a log whose predecessor has not been taken yet is parked until it has.
/// </summary>
public sealed class InputsObservedConsumer(
    IDocumentStore store,
    IOptions<SequencerOptions> options,
    SequencerMetrics metrics,
    TimeProvider clock,
    ILogger<InputsObservedConsumer> logger) : IConsumer<Batch<InputsObserved>>
{
    public async Task Consume(ConsumeContext<Batch<InputsObserved>> context)
    {
        var ct = context.CancellationToken;
        var now = clock.GetUtcNow();
        var unknownApp = new List<InputRejection>();
        await using var session = store.LightweightSession();

        // One lock order for every instance, so two sequencers never deadlock on each other's apps.
        foreach (var app in context.Message.SelectMany(m => m.Message.Inputs).GroupBy(m => m.AppId).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var stream = await session.Events.FetchForExclusiveWriting<AppSequence>(app.Key, ct);
            if (stream.Aggregate is null)
            {
                foreach (var log in app.DistinctBy(l => l.InputId))
                {
                    var rejection = SequencingBatch.UnknownApp(log, now);
                    session.Store(rejection);
                    unknownApp.Add(rejection);
                }
                continue;
            }

            var batch = new SequencingBatch(stream.Aggregate, stream.CurrentVersion ?? 0, options.Value.MaxInputsPerBlock, now);
            await TakeUnclaimedAsync(session, batch, app.Where(l => l.Unclaimed).DistinctBy(l => l.InputId).ToList(), ct);
            var parked = await TakeInOrderAsync(session, batch, app.Where(l => !l.Unclaimed).DistinctBy(l => l.InputId).ToList(), ct);

            foreach (var waiting in parked) session.Store(PendingInput.For(waiting));
            if (batch.State.Last is { } last && batch.State.Last != stream.Aggregate.Last)
            {
                // A parked input may also have come again in this batch and been taken from there: clear
                // whatever is parked at or before the new last position (one statement, sent with the commit).
                session.DeleteWhere<PendingInput>(x => x.AppId == app.Key &&
                    (x.Input.Position.BlockNumber < last.BlockNumber ||
                     (x.Input.Position.BlockNumber == last.BlockNumber && x.Input.Position.LogIndex <= last.LogIndex)));
            }
            if (batch.Events.Count > 0) stream.AppendMany(batch.Events);
            foreach (var rejection in batch.Rejections) session.Store(rejection);
            metrics.Record(batch, parked.Count);
        }

        await session.SaveChangesAsync(ct);

        // Unknown apps have no stream for the publishing subscription to read, so publish here, after the
        // commit: a crash before this line redelivers the batch, which records the same ids and publishes again.
        foreach (var rejection in unknownApp)
        {
            await context.Publish(rejection.Rejection, c => c.MessageId = MessageIds.For("input-rejected", rejection.Id), ct);
            logger.LogWarning("Rejected {InputId}: {Reason}", rejection.Id, rejection.Rejection.Reason);
        }
        metrics.UnknownApp(unknownApp.Count);
    }

    private static async Task TakeUnclaimedAsync(IDocumentSession session, SequencingBatch batch, List<InputObserved> unclaimed, CancellationToken ct)
    {
        if (unclaimed.Count == 0) return;
        var seen = (await session.LoadManyAsync<InputRejection>(ct, unclaimed.Select(u => u.InputId))).Select(r => r.Id).ToHashSet();
        foreach (var log in unclaimed.Where(u => !seen.Contains(u.InputId)))
            batch.TakeUnclaimed(log);
    }

    /// <summary>Takes the chain from the app's last position as far as the arrivals and parked inputs reach; returns what still waits.</summary>
    private static async Task<List<InputObserved>> TakeInOrderAsync(IDocumentSession session, SequencingBatch batch, List<InputObserved> arrivals, CancellationToken ct)
    {
        var waiting = arrivals.Where(l => !batch.IsDuplicate(l)).ToDictionary(l => PendingInput.IdFor(l.AppId, l.Preceding));
        var appId = batch.State.Id;
        while (true)
        {
            var key = PendingInput.IdFor(appId, batch.State.Last);
            if (waiting.Remove(key, out var next))
            {
                batch.TakeNext(next);
                continue;
            }
            var parked = await session.LoadAsync<PendingInput>(key, ct);
            if (parked is null) break;
            session.Delete(parked);
            if (batch.IsDuplicate(parked.Input)) break;
            batch.TakeNext(parked.Input);
        }
        return waiting.Values.ToList();
    }
}
