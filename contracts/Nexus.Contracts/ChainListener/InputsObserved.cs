namespace Nexus.Contracts.ChainListener;

/// <summary>
/// Consecutive observed inputs of one app, in chain order, as the chain-listener publishes them:
/// one bus message carries up to a few hundred inputs, because per-message broker cost, not the
/// inputs themselves, bounds ingestion. Each input keeps its own deterministic id and order link.
/// </summary>
public sealed record InputsObserved
{
    /// <summary>The app all the inputs are for.</summary>
    public required string AppId { get; init; }

    /// <summary>Chain of the logs.</summary>
    public required long ChainId { get; init; }

    /// <summary>The inputs, in chain order.</summary>
    public required IReadOnlyList<ObservedInput> Inputs { get; init; }
}
