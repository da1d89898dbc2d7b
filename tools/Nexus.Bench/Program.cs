using System.CommandLine;
using Nexus.Bench;

var inputs = new Option<int>("--inputs") { Description = "confirmed inputs to ingest in the throughput phase", DefaultValueFactory = _ => 20_000 };
var perTx = new Option<int>("--per-transaction") { Description = "inputs emitted per dApp transaction", DefaultValueFactory = _ => 500 };
var latencySeconds = new Option<int>("--latency-seconds") { Description = "length of the steady-load latency phase", DefaultValueFactory = _ => 20 };
var ingest = new Command("ingest", "inputs/s from confirmed log to sealed block, per stage and end to end, vs. the bus alone; latency at steady load")
    { inputs, perTx, latencySeconds };
ingest.SetAction(async (p, ct) => await IngestBenchmark.RunAsync(new IngestSettings(p.GetValue(inputs), p.GetValue(perTx), p.GetValue(latencySeconds)), ct));
var registered = new Option<int>("--registered") { Description = "apps registered in the scale run", DefaultValueFactory = _ => 1_000 };
var active = new Option<int>("--active") { Description = "apps submitting inputs (the rest idle)", DefaultValueFactory = _ => 10 };
var seconds = new Option<int>("--seconds") { Description = "steady load per run", DefaultValueFactory = _ => 20 };
var scale = new Command("ingest-scale", "many registered apps, few active: RPC calls per new block and latency, vs. only the active apps registered")
    { registered, active, seconds };
scale.SetAction(async (p, ct) => await IngestScaleBenchmark.RunAsync(new ScaleSettings(p.GetValue(registered), p.GetValue(active), p.GetValue(seconds)), ct));
var root = new RootCommand("nexus-bench: load runs against the local infrastructure (infra/start.sh)") { ingest, scale };
root.Subcommands.Add(Nexus.Bench.State.StateBench.Command()); // state tree, no infrastructure
root.Subcommands.Add(Nexus.Bench.Runtime.RuntimeBench.Command()); // WebAssembly runtime, no infrastructure
root.Subcommands.Add(Nexus.Bench.Runtime.ExecuteBench.Command()); // executor service on PostgreSQL + RabbitMQ
root.Subcommands.Add(Nexus.Bench.Frost.FrostBench.Command()); // FROST signing, no infrastructure
root.Subcommands.Add(Nexus.Bench.Signer.SignerBench.Command()); // mpc-signer committee end to end on the dev node
root.Subcommands.Add(Nexus.Bench.Bn254.Bn254Bench.Command()); // BN254 field, G1, MSM; no infrastructure
root.Subcommands.Add(Nexus.Bench.Prover.ProverBench.Command()); // Groth16 vs snarkjs on one key; node, no infrastructure
return await root.Parse(args).InvokeAsync();
