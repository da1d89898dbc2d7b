namespace Nexus.Contracts.Registry;

/// <summary>
/// An app joined the network: the first event of its stream. Written by the operator CLI,
/// read by the chain-listener (what to watch) and the sequencer (how to order and decode).
/// </summary>
public sealed record AppRegistered
{
    /// <summary>App id: 1–32 characters of [a-z0-9-], carried on-chain as a left-aligned bytes32.</summary>
    public required string AppId { get; init; }

    /// <summary>Chain the app is bound to.</summary>
    public required long ChainId { get; init; }

    /// <summary>The NexusInbox contract whose <c>InputSubmitted</c> events for this app are inputs; null if the app takes none.</summary>
    public string? Inbox { get; init; }

    /// <summary>
    /// Optional ABI type list the inbox payload must decode as, e.g. <c>(uint256,address)</c>;
    /// a payload that does not decode is rejected. Null: payload is opaque bytes.
    /// </summary>
    public string? PayloadAbi { get; init; }

    /// <summary>Other contracts' events that are inputs of this app.</summary>
    public required IReadOnlyList<EventSource> Sources { get; init; }

    /// <summary>Blocks a log must be buried under before it becomes an input.</summary>
    public required int Confirmations { get; init; }

    /// <summary>First L1 block whose logs count; earlier logs are rejected as older than the registration.</summary>
    public required long FromBlock { get; init; }

    /// <summary>When the operator registered the app.</summary>
    public required DateTimeOffset RegisteredAt { get; init; }
}

/// <summary>A contract event that feeds an app.</summary>
/// <param name="Contract">Emitting contract address (lower-case hex).</param>
/// <param name="EventSignature">Human-readable event, e.g. <c>BidPlaced(address indexed bidder, uint256 indexed lotId, uint256 amount)</c>.</param>
public sealed record EventSource(string Contract, string EventSignature);
