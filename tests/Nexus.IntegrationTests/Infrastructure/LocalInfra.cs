namespace Nexus.IntegrationTests.Infrastructure;

/// <summary>Where the infrastructure that infra/start.sh runs is reached; env vars override for other set-ups.</summary>
public static class LocalInfra
{
    public static string Postgres => Env("NEXUS_POSTGRES", "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Database=postgres;Maximum Pool Size=40");
    public static string RpcUrl => Env("NEXUS_RPC", "http://127.0.0.1:8545");
    public static string RabbitHost => Env("NEXUS_RABBITMQ_HOST", "127.0.0.1");
    public static int RabbitPort => int.Parse(Env("NEXUS_RABBITMQ_PORT", "5672"));
    public static string RabbitManagement => Env("NEXUS_RABBITMQ_MANAGEMENT", "http://127.0.0.1:15672");

    private static string Env(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;
}
