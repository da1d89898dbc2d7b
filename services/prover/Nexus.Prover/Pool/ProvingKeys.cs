using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Nexus.Crypto.Groth16.Formats;

namespace Nexus.Prover.Pool;

/// <summary>A circuit's proving key as loaded on this silo, with the hash every silo of a job must match.</summary>
public sealed record LoadedKey(string Circuit, string Hash, ProvingKey Key, R1cs? R1cs);

/// <summary>
/// Proving keys from <see cref="ProverOptions.KeysDirectory"/>, parsed once per silo and kept (a 2^16
/// key is ~50 MB in memory). A job records the SHA-256 of the key it was accepted with; a silo holding a
/// different file for the circuit refuses its work rather than mix keys.
/// </summary>
public sealed partial class ProvingKeys(IOptions<ProverOptions> options, ILogger<ProvingKeys> logger)
{
    private readonly ConcurrentDictionary<string, Lazy<LoadedKey>> _keys = new();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex CircuitName();

    public LoadedKey Get(string circuit)
    {
        if (!CircuitName().IsMatch(circuit) || circuit.Contains(".."))
            throw new ArgumentException($"'{circuit}' is not a circuit name (letters, digits, '.', '_', '-'; up to 100)");
        var lazy = _keys.GetOrAdd(circuit, c => new Lazy<LoadedKey>(() => Load(c)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            _keys.TryRemove(circuit, out _); // a key copied in later is found on the next request
            throw;
        }
    }

    public LoadedKey Get(string circuit, string expectedHash)
    {
        var key = Get(circuit);
        return key.Hash == expectedHash
            ? key
            : throw new InvalidOperationException($"this silo's proving key for {circuit} is {key.Hash}, the job's is {expectedHash}: the silos' key folders differ");
    }

    private LoadedKey Load(string circuit)
    {
        var path = Path.Combine(options.Value.KeysDirectory, circuit + ".zkey");
        if (!File.Exists(path))
            throw new ArgumentException($"no proving key for circuit '{circuit}' ({path} does not exist)");
        var bytes = File.ReadAllBytes(path);
        var hash = "0x" + Convert.ToHexStringLower(SHA256.HashData(bytes));
        var key = ZKeyFile.Parse(bytes, path);
        var r1csPath = Path.Combine(options.Value.KeysDirectory, circuit + ".r1cs");
        var r1cs = File.Exists(r1csPath) ? R1cs.Read(r1csPath) : null;
        logger.LogInformation("loaded proving key {Circuit} ({Hash}): {Vars} signals, domain 2^{Log2}{Check}",
            circuit, hash, key.Vars, key.Log2Domain, r1cs is null ? "" : ", witnesses checked against its r1cs");
        return new LoadedKey(circuit, hash, key, r1cs);
    }
}
