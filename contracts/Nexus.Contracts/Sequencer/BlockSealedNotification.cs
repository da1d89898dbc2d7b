namespace Nexus.Contracts.Sequencer;

/// <summary>
/// Bus notification: the sequencer sealed block <see cref="Height"/> of an app; its <see cref="BlockSealed"/>
/// is at <see cref="StreamVersion"/> of the app's stream. The stream is the data: a consumer reads the
/// block and its inputs there (through <c>Nexus.AppStreams</c>), so a lost, repeated or early
/// notification changes nothing but when it looks.
/// </summary>
public sealed record BlockSealedNotification
{
    /// <summary>The app (the stream id; also what consumers partition by).</summary>
    public required string AppId { get; init; }

    /// <summary>The sealed block's height.</summary>
    public required long Height { get; init; }

    /// <summary>Version of the <see cref="BlockSealed"/> event in the app's stream.</summary>
    public required long StreamVersion { get; init; }
}
