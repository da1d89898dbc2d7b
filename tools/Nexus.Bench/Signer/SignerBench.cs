using System.CommandLine;
using System.Diagnostics;
using Marten;
using Nexus.AppStreams;
using Nexus.AppStreams.Reading;
using Nexus.AppStreams.Registry;
using Nexus.LocalDev.Signers;
using Nexus.Apps;
using Nexus.ChainListener;
using Nexus.Contracts.Registry;
using Nexus.Contracts.Signer;
using Nexus.Crypto.Frost;
using Nexus.Ethereum.Artifacts;
using Nexus.LocalDev.Chain;
using Nexus.Executor;
using Nexus.LocalDev.Hosting;
using Nexus.MpcSigner;
using Nexus.MpcSigner.Coordinator;
using Nexus.Runtime.Blocks;
using Nexus.Runtime.Wasm;
using Nexus.Sequencer;
using Nexus.State;

namespace Nexus.Bench.Signer;

/// <summary>
/// The signer committee end to end on one box: real counter-app blocks (dApp transactions on the dev
/// node, listener, sequencer, executor) are signed by n replicas over gRPC on loopback, each checking
/// every input on the node and re-executing, with t-of-n FROST. Reports per-block time (p50, p99) and
/// blocks/s; the baseline, in the same process, is what one block costs without network or storage:
/// one re-execution plus an in-memory t-of-n FROST signature.
/// </summary>
public static class SignerBench
{
    private const string Settlement = "0x5e771e0000000000000000000000000000000001";

    public static Command Command()
    {
        var blocks = new Option<int>("--blocks") { Description = "app blocks to sign", DefaultValueFactory = _ => 100 };
        var perBlock = new Option<int>("--inputs-per-block") { Description = "counter inputs per block", DefaultValueFactory = _ => 10 };
        var n = new Option<int>("--n") { Description = "replicas", DefaultValueFactory = _ => 5 };
        var t = new Option<int>("--t") { Description = "threshold", DefaultValueFactory = _ => 3 };
        var cmd = new Command("signer", "mpc-signer: per-block signing time and blocks/s with n replicas over gRPC (re-execution included) vs. in-memory") { blocks, perBlock, n, t };
        cmd.SetAction(async (p, ct) => await RunAsync(p.GetValue(blocks), p.GetValue(perBlock), p.GetValue(n), p.GetValue(t), ct));
        return cmd;
    }

    private static async Task<int> RunAsync(int blockCount, int perBlock, int n, int t, CancellationToken ct)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var schema = "bench_" + run;
        var appId = "bench-sign-" + run;
        var dir = Directory.CreateTempSubdirectory("nexus-bench-signers-").FullName;
        await using var vhost = await RabbitVirtualHost.CreateAsync(LocalInfrastructure.RabbitManagement, "bench-" + run);
        using var store = DocumentStore.For(o => AppStreamStore.Configure(o, LocalInfrastructure.Postgres, schema));
        var replicaSchemas = Enumerable.Range(1, n).Select(i => $"{schema}_s{i}").ToList();
        var services = new List<InProcessService>();
        try
        {
            Console.WriteLine($"nexus-bench signer: {blockCount} blocks of {perBlock} counter inputs, {t}-of-{n} replicas over gRPC on loopback, {Environment.ProcessorCount} cores (everything in one process)");
            // LOCAL DEV CHAIN ONLY: Hardhat's well-known account pays for the dApp transactions.
            var dapp = new DappClient(LocalInfrastructure.Rpc, DevAccounts.HardhatAccount0Key, DevAccounts.DevChainId);
            var inbox = await dapp.DeployAsync(SolidityArtifact.NexusInbox, ct);
            var head = (long)(await dapp.Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
            await AppRegistry.RegisterAsync(store, new AppRegistered
            {
                AppId = appId, ChainId = DevAccounts.DevChainId, Inbox = inbox, PayloadAbi = "(uint256 amount)", Sources = [],
                Confirmations = 0, FromBlock = head + 1, RegisteredAt = DateTimeOffset.UtcNow,
            }, ct);
            await AppCodeRegistry.DeployAsync(store, appId, WasmRuntime.CodeHash(SampleApps.Counter), SampleApps.Counter, 0, AbiV1.DefaultFuelLimit, AbiV1.DefaultMemoryLimitBytes, ct);

            var pipeline = new Dictionary<string, string?>
            {
                ["Postgres:ConnectionString"] = LocalInfrastructure.Postgres, ["Postgres:Schema"] = schema, ["RabbitMq:VirtualHost"] = vhost.Name,
                ["Ethereum:RpcUrl"] = LocalInfrastructure.Rpc, ["Listener:PollIntervalMs"] = "100", ["Sequencer:MaxInputsPerBlock"] = perBlock.ToString(),
                ["Executor:GrpcPort"] = InProcessService.FreePort().ToString(), ["Executor:SweepIntervalMs"] = "100", ["Logging:LogLevel:Default"] = "Warning",
            };
            // One transaction per block: the sequencer cuts at L1 block boundaries too.
            for (var b = 0; b < blockCount; b++)
                await dapp.SubmitBatchAsync(inbox, appId, Enumerable.Range(1, perBlock).Select(i => new Nethereum.ABI.ABIEncode().GetABIEncoded(new System.Numerics.BigInteger(i))).ToList(), ct);
            await dapp.MineAsync(1);
            Console.WriteLine($"  prepared  {blockCount} dApp transactions; executing them…");
            foreach (var add in new Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>[] { b => b.AddSequencer(), b => b.AddExecutor(), b => b.AddChainListener() })
                services.Add(await InProcessService.StartAsync(add, pipeline));
            long executedHeight;
            while (true)
            {
                await using var q = store.QuerySession();
                var e = await AppStreamReader.ProgressAsync(q, appId, ct);
                if (e.SealedInputs == (long)blockCount * perBlock && e.ExecutedHeight == e.SealedHeight) { executedHeight = e.ExecutedHeight; break; }
                await Task.Delay(100, ct);
            }
            foreach (var s in services) await s.DisposeAsync();
            services.Clear();
            var heights = executedHeight + 1;

            // Baseline: per block, one re-execution and an in-memory t-of-n FROST signature.
            var keys = TrustedDealer.Deal(n, t);
            var verifying = keys.Packages.ToDictionary(k => k.Id, k => k.VerifyingShare);
            var proposed = new List<AppBlock>();
            await using (var q = store.QuerySession())
            {
                for (var after = 1L; proposed.Count < heights;)
                {
                    var range = await AppStreamReader.ReadBlocksAsync(q, appId, after, 5_000, ct);
                    proposed.AddRange(range.Blocks);
                    after = range.LastSealVersion;
                    if (range.EndOfStream) break;
                }
            }
            var baselineMs = new List<double>();
            using (var runtime = new WasmRuntime())
            {
                var code = new CodeBinding(runtime.Load(SampleApps.Counter), ExecutionLimits.Default);
                var tree = new StateTree();
                var previous = BlockEncoding.Zero32;
                foreach (var block in proposed)
                {
                    var watch = Stopwatch.StartNew();
                    var executed = BlockExecutor.Execute(runtime, code, tree, block.Seal, block.Inputs, previous);
                    previous = executed.HeaderHash;
                    var message = BlockEncoding.SigningDigest(executed.HeaderHash, DevAccounts.DevChainId, Settlement);
                    var signers = keys.Packages.Take(t).ToList();
                    var nonces = signers.Select(Nexus.Crypto.Frost.Frost.Commit).ToList();
                    var commitments = nonces.Select(x => x.Commitments).ToList();
                    var shares = signers.Select((k, i) => Nexus.Crypto.Frost.Frost.Sign(message, nonces[i], k, commitments)).ToList();
                    Nexus.Crypto.Frost.Frost.Aggregate(commitments, shares, keys.GroupPublicKey, message, verifying);
                    baselineMs.Add(watch.Elapsed.TotalMilliseconds);
                }
            }

            var setups = Enumerable.Range(1, n).Select(i => new CommitteeConfiguration.ReplicaSetup(i, InProcessService.FreePort(), Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)),
                Path.Combine(dir, $"replica-{i}.key"), $"bench passphrase {i}", replicaSchemas[i - 1], LocalInfrastructure.Rpc, Path.Combine(dir, $"modules-{i}"), 0)).ToList();
            foreach (var (s, key) in setups.Zip(keys.Packages))
                File.WriteAllBytes(s.KeyFile, KeyShareFile.Seal(key, s.Passphrase, KeyShareFile.MinIterations));
            var committeeFile = Path.Combine(dir, "committee.json");
            File.WriteAllText(committeeFile, CommitteeFile.Serialize(new Committee(new PublicKeyPackage(keys.GroupPublicKey, verifying), t, new byte[32])));
            var quiet = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:Nexus.MpcSigner.Coordinator"] = Environment.GetEnvironmentVariable("NEXUS_BENCH_VERBOSE") is null ? "Warning" : "Information", ["RabbitMq:VirtualHost"] = vhost.Name,
                ["Postgres:ConnectionString"] = LocalInfrastructure.Postgres, ["Postgres:Schema"] = schema };
            foreach (var s in setups)
                services.Add(await InProcessService.StartAsync(b => b.AddMpcSigner(), quiet.Concat(CommitteeConfiguration.Replica(s, Settlement)).ToDictionary(), a => a.MapSignerRounds()));

            var clock = Stopwatch.StartNew();
            services.Add(await InProcessService.StartAsync(b => b.AddMpcSigner(), quiet.Concat(CommitteeConfiguration.Coordinator(setups, committeeFile, Settlement)).ToDictionary()));
            while (true)
            {
                await using var q = store.QuerySession();
                if ((await AppStreamReader.LastAsync<BlockSigned>(q, appId, ct))?.Data.Height == executedHeight) break;
                if (clock.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException("the committee did not sign every block within 10 minutes");
                await Task.Delay(20, ct);
            }
            var elapsed = clock.Elapsed;
            await using var query = store.QuerySession();
            var signed = (await query.Events.FetchStreamAsync(appId, token: ct)).Select(e => e.Data).OfType<BlockSigned>().OrderBy(b => b.Height).ToList();
            // One app is signed block after block, so the gaps between signatures are the per-block times
            // (the first, which includes connecting and loading the module, is left out).
            var perBlockMs = signed.Zip(signed.Skip(1), (a, b) => (b.SignedAt - a.SignedAt).TotalMilliseconds).Order().ToList();
            double P(List<double> xs, double q) => xs[Math.Min(xs.Count - 1, (int)Math.Ceiling(q * xs.Count) - 1)];
            baselineMs.Sort();
            Console.WriteLine($"  baseline  in memory, one re-execution + {t}-of-{n} FROST sign+aggregate: p50 {P(baselineMs, 0.5),7:F2} ms  p99 {P(baselineMs, 0.99),7:F2} ms");
            Console.WriteLine($"  committee {n} replicas (RPC checks, re-execution, stores) + coordinator: p50 {P(perBlockMs, 0.5),7:F2} ms  p99 {P(perBlockMs, 0.99),7:F2} ms ({P(perBlockMs, 0.5) / P(baselineMs, 0.5):F1}× baseline at p50)");
            Console.WriteLine($"  committee {signed.Count} blocks ({(long)blockCount * perBlock:N0} inputs) in {elapsed.TotalSeconds:F1} s: {signed.Count / elapsed.TotalSeconds:F1} blocks/s");
            return 0;
        }
        finally
        {
            foreach (var s in services) await s.DisposeAsync();
            await ThrowAwaySchema.DropAsync(LocalInfrastructure.Postgres, schema, CancellationToken.None);
            foreach (var s in replicaSchemas) await ThrowAwaySchema.DropAsync(LocalInfrastructure.Postgres, s, CancellationToken.None);
            Directory.Delete(dir, recursive: true);
        }
    }
}
