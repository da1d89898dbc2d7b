using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Nexus.Hosting;

namespace Nexus.LocalDev.Hosting;

/// <summary>
/// A service hosted inside another process exactly as its Program.cs hosts it (same registrations,
/// same endpoints), on a free loopback port. For tests and the benchmark tools.
/// </summary>
public sealed class InProcessService : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessService(WebApplication app) => _app = app;

    public string BaseUrl => _app.Urls.First();
    public IServiceProvider Services => _app.Services;

    public static async Task<InProcessService> StartAsync(Action<WebApplicationBuilder> addService, IDictionary<string, string?> settings, Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings) { ["urls"] = "http://127.0.0.1:0" });
        addService(builder);
        var app = builder.Build();
        app.MapNexusDefaults();
        map?.Invoke(app);
        await app.StartAsync();
        return new InProcessService(app);
    }

    /// <summary>
    /// Waits until the service answers ready: its dependencies are reachable and, the bus being started in
    /// the background, its queues exist and are bound (a message published before would find no queue).
    /// </summary>
    public async Task WaitReadyAsync(TimeSpan? timeout = null)
    {
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                if ((await http.GetAsync(BaseUrl + "/health/ready")).IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{BaseUrl} did not become ready");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// A loopback port free right now (for a second listener, e.g. a gRPC port, beside the service's own).
    /// Drawn below Linux's ephemeral range (32768–60999), so a port-0 bind or an outgoing connection made
    /// before the listener starts cannot take it.
    /// </summary>
    public static int FreePort()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var port = Random.Shared.Next(20_000, 32_000);
            try
            {
                using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
                probe.Start();
                return port;
            }
            catch (System.Net.Sockets.SocketException)
            {
            }
        }
        using var socket = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        socket.Start();
        return ((System.Net.IPEndPoint)socket.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(grace.Token);
        await _app.DisposeAsync();
    }
}
