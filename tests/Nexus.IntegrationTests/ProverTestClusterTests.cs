using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Nexus.Circuits;
using Nexus.Contracts.Prover;
using Nexus.Crypto.Groth16;
using Nexus.Crypto.Groth16.Formats;
using Nexus.IntegrationTests.Infrastructure;
using Nexus.Prover;
using Nexus.Prover.Jobs;
using Npgsql;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace Nexus.IntegrationTests;

/// <summary>
/// The pool's grains in Orleans' own two-silo test cluster (in-memory membership and transport; the
/// job store on the real PostgreSQL): a proof made across both silos verifies, and one silo killed
/// mid-job (the test cluster's kill: its silo stops at once) still leaves a proof that verifies.
/// The process-level crash, with real membership on PostgreSQL, is ProverPoolTests.
/// </summary>
public sealed class ProverTestClusterTests
{
    private static readonly ConcurrentDictionary<string, ProofReady> Ready = new();

    private sealed class ReadyCapture : IConsumer<ProofReady>
    {
        public Task Consume(ConsumeContext<ProofReady> context)
        {
            Ready[context.Message.JobId] = context.Message;
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task A_two_silo_test_cluster_proves_and_survives_a_silo_killed_mid_job()
    {
        var circuit = Circom.Chain(30000);
        var keys = Directory.CreateTempSubdirectory("nexus-testcluster-keys-").FullName;
        var key = DevCeremony.Setup(R1cs.Read(circuit.R1csPath));
        ZKeyFile.Write(Path.Combine(keys, "chain.zkey"), key);
        var schema = $"it_tc_{Guid.NewGuid():N}"[..20];
        var options = new ProverOptions { KeysDirectory = keys, Schema = schema, ChunkPoints = 1024, BitSplits = 3, StaleJobSeconds = 3, SweepSeconds = 1 };

        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton(Options.Create(options));
            silo.Services.AddMetrics();
            silo.Services.AddProvingPool(NpgsqlDataSource.Create(LocalInfra.Postgres), schema);
            // Each silo publishes ProofReady on its own in-memory bus; the test reads them all.
            silo.Services.AddMassTransit(x =>
            {
                x.AddConsumer<ReadyCapture>();
                x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
            });
            silo.Configure<ClusterMembershipOptions>(o => o.ProbeTimeout = TimeSpan.FromSeconds(1));
        });
        await using var cluster = builder.Build();
        await cluster.DeployAsync();

        var store = new ProofJobStore(NpgsqlDataSource.Create(LocalInfra.Postgres), schema);
        await store.InitializeAsync();
        var witnessPath = Circom.Witness(circuit, """{"x": "7", "k": "2"}""", "testcluster");
        var witness = File.ReadAllBytes(witnessPath);
        var hash = "0x" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(keys, "chain.zkey"))));

        async Task<ProofReady> ProveAsync(string job, Func<Task>? midway = null)
        {
            (await store.AcceptAsync(job, "chain", hash, witness)).ShouldBeTrue();
            await cluster.Client.GetGrain<IProofJob>(job).Start();
            if (midway is not null)
                await midway();
            return (await Poll.UntilAsync(() => Ready.GetValueOrDefault(job), TimeSpan.FromMinutes(3)))!;
        }

        var first = await ProveAsync($"tc-first-{schema}");
        first.Error.ShouldBeNull();
        first.Silos.Count.ShouldBe(2);
        ProofChecks.VerifiesWithSnarkjs(key, first, circuit.Folder);
        // Every planned item (H's bit splits included) is stored once: progress ends at exactly 100 %.
        var finished = (await store.GetAsync($"tc-first-{schema}"))!;
        finished.TasksDone.ShouldBe(finished.Tasks);

        var secondId = $"tc-second-{schema}";
        string? killed = null;
        var second = await ProveAsync(secondId, async () =>
        {
            await Poll.UntilAsync(async () => (await store.GetAsync(secondId))!.TasksDone >= 6, TimeSpan.FromMinutes(2));
            var coordinator = (await CoordinatorAsync(schema, secondId))!;
            var victim = cluster.Silos.Single(s => s.SiloAddress.ToString() == coordinator);
            killed = coordinator;
            await cluster.KillSiloAsync(victim);
            (await store.GetAsync(secondId))!.Status.ShouldBe(JobStatus.Running);
        });
        second.Error.ShouldBeNull();
        (await CoordinatorAsync(schema, secondId)).ShouldNotBe(killed); // resumed on the other silo
        ProofChecks.VerifiesWithSnarkjs(key, second, circuit.Folder);
    }

    [Fact]
    public async Task Parts_saved_at_once_are_all_counted_and_a_finished_job_keeps_none()
    {
        var schema = $"it_js_{Guid.NewGuid():N}"[..20];
        var store = new ProofJobStore(NpgsqlDataSource.Create(LocalInfra.Postgres), schema);
        await store.InitializeAsync();
        try
        {
            (await store.AcceptAsync("job", "chain", "0x00", [1, 2, 3])).ShouldBeTrue();
            // Sixty silos' worth of parts at once, each part twice (first writer wins).
            var parts = Enumerable.Range(0, 60).SelectMany(i => new[] { i, i }).Select(i => store.SavePartAsync("job", $"part-{i}", [(byte)i], $"silo-{i % 4}"));
            await Task.WhenAll(parts);
            (await store.GetAsync("job"))!.TasksDone.ShouldBe(60);
            (await store.PartsAsync("job")).Count.ShouldBe(60);

            // Finishing races with late saves: whichever commits first, no part outlives the finished job.
            var late = Enumerable.Range(60, 40).Select(i => store.SavePartAsync("job", $"part-{i}", [(byte)i], "silo-late")).ToList();
            await store.FinishAsync("job", "{}", [], null);
            await Task.WhenAll(late);
            (await store.PartsAsync("job")).ShouldBeEmpty();
            (await store.GetAsync("job"))!.Status.ShouldBe(JobStatus.Done);
        }
        finally
        {
            await Nexus.LocalDev.Hosting.ThrowAwaySchema.DropAsync(LocalInfra.Postgres, schema);
        }
    }

    private static async Task<string?> CoordinatorAsync(string schema, string job)
    {
        await using var connection = new NpgsqlConnection(LocalInfra.Postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select coordinator from {schema}.proof_jobs where job_id = @id", connection);
        command.Parameters.AddWithValue("id", job);
        return (string?)await command.ExecuteScalarAsync();
    }
}
