using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexus.Hosting.Health;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Nexus.Hosting;

/// <summary>What every Nexus service shares: logging, telemetry, health, and a loopback-only default binding.</summary>
public static class NexusDefaults
{
    public const string ReadyTag = "ready";

    /// <summary>
    /// Structured console logs, OpenTelemetry traces and metrics (Prometheus at <c>/metrics</c>, OTLP when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set), health checks, and <c>http://127.0.0.1:{defaultPort}</c>
    /// unless <c>urls</c>/<c>ASPNETCORE_URLS</c> say otherwise.
    /// </summary>
    public static WebApplicationBuilder AddNexusDefaults(this WebApplicationBuilder builder, string serviceName, int defaultPort)
    {
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
            builder.WebHost.UseUrls($"http://127.0.0.1:{defaultPort}");

        builder.Logging.ClearProviders();
        if (string.Equals(builder.Configuration["Logging:Format"], "json", StringComparison.OrdinalIgnoreCase))
            builder.Logging.AddJsonConsole(o => o.TimestampFormat = "O");
        else
            builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        // Framework chatter (schema DDL, per-request lines, daemon ranges) drowns what operators need;
        // appsettings or Logging__LogLevel__* env vars can turn it back on.
        builder.Logging.AddFilter("Marten", LogLevel.Warning);
        builder.Logging.AddFilter("JasperFx", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(NexusMeters.Prefix + "*", "MassTransit", "Marten")
                .AddPrometheusExporter())
            .WithTracing(t => t
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddSource("MassTransit", "Marten", NexusMeters.Prefix + "*"));
        if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            otel.UseOtlpExporter();

        builder.Services.AddHealthChecks();
        return builder;
    }

    /// <summary><c>/health/live</c> (process up), <c>/health/ready</c> (dependencies reachable), <c>/metrics</c>.</summary>
    public static WebApplication MapNexusDefaults(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(ReadyTag),
            ResponseWriter = HealthResponse.WriteAsync,
            // Degraded (e.g. the bus reconnecting) is not ready to do the work: answer 503, not 200.
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    /// <summary>Binds, validates (data annotations) and checks the options when the host starts.</summary>
    public static OptionsBuilder<T> AddNexusOptions<T>(this IServiceCollection services, string section) where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();

    /// <summary>
    /// Runs the service; bad configuration stops it with one clear line and exit code 2 instead of a
    /// stack trace, and so does anything else that keeps it from starting (a missing key or committee
    /// file, a wrong passphrase): the host has logged the details already.
    /// </summary>
    public static async Task<int> RunNexusAsync(this WebApplication app)
    {
        try
        {
            await app.StartAsync();
        }
        catch (OptionsValidationException e)
        {
            Console.Error.WriteLine($"configuration error: {string.Join("; ", e.Failures)}");
            return 2;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Console.Error.WriteLine($"startup failed: {e.GetBaseException().Message}");
            return 2;
        }
        await app.WaitForShutdownAsync();
        return 0;
    }
}
