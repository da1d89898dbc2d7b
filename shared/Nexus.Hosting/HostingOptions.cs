using System.ComponentModel.DataAnnotations;

namespace Nexus.Hosting;

/// <summary>The broker. Section <c>RabbitMq</c>; the password comes from env (<c>RabbitMq__Password</c>) or a file.</summary>
public sealed class RabbitMqOptions
{
    public const string Section = "RabbitMq";

    [Required] public string Host { get; set; } = "127.0.0.1";
    [Range(1, 65535)] public int Port { get; set; } = 5672;
    [Required] public string VirtualHost { get; set; } = "/";
    [Required] public string Username { get; set; } = "guest";
    public string Password { get; set; } = "guest";
    /// <summary>Optional file holding the password (wins over <see cref="Password"/>).</summary>
    public string? PasswordFile { get; set; }
    /// <summary>Messages fetched ahead per consumer endpoint.</summary>
    [Range(1, 10_000)] public int PrefetchCount { get; set; } = 256;
}

/// <summary>PostgreSQL holding the app streams. Section <c>Postgres</c>.</summary>
public sealed class PostgresOptions
{
    public const string Section = "Postgres";

    [Required] public string ConnectionString { get; set; } = "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Database=postgres";
    /// <summary>Schema of the shared app event store.</summary>
    [Required, RegularExpression("^[a-z_][a-z0-9_]{0,62}$")] public string Schema { get; set; } = "nexus";
}
