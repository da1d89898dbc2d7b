using Nexus.Contracts.Registry;

namespace Nexus.AppStreams;

/// <summary>Read model of the app registry: one document per app, projected from its stream.</summary>
public sealed record RegisteredApp(string Id, AppRegistered Registration)
{
    public static RegisteredApp Create(AppRegistered e) => new(e.AppId, e);
}
