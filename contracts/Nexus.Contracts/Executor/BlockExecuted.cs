namespace Nexus.Contracts.Executor;

/// <summary>
/// Stream event: the executor ran an app block (announced on the bus by
/// <see cref="BlockExecutedNotification"/>). Anyone holding the stream can re-derive every field with the
/// runtime (<c>nexus audit</c>).
/// </summary>
public sealed record BlockExecuted
{
    /// <summary>The app.</summary>
    public required string AppId { get; init; }

    /// <summary>Block height.</summary>
    public required long Height { get; init; }

    /// <summary>The header the signers will sign.</summary>
    public required BlockHeader Header { get; init; }

    /// <summary>Hash of <see cref="Header"/>.</summary>
    public required string HeaderHash { get; init; }

    /// <summary>One result per input, in sequence order.</summary>
    public required IReadOnlyList<InputResult> Results { get; init; }

    /// <summary>Fuel used by all inputs.</summary>
    public required long FuelUsed { get; init; }

    /// <summary>Stream version of the block's <c>BlockSealed</c> event.</summary>
    public required long SealedVersion { get; init; }
}

/// <summary>What one input did.</summary>
public sealed record InputResult
{
    /// <summary>Sequence number of the input.</summary>
    public required long Seq { get; init; }

    /// <summary>Deterministic input id.</summary>
    public required string InputId { get; init; }

    /// <summary>True when its state writes and outputs took effect.</summary>
    public required bool Accepted { get; init; }

    /// <summary>Why it was rejected (<c>AppRejected</c>, <c>AppAborted</c>, <c>OutOfFuel</c>, <c>Trap</c>, <c>AbiMisuse</c>, <c>NoCode</c>); null when accepted.</summary>
    public string? Reason { get; init; }

    /// <summary>The app's non-zero return code for <c>AppRejected</c>.</summary>
    public int Code { get; init; }

    /// <summary>Human-readable detail; not committed by the results root.</summary>
    public string? Message { get; init; }

    /// <summary>Fuel used (committed).</summary>
    public required long FuelUsed { get; init; }

    /// <summary>Outputs it emitted, with their index in the block's outputs tree.</summary>
    public required IReadOnlyList<BlockOutput> Outputs { get; init; }
}

/// <summary>One output: a notice or a call to <see cref="Target"/> with calldata <see cref="Payload"/>.</summary>
/// <param name="Index">Leaf index in the block's outputs tree.</param>
/// <param name="Kind"><c>notice</c> or <c>call</c>.</param>
/// <param name="Target">Called contract (zero address for notices).</param>
/// <param name="Payload">Notice bytes or calldata (0x-hex).</param>
public sealed record BlockOutput(int Index, string Kind, string Target, string Payload);
