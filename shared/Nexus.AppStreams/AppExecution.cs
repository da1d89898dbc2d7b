using Nexus.Contracts.Executor;
using Nexus.Contracts.Registry;

namespace Nexus.AppStreams;

/// <summary>
/// Where an app's execution stands: the last executed block (height, header hash, state root, the
/// stream version of its seal, from which the next block is read) and the code deployments. The
/// executor decides on it; the CLI shows it.
/// </summary>
public sealed record AppExecution(
    string Id,
    long ChainId,
    long Height,
    string HeaderHash,
    string StateRoot,
    long SealedVersion,
    IReadOnlyList<AppCodeDeployed> Deployments,
    long Inputs,
    long Rejected)
{
    public static readonly string Zero32 = "0x" + new string('0', 64);

    /// <summary>Nothing executed yet: height -1, and the next block's inputs start after the registration.</summary>
    public static AppExecution Create(AppRegistered e) => new(e.AppId, e.ChainId, -1, Zero32, Zero32, 1, [], 0, 0);

    public AppExecution Apply(AppCodeDeployed e) => this with { Deployments = [.. Deployments, e] };

    public AppExecution Apply(BlockExecuted e) => this with
    {
        Height = e.Height,
        HeaderHash = e.HeaderHash,
        StateRoot = e.Header.StateRoot,
        SealedVersion = e.SealedVersion,
        Inputs = Inputs + e.Results.Count,
        Rejected = Rejected + e.Results.Count(r => !r.Accepted),
    };

    /// <summary>The deployment in force at <paramref name="height"/>: the last one with FromHeight ≤ height.</summary>
    public AppCodeDeployed? CodeAt(long height) => CodeAt(Deployments, height);

    public static AppCodeDeployed? CodeAt(IEnumerable<AppCodeDeployed> deployments, long height) =>
        deployments.LastOrDefault(d => d.FromHeight <= height);
}
