namespace Nexus.Contracts.Prover;

/// <summary>
/// Bus command to the prover pool: prove one witness of a circuit whose proving key the pool holds.
/// Idempotent by <see cref="JobId"/>: a request seen again (redelivery, a client retry) joins the job
/// already there.
/// </summary>
public sealed record ProofRequested
{
    /// <summary>The requester's id for the job (1–128 characters of [A-Za-z0-9._:-]); ProofReady carries it back.</summary>
    public required string JobId { get; init; }

    /// <summary>The circuit: the pool proves with <c>{KeysDirectory}/{Circuit}.zkey</c> (and checks the witness against <c>{Circuit}.r1cs</c> when present).</summary>
    public required string Circuit { get; init; }

    /// <summary>The full witness as a snarkjs/circom <c>.wtns</c> file, base64 (inline; a few MB at 2^16 constraints).</summary>
    public string? WitnessBase64 { get; init; }

    /// <summary>Or the path of the <c>.wtns</c> file on storage the pool's silos share.</summary>
    public string? WitnessPath { get; init; }
}
