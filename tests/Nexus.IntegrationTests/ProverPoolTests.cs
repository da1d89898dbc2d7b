using Nexus.Contracts.Prover;
using Nexus.Crypto.Groth16;
using Nexus.Crypto.Groth16.Formats;
using Nexus.Circuits;
using Nexus.LocalDev.Hosting;
using Nexus.IntegrationTests.Infrastructure;
using Npgsql;

namespace Nexus.IntegrationTests;

/// <summary>
/// The prover service as a pool: silo processes clustered through PostgreSQL, requests and results on
/// RabbitMQ, proofs checked by snarkjs; a silo SIGKILLed mid-job.
/// </summary>
public sealed class ProverPoolTests
{
    private sealed class Pool(Pipeline pipeline, string keys, string schema, string cluster, string? witnesses = null)
    {
        public readonly Dictionary<int, ServiceProcess> Silos = [];

        /// <summary>Settings every silo gets (e.g. TLS).</summary>
        public Dictionary<string, string?> Extra { get; } = [];

        /// <summary>Starts a silo process and waits until it is ready (its bus queue bound, the pool joined).</summary>
        public async Task<ServiceProcess> StartSiloAsync()
        {
            var port = InProcessService.FreePort();
            var http = InProcessService.FreePort();
            var settings = pipeline.Settings();
            settings["urls"] = $"http://127.0.0.1:{http}";
            settings["Prover:KeysDirectory"] = keys;
            settings["Prover:WitnessDirectory"] = witnesses;
            settings["Prover:Clustering"] = "Postgres";
            settings["Prover:ClusterId"] = cluster;
            settings["Prover:Schema"] = schema;
            settings["Prover:SiloPort"] = port.ToString();
            settings["Prover:ChunkPoints"] = "1024";
            settings["Prover:StaleJobSeconds"] = "3";
            settings["Prover:SweepSeconds"] = "1";
            settings["Prover:ProbeTimeoutSeconds"] = "1";
            settings["Logging:LogLevel:Nexus.Prover"] = "Information";
            foreach (var (k, v) in Extra)
                settings[k] = v;
            var silo = pipeline.StartProcess("Nexus.Prover", settings: settings);
            Silos[port] = silo;
            using var client = new HttpClient();
            await Poll.UntilAsync(async () =>
            {
                try { return (await client.GetAsync($"http://127.0.0.1:{http}/health/ready")).IsSuccessStatusCode; }
                catch (HttpRequestException) { return false; }
            }, TimeSpan.FromSeconds(60));
            return silo;
        }

        public async Task<T?> ScalarAsync<T>(string sql, string job)
        {
            await using var connection = new NpgsqlConnection(LocalInfra.Postgres);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql.Replace("{schema}", schema), connection);
            command.Parameters.AddWithValue("id", job);
            var value = await command.ExecuteScalarAsync();
            return value is null or DBNull ? default : (T)value;
        }
    }

    private static (string Keys, CompiledCircuit Circuit, ProvingKey Key) Keys(string name, CompiledCircuit circuit)
    {
        var keys = Directory.CreateTempSubdirectory("nexus-prover-keys-").FullName;
        var key = DevCeremony.Setup(R1cs.Read(circuit.R1csPath));
        ZKeyFile.Write(Path.Combine(keys, name + ".zkey"), key);
        File.Copy(circuit.R1csPath, Path.Combine(keys, name + ".r1cs"));
        return (keys, circuit, key);
    }

    [Fact]
    public async Task Two_silos_over_TLS_share_a_proof_and_a_silo_killed_mid_job_does_not_lose_it()
    {
        await using var pipeline = await Pipeline.StartAsync("prover_pool");
        var (keys, circuit, key) = Keys("chain", Circom.Chain(30000));
        var pool = new Pool(pipeline, keys, pipeline.Schema + "_p", "it-" + pipeline.Id);
        // Silo-to-silo traffic over TLS with a pinned self-signed certificate (shared by both silos).
        var tls = Directory.CreateTempSubdirectory("nexus-prover-tls-").FullName;
        using var certificate = Nexus.Hosting.Grpc.MutualTls.CreateSelfSigned("prover-pool");
        Nexus.Hosting.Grpc.MutualTls.WritePem(certificate, Path.Combine(tls, "pool.crt"), Path.Combine(tls, "pool.key"));
        pool.Extra["Prover:TlsCertificateFile"] = Path.Combine(tls, "pool.crt");
        pool.Extra["Prover:TlsKeyFile"] = Path.Combine(tls, "pool.key");
        pool.Extra["Prover:PeerCertificatePins:0"] = Nexus.Hosting.Grpc.MutualTls.Pin(certificate);
        await pool.StartSiloAsync();
        await pool.StartSiloAsync();
        var witness = File.ReadAllBytes(Circom.Witness(circuit, """{"x": "3", "k": "5"}""", "pool"));

        // A first job on the two silos.
        await pipeline.PublishAsync(new ProofRequested { JobId = "first", Circuit = "chain", WitnessBase64 = Convert.ToBase64String(witness) });
        var first = await Poll.UntilAsync(() => pipeline.ProofsPublished.FirstOrDefault(p => p.JobId == "first"), TimeSpan.FromMinutes(3));
        ProofChecks.VerifiesWithSnarkjs(key, first!, circuit.Folder);
        first!.Silos.Count.ShouldBe(2); // both silos computed parts

        // A second job: once a few parts are stored, SIGKILL the silo coordinating it.
        await pipeline.PublishAsync(new ProofRequested { JobId = "second", Circuit = "chain", WitnessBase64 = Convert.ToBase64String(witness) });
        await Poll.UntilAsync(async () => await pool.ScalarAsync<long>("select count(*) from {schema}.proof_job_parts where job_id = @id", "second") >= 6,
            TimeSpan.FromMinutes(2));
        var coordinator = await pool.ScalarAsync<string>("select coordinator from {schema}.proof_jobs where job_id = @id", "second");
        var victim = pool.Silos.Single(s => coordinator!.Contains($":{s.Key}:"));
        await victim.Value.KillAsync();
        (await pool.ScalarAsync<string>("select status from {schema}.proof_jobs where job_id = @id", "second")).ShouldBe("Running");

        var second = await Poll.UntilAsync(() => pipeline.ProofsPublished.FirstOrDefault(p => p.JobId == "second"), TimeSpan.FromMinutes(3));
        ProofChecks.VerifiesWithSnarkjs(key, second!, circuit.Folder);
        (await pool.ScalarAsync<string>("select coordinator from {schema}.proof_jobs where job_id = @id", "second")).ShouldNotBe(coordinator);

        // The same request again is answered again (from the stored proof), not proved twice.
        var before = pipeline.ProofsPublished.Count(p => p.JobId == "second");
        await pipeline.PublishAsync(new ProofRequested { JobId = "second", Circuit = "chain", WitnessBase64 = Convert.ToBase64String(witness) });
        await Poll.UntilAsync(() => Task.FromResult(pipeline.ProofsPublished.Count(p => p.JobId == "second") > before), TimeSpan.FromMinutes(1));
        pipeline.ProofsPublished.Where(p => p.JobId == "second").Select(p => p.Proof).Distinct().Count().ShouldBe(1);
    }

    [Fact]
    public async Task Requests_the_pool_cannot_prove_are_answered_with_the_reason()
    {
        await using var pipeline = await Pipeline.StartAsync("prover_bad");
        var (keys, circuit, _) = Keys("merkle", Circom.Merkle(2));
        var pool = new Pool(pipeline, keys, pipeline.Schema + "_p", "it-" + pipeline.Id, witnesses: circuit.Folder);
        await pool.StartSiloAsync();
        var good = Circom.Witness(circuit, """{"leaf": "1", "siblings": ["2", "3"], "pathBits": ["0", "1"]}""", "bad");
        var broken = WitnessFile.Read(good);
        broken[^1] += Nexus.Crypto.Bn254.Element<Nexus.Crypto.Bn254.Fr>.One;
        var brokenPath = Path.Combine(circuit.Folder, "broken.wtns");
        WitnessFile.Write(brokenPath, broken);

        await pipeline.PublishAsync(new ProofRequested { JobId = "unknown", Circuit = "nope", WitnessPath = good });
        await pipeline.PublishAsync(new ProofRequested { JobId = "traversal", Circuit = "../merkle", WitnessPath = good });
        await pipeline.PublishAsync(new ProofRequested { JobId = "garbage", Circuit = "merkle", WitnessBase64 = Convert.ToBase64String("not a witness"u8.ToArray()) });
        await pipeline.PublishAsync(new ProofRequested { JobId = "broken", Circuit = "merkle", WitnessPath = brokenPath });
        await pipeline.PublishAsync(new ProofRequested { JobId = "good", Circuit = "merkle", WitnessPath = good });
        await pipeline.PublishAsync(new ProofRequested { JobId = "escape", Circuit = "merkle", WitnessPath = "/etc/passwd" });
        await pipeline.PublishAsync(new ProofRequested { JobId = "nothing", Circuit = "merkle" });

        async Task<string> Error(string job) => (await Poll.UntilAsync(() => pipeline.ProofsPublished.FirstOrDefault(p => p.JobId == job), TimeSpan.FromMinutes(2)))!.Error!;
        (await Error("unknown")).ShouldContain("no proving key for circuit 'nope'");
        (await Error("traversal")).ShouldContain("is not a circuit name");
        (await Error("garbage")).ShouldContain("not a .wtns file");
        (await Error("broken")).ShouldContain("does not hold");
        (await Error("escape")).ShouldContain("outside the witness directory");
        (await Error("nothing")).ShouldContain("carries no witness");
        var ok = await Poll.UntilAsync(() => pipeline.ProofsPublished.FirstOrDefault(p => p.JobId == "good"), TimeSpan.FromMinutes(2));
        ok!.Error.ShouldBeNull();
        ok.Proof.ShouldNotBeNull();
    }
}
