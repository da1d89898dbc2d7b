using System.Net.Http.Headers;
using System.Text;

namespace Nexus.LocalDev.Hosting;

/// <summary>A throw-away RabbitMQ virtual host, made through the management API, so a run's queues and exchanges are its own.</summary>
public sealed class RabbitVirtualHost : IAsyncDisposable
{
    private readonly HttpClient _http;

    private RabbitVirtualHost(HttpClient http, string name)
    {
        _http = http;
        Name = name;
    }

    public string Name { get; }

    public static async Task<RabbitVirtualHost> CreateAsync(string managementUrl, string name, string user = "guest", string password = "guest")
    {
        var http = new HttpClient { BaseAddress = new Uri(managementUrl.TrimEnd('/') + "/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        (await http.PutAsync($"api/vhosts/{name}", Json("{}"))).EnsureSuccessStatusCode();
        (await http.PutAsync($"api/permissions/{name}/{user}", Json("""{"configure":".*","write":".*","read":".*"}"""))).EnsureSuccessStatusCode();
        return new RabbitVirtualHost(http, name);
    }

    public async ValueTask DisposeAsync()
    {
        await _http.DeleteAsync($"api/vhosts/{Name}");
        _http.Dispose();
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
