using JasperFx.Events.Daemon;
using Marten;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Nexus.AppStreams;
using Nexus.Executor.Blocks;
using Nexus.Executor.Query;
using Nexus.Hosting;
using Nexus.Runtime.Wasm;
using Npgsql;

namespace Nexus.Executor;

/// <summary>The executor's registrations, shared by Program.cs and the tests that host it in-process.</summary>
public static class ExecutorHost
{
    public const int DefaultPort = 5103;

    public static WebApplicationBuilder AddExecutor(this WebApplicationBuilder builder)
    {
        builder.AddNexusDefaults("executor", DefaultPort);
        builder.Services.AddNexusOptions<ExecutorOptions>(ExecutorOptions.Section);
        var options = builder.Configuration.GetSection(ExecutorOptions.Section).Get<ExecutorOptions>() ?? new ExecutorOptions();
        var postgres = builder.Configuration.GetSection(PostgresOptions.Section).Get<PostgresOptions>() ?? new PostgresOptions();

        builder.Services.AddSingleton<ExecutorMetrics>();
        builder.Services.AddSingleton(sp => new WasmRuntime(new RuntimeOptions
        {
            // Compiled artifacts are loaded as native code: keep them in a directory only this user can write,
            // never a shared temp folder.
            ModuleCacheDirectory = PrivateDirectory(string.IsNullOrWhiteSpace(options.ModuleCacheDirectory)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "nexus", "module-cache")
                : options.ModuleCacheDirectory),
            DebugLog = options.GuestDebugLog ? line => sp.GetRequiredService<ILogger<WasmRuntime>>().LogDebug("guest: {Line}", line) : null,
        }));
        builder.Services.AddSingleton(_ => new StateNodes(NpgsqlDataSource.Create(postgres.ConnectionString), postgres.Schema));
        builder.Services.AddSingleton<AppExecutor>();
        builder.Services.AddSingleton<ExecutionScheduler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ExecutionScheduler>());

        builder.AddNexusMarten(store =>
            {
                store.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(100);
                store.Projections.FastPollingTime = TimeSpan.FromMilliseconds(50);
                // Hot/cold election among executors; a different lock id from the sequencer's on the same schema.
                store.Projections.DaemonLockId = 0x5E91000 + BitConverter.ToUInt16(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(store.DatabaseSchemaName)));
            })
            .AddSubscriptionWithServices<ExecutorPublisher>(ServiceLifetime.Singleton, o => o.Options.BatchSize = 200)
            .AddAsyncDaemon(DaemonMode.HotCold);

        builder.AddNexusBus(bus => bus.AddConsumer<AppBlockSealedConsumer>());

        builder.Services.AddGrpc(o => o.EnableDetailedErrors = false);
        // gRPC needs HTTP/2, and without TLS a port speaks one protocol, so queries get their own port
        // on the same address. Listening explicitly replaces the URL binding, so the HTTP one is re-added.
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var urls = context.Configuration[WebHostDefaults.ServerUrlsKey] ?? $"http://127.0.0.1:{DefaultPort}";
            System.Net.IPAddress? first = null;
            foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var uri = new Uri(url.Replace("*", "0.0.0.0").Replace("+", "0.0.0.0"));
                var address = uri.Host == "localhost" ? System.Net.IPAddress.Loopback
                    : System.Net.IPAddress.TryParse(uri.Host, out var ip) ? ip
                    : System.Net.Dns.GetHostAddresses(uri.Host).FirstOrDefault()
                        ?? throw new InvalidOperationException($"urls: host '{uri.Host}' does not resolve");
                first ??= address;
                kestrel.Listen(address, uri.Port, l => l.Protocols = HttpProtocols.Http1);
            }
            kestrel.Listen(first ?? System.Net.IPAddress.Loopback, options.GrpcPort, l => l.Protocols = HttpProtocols.Http2);
        });
        return builder;
    }

    private static string PrivateDirectory(string path)
    {
        var dir = Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
            dir.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        return dir.FullName;
    }

    public static WebApplication MapExecutorQueries(this WebApplication app)
    {
        app.MapGrpcService<AppQueryService>();
        return app;
    }
}
