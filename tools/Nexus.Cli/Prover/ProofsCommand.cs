using System.CommandLine;
using System.Diagnostics;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Nexus.Contracts.Prover;
using Nexus.Crypto.Groth16;
using Nexus.Crypto.Groth16.Formats;
using Nexus.Ethereum.Artifacts;
using Spectre.Console;

namespace Nexus.Cli.Prover;

/// <summary><c>nexus proofs request</c>: a proof from the prover pool over the bus, optionally checked on chain.</summary>
public static class ProofsCommand
{
    public static Command Build()
    {
        var circuit = new Option<string>("--circuit") { Description = "circuit name: the pool proves with {KeysDirectory}/{circuit}.zkey", Required = true };
        var wtns = new Option<FileInfo>("--wtns") { Description = "the full witness (.wtns)", Required = true };
        var job = new Option<string?>("--job") { Description = "job id (default: a new one); the same id asks for the same job again" };
        var rabbit = new Option<string>("--rabbitmq")
        {
            Description = "broker URI (env NEXUS_RABBITMQ)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("NEXUS_RABBITMQ") ?? "rabbitmq://guest:guest@127.0.0.1:5672/",
        };
        var proofOut = new Option<FileInfo>("--proof") { Description = "where to write proof.json", DefaultValueFactory = _ => new FileInfo("proof.json") };
        var publicOut = new Option<FileInfo>("--public") { Description = "where to write public.json", DefaultValueFactory = _ => new FileInfo("public.json") };
        var verifier = new Option<FileInfo?>("--verifier")
        {
            Description = "compiled artifact ({abi, bytecode} JSON) of the verifier `snarkjs zkey export solidityverifier` wrote: deploy it and check the proof on chain",
        };
        var timeout = new Option<int>("--timeout") { Description = "seconds to wait for the proof", DefaultValueFactory = _ => 600 };
        var request = new Command("request", "ask the prover pool for a proof (ProofRequested → ProofReady) and wait for it") { circuit, wtns, job, rabbit, proofOut, publicOut, verifier, timeout };
        request.SetAction(async (p, ct) =>
        {
            var jobId = p.GetValue(job) ?? $"cli-{Guid.NewGuid():N}";
            var witness = await File.ReadAllBytesAsync(p.GetValue(wtns)!.FullName, ct);
            WitnessFile.Parse(witness, p.GetValue(wtns)!.Name); // a clear error here rather than from the pool
            var ready = new TaskCompletionSource<ProofReady>(TaskCreationOptions.RunContinuationsAsynchronously);
            var uri = new Uri(p.GetValue(rabbit)!);
            var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
            {
                cfg.Host(uri);
                // A private, temporary queue: this CLI's answers only.
                cfg.ReceiveEndpoint($"nexus-cli-proofs-{Guid.NewGuid():N}", e =>
                {
                    e.AutoDelete = true;
                    e.Durable = false;
                    e.Handler<ProofReady>(c =>
                    {
                        if (c.Message.JobId == jobId)
                            ready.TrySetResult(c.Message);
                        return Task.CompletedTask;
                    });
                });
            });
            await bus.StartAsync(ct);
            try
            {
                var watch = Stopwatch.StartNew();
                await bus.Publish(new ProofRequested { JobId = jobId, Circuit = p.GetValue(circuit)!, WitnessBase64 = Convert.ToBase64String(witness) }, ct);
                var result = await AnsiConsole.Status().StartAsync($"job {jobId}: waiting for the pool", async _ =>
                    await ready.Task.WaitAsync(TimeSpan.FromSeconds(p.GetValue(timeout)), ct));
                if (result.Error is { } error)
                    throw new InvalidOperationException($"the pool refused job {jobId}: {error}");
                await File.WriteAllTextAsync(p.GetValue(proofOut)!.FullName, result.Proof, ct);
                await File.WriteAllTextAsync(p.GetValue(publicOut)!.FullName, JsonSerializer.Serialize(result.PublicSignals), ct);
                AnsiConsole.MarkupLineInterpolated($"[green]proof[/] for job {jobId} ({result.Circuit}, key {result.ProvingKeyHash[..18]}…): {watch.Elapsed.TotalSeconds:F2} s here, {result.Seconds:F2} s in the pool, parts computed on {result.Silos.Count} silo(s)");
                if (p.GetValue(verifier) is { } artifactFile)
                    await VerifyOnChainAsync(p, artifactFile, result, ct);
                return 0;
            }
            finally
            {
                await bus.StopAsync(CancellationToken.None);
            }
        });
        return new Command("proofs", "the prover pool: request proofs over the bus") { request };
    }

    private static async Task VerifyOnChainAsync(ParseResult p, FileInfo artifactFile, ProofReady result, CancellationToken ct)
    {
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(artifactFile.FullName, ct));
        var artifact = new SolidityArtifact(Path.GetFileNameWithoutExtension(artifactFile.Name),
            json.RootElement.GetProperty("abi").GetRawText(), json.RootElement.GetProperty("bytecode").GetString()!);
        var sender = await CliOptions.SenderAsync(p, ct);
        var receipt = await artifact.DeployAsync(sender.Web3, sender.Account.Address, ct);
        var verify = sender.Web3.Eth.GetContract(artifact.Abi, receipt.ContractAddress).GetFunction("verifyProof");
        var proof = Proof.FromSnarkJson(JsonNode.Parse(result.Proof!)!);
        var signals = result.PublicSignals!.Select(BigInteger.Parse).ToList();
        var (pa, pb, pc) = proof.ToSolidityArguments();
        object[] Args(List<BigInteger> pub) => [pa.ToList(), pb.Select(x => x.ToList()).ToList(), pc.ToList(), pub];
        var ok = await verify.CallAsync<bool>(Args(signals));
        var gas = await verify.EstimateGasAsync(Args(signals));
        var tampered = signals.Select((s, i) => i == 0 ? s + 1 : s).ToList();
        var rejected = !await verify.CallAsync<bool>(Args(tampered));
        if (!ok || !rejected)
            throw new InvalidOperationException($"on-chain check failed: proof accepted {ok}, tampered public signal rejected {rejected}");
        AnsiConsole.MarkupLineInterpolated($"[green]verified on chain[/] by {artifact.Name} at {receipt.ContractAddress}: verifyProof = true ({gas.Value} gas); a tampered public signal is rejected");
    }
}
