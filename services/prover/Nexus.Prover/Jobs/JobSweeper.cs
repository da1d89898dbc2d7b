using Microsoft.Extensions.Options;

namespace Nexus.Prover.Jobs;

/// <summary>
/// On every silo: finds running jobs whose heartbeat stopped (the silo coordinating them died or lost
/// its database) and starts them again; the grain's new activation lands on a live silo and continues
/// from the stored parts. Several silos may poke the same job: Start is idempotent.
/// </summary>
public sealed class JobSweeper(ProofJobStore store, IGrainFactory grains, IOptions<ProverOptions> options, ILogger<JobSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        var o = options.Value;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(o.SweepSeconds));
        while (await timer.WaitForNextTickAsync(ct))
        {
            try
            {
                foreach (var id in await store.StaleAsync(TimeSpan.FromSeconds(o.StaleJobSeconds)))
                {
                    logger.LogWarning("job {Job} has no heartbeat for {Seconds} s: resuming it", id, o.StaleJobSeconds);
                    await grains.GetGrain<IProofJob>(id).Start();
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("job sweep failed (retried next tick): {Error}", e.GetBaseException().Message);
            }
        }
    }
}
