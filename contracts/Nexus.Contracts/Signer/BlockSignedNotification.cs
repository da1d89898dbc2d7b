namespace Nexus.Contracts.Signer;

/// <summary>
/// Bus notification: the committee signed block <see cref="Height"/> of an app; its
/// <see cref="BlockSigned"/> (header and threshold signature) is at <see cref="StreamVersion"/> of the
/// app's stream, where consumers read it.
/// </summary>
public sealed record BlockSignedNotification
{
    /// <summary>The app.</summary>
    public required string AppId { get; init; }

    /// <summary>The signed block's height.</summary>
    public required long Height { get; init; }

    /// <summary>Version of the <see cref="BlockSigned"/> event in the app's stream.</summary>
    public required long StreamVersion { get; init; }
}
