using System.Diagnostics.Metrics;
using Nexus.Hosting;

namespace Nexus.Prover;

/// <summary>The pool's load: jobs, the tasks each silo computes, retries.</summary>
public sealed class ProverMetrics
{
    private readonly Counter<long> _jobs;
    private readonly UpDownCounter<long> _running;
    private readonly Histogram<double> _jobSeconds;
    private readonly Counter<long> _tasks;
    private readonly Histogram<double> _taskSeconds;
    private readonly Counter<long> _retries;

    public ProverMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(NexusMeters.Prefix + "Prover");
        _jobs = meter.CreateCounter<long>("nexus_prover_jobs", description: "Jobs finished, by outcome");
        _running = meter.CreateUpDownCounter<long>("nexus_prover_jobs_running", description: "Jobs this silo coordinates now");
        _jobSeconds = meter.CreateHistogram<double>("nexus_prover_job_seconds", "s", "Acceptance to proof");
        _tasks = meter.CreateCounter<long>("nexus_prover_tasks", description: "Work items this silo computed (FFT polynomials, MSM chunks), by kind");
        _taskSeconds = meter.CreateHistogram<double>("nexus_prover_task_seconds", "s", "Time to compute one work item on this silo");
        _retries = meter.CreateCounter<long>("nexus_prover_task_retries", description: "Work items sent again after a failure (a silo died or timed out)");
    }

    public void JobStarted() => _running.Add(1);

    public void JobEnded(string outcome, double seconds)
    {
        _running.Add(-1);
        _jobs.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        if (outcome == "done")
            _jobSeconds.Record(seconds);
    }

    public void Task(string kind, double seconds)
    {
        _tasks.Add(1, new KeyValuePair<string, object?>("kind", kind));
        _taskSeconds.Record(seconds);
    }

    public void Retry() => _retries.Add(1);
}
