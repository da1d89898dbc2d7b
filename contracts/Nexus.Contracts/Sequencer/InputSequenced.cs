namespace Nexus.Contracts.Sequencer;

/// <summary>Stream event: an input took the next sequence number of its app.</summary>
public sealed record InputSequenced
{
    /// <summary>The app.</summary>
    public required string AppId { get; init; }

    /// <summary>The input with its sequence number.</summary>
    public required SequencedInput Input { get; init; }
}
