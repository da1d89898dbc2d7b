namespace Nexus.Contracts.Prover;

/// <summary>
/// Bus event: the pool finished a job. Delivered at least once (consumers key on <see cref="JobId"/>).
/// On success <see cref="Proof"/> and <see cref="PublicSignals"/> are snarkjs's proof.json and
/// public.json; on failure <see cref="Error"/> says why and nothing else is set.
/// </summary>
public sealed record ProofReady
{
    public required string JobId { get; init; }
    public required string Circuit { get; init; }

    /// <summary>SHA-256 of the proving key used (0x-hex), so the verifier side can check it holds the matching key.</summary>
    public required string ProvingKeyHash { get; init; }

    /// <summary>proof.json (pi_a, pi_b, pi_c, protocol, curve).</summary>
    public string? Proof { get; init; }

    /// <summary>public.json: the public signals as decimal strings.</summary>
    public IReadOnlyList<string>? PublicSignals { get; init; }

    /// <summary>Why the job failed (a witness that breaks a constraint, an unknown circuit, a malformed witness).</summary>
    public string? Error { get; init; }

    /// <summary>Wall time from the job's acceptance to the proof.</summary>
    public required double Seconds { get; init; }

    /// <summary>Silos that computed a part of the proof.</summary>
    public IReadOnlyList<string> Silos { get; init; } = [];
}
