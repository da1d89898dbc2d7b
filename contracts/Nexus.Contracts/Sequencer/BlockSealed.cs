namespace Nexus.Contracts.Sequencer;

/// <summary>
/// Stream event: the sequencer cut an app block. The block's inputs are the <see cref="InputSequenced"/>
/// events between <see cref="InputsAfterVersion"/> and <see cref="StreamVersion"/> (exclusive) with
/// sequence numbers <see cref="FirstSeq"/>..<c>FirstSeq + Count - 1</c>; they are not copied here.
/// On the bus it is announced by <see cref="BlockSealedNotification"/>.
/// </summary>
public sealed record BlockSealed
{
    /// <summary>The app.</summary>
    public required string AppId { get; init; }

    /// <summary>Chain the app is bound to.</summary>
    public required long ChainId { get; init; }

    /// <summary>Block height within the app, from 0, gapless.</summary>
    public required long Height { get; init; }

    /// <summary>Sequence number of the block's first input.</summary>
    public required long FirstSeq { get; init; }

    /// <summary>Number of inputs.</summary>
    public required int Count { get; init; }

    /// <summary>Keccak Merkle root over the inputs' canonical encoding.</summary>
    public required string InputsRoot { get; init; }

    /// <summary>First L1 block covered.</summary>
    public required long FromL1Block { get; init; }

    /// <summary>Last L1 block covered.</summary>
    public required long ToL1Block { get; init; }

    /// <summary>Version of this event in the app's stream.</summary>
    public required long StreamVersion { get; init; }

    /// <summary>Stream version after which the block's inputs start (the previous block's seal, or the registration).</summary>
    public required long InputsAfterVersion { get; init; }
}
