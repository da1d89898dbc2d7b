namespace Nexus.Contracts.ChainListener;

/// <summary>
/// An input as the chain-listener observed it: a confirmed Ethereum log that feeds an app, before the
/// sequencer gives it its place (<c>SequencedInput</c>) or rejects it (<c>InputRejected</c>). Published
/// at least once, inside <see cref="InputsObserved"/>; <see cref="InputId"/> makes duplicates
/// recognisable downstream.
/// </summary>
public sealed record ObservedInput
{
    /// <summary>Deterministic input id: <c>{chainId}:{txHash}:{logIndex}</c>.</summary>
    public required string InputId { get; init; }

    /// <summary>The app this input is for (from the inbox's appId topic, or the app that registered the source).</summary>
    public required string AppId { get; init; }

    /// <summary>EIP-155 chain id of the chain the log was read from.</summary>
    public required long ChainId { get; init; }

    /// <summary>Block number and log index: the input's place in chain order.</summary>
    public required LogPosition Position { get; init; }

    /// <summary>Hash of the block that holds the log (checked canonical when observed).</summary>
    public required string BlockHash { get; init; }

    /// <summary>Timestamp of that block, seconds since the Unix epoch.</summary>
    public required long BlockTimestamp { get; init; }

    /// <summary>Transaction hash.</summary>
    public required string TxHash { get; init; }

    /// <summary>Index of the transaction within its block.</summary>
    public required int TxIndex { get; init; }

    /// <summary>Address of the contract that emitted the log (lower-case hex).</summary>
    public required string Emitter { get; init; }

    /// <summary>The log's topics as 0x-prefixed hex; topic 0 is the event signature hash.</summary>
    public required IReadOnlyList<string> Topics { get; init; }

    /// <summary>The log's data as 0x-prefixed hex.</summary>
    public required string Data { get; init; }

    /// <summary>
    /// Position of the app's previous input as the listener saw it (null for the app's first input).
    /// The sequencer uses this chain to put inputs in order even when the bus reorders them.
    /// Null and ignored when <see cref="Unclaimed"/> is set.
    /// </summary>
    public LogPosition? Preceding { get; init; }

    /// <summary>True when no later input of this app is in the same L1 block: the sequencer may cut a block here.</summary>
    public required bool LastOfL1Block { get; init; }

    /// <summary>
    /// True when the log came from the inbox-wide watch because no registered app claimed it
    /// (unknown app id, or older than the app's registration). The sequencer records these as rejected.
    /// </summary>
    public bool Unclaimed { get; init; }
}
