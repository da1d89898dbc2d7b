using System.Text.RegularExpressions;
using MassTransit;
using Nexus.Contracts.Prover;
using Nexus.Crypto.Groth16;
using Nexus.Crypto.Groth16.Formats;
using Nexus.Prover.Pool;

namespace Nexus.Prover.Jobs;

/// <summary>
/// Accepts proof requests from the bus: checks them, stores the job (once per id) and starts its grain.
/// A request the pool cannot take (unknown circuit, malformed witness) is answered at once with a
/// failed ProofReady; storage or cluster trouble throws, so MassTransit redelivers.
/// </summary>
public sealed partial class ProofRequestedConsumer(ProvingKeys keys, ProofJobStore store, IGrainFactory grains,
    Microsoft.Extensions.Options.IOptions<ProverOptions> options, ILogger<ProofRequestedConsumer> logger)
    : IConsumer<ProofRequested>
{
    /// <summary>32 bytes a signal: 2²⁵ signals (a 2²⁵-constraint circuit's order) and the header.</summary>
    private const long MaxWitnessBytes = (1L << 30) + 4096;

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,128}$")]
    private static partial Regex JobIdPattern();

    public async Task Consume(ConsumeContext<ProofRequested> context)
    {
        var request = context.Message;
        if (!JobIdPattern().IsMatch(request.JobId ?? ""))
        {
            logger.LogWarning("proof request with an invalid job id '{JobId}' dropped", request.JobId);
            return; // nothing to answer to
        }
        if (await store.GetAsync(request.JobId!) is null)
        {
            try
            {
                var loaded = keys.Get(request.Circuit ?? "");
                var witness = ReadWitness(request);
                var values = WitnessFile.Parse(witness, $"job {request.JobId}'s witness");
                Groth16Prover.CheckWitness(loaded.Key, values);
                if (await store.AcceptAsync(request.JobId!, loaded.Circuit, loaded.Hash, witness))
                    logger.LogInformation("job {Job} accepted: circuit {Circuit}, {Signals} signals", request.JobId, loaded.Circuit, values.Length);
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or FormatException or IOException)
            {
                logger.LogWarning("job {Job} refused: {Error}", request.JobId, e.Message);
                await store.RejectAsync(request.JobId!, request.Circuit ?? "", e.Message);
            }
        }
        await grains.GetGrain<IProofJob>(request.JobId!).Start();
    }

    private byte[] ReadWitness(ProofRequested request)
    {
        if (request.WitnessBase64 is { Length: > 0 } inline)
            return Convert.FromBase64String(inline);
        if (request.WitnessPath is { Length: > 0 } path)
        {
            var root = options.Value.WitnessDirectory;
            if (string.IsNullOrEmpty(root))
                throw new ArgumentException("witness paths are not accepted here (Prover:WitnessDirectory is not set): send the witness inline");
            var inside = Path.GetFullPath(root).TrimEnd('/') + "/";
            var file = new FileInfo(Path.GetFullPath(path, root));
            // The file itself may be a link: its final target must be inside too. (Links among the
            // directories are the operator's own; the folder is theirs.)
            var target = file.LinkTarget is null ? file.FullName : file.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? file.FullName;
            if (!file.FullName.StartsWith(inside, StringComparison.Ordinal) || !target.StartsWith(inside, StringComparison.Ordinal))
                throw new ArgumentException($"the witness path {path} is outside the witness directory");
            if (file.Exists && file.Length > MaxWitnessBytes)
                throw new ArgumentException($"the witness file is {file.Length} bytes; at most {MaxWitnessBytes} are accepted");
            return File.ReadAllBytes(file.FullName);
        }
        throw new ArgumentException("the request carries no witness (WitnessBase64 or WitnessPath)");
    }
}
