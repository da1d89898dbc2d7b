namespace Nexus.Contracts.Sequencer;

/// <summary>
/// An observed log that will never be an input, and why. Stream event (for registered apps) and
/// bus message; never dropped silently.
/// </summary>
public sealed record InputRejected
{
    /// <summary>Deterministic input id: <c>{chainId}:{txHash}:{logIndex}</c>.</summary>
    public required string InputId { get; init; }

    /// <summary>The app id the log named or was watched for.</summary>
    public required string AppId { get; init; }

    /// <summary>Chain of the log.</summary>
    public required long ChainId { get; init; }

    /// <summary>Position of the log.</summary>
    public required LogPosition Position { get; init; }

    /// <summary>Transaction hash.</summary>
    public required string TxHash { get; init; }

    /// <summary>Machine-readable reason.</summary>
    public required RejectionCode Code { get; init; }

    /// <summary>Human-readable reason.</summary>
    public required string Reason { get; init; }
}

/// <summary>Why an observed log was not sequenced.</summary>
public enum RejectionCode
{
    /// <summary>No app is registered under the id.</summary>
    UnknownApp,
    /// <summary>The log is older than the app's registration block.</summary>
    BeforeRegistration,
    /// <summary>The payload or event data does not decode under the registered ABI.</summary>
    Undecodable,
    /// <summary>The log came from a source the app did not register.</summary>
    UnregisteredSource,
}
