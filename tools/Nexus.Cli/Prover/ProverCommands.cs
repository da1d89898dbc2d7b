using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nexus.Crypto.Groth16;
using Nexus.Crypto.Groth16.Formats;
using Spectre.Console;

namespace Nexus.Cli.Prover;

/// <summary>Groth16 on this machine: prove from snarkjs files, and development keys.</summary>
public static class ProverCommands
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static IEnumerable<Command> Build() => [Prove(), ZKey(), ProofsCommand.Build()];

    private static Command Prove()
    {
        var zkey = new Option<FileInfo>("--zkey") { Description = "Groth16 proving key (.zkey from snarkjs or `nexus zkey dev`)", Required = true };
        var wtns = new Option<FileInfo>("--wtns") { Description = "full witness (.wtns from circom's generator / snarkjs wtns calculate)", Required = true };
        var r1cs = new Option<FileInfo?>("--r1cs") { Description = "the circuit (.r1cs): when given, the witness is checked against every constraint first" };
        var proofOut = new Option<FileInfo>("--proof") { Description = "where to write proof.json", DefaultValueFactory = _ => new FileInfo("proof.json") };
        var publicOut = new Option<FileInfo>("--public") { Description = "where to write public.json", DefaultValueFactory = _ => new FileInfo("public.json") };
        var calldata = new Option<bool>("--calldata") { Description = "also print the arguments of the Solidity verifier's verifyProof" };
        var cmd = new Command("prove", "make a Groth16 proof locally (snarkjs-compatible proof.json and public.json)") { zkey, wtns, r1cs, proofOut, publicOut, calldata };
        cmd.SetAction(p =>
        {
            var watch = Stopwatch.StartNew();
            var (key, witness) = Load(p.GetValue(zkey)!, p.GetValue(wtns)!);
            if (p.GetValue(r1cs) is { } circuitFile)
            {
                var circuit = R1cs.Read(circuitFile.FullName);
                if (circuit.FirstViolation(witness) is { } violation)
                    throw new ArgumentException($"the witness does not satisfy {circuitFile.Name}: {violation}; no proof made");
            }
            var loaded = watch.Elapsed;
            var proof = WithProgress("proving", 7, progress => Groth16Prover.Prove(key, witness, progress));
            var signals = Groth16Prover.PublicSignals(key, witness);
            File.WriteAllText(p.GetValue(proofOut)!.FullName, proof.ToSnarkJson().ToJsonString(Indented));
            File.WriteAllText(p.GetValue(publicOut)!.FullName, PublicSignals.ToJson(signals).ToJsonString(Indented));
            Console.WriteLine($"proof for {key.Vars} signals, {signals.Length} public, domain 2^{key.Log2Domain}: loaded in {loaded.TotalMilliseconds:F0} ms, proved in {(watch.Elapsed - loaded).TotalMilliseconds:F0} ms ({Environment.ProcessorCount} cores)");
            Console.WriteLine($"written {p.GetValue(proofOut)!.FullName} and {p.GetValue(publicOut)!.FullName}");
            if (p.GetValue(calldata))
                Console.WriteLine(proof.ToSolidityCalldata(signals));
            return 0;
        });
        return cmd;
    }

    private static Command ZKey()
    {
        var r1cs = new Option<FileInfo>("--r1cs") { Description = "the circuit (.r1cs from circom)", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "the proving key to write", Required = true };
        var vkOut = new Option<FileInfo?>("--vk") { Description = "also write the verification key (verification_key.json)" };
        var dev = new Command("dev", "DEVELOPMENT ONLY: a one-party Groth16 setup in seconds (whoever runs it could forge proofs; production keys come from a public ceremony)") { r1cs, output, vkOut };
        dev.SetAction(p =>
        {
            var circuit = R1cs.Read(p.GetValue(r1cs)!.FullName);
            var outFile = p.GetValue(output)!;
            if (outFile.Exists)
                throw new InvalidOperationException($"{outFile.FullName} exists; a proving key is never overwritten");
            var key = WithProgress("dev ceremony", 7, progress => DevCeremony.Setup(circuit, progress));
            ZKeyFile.Write(outFile.FullName, key);
            if (p.GetValue(vkOut) is { } vk)
                File.WriteAllText(vk.FullName, VerificationKey.ToSnarkJson(key).ToJsonString(Indented));
            AnsiConsole.MarkupLineInterpolated($"[yellow]development key (not for production)[/] for {circuit.Constraints.Length} constraints, domain 2^{key.Log2Domain}: {outFile.FullName}");
            return 0;
        });

        var zkey = new Option<FileInfo>("--zkey") { Description = "Groth16 proving key", Required = true };
        var vkFile = new Option<FileInfo>("--out") { Description = "verification_key.json to write", DefaultValueFactory = _ => new FileInfo("verification_key.json") };
        var export = new Command("vk", "export the verification key (snarkjs's verification_key.json fields that groth16 verify reads)") { zkey, vkFile };
        export.SetAction(p =>
        {
            var key = ZKeyFile.Read(p.GetValue(zkey)!.FullName);
            File.WriteAllText(p.GetValue(vkFile)!.FullName, VerificationKey.ToSnarkJson(key).ToJsonString(Indented));
            AnsiConsole.MarkupLineInterpolated($"written {p.GetValue(vkFile)!.FullName}");
            return 0;
        });
        return new Command("zkey", "Groth16 proving keys: development setup, verification key export") { dev, export };
    }

    private static (ProvingKey, Nexus.Crypto.Bn254.Element<Nexus.Crypto.Bn254.Fr>[]) Load(FileInfo zkey, FileInfo wtns)
    {
        Console.Error.WriteLine($"reading {zkey.Name}");
        var key = ZKeyFile.Read(zkey.FullName);
        var witness = WitnessFile.Read(wtns.FullName);
        Groth16Prover.CheckWitness(key, witness);
        return (key, witness);
    }

    /// <summary>
    /// A progress bar advanced by each step the prover or the ceremony reports, on a terminal; otherwise
    /// a line per step on stderr. The bar's library costs a cold `nexus prove` about 0.25 s of JIT and a
    /// render thread, which a script or a benchmark (output redirected) should not pay.
    /// </summary>
    private static T WithProgress<T>(string title, int steps, Func<IProgress<string>, T> work)
    {
        if (Console.IsErrorRedirected || Console.IsOutputRedirected)
            return work(new StepProgress(step => Console.Error.WriteLine($"{title}: {step}")));
        return AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(title, maxValue: steps);
                var result = work(new StepProgress(step =>
                {
                    task.Description = $"{title}: {step}";
                    task.Increment(1);
                }));
                task.Value = steps;
                return result;
            });
    }

    /// <summary>Synchronous progress (Progress&lt;T&gt; would post to the thread pool, out of order).</summary>
    private sealed class StepProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
