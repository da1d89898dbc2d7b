using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Nexus.Circuits;
using Nexus.Crypto.Bn254;
using Nexus.Crypto.Groth16;
using Nexus.Crypto.Groth16.Formats;

namespace Nexus.Bench.Prover;

/// <summary>
/// Groth16 proving against snarkjs in one run, on the same machine and the same proving key (our dev
/// ceremony's, which snarkjs proves with too): chain circuits of 2^k − 3 constraints (domain 2^k).
/// Each prover runs as a fresh process from files (load, prove, write), timed with its peak memory;
/// ours also warm in this process, with SIMD on and off. Every proof of ours is checked by snarkjs.
/// </summary>
public static class ProverBench
{
    public static Command Command()
    {
        var log2 = new Option<int[]>("--log2") { Description = "domain sizes as powers of two", DefaultValueFactory = _ => [12, 14, 16], AllowMultipleArgumentsPerToken = true };
        var rounds = new Option<int>("--rounds") { Description = "warm in-process proofs per size (best is reported)", DefaultValueFactory = _ => 2 };
        var cmd = new Command("prover", "Groth16 prove time and peak memory vs snarkjs groth16 prove (same key), MSM throughput SIMD vs scalar") { log2, rounds };
        cmd.SetAction(p => Run(p.GetValue(log2)!, p.GetValue(rounds)));
        return cmd;
    }

    private static int Run(int[] sizes, int rounds)
    {
        Console.WriteLine($"nexus-bench prover: {Environment.ProcessorCount} cores, AVX-512 {(Msm.UseSimd ? "on" : "not available")}, snarkjs 0.7.6 on node {Circom.Node("--version").Trim()}");
        Console.WriteLine("  size   constraints   dev setup   snarkjs prove (peak)     nexus prove (peak)      ratio   warm SIMD   warm scalar   ratio warm");
        foreach (var log in sizes)
        {
            var circuit = Circom.Chain((1 << log) - 3);
            var wtns = Circom.Witness(circuit, """{"x": "3", "k": "5"}""", "bench");
            var zkey = Path.Combine(circuit.Folder, "bench.zkey");
            var setup = "cached";
            if (!File.Exists(zkey))
            {
                var watch = Stopwatch.StartNew();
                ZKeyFile.Write(zkey, DevCeremony.Setup(R1cs.Read(circuit.R1csPath)));
                setup = $"{watch.Elapsed.TotalSeconds,6:F1} s";
            }
            var (snarkSeconds, snarkKb) = Timed("node", "node_modules/snarkjs/build/cli.cjs", "groth16", "prove", zkey, wtns,
                Path.Combine(circuit.Folder, "snark_proof.json"), Path.Combine(circuit.Folder, "snark_public.json"));
            var proofPath = Path.Combine(circuit.Folder, "nexus_proof.json");
            var publicPath = Path.Combine(circuit.Folder, "nexus_public.json");
            var (oursSeconds, oursKb) = Timed("dotnet", CliPath(), "prove", "--zkey", zkey, "--wtns", wtns, "--proof", proofPath, "--public", publicPath);
            var vk = Path.Combine(circuit.Folder, "bench_vk.json");
            var key = ZKeyFile.Read(zkey);
            File.WriteAllText(vk, VerificationKey.ToSnarkJson(key).ToJsonString());
            if (!Circom.SnarkjsVerifies(vk, publicPath, proofPath))
                throw new InvalidOperationException($"snarkjs did not verify our proof at 2^{log}");

            var witness = WitnessFile.Read(wtns);
            var simd = Warm(key, witness, rounds, simd: true);
            var scalar = Warm(key, witness, rounds, simd: false);
            Console.WriteLine($"  2^{log,-4} {key.DomainSize - 3,11}   {setup,9}   {snarkSeconds,7:F2} s ({snarkKb / 1024,5} MB)   {oursSeconds,7:F2} s ({oursKb / 1024,5} MB)   {snarkSeconds / oursSeconds,5:F1}×   {simd,7:F2} s   {scalar,9:F2} s   {snarkSeconds / simd,8:F1}×");

            // G1 MSM over the key's A points and the witness, SIMD vs scalar.
            var msmSimd = MsmSeconds(key, witness, simd: true);
            var msmScalar = MsmSeconds(key, witness, simd: false);
            var perCore = (double)key.Vars / Environment.ProcessorCount / 1e6;
            Console.WriteLine($"         G1 MSM of {key.Vars} points: SIMD {perCore / msmSimd:F3} M points/s/core, scalar {perCore / msmScalar:F3} (published gnark-style CPU ≈ 0.31)");
        }
        Console.WriteLine("  ratio: snarkjs ÷ nexus, both as fresh processes from files; warm: in-process, key loaded, best of the rounds.");
        return 0;
    }

    private static double Warm(ProvingKey key, Element<Fr>[] witness, int rounds, bool simd) =>
        WithSimd(simd, () => Timing.BestMs(rounds, () => Groth16Prover.Prove(key, witness)) / 1000);

    private static double MsmSeconds(ProvingKey key, Element<Fr>[] witness, bool simd) =>
        WithSimd(simd, () => Timing.BestMs(2, () => Msm.Multiply(key.A, witness)) / 1000);

    /// <summary>Runs <paramref name="measure"/> with the MSM's and FFT's AVX-512 paths on or off, then restores them.</summary>
    private static double WithSimd(bool simd, Func<double> measure)
    {
        var (msm, fft) = (Msm.UseSimd, Fft.UseSimd);
        Msm.UseSimd = simd && msm;
        Fft.UseSimd = simd && fft;
        try
        {
            return measure();
        }
        finally
        {
            (Msm.UseSimd, Fft.UseSimd) = (msm, fft);
        }
    }

    /// <summary>Wall seconds and peak resident memory (KB, from GNU time) of a command run in the repository root.</summary>
    private static (double Seconds, long PeakKb) Timed(string file, params string[] args)
    {
        var report = Path.GetTempFileName();
        var info = new ProcessStartInfo("/usr/bin/time", ["-f", "%e %M", "-o", report, file, .. args])
        {
            WorkingDirectory = Circom.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {stdout.Result}{stderr.Result}");
        var parts = File.ReadAllText(report).Trim().Split(' ');
        File.Delete(report);
        return (double.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    private static string CliPath()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Name;
        return Path.Combine(Circom.RepoRoot, "artifacts", "bin", "Nexus.Cli", configuration, "nexus.dll");
    }
}
