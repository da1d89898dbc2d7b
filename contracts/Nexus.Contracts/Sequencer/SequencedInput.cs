namespace Nexus.Contracts.Sequencer;

/// <summary>An input with its place in the app's order and its provenance on L1.</summary>
public sealed record SequencedInput
{
    /// <summary>Gapless per-app sequence number, from 0.</summary>
    public required long Seq { get; init; }

    /// <summary>Deterministic input id: <c>{chainId}:{txHash}:{logIndex}</c>.</summary>
    public required string InputId { get; init; }

    /// <summary>Block number and log index of the log.</summary>
    public required LogPosition Position { get; init; }

    /// <summary>Hash of the log's block.</summary>
    public required string BlockHash { get; init; }

    /// <summary>Timestamp of the log's block (seconds): the only clock an app may read.</summary>
    public required long BlockTimestamp { get; init; }

    /// <summary>Transaction hash.</summary>
    public required string TxHash { get; init; }

    /// <summary>Index of the transaction within its block.</summary>
    public required int TxIndex { get; init; }

    /// <summary>Emitting contract.</summary>
    public required string Emitter { get; init; }

    /// <summary>Log topics (hex).</summary>
    public required IReadOnlyList<string> Topics { get; init; }

    /// <summary>Log data (hex).</summary>
    public required string Data { get; init; }

    /// <summary><c>inbox</c>, or the event signature of the registered source.</summary>
    public required string Source { get; init; }

    /// <summary>Inbox inputs: the account that called <c>submit</c>; null for event sources.</summary>
    public string? Sender { get; init; }

    /// <summary>Inbox inputs: the per-app nonce the inbox assigned.</summary>
    public long? Nonce { get; init; }

    /// <summary>Inbox inputs: the payload bytes (hex).</summary>
    public string? Payload { get; init; }

    /// <summary>Decoded arguments (event parameters, or the payload under the app's payload ABI).</summary>
    public required IReadOnlyList<DecodedArgument> Arguments { get; init; }
}

/// <summary>One decoded ABI value, rendered as text (numbers in decimal, bytes and addresses in hex).</summary>
public sealed record DecodedArgument(string Name, string Type, string Value);
