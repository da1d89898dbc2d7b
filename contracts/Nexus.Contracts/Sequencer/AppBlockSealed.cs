namespace Nexus.Contracts.Sequencer;

/// <summary>A batch of an app's inputs, in chain order, ready to execute. Stream event and bus message.</summary>
public sealed record AppBlockSealed
{
    /// <summary>The app.</summary>
    public required string AppId { get; init; }

    /// <summary>Chain the app is bound to.</summary>
    public required long ChainId { get; init; }

    /// <summary>Block height within the app, from 0, gapless.</summary>
    public required long Height { get; init; }

    /// <summary>The inputs, in sequence order (consecutive <see cref="SequencedInput.Seq"/>).</summary>
    public required IReadOnlyList<SequencedInput> Inputs { get; init; }

    /// <summary>Keccak Merkle root over the inputs' canonical encoding (see Nexus.Ethereum's <c>InputsRoot</c>).</summary>
    public required string InputsRoot { get; init; }

    /// <summary>First L1 block covered by the inputs.</summary>
    public required long FromL1Block { get; init; }

    /// <summary>Last L1 block covered by the inputs.</summary>
    public required long ToL1Block { get; init; }
}
