namespace Nexus.Hosting;

/// <summary>Meter and activity source names start with this, so the defaults export them all.</summary>
public static class NexusMeters
{
    public const string Prefix = "Nexus.";
}
