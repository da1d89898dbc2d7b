namespace Nexus.Contracts.Executor;

/// <summary>
/// Bus notification: the executor committed block <see cref="Height"/> of an app; its
/// <see cref="BlockExecuted"/> is at <see cref="StreamVersion"/> of the app's stream, where consumers
/// read it (results and outputs stay off the bus).
/// </summary>
public sealed record BlockExecutedNotification
{
    /// <summary>The app.</summary>
    public required string AppId { get; init; }

    /// <summary>The executed block's height.</summary>
    public required long Height { get; init; }

    /// <summary>Version of the <see cref="BlockExecuted"/> event in the app's stream.</summary>
    public required long StreamVersion { get; init; }
}
