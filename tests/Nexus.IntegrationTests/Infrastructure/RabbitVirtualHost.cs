using System.Net.Http.Headers;
using System.Text;

namespace Nexus.IntegrationTests.Infrastructure;

/// <summary>A throw-away RabbitMQ virtual host (via the management API) so a test's queues and exchanges are its own.</summary>
public sealed class RabbitVirtualHost : IAsyncDisposable
{
    private static readonly HttpClient Http = CreateClient();

    private RabbitVirtualHost(string name) => Name = name;

    public string Name { get; }

    public static async Task<RabbitVirtualHost> CreateAsync(string name)
    {
        (await Http.PutAsync($"api/vhosts/{name}", Json("{}"))).EnsureSuccessStatusCode();
        (await Http.PutAsync($"api/permissions/{name}/guest", Json("""{"configure":".*","write":".*","read":".*"}"""))).EnsureSuccessStatusCode();
        return new RabbitVirtualHost(name);
    }

    public async ValueTask DisposeAsync() => await Http.DeleteAsync($"api/vhosts/{Name}");

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static HttpClient CreateClient()
    {
        var client = new HttpClient { BaseAddress = new Uri(LocalInfra.RabbitManagement.TrimEnd('/') + "/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
        return client;
    }
}
