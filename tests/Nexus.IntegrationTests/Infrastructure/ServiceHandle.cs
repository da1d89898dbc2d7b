using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Nexus.IntegrationTests.Infrastructure;

/// <summary>A service hosted in the test process exactly as its Program.cs hosts it (crash tests use <see cref="ServiceProcess"/>).</summary>
public sealed class ServiceHandle : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private ServiceHandle(WebApplication app) => _app = app;

    public string BaseUrl => _app.Urls.First();

    public static async Task<ServiceHandle> StartAsync(Action<WebApplicationBuilder> addService, IDictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings) { ["urls"] = "http://127.0.0.1:0" });
        addService(builder);
        var app = builder.Build();
        app.MapNexusDefaultsForTests();
        await app.StartAsync();
        return new ServiceHandle(app);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopped) return;
        _stopped = true;
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(grace.Token);
        await _app.DisposeAsync();
    }
}

internal static class TestHostExtensions
{
    public static void MapNexusDefaultsForTests(this WebApplication app) => Nexus.Hosting.NexusDefaults.MapNexusDefaults(app);
}
