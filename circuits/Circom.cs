using System.Collections.Concurrent;
using System.Diagnostics;

namespace Nexus.Circuits;

/// <summary>A circuit compiled by circom: its constraint system and its witness generator.</summary>
public sealed record CompiledCircuit(string Name, string R1csPath, string WasmPath, string Folder);

/// <summary>
/// The pinned npm circuit toolchain (circom2, snarkjs, circomlib in the repository's node_modules), run
/// from the repository root because circom2's WebAssembly build only sees the current directory.
/// Compiled circuits and small powers-of-tau files are kept under artifacts/circuits between runs.
/// Shared by the tests and the prover benchmark (linked into both; development tooling, not product).
/// </summary>
public static class Circom
{
    private static readonly ConcurrentDictionary<string, Lazy<CompiledCircuit>> Compiled = new();
    private static readonly ConcurrentDictionary<int, Lazy<string>> Ptaus = new();

    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>
    /// artifacts/circuits/{project}: one folder per test or tool project (its build output folder's
    /// name), so test assemblies running at the same time never compile into the same files.
    /// </summary>
    public static string WorkFolder { get; } = Directory.CreateDirectory(Path.Combine(RepoRoot, "artifacts", "circuits",
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent?.Name ?? "default")).FullName;

    /// <summary>Chain(n): n squaring constraints, k public.</summary>
    public static CompiledCircuit Chain(int n) => Compile($"chain_{n}", "chain.circom", $"component main {{public [k]}} = Chain({n});");

    public static CompiledCircuit Poseidon(int inputs) =>
        Compile($"poseidon_{inputs}", "circomlib/circuits/poseidon.circom", $"component main = Poseidon({inputs});");

    public static CompiledCircuit Merkle(int depth) => Compile($"merkle_{depth}", "merkle.circom", $"component main = MerkleInclusion({depth});");

    /// <summary>Writes a main file including <paramref name="include"/> and compiles it once per run.</summary>
    public static CompiledCircuit Compile(string name, string include, string main) => Compiled.GetOrAdd(name, _ => new Lazy<CompiledCircuit>(() =>
    {
        var folder = Directory.CreateDirectory(Path.Combine(WorkFolder, name)).FullName;
        var source = Path.Combine(folder, name + ".circom");
        File.WriteAllText(source, $"pragma circom 2.1.0;\ninclude \"{include}\";\n{main}\n");
        Node("node_modules/circom2/cli.js", Relative(source), "--r1cs", "--wasm", "-o", Relative(folder), "-l", "node_modules", "-l", "circuits");
        return new CompiledCircuit(name, Path.Combine(folder, name + ".r1cs"), Path.Combine(folder, name + "_js", name + ".wasm"), folder);
    })).Value;

    /// <summary>circom's witness generator on a JSON input (snarkjs wtns calculate); returns the .wtns path.</summary>
    public static string Witness(CompiledCircuit circuit, string inputJson, string tag)
    {
        var input = Path.Combine(circuit.Folder, $"input_{tag}.json");
        var output = Path.Combine(circuit.Folder, $"witness_{tag}.wtns");
        File.WriteAllText(input, inputJson);
        Snarkjs("wtns", "calculate", circuit.WasmPath, input, output);
        return output;
    }

    /// <summary>A prepared powers-of-tau file of 2^power made here (one throwaway contribution); small powers only.</summary>
    public static string Ptau(int power) => Ptaus.GetOrAdd(power, p => new Lazy<string>(() =>
    {
        var final = Path.Combine(WorkFolder, $"pot{p}_final.ptau");
        if (File.Exists(final))
            return final;
        var p0 = Path.Combine(WorkFolder, $"pot{p}_0.ptau");
        var p1 = Path.Combine(WorkFolder, $"pot{p}_1.ptau");
        Snarkjs("powersoftau", "new", "bn128", p.ToString(), p0);
        Snarkjs("powersoftau", "contribute", p0, p1, "--name=test", "-e=nexus test entropy");
        Snarkjs("powersoftau", "prepare", "phase2", p1, final + ".tmp");
        File.Move(final + ".tmp", final);
        return final;
    })).Value;

    public static string Snarkjs(params string[] args) => Node(["node_modules/snarkjs/build/cli.cjs", .. args]);

    /// <summary>Whether <c>snarkjs groth16 verify</c> accepts the proof (exit code 0 and its "OK!").</summary>
    public static bool SnarkjsVerifies(string verificationKey, string publicJson, string proofJson)
    {
        var (code, output) = TryNode("node_modules/snarkjs/build/cli.cjs", "groth16", "verify", verificationKey, publicJson, proofJson);
        return code == 0 && output.Contains("OK!");
    }

    /// <summary>Runs node in the repository root; throws with its output when it fails.</summary>
    public static string Node(params string[] args)
    {
        var info = new ProcessStartInfo("node", args)
        {
            WorkingDirectory = RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {string.Join(' ', args)} ran over 5 minutes");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"node {string.Join(' ', args)} exited {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        return stdout.Result;
    }

    /// <summary>Exit code and output, for commands expected to fail (snarkjs verify on a bad proof).</summary>
    public static (int ExitCode, string Output) TryNode(params string[] args)
    {
        var info = new ProcessStartInfo("node", args) { WorkingDirectory = RepoRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static string Relative(string path) => Path.GetRelativePath(RepoRoot, path);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Nexus.Services.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException("repository root (Nexus.Services.sln) not found above " + AppContext.BaseDirectory);
    }
}
