using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Nexus.Hosting;

/// <summary>MassTransit on RabbitMQ with the project's conventions.</summary>
public static class Messaging
{
    /// <summary>
    /// Registers the bus: durable messages with publisher confirms (MassTransit's default on RabbitMQ),
    /// kebab-case queues, readiness check tagged <c>ready</c>, reconnection handled by MassTransit.
    /// </summary>
    public static WebApplicationBuilder AddNexusBus(
        this WebApplicationBuilder builder,
        Action<IBusRegistrationConfigurator> configure,
        Action<IBusRegistrationContext, IRabbitMqBusFactoryConfigurator>? configureBus = null)
    {
        builder.Services.AddNexusOptions<RabbitMqOptions>(RabbitMqOptions.Section);
        var options = builder.Configuration.GetSection(RabbitMqOptions.Section).Get<RabbitMqOptions>() ?? new RabbitMqOptions();
        builder.Services.AddMassTransit(x =>
        {
            // MassTransit 8.5 reports usage to its vendor over the internet by default: a self-hosted
            // network sends nothing anywhere it was not configured to.
            x.DisableUsageTelemetry();
            x.SetKebabCaseEndpointNameFormatter();
            configure(x);
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(options.Host, (ushort)options.Port, options.VirtualHost, h =>
                {
                    h.Username(options.Username);
                    h.Password(ReadPassword(options));
                    h.PublisherConfirmation = true;
                });
                cfg.PrefetchCount = options.PrefetchCount;
                configureBus?.Invoke(context, cfg);
                cfg.ConfigureEndpoints(context);
            });
        });
        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            // Start in the background: a broker that is down must not stop /health/live from answering;
            // /health/ready reports it until MassTransit's reconnect loop gets through.
            o.WaitUntilStarted = false;
            o.StopTimeout = TimeSpan.FromSeconds(10);
        });
        return builder;
    }

    /// <summary>How long a publish may wait for the broker's confirm before it counts as failed.</summary>
    public static readonly TimeSpan ConfirmTimeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Publishes and waits for the broker's confirm, at most <see cref="ConfirmTimeout"/>. A publish on a
    /// channel that broke while the broker was away can wait for its confirm forever (seen: a listener
    /// stuck in one publish for minutes after RabbitMQ came back); timed out, it fails like any other
    /// broker error, the caller keeps its progress where it was and publishes again (same message ids).
    /// </summary>
    public static async Task PublishConfirmedAsync<T>(this IPublishEndpoint bus, T message, Action<PublishContext<T>> configure, CancellationToken ct)
        where T : class
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ConfirmTimeout);
        try
        {
            await bus.Publish(message, configure, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"the broker did not confirm a {typeof(T).Name} within {ConfirmTimeout.TotalSeconds:N0} s");
        }
    }

    private static string ReadPassword(RabbitMqOptions options) =>
        string.IsNullOrEmpty(options.PasswordFile) ? options.Password : File.ReadAllText(options.PasswordFile).Trim();
}
