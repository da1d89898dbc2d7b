using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Nexus.Crypto.Frost;
using Nexus.Hosting;

namespace Nexus.MpcSigner.Coordinator;

/// <summary>
/// The coordinator's loop: while it leads (one coordinator signs, others stand by), it signs every
/// executed block not yet signed — apps in parallel, heights in order — when an executed-block
/// notification wakes an app, and on a sweep of the streams that moved since it last looked (a lost
/// notification delays a block by one sweep). An app that fails backs off alone. Replicas that missed
/// blocks are brought up to each app's signed head even when no new block comes to show they are behind.
/// </summary>
public sealed class SigningCoordinator(
    ILeadership leadership,
    ICoordinatorStore store,
    BlockSigner signer,
    ReplicaCatchUp catchUp,
    IReadOnlyList<ReplicaClient> replicas,
    Committee committee,
    IOptions<CoordinatorOptions> options,
    SignerMetrics metrics,
    TimeProvider clock,
    ILogger<SigningCoordinator> log) : BackgroundService
{
    /// <summary>Executed blocks read per app at a time.</summary>
    private const int Page = 64;

    private readonly CoordinatorOptions _options = options.Value;
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly ConcurrentDictionary<string, byte> _woken = new();
    // The stream version an app had when a pass last found nothing left to sign there.
    private readonly ConcurrentDictionary<string, long> _lookedAt = new();
    private readonly ConcurrentDictionary<string, long> _signedHeads = new();
    private readonly ConcurrentDictionary<string, (DateTimeOffset NotBefore, Backoff Backoff)> _failing = new();
    private long _nextSweep;

    /// <summary>Whether this coordinator is the active one.</summary>
    public bool IsLeader => leadership.IsLeader;

    /// <summary>How many times this coordinator has asked for the lead (a standby keeps asking).</summary>
    public long LeadershipChecks => Interlocked.Read(ref _leadershipChecks);

    private long _leadershipChecks;

    /// <summary>An app's block was executed: look at it now instead of at the next sweep.</summary>
    public void Wake(string appId)
    {
        _woken[appId] = 0;
        try { _signal.Release(); } catch (SemaphoreFullException) { }
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        log.LogInformation("Coordinating a {T}-of-{N} committee (group key {Key}) over {Count} replicas",
            committee.MinSigners, committee.MaxSigners, committee.GroupPublicKeyHex, replicas.Count);
        var backoff = new Backoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10));
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var leader = await leadership.EnsureLeaderAsync(ct);
                Interlocked.Increment(ref _leadershipChecks);
                metrics.Leader(leader);
                if (leader)
                    await SignPendingAsync(ct);
                backoff.Reset();
                await _signal.WaitAsync(TimeSpan.FromMilliseconds(_options.SweepIntervalMs), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                var delay = backoff.NextDelay();
                log.LogWarning("Signing pass failed ({Error}); retrying in {Delay:F1} s", e.Message, delay.TotalSeconds);
                await Task.Delay(delay, clock, ct).ContinueWith(_ => { }, CancellationToken.None);
            }
        }
    }

    /// <summary>One pass: the woken apps, and on a sweep every app whose stream moved; then idle replicas' catch-up.</summary>
    public async Task SignPendingAsync(CancellationToken ct)
    {
        var apps = new Dictionary<string, long?>();
        foreach (var appId in _woken.Keys)
            if (_woken.TryRemove(appId, out _))
                apps[appId] = null;
        if (clock.GetTimestamp() >= Interlocked.Read(ref _nextSweep))
        {
            Interlocked.Exchange(ref _nextSweep, clock.GetTimestamp() + (long)(_options.SweepIntervalMs / 1000.0 * clock.TimestampFrequency));
            foreach (var (appId, version) in await store.StreamVersionsAsync(ct))
                if (appId != AppStreams.Reading.AppStreamReader.UnregisteredStream && _lookedAt.GetValueOrDefault(appId, -1) < version)
                    apps[appId] = version;
        }
        await Parallel.ForEachAsync(apps.Where(a => !Failing(a.Key)), new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelApps, CancellationToken = ct },
            async (app, token) =>
            {
                try
                {
                    await SignAppAsync(app.Key, app.Value, token);
                    _failing.TryRemove(app.Key, out _);
                }
                catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    var delay = Failed(app.Key);
                    log.LogWarning("App {AppId}: not signed ({Error}); retrying in {Delay:F1} s", app.Key, e.Message, delay.TotalSeconds);
                }
            });

        foreach (var (appId, head) in _signedHeads)
            foreach (var replica in replicas.Where(r => r.VerifiedHeight(appId) < head))
                catchUp.Start(replica, appId, head, head);
    }

    /// <summary>Signs the app's executed blocks after its signed head, in order, until none is left.</summary>
    private async Task SignAppAsync(string appId, long? seenVersion, CancellationToken ct)
    {
        while (true)
        {
            var head = await store.HeadAsync(appId, ct);
            if (head.Height >= 0)
                _signedHeads[appId] = head.Height;
            var unsigned = await store.UnsignedAsync(head, Page, ct);
            if (unsigned.Count == 0)
            {
                if (seenVersion is { } seen)
                    _lookedAt[appId] = seen;
                return;
            }
            foreach (var executed in unsigned)
            {
                if (await signer.SignAsync(executed, ct) is null)
                    return; // another coordinator is recording this app: this one is not the leader for long
                _signedHeads[appId] = executed.Data.Height;
            }
        }
    }

    private bool Failing(string appId) => _failing.TryGetValue(appId, out var f) && f.NotBefore > clock.GetUtcNow();

    private TimeSpan Failed(string appId)
    {
        var backoff = _failing.TryGetValue(appId, out var f) ? f.Backoff : new Backoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30));
        var delay = backoff.NextDelay();
        _failing[appId] = (clock.GetUtcNow() + delay, backoff);
        return delay;
    }

    public override async Task StopAsync(CancellationToken ct)
    {
        await base.StopAsync(ct);
        if (leadership is IAsyncDisposable disposable)
            await disposable.DisposeAsync();
    }
}

/// <summary>An executed block was recorded: wake the coordinator for that app (the stream, not the message, says what to sign).</summary>
public sealed class BlockExecutedConsumer(SigningCoordinator coordinator) : MassTransit.IConsumer<Contracts.Executor.BlockExecutedNotification>
{
    public Task Consume(MassTransit.ConsumeContext<Contracts.Executor.BlockExecutedNotification> context)
    {
        coordinator.Wake(context.Message.AppId);
        return Task.CompletedTask;
    }
}

/// <summary>Announces each signature from the app streams, once per height.</summary>
public sealed class SignedBlockPublisher(MassTransit.IBus bus)
    : StreamPublisher<Contracts.Signer.BlockSigned, Contracts.Signer.BlockSignedNotification>(bus, "signer-publisher")
{
    protected override Contracts.Signer.BlockSignedNotification Notification(Contracts.Signer.BlockSigned e, long version) =>
        new() { AppId = e.AppId, Height = e.Height, StreamVersion = version };

    protected override Guid MessageId(Contracts.Signer.BlockSigned e) => MessageIds.For("block-signed", e.AppId, e.Height.ToString());
}
