namespace Nexus.Contracts.Registry;

/// <summary>
/// Stream event: the app's WebAssembly code from <see cref="FromHeight"/> on. The module itself is
/// stored content-addressed (by <see cref="CodeHash"/>) next to the streams. A later deployment with a
/// higher <see cref="FromHeight"/> is an upgrade; the code in force at height h is the last deployment
/// with <c>FromHeight ≤ h</c>.
/// </summary>
public sealed record AppCodeDeployed
{
    /// <summary>The app.</summary>
    public required string AppId { get; init; }

    /// <summary>keccak256 of the module bytes (0x-hex).</summary>
    public required string CodeHash { get; init; }

    /// <summary>First app block height run with this code; above every height sealed when it was deployed.</summary>
    public required long FromHeight { get; init; }

    /// <summary>Fuel limit per input (consensus).</summary>
    public required long FuelLimit { get; init; }

    /// <summary>Linear memory limit in bytes (consensus).</summary>
    public required long MemoryLimitBytes { get; init; }

    /// <summary>Module size in bytes.</summary>
    public required int SizeBytes { get; init; }

    /// <summary>When the operator deployed it.</summary>
    public required DateTimeOffset DeployedAt { get; init; }
}
