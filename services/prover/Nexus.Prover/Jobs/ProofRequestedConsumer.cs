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
            var full = Path.GetFullPath(path, root);
            if (!full.StartsWith(Path.GetFullPath(root).TrimEnd('/') + "/", StringComparison.Ordinal))
                throw new ArgumentException($"the witness path {path} is outside the witness directory");
            return File.ReadAllBytes(full);
        }
        throw new ArgumentException("the request carries no witness (WitnessBase64 or WitnessPath)");
    }
}
