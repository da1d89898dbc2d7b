using System.Diagnostics;
using Nexus.Crypto.Bn254;
using Nexus.Crypto.Groth16;
using Nexus.Crypto.Groth16.Formats;
using Orleans.Concurrency;

namespace Nexus.Prover.Pool;

/// <summary>What a work item computes: one QAP polynomial onto the odd coset, or one MSM chunk.</summary>
public enum WorkKind { Coset, Msm }

/// <summary>
/// One unit of a proof. Coset: polynomial <see cref="Polynomial"/> (0 = A, 1 = B, 2 = C) of the witness
/// onto the odd coset (n scalars back). Msm: Σ 2^FromBit·(scalars' bits [FromBit, ToBit))·bases over the
/// points [<see cref="Start"/>, Start + Count) of <see cref="Part"/> (one point back, G2 for B2): a chunk
/// of points and of Pippenger's windows, since a bit range of the scalars is a range of windows.
/// Scalars travel as 32-byte little-endian Montgomery words (both ends are this code).
/// </summary>
[GenerateSerializer, Immutable, Alias("nexus.prover.WorkItem")]
public sealed record WorkItem(string JobId, string Circuit, string KeyHash, WorkKind Kind, int Polynomial, MsmPart Part, int Start, int Count, byte[] Scalars,
    int FromBit = 0, int ToBit = WorkItem.ScalarBits)
{
    /// <summary>Bits of a scalar (r &lt; 2²⁵⁴).</summary>
    public const int ScalarBits = 254;

    /// <summary>
    /// The part's id in the job's stored parts, e.g. <c>coset-1</c> or <c>msm-B2-16384+16384@127-254</c>:
    /// points and bits, so a job resumed under another chunk size or split recomputes rather than mixing ranges.
    /// </summary>
    public string PartId => Kind == WorkKind.Coset ? $"coset-{Polynomial}" : $"msm-{Part}-{Start}+{Count}@{FromBit}-{ToBit}";
}

[GenerateSerializer, Immutable, Alias("nexus.prover.WorkResult")]
public sealed record WorkResult(byte[] Data, string Silo, double Seconds);

/// <summary>
/// A worker: one activation per work item (and try), placed on the silo the job chose, so work spreads
/// over the pool (stateless workers would stay on the caller's silo). Keys come from the silo's cache.
/// </summary>
[Alias("nexus.prover.IProvingWorker")]
public interface IProvingWorker : IGrainWithStringKey
{
    [ResponseTimeout("00:30:00"), Alias("Run")]
    Task<WorkResult> Run(WorkItem item);
}

public sealed class ProvingWorker(ProvingKeys keys, ProverMetrics metrics, ILocalSiloDetails silo) : Grain, IProvingWorker
{
    public async Task<WorkResult> Run(WorkItem item)
    {
        var watch = Stopwatch.StartNew();
        // Off the grain's turn: the math takes all cores for a while.
        var data = await Task.Run(() => Compute(keys.Get(item.Circuit, item.KeyHash).Key, item));
        metrics.Task(item.Kind == WorkKind.Coset ? "coset" : "msm-" + item.Part, watch.Elapsed.TotalSeconds);
        DeactivateOnIdle(); // one item per activation
        return new WorkResult(data, silo.SiloAddress.ToString(), watch.Elapsed.TotalSeconds);
    }

    public static byte[] Compute(ProvingKey key, WorkItem item)
    {
        var scalars = Words.ToScalars(item.Scalars);
        if (item.Kind == WorkKind.Coset)
        {
            if (scalars.Length != key.Vars)
                throw new ArgumentException($"a witness of {scalars.Length} values for a key of {key.Vars} signals");
            var (a, b, c) = Groth16Prover.QapEvaluations(key, scalars);
            var values = item.Polynomial switch { 0 => a, 1 => b, 2 => c, _ => throw new ArgumentOutOfRangeException(nameof(item)) };
            Groth16Prover.ToOddCoset(values, Fft.Root(key.Log2Domain + 1));
            return Words.FromScalars(values);
        }
        if (item.Count != scalars.Length || item.Start < 0)
            throw new ArgumentException($"chunk of {item.Count} points with {scalars.Length} scalars");
        // An item from a silo that predates bit ranges arrives with both bounds 0: the whole scalar.
        var (fromBit, toBit) = item is { FromBit: 0, ToBit: 0 } ? (0, WorkItem.ScalarBits) : (item.FromBit, item.ToBit);
        if (fromBit < 0 || toBit > WorkItem.ScalarBits || fromBit >= toBit)
            throw new ArgumentException($"bits [{fromBit}, {toBit}) of a {WorkItem.ScalarBits}-bit scalar");
        if (fromBit > 0 || toBit < WorkItem.ScalarBits)
            for (var i = 0; i < scalars.Length; i++)
                scalars[i] = scalars[i].BitRange(fromBit, toBit - fromBit);
        // The MSM of the bit range's values runs only the windows they need; then × 2^FromBit.
        var shift = System.Numerics.BigInteger.One << fromBit;
        if (item.Part == MsmPart.B2)
            return Msm.Multiply(key.B2.AsMemory(item.Start, item.Count), scalars).Multiply(shift).ToEvmBytes();
        return Msm.Multiply(Groth16Prover.BasesG1(key, item.Part).AsMemory(item.Start, item.Count), scalars).Multiply(shift).ToEvmBytes();
    }
}

/// <summary>Scalars and points on the wire between silos.</summary>
public static class Words
{
    public static byte[] FromScalars(ReadOnlySpan<Element<Fr>> values)
    {
        var bytes = new byte[values.Length * 32];
        for (var i = 0; i < values.Length; i++)
            values[i].WriteLittleEndian(bytes.AsSpan(i * 32, 32), montgomery: true);
        return bytes;
    }

    public static Element<Fr>[] ToScalars(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % 32 != 0)
            throw new ArgumentException("scalars are 32-byte words");
        var values = new Element<Fr>[bytes.Length / 32];
        for (var i = 0; i < values.Length; i++)
            if (!Element<Fr>.TryReadLittleEndian(bytes.Slice(i * 32, 32), montgomery: true, out values[i]))
                throw new ArgumentException($"scalar {i} is not below the field's modulus");
        return values;
    }
}
