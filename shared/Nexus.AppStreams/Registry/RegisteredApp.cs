using Nexus.Contracts.Registry;

namespace Nexus.AppStreams.Registry;

/// <summary>
/// The registry's read model of one app, projected inline from its stream: the registration and every
/// code deployment. Written only in the transactions that append those events.
/// </summary>
public sealed record RegisteredApp(string Id, AppRegistered Registration, IReadOnlyList<AppCodeDeployed> Deployments)
{
    public static RegisteredApp Create(AppRegistered e) => new(e.AppId, e, []);

    public RegisteredApp Apply(AppCodeDeployed e) => this with { Deployments = [.. Deployments, e] };

    /// <summary>The deployment in force at <paramref name="height"/>: the last one with FromHeight ≤ height (null: no code yet).</summary>
    public AppCodeDeployed? CodeAt(long height) => CodeAt(Deployments, height);

    public static AppCodeDeployed? CodeAt(IEnumerable<AppCodeDeployed> deployments, long height) =>
        deployments.LastOrDefault(d => d.FromHeight <= height);
}
