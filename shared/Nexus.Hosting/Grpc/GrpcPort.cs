using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Nexus.Hosting;

/// <summary>A second, HTTP/2-only port for gRPC on the service's bind address.</summary>
public static class GrpcPort
{
    /// <summary>
    /// gRPC needs HTTP/2, and without TLS a port speaks one protocol, so gRPC gets its own port on the
    /// address of the first URL. Listening explicitly replaces the URL binding, so the HTTP ones are re-added.
    /// </summary>
    /// <param name="configure">Extra settings of the gRPC listener (e.g. TLS with client certificates).</param>
    public static WebApplicationBuilder ListenGrpcOn(this WebApplicationBuilder builder, int grpcPort, int defaultPort, Action<ListenOptions>? configure = null)
    {
        var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } configured ? configured : $"http://127.0.0.1:{defaultPort}";
        // The endpoints below replace the URL setting; clearing it keeps Kestrel from warning that it overrides them.
        builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, "");
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            IPAddress? first = null;
            foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var uri = new Uri(url.Replace("*", "0.0.0.0").Replace("+", "0.0.0.0"));
                var address = uri.Host == "localhost" ? IPAddress.Loopback
                    : IPAddress.TryParse(uri.Host, out var ip) ? ip
                    : Dns.GetHostAddresses(uri.Host).FirstOrDefault()
                        ?? throw new InvalidOperationException($"urls: host '{uri.Host}' does not resolve");
                first ??= address;
                kestrel.Listen(address, uri.Port, l => l.Protocols = HttpProtocols.Http1);
            }
            kestrel.Listen(first ?? IPAddress.Loopback, grpcPort, l =>
            {
                l.Protocols = HttpProtocols.Http2;
                configure?.Invoke(l);
            });
        });
        return builder;
    }
}
