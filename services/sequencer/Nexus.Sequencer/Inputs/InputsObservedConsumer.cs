using Marten;
using MassTransit;
using Microsoft.Extensions.Options;
using Nexus.AppStreams;
using Nexus.AppStreams.Reading;
using Nexus.Contracts.ChainListener;
using Nexus.Contracts.Sequencer;

namespace Nexus.Sequencer.Inputs;

/// <summary>
/// Takes observed inputs (several messages per transaction) and, per app, appends them to the app's
/// stream in chain order. Exactly-once comes from the stream, not the bus: each app's stream is locked
/// for the transaction, a log at or before the app's last position is a duplicate, and a log whose
/// predecessor has not been taken yet is parked until it has.
/// </summary>
public sealed class InputsObservedConsumer(
    IDocumentStore store,
    IOptions<SequencerOptions> options,
    SequencerMetrics metrics,
    TimeProvider clock) : IConsumer<Batch<InputsObserved>>
{
    public async Task Consume(ConsumeContext<Batch<InputsObserved>> context)
    {
        var ct = context.CancellationToken;
        var now = clock.GetUtcNow();
        var unknownApp = new List<ObservedInput>();
        await using var session = store.LightweightSession();

        // One lock order for every instance, so two sequencers never deadlock on each other's apps.
        foreach (var app in context.Message.SelectMany(m => m.Message.Inputs).GroupBy(m => m.AppId).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var version = app.Key == AppStreamReader.UnregisteredStream ? null : await AppStreamLock.LockAsync(session, app.Key, ct);
            var head = version is null ? null : await session.LoadAsync<AppSequence>(app.Key, ct) ?? await StartAsync(session, app.Key, ct);
            if (head is null)
            {
                unknownApp.AddRange(app);
                continue;
            }
            var batch = new SequencingBatch(head, version!.Value, options.Value.MaxInputsPerBlock, now);
            await TakeUnclaimedAsync(session, batch, app.Where(l => l.Unclaimed).DistinctBy(l => l.InputId).ToList(), ct);
            var parked = await TakeInOrderAsync(session, batch, app.Where(l => !l.Unclaimed).DistinctBy(l => l.InputId).ToList(), ct);

            foreach (var waiting in parked) session.Store(PendingInput.For(waiting));
            if (batch.State.Last is { } last && batch.State.Last != head.Last)
            {
                // A parked input may also have come again in this batch and been taken from there: clear
                // whatever is parked at or before the new last position (one statement, sent with the commit).
                session.DeleteWhere<PendingInput>(x => x.AppId == app.Key &&
                    (x.Input.Position.BlockNumber < last.BlockNumber ||
                     (x.Input.Position.BlockNumber == last.BlockNumber && x.Input.Position.LogIndex <= last.LogIndex)));
            }
            if (batch.Events.Count > 0)
            {
                session.Events.Append(app.Key, batch.Events);
                session.Store(batch.State);
            }
            foreach (var rejection in batch.Rejections) session.Store(rejection);
            metrics.Record(batch, parked.Count);
        }

        var unknown = await RejectUnknownAppsAsync(session, unknownApp, now, ct);
        await session.SaveChangesAsync(ct);
        metrics.UnknownApp(unknown);
    }

    /// <summary>
    /// The sequencer's head for an app it has not sequenced for yet, from the registration the stream
    /// records (null: no registered app). A stream that already holds inputs without the head that
    /// produced them lost it, or predates it: starting again at sequence 0 would corrupt it, so refuse.
    /// </summary>
    private static async Task<AppSequence?> StartAsync(IDocumentSession session, string appId, CancellationToken ct)
    {
        if (await AppStreamReader.RegisteredAsync(session, appId, ct) is not { } registration)
            return null;
        await ServiceHead.RefuseWhenRecordedAsync<InputSequenced>(session, appId, "sequencer", ct);
        return AppSequence.Start(registration);
    }

    /// <summary>
    /// Logs naming an app id nobody registered: rejected once each, in the stream of unregistered ids;
    /// returns how many. No lock on that stream (any log can name a random id, and a lock held with the
    /// batch's app locks would make every sequencer wait for it): the append serialises only at commit,
    /// and the rejection documents are inserted, not upserted, so two instances that both took an id for
    /// new fail one commit, and its retry finds the id rejected.
    /// </summary>
    private static async Task<int> RejectUnknownAppsAsync(IDocumentSession session, List<ObservedInput> logs, DateTimeOffset now, CancellationToken ct)
    {
        if (logs.Count == 0) return 0;
        var seen = (await session.LoadManyAsync<InputRejection>(ct, logs.Select(l => l.InputId).Distinct())).Select(r => r.Id).ToHashSet();
        var rejections = logs.DistinctBy(l => l.InputId).Where(l => !seen.Contains(l.InputId)).Select(l => SequencingBatch.UnknownApp(l, now)).ToList();
        if (rejections.Count == 0) return 0;
        session.Events.Append(AppStreamReader.UnregisteredStream, rejections.Select(r => (object)r.Rejection).ToArray());
        foreach (var rejection in rejections) session.Insert(rejection);
        return rejections.Count;
    }

    private static async Task TakeUnclaimedAsync(IDocumentSession session, SequencingBatch batch, List<ObservedInput> unclaimed, CancellationToken ct)
    {
        if (unclaimed.Count == 0) return;
        var seen = (await session.LoadManyAsync<InputRejection>(ct, unclaimed.Select(u => u.InputId))).Select(r => r.Id).ToHashSet();
        foreach (var log in unclaimed.Where(u => !seen.Contains(u.InputId)))
            batch.TakeUnclaimed(log);
    }

    /// <summary>Takes the chain from the app's last position as far as the arrivals and parked inputs reach; returns what still waits.</summary>
    private static async Task<List<ObservedInput>> TakeInOrderAsync(IDocumentSession session, SequencingBatch batch, List<ObservedInput> arrivals, CancellationToken ct)
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
